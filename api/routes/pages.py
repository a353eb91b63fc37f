"""HTML pages for people: Jinja2 templates under ``api/templates/pages/``, one stylesheet
under ``api/static/pages/``, no script and nothing from another origin.

The text of a resolution is shown with every citation highlighted where it is quoted (a link
to the instrument) and footnote markers where they attach. Offsets come from the graph: a
citation's span and a marker's offset are offsets into the resolution's normalised text, and
a paragraph's text is the slice of that text its own span names.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from treatygraph import resources
from treatygraph.api.services import services
from treatygraph.named_queries.library import Runner, Value

HERE = resources.api()
TEMPLATES = HERE / "templates" / "pages"
STYLESHEET = "pages/treatygraph.css"
ID = "/id/"  # where the IRIs under the base are served (see treatygraph.api.routes.linked_data)
DATA = "/data/"  # the documents describing them

JSON = dict[str, Any]
INTENT_LABELS = {
    "urges-ratification": "urges ratification",
    "invites-states-parties": "invites States parties",
    "taking-note": "takes note",
    "calls-upon": "calls upon",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {"label": label, "intent": intent_label, "unts": unts_label, "seg": segment}
    env.filters |= {"local": _local, "date": long_date, "cell": _cell, "found": found_by}
    env.globals |= {"paragraph_label": paragraph_label}
    env.tests["contains"] = lambda values, item: item in values
    return env


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    values = page_context(request) | dict(context)
    if values.get("iri"):
        values["linked"] = linked(str(values["iri"]), values["base"], values["root"])
    page = environment().get_template(template).render(values)
    return HTMLResponse(page, status_code=status, headers=dict(headers or {}))


def error_page(request: Request, status: int, detail: str, parameter: str | None) -> HTMLResponse:
    """An error for a person: what went wrong, in words, with the way back."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    context = {"status": status, "detail": detail, "parameter": parameter, "title": title}
    return render(request, "error.html", context, status=status)


def page_context(request: Request) -> JSON:
    """What every page needs: where the site is, its stylesheet, links to other formats."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    formats = {n: str(request.url.include_query_params(format=n)) for n in ("json", "csv")}
    return {
        "root": root,
        "base": services(request).lookups.runner.base,
        "stylesheet": f"{root}/static/{STYLESHEET}",
        "formats": formats,
        "path": request.url.path,
    }


def local_url(iri: str, base: str, root: str = "") -> str:
    """Where a browser here should go for ``iri``: /id/… for ours (which redirects to its
    page), the IRI itself for anyone else's.

    >>> local_url("https://e.org/id/instrument/crc", "https://e.org/id/")
    '/id/instrument/crc'
    """
    if base and iri.startswith(base):
        return f"{root}{ID}{iri[len(base) :]}"
    return iri


def linked(iri: str, base: str, root: str) -> JSON | None:
    """The IRI of a page's resource and its RDF documents, for links and ``rel=alternate``."""
    if not base or not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    docs = {ext: f"{root}{DATA}{rest}.{ext}" for ext in ("ttl", "jsonld", "nt")}
    return {"iri": iri, **docs}


@pass_context
def _local(context: Context, iri: str) -> str:
    return local_url(iri, str(context.get("base", "")), str(context.get("root", "")))


# --- small labels -------------------------------------------------------------------------


def label(instrument: Mapping[str, Any]) -> str:
    """The short name of an instrument for a link: its first short title, else its title."""
    short = str(instrument.get("short_title") or "").split(";")[0].strip()
    return short or str(instrument.get("title") or instrument.get("id"))


def intent_label(key: str | None) -> str:
    """An intent key in words.

    >>> intent_label("urges-ratification"), intent_label("recalling")
    ('urges ratification', 'recalling')
    """
    if not key:
        return ""
    return INTENT_LABELS.get(key, key.replace("-", " "))


def unts_label(u: Mapping[str, Any]) -> str:
    """A UNTS record in words.

    >>> unts_label({"volume": 1577, "number": 27531})
    'UNTS vol. 1577, No. 27531'
    """
    text = f"UNTS vol. {u['volume']}"
    text += f", No. {u['number']}" if u.get("number") is not None else ""
    return text + (f", p. {u['page']}" if u.get("page") is not None else "")


def long_date(value: Any) -> str:
    """An ISO date the way the United Nations writes it.

    >>> long_date("2022-12-15"), long_date("not a date")
    ('15 December 2022', 'not a date')
    """
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def found_by(c: Mapping[str, Any]) -> str:
    """How a citation was found, in words.

    >>> found_by({"via": "footnote", "footnote": 6}), found_by({"via": "title", "footnote": None})
    ('footnote 6', 'by title')
    """
    if c.get("via") == "footnote" and c.get("footnote") is not None:
        return f"footnote {c['footnote']}"
    words = {
        "title": "by title",
        "anaphora": "by reference (“thereto”)",
        "short-name": "by short name",
        "grammar": "by name (not in the authority data)",
    }
    text = words.get(str(c.get("via")), str(c.get("via")))
    return text + (f", footnote {c['footnote']}" if c.get("footnote") is not None else "")


INSTRUMENT_COLUMNS = frozenset(
    {"instrument", "id", "protocol", "parent_id", "instrumentId", "protocolId", "parentId"}
)


@pass_context
def _cell(context: Context, value: Value, column: str) -> Markup:
    """A query result cell: our IRIs and instrument ids as links, other IRIs compacted."""
    if value is None:
        return Markup("")
    text = str(value)
    root, base = str(context.get("root", "")), str(context.get("base", ""))
    if column in INSTRUMENT_COLUMNS and isinstance(value, str) and "/" not in text and text:
        return Markup('<a href="{}">{}</a>').format(instrument_href(root, {"id": text}), text)
    if base and text.startswith(base):
        return Markup('<a href="{}">{}</a>').format(local_url(text, base, root), text[len(base) :])
    if text.startswith(("http://", "https://")):
        return Markup('<a href="{}">{}</a>').format(text, compact_iri(text))
    return escape(text)


def compact_iri(iri: str) -> str:
    """An IRI with a known prefix, shortened.

    >>> compact_iri("https://w3id.org/treatygraph/ontology#intent-recalling")
    'tg:intent-recalling'
    """
    from treatygraph.rdf.vocab import PREFIXES

    best = max(
        (p for p, ns in PREFIXES.items() if iri.startswith(ns)),
        key=lambda p: len(PREFIXES[p]),
        default=None,
    )
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def paragraph_label(pid: str) -> str:
    """A paragraph id in words.

    >>> paragraph_label("op5"), paragraph_label("pp3")
    ('operative paragraph 5', 'preambular paragraph 3')
    """
    part = "operative" if pid.startswith("op") else "preambular"
    return f"{part} paragraph {pid[2:]}"


# --- highlighting citations in a text -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text, the citations quoting it (none for plain text), and the footnote
    markers that attach right after it."""

    text: str
    cites: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[int, ...] = ()


def annotate(
    text: str,
    start: int,
    cites: Iterable[Mapping[str, Any]],
    markers: Iterable[tuple[int, int]] = (),
) -> list[Segment]:
    """``text`` (which begins at offset ``start``) cut where citations begin and end and
    where markers (offset, footnote number) attach.

    >>> cite = {"span": [14, 17], "instrument": {"id": "crc"}}
    >>> segments = annotate("Recalling the CRC, ...", 0, [cite], [(17, 4)])
    >>> [(s.text, len(s.cites), s.notes) for s in segments]
    [('Recalling the ', 0, ()), ('CRC', 1, (4,)), (', ...', 0, ())]
    """
    end = start + len(text)
    inside = [c for c in cites if start <= c["span"][0] < c["span"][1] <= end]
    notes: dict[int, list[int]] = defaultdict(list)
    for offset, number in markers:
        if start <= offset <= end:
            notes[offset - start].append(number)
    cuts = {0, len(text), *notes}
    cuts |= {c["span"][i] - start for c in inside for i in (0, 1)}
    points = sorted(cuts)
    segments = [Segment("", (), tuple(notes[0]))] if notes.get(0) else []
    for a, b in itertools.pairwise(points):
        covering = tuple(
            c for c in inside if c["span"][0] - start <= a and b <= c["span"][1] - start
        )
        segments.append(Segment(text[a:b], _distinct(covering), tuple(notes.get(b, ()))))
    return _merged(segments)


def _distinct(cites: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """One citation per instrument (a title and its footnote may quote the same words)."""
    seen: dict[str, Mapping[str, Any]] = {}
    for c in cites:
        seen.setdefault(str(c["instrument"]["id"]), c)
    return tuple(seen.values())


def _merged(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for s in segments:
        if out and not out[-1].notes and _ids(out[-1]) == _ids(s):
            out[-1] = Segment(out[-1].text + s.text, s.cites, s.notes)
        else:
            out.append(s)
    return out


def _ids(s: Segment) -> tuple[str, ...]:
    return tuple(str(c["instrument"]["id"]) for c in s.cites)


def segment(s: Segment, root: str = "", *, notes_page: str = "") -> Markup:
    """One segment as HTML: a link to the instrument it quotes (or links to each, when it
    quotes several), then its footnote markers."""
    html = _cited(s, root) if s.cites else escape(s.text)
    for n in s.notes:
        html += Markup(
            '<sup class="fnref"><a href="{page}#fn{n}" id="fnref{n}" '
            'aria-label="footnote {n}">{n}</a></sup>'
        ).format(page=notes_page, n=n)
    return Markup(html)


def _cited(s: Segment, root: str) -> Markup:
    first = s.cites[0]["instrument"]
    if len(s.cites) == 1:
        return Markup('<a class="cite" href="{href}" title="{title}">{text}</a>').format(
            href=instrument_href(root, first), title=_tooltip(s.cites[0]), text=s.text
        )
    links = Markup(", ").join(
        Markup('<a href="{href}" title="{title}">{label}</a>').format(
            href=instrument_href(root, c["instrument"]),
            title=_tooltip(c),
            label=label(c["instrument"]),
        )
        for c in s.cites
    )
    return Markup(
        '<mark class="cite cite-multi">{text}</mark><span class="cite-targets">'
        '<span class="visually-hidden">cites: </span>({links})</span>'
    ).format(text=s.text, links=links)


def _tooltip(c: Mapping[str, Any]) -> str:
    inst = c["instrument"]
    parts = [str(inst["title"])]
    parts += [unts_label(u) for u in inst.get("unts") or ()]
    if c.get("intent"):
        parts.append(f"intent: {intent_label(c['intent'])}")
    return " — ".join(parts)


def instrument_href(root: str, instrument: Mapping[str, Any]) -> str:
    return f"{root}/instruments/{quote(str(instrument['id']), safe='')}"


# --- page contexts ------------------------------------------------------------------------


def resolution_context(data: Mapping[str, Any], runner: Runner | None = None) -> JSON:
    """The resolution page: each part's paragraphs with their segments, the footnotes with
    theirs, and an index of the instruments cited."""
    symbol = data["resolution"]["symbol"]
    markers = _markers(runner, symbol) if runner is not None else {}
    citations = [c for p in data["paragraphs"] for c in p["citations"]]
    paragraphs = [
        p
        | {"segments": annotate(p["text"], p["span"][0], p["citations"], markers.get(p["id"], ()))}
        for p in data["paragraphs"]
    ]
    footnotes = [
        f | {"segments": annotate(f["text"], f["span"][0], citations)} for f in data["footnotes"]
    ]
    return {
        "resolution": data["resolution"],
        "preamble": [p for p in paragraphs if p["kind"] == "preambular"],
        "operative": [p for p in paragraphs if p["kind"] == "operative"],
        "footnotes": footnotes,
        "index": instrument_index(data["paragraphs"]),
        "citation_count": len(citations),
    }


def _markers(runner: Runner, symbol: str) -> dict[str, list[tuple[int, int]]]:
    """Footnote markers by paragraph: (offset, footnote number)."""
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in runner.table("footnotes", {"resolution": symbol}).records():
        if r.get("paragraph") and r.get("marker") is not None:
            out[str(r["paragraph"])].append((_int(r["marker"]), _int(r["footnote"])))
    return out


def _int(v: Value) -> int:
    return int(v) if isinstance(v, int | str) else 0


def instrument_index(paragraphs: Sequence[Mapping[str, Any]]) -> list[JSON]:
    """Each instrument cited, in order of first citation, with the paragraphs citing it."""
    index: dict[str, JSON] = {}
    for p in paragraphs:
        for c in p["citations"]:
            entry = index.setdefault(
                c["instrument"]["id"], {"instrument": c["instrument"], "paragraphs": []}
            )
            if p["id"] not in entry["paragraphs"]:
                entry["paragraphs"].append(p["id"])
    return list(index.values())


def paragraph_context(runner: Runner, row: Mapping[str, Value], data: Mapping[str, Any]) -> JSON:
    """The paragraph page: its segments, the footnotes it calls, its neighbours."""
    symbol = str(row["symbol"])
    paragraphs = runner.table("paragraphs", {"resolution": symbol}).records()
    order = [str(r["paragraph"]) for r in paragraphs]
    at = order.index(data["id"])
    notes = runner.table("footnotes", {"resolution": symbol}).records()
    called = [n for n in notes if n.get("paragraph") == data["id"]]
    markers = [
        (_int(n["marker"]), _int(n["footnote"])) for n in called if n.get("marker") is not None
    ]
    footnotes = [
        {
            "number": n["footnote"],
            "segments": annotate(str(n["text"]), _int(n["start"]), data["citations"]),
        }
        for n in called
    ]
    return {
        "resolution": data["resolution"],
        "paragraph": data,
        "segments": annotate(data["text"], data["span"][0], data["citations"], markers),
        "footnotes": footnotes,
        "previous": order[at - 1] if at > 0 else None,
        "next": order[at + 1] if at + 1 < len(order) else None,
    }
