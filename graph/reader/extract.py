"""Stage 5: read a resolution file and extract every citation; the JSON shape that
``treatygraph extract`` prints and the HTTP API serves."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from treatygraph.errors import ParseError, fatal
from treatygraph.model import (
    Citation,
    Document,
    Extraction,
    Footnote,
    Instrument,
    Paragraph,
    Reference,
    ResolutionMeta,
)
from treatygraph.reader.authority import Authority, default_authority
from treatygraph.reader.bodies import body_of, parse_session, session_of
from treatygraph.reader.find import with_references
from treatygraph.reader.parse import parse, parse_date
from treatygraph.reader.resolve import resolve
from treatygraph.reader.sources import load

META_SUFFIX = ".meta.yaml"
# libyaml's safe loader where PyYAML was built with it: the same reading, eight times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
META_FIELDS = ("symbol", "title", "body", "session", "adoption_date", "agenda_item", "synthetic")


def extract(document: Document, *, authority: Authority | None = None) -> Extraction:
    """Find and resolve every citation of a parsed document."""
    document = with_references(document)
    citations, problems = resolve(document, authority or default_authority())
    return Extraction(document, citations, document.problems + problems)


def meta_path(text_path: Path) -> Path:
    return text_path.with_name(text_path.stem + META_SUFFIX)


def read_meta(path: Path) -> ResolutionMeta:
    """The metadata file beside a text that lacks the UN header."""
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_SAFE_LOADER) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise fatal(f"cannot read metadata: {err}", file=str(path)) from err
    except ValueError as err:  # a value YAML types but cannot build, e.g. 2020-02-30
        raise fatal(f"bad metadata value: {err}", file=str(path)) from err
    except RecursionError:
        raise fatal("cannot read metadata: nested too deeply", file=str(path)) from None
    if not isinstance(data, dict):
        raise fatal("metadata must be a mapping of fields", file=str(path))
    unknown = sorted(str(k) for k in set(data) - set(META_FIELDS))
    if unknown:
        raise fatal(f"unknown metadata fields: {', '.join(unknown)}", file=str(path))
    for required in ("symbol", "title"):
        if not data.get(required):
            raise fatal(f"metadata field '{required}' is missing", file=str(path))
    return _meta_of(data, source=path.name, file=str(path))


def front_matter_meta(fields: dict[str, Any], file: str) -> ResolutionMeta | None:
    """What a Markdown file's front matter says: symbol, title, date (the adoption date).
    Fields of the converter's own (record_id, source_pdf, ...) are not ours: left aside."""
    if not fields.get("symbol"):
        return None
    data = {k: v for k, v in fields.items() if k in META_FIELDS}
    if "adoption_date" not in data and fields.get("date"):
        data["adoption_date"] = fields["date"]
    # A converter cuts a long title short and marks the cut (" :", "..."): the header's wins.
    title = str(data.get("title") or "").strip()
    data["title"] = "" if title.endswith((":", "...", "…")) else title
    return _meta_of(data, source="front matter", file=file)


def _meta_of(data: dict[str, Any], *, source: str, file: str) -> ResolutionMeta:
    symbol = " ".join(str(data["symbol"]).split())
    try:
        adopted = parse_date(data.get("adoption_date"))
        session = parse_session(data.get("session"))
    except (TypeError, ValueError, OverflowError) as err:
        raise fatal(f"bad metadata value: {err}", file=file) from err
    if session is None:
        session = session_of(symbol)
    return ResolutionMeta(
        symbol=symbol,
        title=str(data.get("title") or ""),
        body=str(data.get("body") or body_of(symbol) or "General Assembly"),
        session=session,
        adoption_date=adopted,
        agenda_item=str(data["agenda_item"]) if data.get("agenda_item") else None,
        source=source,
        synthetic=bool(data.get("synthetic", False)),
    )


def read(path: str | Path, *, authority: Authority | None = None) -> Extraction:
    """Read a resolution file of any format (text, PDF, Markdown, HTML; told by its content)
    and the ``.meta.yaml`` beside it, if any, and extract it."""
    path = Path(path)
    source = load(path)
    meta_file = meta_path(path)
    meta = read_meta(meta_file) if meta_file.exists() else None
    if meta is None and source.metadata:
        meta = front_matter_meta(source.metadata, str(path))
    document = parse(source.text, meta=meta, file=str(path))
    document = replace(document, meta=replace(document.meta, input_format=str(source.format)))
    return extract(document, authority=authority)


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- JSON -------------------------------------------------------------------------------


def instrument_json(inst: Instrument) -> dict[str, Any]:
    return {
        "id": inst.id,
        "title": inst.title,
        "short_title": inst.short_title,
        "kind": inst.kind,
        "unts": [
            {
                k: v
                for k, v in (("volume", u.volume), ("number", u.number), ("page", u.page))
                if v is not None
            }
            for u in inst.unts
        ],
        "ilo_code": inst.ilo_code,
        "symbol": inst.symbol,
        "parent": inst.parent[0] if inst.parent else None,
        "parents": list(inst.parent),
        "in_authority": inst.in_authority,
    }


def citation_json(c: Citation) -> dict[str, Any]:
    return {
        "instrument": instrument_json(c.instrument),
        "via": str(c.via),
        "footnote": c.footnote,
        "span": c.span.as_list(),
        "quote": c.quote,
        "intent": c.intent,
    }


def paragraph_json(p: Paragraph, citations: tuple[Citation, ...]) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": str(p.kind),
        "number": p.number,
        "text": p.text,
        "span": p.span.as_list(),
        "footnotes": [m.number for m in p.markers],
        "items": [{"letter": i.letter, "span": i.span.as_list()} for i in p.items],
        "citations": [citation_json(c) for c in citations],
    }


def reference_json(r: Reference) -> dict[str, Any]:
    fields = {
        "kind": str(r.kind),
        "volume": r.volume,
        "number": r.number,
        "page": r.page,
        "symbol": r.symbol,
        "pinpoint": r.pinpoint,
        "sales_number": r.sales_number,
    }
    out: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    out |= {"ibid": r.ibid, "continues": r.continues, "span": r.span.as_list()}
    return out


def footnote_json(f: Footnote, cited_by: list[str]) -> dict[str, Any]:
    return {
        "number": f.number,
        "text": f.text,
        "span": f.span.as_list(),
        "continues": f.continues,
        "references": [reference_json(r) for r in f.references],
        "cited_by": cited_by,
    }


def meta_json(meta: ResolutionMeta) -> dict[str, Any]:
    return {
        "symbol": meta.symbol,
        "slug": meta.slug,
        "title": meta.title,
        "body": meta.body,
        "session": meta.session,
        "adoption_date": meta.adoption_date.isoformat() if meta.adoption_date else None,
        "agenda_item": meta.agenda_item,
        "source": meta.source,
        "synthetic": meta.synthetic,
    }


def to_json(extraction: Extraction) -> dict[str, Any]:
    """The extraction as one JSON object: resolution, paragraphs with citations, footnotes."""
    doc = extraction.document
    cited_by: dict[int, list[str]] = {}
    for p in doc.paragraphs:
        for m in p.markers:
            cited_by.setdefault(m.number, []).append(p.id)
    return {
        "resolution": meta_json(doc.meta),
        "paragraphs": [paragraph_json(p, extraction.citations_of(p.id)) for p in doc.paragraphs],
        "footnotes": [footnote_json(f, cited_by.get(f.number, [])) for f in doc.footnotes],
        "problems": [
            {
                "severity": str(p.severity),
                "message": p.message,
                "file": p.file,
                "line": p.line,
                "where": p.where,
            }
            for p in extraction.problems
        ],
    }


__all__ = ["ParseError", "extract", "read", "to_json"]
