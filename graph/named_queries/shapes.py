"""The JSON shapes of the lookups, made from the rows of named queries: a resolution with its
paragraphs and footnotes, a paragraph's citations, an instrument and who cites it, UNTS and ILO
records; each shape with its example (the OpenAPI documents show them; the tests check them
against live answers). The service answers with them, and the build writes them ahead
(treatygraph.build.answers), so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import (
    Iterable,
    Mapping,
    Sequence,
)
from typing import Any

from treatygraph.named_queries.library import (
    Table,
    Value,
)
from treatygraph.rdf.iris import Ids
from treatygraph.rdf.statements import normlex_url, untc_url

JSON = dict[str, Any]  # a JSON object, as the routes send it


def split(text: Value) -> list[str]:
    return sorted(str(text).split()) if text else []


def unts_list(rows: Iterable[Mapping[str, Value]], prefix: str = "unts_") -> list[JSON]:
    """The distinct UNTS records in ``rows``, as extract writes them (no nulls)."""
    seen: dict[tuple[Any, ...], JSON] = {}
    for r in rows:
        volume = r.get(f"{prefix}volume")
        if volume is None:
            continue
        record = {
            "volume": volume,
            "number": r.get(f"{prefix}number"),
            "page": r.get(f"{prefix}page"),
        }
        seen.setdefault(tuple(record.values()), {k: v for k, v in record.items() if v is not None})
    return sorted(seen.values(), key=lambda u: (u["volume"], u.get("number") or 0))


def instrument_json(rows: Sequence[Mapping[str, Value]], *, id_key: str = "instrument") -> JSON:
    first = rows[0]
    parents = split(first.get("parents"))
    return {
        "id": first[id_key],
        "title": first["title"],
        "short_title": first.get("short_title") or None,
        "kind": first.get("kind_text", first.get("kind")),
        "unts": unts_list(rows),
        "ilo_code": first.get("ilo_code"),
        "symbol": first.get("symbol"),
        "parent": parents[0] if parents else None,
        "parents": parents,
        "in_authority": first.get("in_authority", True),
    }


def grouped(rows: Iterable[Mapping[str, Value]], key: str) -> list[list[Mapping[str, Value]]]:
    """Rows with the same ``key`` together, in order of first appearance."""
    groups: dict[Value, list[Mapping[str, Value]]] = {}  # insertion-ordered
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    return list(groups.values())


def citation_json(rows: Sequence[Mapping[str, Value]]) -> JSON:
    first = rows[0]
    return {
        "instrument": instrument_json(rows),
        "via": first["via"],
        "footnote": first.get("footnote"),
        "span": [first["start"], first["end"]],
        "quote": first.get("quote") or "",
        "intent": first.get("intent"),
    }


def citations_by_paragraph(table: Table) -> dict[str, list[JSON]]:
    out: dict[str, list[JSON]] = {}
    for rows in grouped(table.records(), "citation"):
        out.setdefault(str(rows[0]["paragraph"]), []).append(citation_json(rows))
    return out


def paragraph_json(
    row: Mapping[str, Value], citations: list[JSON], items: Sequence[Mapping[str, Value]]
) -> JSON:
    return {
        "id": row["paragraph"],
        "kind": row["kind"],
        "number": row["number"],
        "text": row["text"],
        "span": [row["start"], row["end"]],
        "footnotes": sorted(int(n) for n in split(row.get("footnotes"))),
        "items": [{"letter": i["letter"], "span": [i["start"], i["end"]]} for i in items],
        "citations": citations,
    }


def resolution_meta(row: Mapping[str, Value]) -> JSON:
    symbol = str(row["symbol"])
    keys = ("title", "body", "session", "adoption_date", "agenda_item", "source", "synthetic")
    meta: JSON = {"symbol": symbol, "slug": slug_of(symbol)}
    return meta | {k: row.get(k) for k in keys}


def slug_of(symbol: str) -> str:
    return symbol.replace("/", "-").replace(" ", "")


def footnote_json(
    rows: Sequence[Mapping[str, Value]], references: Sequence[Mapping[str, Value]]
) -> JSON:
    first = rows[0]
    return {
        "number": first["footnote"],
        "text": first["text"],
        "span": [first["start"], first["end"]],
        "continues": first.get("continues"),
        "references": [reference_json(r) for r in references],
        "cited_by": [r["paragraph"] for r in rows if r.get("paragraph")],
    }


def reference_json(r: Mapping[str, Value]) -> JSON:
    keys = ("kind", "volume", "number", "page", "symbol", "pinpoint", "sales_number")
    out: JSON = {k: r.get(k) for k in keys if r.get(k) is not None}
    return out | {
        "ibid": bool(r.get("ibid")),
        "continues": r.get("continues"),
        "span": [r["start"], r["end"]],
    }


def instrument_record(ids: Ids, rows: Sequence[Mapping[str, Value]]) -> JSON:
    """An instrument in full (``/instruments/{id}``) from its rows of the instruments query."""
    first = rows[0]
    base = instrument_json(rows, id_key="id")
    untc = str(first["untc_id"]) if first.get("untc_id") else None
    normlex = str(first["normlex_id"]) if first.get("normlex_id") else None
    return base | {
        "kind_key": str(first["kind"]).rpartition("#kind-")[2],
        "protocols": split(first.get("protocols")),
        "adopting_body": first.get("adopting_body"),
        "adoption_date": first.get("adoption_date"),
        "adoption_place": first.get("adoption_place"),
        "entry_into_force": first.get("entry_into_force"),
        "untc_id": untc,
        "untc_url": untc_url(untc) if untc else None,
        "normlex_id": normlex,
        "normlex_url": normlex_url(normlex) if normlex and normlex.isdigit() else None,
        "wikidata": first.get("wikidata"),
        "notes": first.get("notes"),
        "cited_in": {
            "paragraphs": first.get("paragraphs") or 0,
            "resolutions": first.get("resolutions") or 0,
        },
        "iri": ids.instrument(str(first["id"])),
    }


def cited_by_json(row: Mapping[str, Value]) -> JSON:
    return {
        "resolution": row["resolution_symbol"],
        "paragraph": row["paragraph"],
        "ordinal": row["ordinal"],
        "intent": row.get("intent"),
        "via": row["via"],
        "footnote": row.get("footnote"),
        "before": row.get("before") or "",
        "quote": row.get("quote") or "",
        "after": row.get("after") or "",
        "span": [row["start"], row["end"]],
    }


def flat_instrument(item: Mapping[str, Any]) -> dict[str, Value]:
    """An instrument as one CSV row: UNTS records as 'vol. V, No. N', parents by spaces."""
    out = {k: v for k, v in item.items() if not isinstance(v, list | dict)}
    out["unts"] = "; ".join(unts_text(u) for u in item.get("unts", []))
    out["parents"] = " ".join(item.get("parents", []))
    return out


def unts_text(u: Mapping[str, Any]) -> str:
    """A UNTS record as the footnotes write it.

    >>> unts_text({"volume": 39, "number": 612, "page": 55})
    'vol. 39, No. 612, p. 55'
    """
    text = f"vol. {u['volume']}"
    text += f", No. {u['number']}" if u.get("number") is not None else ""
    return text + (f", p. {u['page']}" if u.get("page") is not None else "")


def flat_citation(c: Mapping[str, Any]) -> dict[str, Value]:
    inst = flat_instrument(c["instrument"])
    out: dict[str, Value] = {
        f"instrument_{k}" if k != "id" else "instrument": v for k, v in inst.items()
    }
    return out | {
        "via": c["via"],
        "footnote": c["footnote"],
        "start": c["span"][0],
        "end": c["span"][1],
        "quote": c["quote"],
        "intent": c["intent"],
    }


CITATION_EXAMPLE: JSON = {
    "instrument": {
        "id": "crc",
        "title": "Convention on the Rights of the Child",
        "short_title": "CRC",
        "kind": "convention",
        "unts": [{"volume": 1577, "number": 27531}],
        "ilo_code": None,
        "symbol": None,
        "parent": None,
        "parents": [],
        "in_authority": True,
    },
    "via": "title",
    "footnote": None,
    "span": [17797, 17833],
    "quote": "Convention on the Rights of the Child",
    "intent": "urges-ratification",
}


RESOLUTION_EXAMPLE: JSON = {
    "symbol": "A/RES/77/194",
    "slug": "A-RES-77-194",
    "title": "Trafficking in women and girls",
    "body": "General Assembly",
    "session": 77,
    "adoption_date": None,  # the seed's text does not state it
    "agenda_item": None,
    "source": "header",
    "synthetic": False,
}


PARAGRAPH_EXAMPLE: JSON = {
    "id": "op5",
    "kind": "operative",
    "number": 5,
    "text": "Urges Member States to consider signing and ratifying, … of the International "
    "Labour Organization;",
    "span": [17557, 18559],
    "footnotes": [19, 20, 21],
    "items": [],
    "citations": [CITATION_EXAMPLE],
}


INSTRUMENT_EXAMPLE: JSON = dict(CITATION_EXAMPLE["instrument"]) | {
    "kind_key": "convention",
    "protocols": ["opac", "opic", "opsc"],
    "adopting_body": "United Nations General Assembly (resolution 44/25)",
    "adoption_date": "1989-11-20",
    "adoption_place": "New York",
    "entry_into_force": "1990-09-02",
    "untc_id": "IV-11",
    "untc_url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-11"
    "&chapter=4&clang=_en",
    "normlex_id": None,
    "normlex_url": None,
    "wikidata": None,
    "notes": None,
    "cited_in": {"paragraphs": 3, "resolutions": 1},
    "iri": "https://w3id.org/treatygraph/id/instrument/crc",
}


CITED_BY_EXAMPLE: JSON = {
    "resolution": "A/RES/77/194",
    "paragraph": "op5",
    "ordinal": 1,
    "intent": "urges-ratification",
    "via": "title",
    "footnote": None,
    "before": "ting, and States parties to implement, the ",
    "quote": "Convention on the Elimination of All Forms of Discrimination against Women",
    "after": " and the Optional Protocol thereto",
    "span": [17649, 17723],
}


UNTS_EXAMPLE: JSON = {
    "volume": 1577,
    "number": 27531,
    "label": "UNTS vol. 1577, No. 27531",
    "iri": "https://w3id.org/treatygraph/id/unts/1577/27531",
    "instruments": [CITATION_EXAMPLE["instrument"]],
}


RESOLUTION_LIST_ITEM: JSON = RESOLUTION_EXAMPLE | {
    "paragraphs": 88,
    "footnotes": 34,
    "citations": 80,
    "instruments": 56,
    "iri": "https://w3id.org/treatygraph/id/resolution/A-RES-77-194",
}


INSTRUMENT_LIST_ITEM: JSON = dict(CITATION_EXAMPLE["instrument"]) | {
    "kind_key": "convention",
    "paragraphs": 3,
    "resolutions": 1,
}


def counts(row: Mapping[str, Value]) -> JSON:
    return {k: row.get(k) or 0 for k in ("paragraphs", "footnotes", "citations", "instruments")}


def flat_paragraph(p: Mapping[str, Any]) -> dict[str, Value]:
    return {
        "id": p["id"],
        "kind": p["kind"],
        "number": p["number"],
        "start": p["span"][0],
        "end": p["span"][1],
        "footnotes": " ".join(map(str, p["footnotes"])),
        "instruments": " ".join(dict.fromkeys(c["instrument"]["id"] for c in p["citations"])),
        "text": p["text"],
    }


def list_item(rows: Sequence[Mapping[str, Value]]) -> JSON:
    first = rows[0]
    return instrument_json(rows, id_key="id") | {
        "kind_key": str(first["kind"]).rpartition("#kind-")[2],
        "paragraphs": first.get("paragraphs") or 0,
        "resolutions": first.get("resolutions") or 0,
    }
