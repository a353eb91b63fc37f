"""Researcher lookups over HTTP: resolutions, paragraphs, citations, instruments, UNTS and ILO
records, and every named query of ``queries/`` at ``/queries/NAME``.

One URL per resource, in three representations: JSON (the default, also for ``*/*``), CSV,
and HTML for a browser (``Accept: text/html``); ``?format=json|csv|html`` overrides
``Accept``. Lists are JSON arrays paged by ``limit`` and ``offset``, with ``Link``
(first/prev/next/last) and ``X-Total-Count`` headers. Every error is an RFC 9457 problem
document; a bad or unknown parameter is named in its ``parameter`` member.

Every lookup runs a library query (treatygraph.named_queries.library) in this process, with its
parameters
bound as RDF terms: the queries are ours and small, so they skip the worker pool that guards
the open /sparql endpoint. ``mount(app, settings)`` adds all of this to an app.
"""

from __future__ import annotations

from collections.abc import (
    Mapping,
    Sequence,
)
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from treatygraph.api.lookup import (
    DEFAULT_LIMIT,
    FORMAT,
    INSTRUMENT,
    LIMIT,
    OFFSET,
    PARAGRAPH,
    SYMBOL,
    LookupRoute,
    Lookups,
    Representation,
    checked,
    documented,
    instrument_detail,
    instrument_rows,
    lookups,
    page_of,
    paragraph_rows,
    resolution_json,
    resolution_row,
    send,
)
from treatygraph.api.problems import RequestProblem
from treatygraph.api.routes import pages
from treatygraph.named_queries.library import (
    Value,
)
from treatygraph.named_queries.params import ilo_code
from treatygraph.named_queries.shapes import (
    CITATION_EXAMPLE,
    CITED_BY_EXAMPLE,
    INSTRUMENT_EXAMPLE,
    INSTRUMENT_LIST_ITEM,
    PARAGRAPH_EXAMPLE,
    RESOLUTION_EXAMPLE,
    RESOLUTION_LIST_ITEM,
    UNTS_EXAMPLE,
    citations_by_paragraph,
    cited_by_json,
    counts,
    flat_citation,
    flat_instrument,
    flat_paragraph,
    grouped,
    instrument_json,
    list_item,
    paragraph_json,
    resolution_meta,
)

# --- routes -------------------------------------------------------------------------------

router = APIRouter(route_class=LookupRoute, tags=["lookups"])


@router.get(
    "/resolutions",
    summary="Resolutions",
    responses=documented([RESOLUTION_LIST_ITEM], csv="symbol,title,…\r\n", summary="resolutions"),
)
def list_resolutions(
    request: Request,
    limit: LIMIT = DEFAULT_LIMIT,
    offset: OFFSET = 0,
    format: FORMAT = None,
) -> Response:
    """Every resolution in the graph, by symbol, with its metadata and counts."""
    lk = lookups(request)
    rows = lk.table("resolutions").records()
    items = [resolution_meta(r) | counts(r) | {"iri": r["resolution"]} for r in rows]
    shown, page = page_of(items, offset, limit)
    columns = [*RESOLUTION_LIST_ITEM]
    return send(
        request,
        Representation(
            shown, "resolutions.html", columns=columns, rows=shown, paging=page, title="Resolutions"
        ),
    )


@router.get(
    "/resolutions/{symbol:path}/paragraphs/{id}/citations",
    summary="Citations of a paragraph",
    responses=documented(
        [CITATION_EXAMPLE], csv="instrument,instrument_title,…\r\n", summary="citations"
    ),
)
def paragraph_citations(
    request: Request,
    symbol: SYMBOL,
    id: PARAGRAPH,
    limit: LIMIT = DEFAULT_LIMIT,
    offset: OFFSET = 0,
    format: FORMAT = None,
) -> Response:
    """The citations of one paragraph, in the order of the text, each in the shape of a
    paragraph's `citations` in `treatygraph extract`: the instrument (id, title, short title,
    kind, UNTS volume and number, ILO code, symbol, parent), how it was found, the footnote,
    the span and the quote."""
    lk = lookups(request)
    row, p = paragraph_rows(lk, symbol, id)
    pid = str(p["paragraph"])
    table = lk.table("citations", resolution=str(row["symbol"]), paragraph=pid)
    items = citations_by_paragraph(table).get(pid, [])
    shown, page = page_of(items, offset, limit)
    title = f"Citations of {row['symbol']} {pid}"
    context = {"resolution": resolution_meta(row), "paragraph": pid}
    flat = [flat_citation(c) for c in shown]
    columns = list(flat[0]) if flat else ["instrument"]
    view = Representation(shown, "citations.html", context, columns, flat, page, title)
    return send(request, view)


@router.get(
    "/resolutions/{symbol:path}/paragraphs/{id}",
    summary="A paragraph",
    responses=documented(
        PARAGRAPH_EXAMPLE | {"resolution": RESOLUTION_EXAMPLE},
        csv="instrument,…\r\n",
        summary="a paragraph",
    ),
)
def paragraph(request: Request, symbol: SYMBOL, id: PARAGRAPH, format: FORMAT = None) -> Response:
    """One paragraph: its text, span, footnotes, lettered sub-items and citations (as in
    `treatygraph extract`), with the resolution it belongs to."""
    lk = lookups(request)
    row, p = paragraph_rows(lk, symbol, id)
    sym, pid = str(row["symbol"]), str(p["paragraph"])
    cites = citations_by_paragraph(lk.table("citations", resolution=sym, paragraph=pid))
    items = lk.table("sub-items", resolution=sym, paragraph=pid).records()
    data = paragraph_json(p, cites.get(pid, []), items) | {"resolution": resolution_meta(row)}
    context = pages.paragraph_context(lk.runner, row, data) | {"iri": lk.ids.paragraph(sym, pid)}
    flat = [flat_citation(c) for c in data["citations"]]
    columns = list(flat[0]) if flat else ["instrument"]
    title = f"{sym} {_paragraph_label(pid)}"
    return send(
        request, Representation(data, "paragraph.html", context, columns, flat, title=title)
    )


def _paragraph_label(pid: str) -> str:
    return ("operative paragraph " if pid.startswith("op") else "preambular paragraph ") + pid[2:]


@router.get(
    "/resolutions/{symbol:path}",
    summary="A resolution",
    responses=documented(
        {"resolution": RESOLUTION_EXAMPLE, "paragraphs": [PARAGRAPH_EXAMPLE], "footnotes": []},
        csv="paragraph,kind,number,…\r\n",
        summary="a resolution",
    ),
)
def resolution(request: Request, symbol: SYMBOL, format: FORMAT = None) -> Response:
    """A whole resolution in the shape `treatygraph extract` prints: metadata, every
    paragraph with its citations, every footnote with the references read from it."""
    lk = lookups(request)
    row = resolution_row(lk, symbol)
    data = resolution_json(lk, row)
    flat = [flat_paragraph(p) for p in data["paragraphs"]]
    columns = list(flat[0]) if flat else ["id"]
    context = pages.resolution_context(data, lk.runner) | {"iri": row["resolution"]}
    title = f"{row['symbol']}: {row.get('title') or ''}"
    return send(
        request, Representation(data, "resolution.html", context, columns, flat, title=title)
    )


@router.get(
    "/instruments",
    summary="Instruments",
    responses=documented([INSTRUMENT_LIST_ITEM], csv="id,title,…\r\n", summary="instruments"),
)
def list_instruments(
    request: Request,
    kind: Annotated[
        str | None, Query(description="Keep instruments of this kind", examples=["convention"])
    ] = None,
    limit: LIMIT = DEFAULT_LIMIT,
    offset: OFFSET = 0,
    format: FORMAT = None,
) -> Response:
    """The instruments cited in the graph, by title; `kind` keeps one kind (convention,
    protocol, optional-protocol, ilo-convention, declaration, ...)."""
    lk = lookups(request)
    values = {"kind": kind} if kind is not None else {}
    rows = lk.runner.table("instruments", values).records()
    items = [list_item(group) for group in grouped(rows, "id")]
    shown, page = page_of(items, offset, limit)
    flat = [flat_instrument(i) for i in shown]
    context = {"kinds": lk.table("kinds").records(), "kind": kind}
    title = "Instruments" + (f" of kind {kind}" if kind else "")
    view = Representation(
        shown, "instruments.html", context, [*INSTRUMENT_LIST_ITEM], flat, page, title
    )
    return send(request, view)


@router.get(
    "/instruments/{id}/cited-by",
    summary="Paragraphs citing an instrument",
    responses=documented([CITED_BY_EXAMPLE], csv="resolution,paragraph,…\r\n", summary="cited by"),
)
def cited_by(
    request: Request,
    id: INSTRUMENT,
    limit: LIMIT = DEFAULT_LIMIT,
    offset: OFFSET = 0,
    format: FORMAT = None,
) -> Response:
    """Every citation of one instrument across all resolutions, with the paragraph, the
    intent, how it was found and the quote in context."""
    lk = lookups(request)
    rows = instrument_rows(lk, id)
    cites = lk.table("cited-by", instrument=str(rows[0]["id"])).records()
    items = [cited_by_json(r) for r in cites]
    shown, page = page_of(items, offset, limit)
    flat = [{k: v for k, v in i.items() if k != "span"} for i in shown]
    context = {"instrument": instrument_detail(lk, rows)}
    title = f"Paragraphs citing {rows[0]['title']}"
    view = Representation(
        shown, "cited_by.html", context, [*CITED_BY_EXAMPLE][:-1], flat, page, title
    )
    return send(request, view)


@router.get(
    "/instruments/{id}",
    summary="An instrument",
    responses=documented(INSTRUMENT_EXAMPLE, csv="id,title,…\r\n", summary="an instrument"),
)
def instrument(request: Request, id: INSTRUMENT, format: FORMAT = None) -> Response:
    """One instrument: identifiers (UNTS, ILO, symbol, UN Treaty Collection, NORMLEX),
    adoption and entry into force, parent and protocols, and how often it is cited."""
    return _instrument_view(request, lookups(request), instrument_rows(lookups(request), id))


def _title(lk: Lookups, key: str) -> str:
    """The title of an instrument the graph holds, else its id (a parent never cited)."""
    rows = lk.table("instruments", instrument=key).records()
    return str(rows[0]["title"]) if rows else key


def _instrument_view(
    request: Request, lk: Lookups, rows: Sequence[Mapping[str, Value]]
) -> Response:
    data = instrument_detail(lk, rows)
    cites = [cited_by_json(r) for r in lk.table("cited-by", instrument=str(data["id"])).records()]
    related = {key: _title(lk, key) for key in [*data["parents"], *data["protocols"]]}
    context = {"cited_by": cites, "iri": data["iri"], "related": related}
    flat = [flat_instrument(data)]
    return send(
        request,
        Representation(data, "instrument.html", context, list(flat[0]), flat, title=data["title"]),
    )


@router.get(
    "/unts/{volume}/{number}",
    summary="A UNTS record",
    responses=documented(UNTS_EXAMPLE, csv="id,title,…\r\n", summary="a UNTS record"),
)
def unts(
    request: Request,
    volume: Annotated[str, Path(description="UNTS volume", examples=["1577"])],
    number: Annotated[str, Path(description="UNTS registration number", examples=["27531"])],
    format: FORMAT = None,
) -> Response:
    """The instrument(s) registered in the United Nations Treaty Series under a volume and a
    registration number (e.g. 1577/27531 is the Convention on the Rights of the Child)."""
    lk = lookups(request)
    vol = checked("volume", _positive, volume)
    num = checked("number", _positive, number)
    rows = lk.table("unts", volume=str(vol), number=str(num)).records()
    if not rows:
        raise RequestProblem(404, f"volume, number: no UNTS record vol. {vol}, No. {num}", "number")
    instruments = [instrument_json(g) for g in grouped(rows, "instrument")]
    iri = str(rows[0]["record"])
    data = {
        "volume": vol,
        "number": num,
        "label": rows[0].get("label"),
        "iri": iri,
        "instruments": instruments,
    }
    if rows[0].get("page") is not None:
        data["page"] = rows[0]["page"]
    flat = [flat_instrument(i) for i in instruments]
    view = Representation(
        data, "unts.html", {"iri": iri}, list(flat[0]), flat, title=str(data["label"])
    )
    return send(request, view)


def _positive(text: str) -> int:
    if not text.isdigit() or len(text) > 9 or int(text) == 0:
        raise ValueError(f"not a positive whole number: {text[:20]!r}")
    return int(text)


@router.get(
    "/ilo/{code}",
    summary="An ILO instrument by code",
    responses=documented(INSTRUMENT_EXAMPLE, csv="id,title,…\r\n", summary="an ILO instrument"),
)
def ilo(
    request: Request,
    code: Annotated[
        str, Path(description="ILO code: C029, P029, R203 (C29 reads as C029)", examples=["C029"])
    ],
    format: FORMAT = None,
) -> Response:
    """The ILO convention, protocol or recommendation with this code, as `/instruments/{id}`
    gives it."""
    lk = lookups(request)
    key = checked("code", ilo_code, code)
    rows = lk.table("ilo", code=key).records()
    if not rows:
        raise RequestProblem(404, f"code: no ILO instrument {key} in the graph", "code")
    return _instrument_view(request, lk, instrument_rows(lk, str(rows[0]["instrument"])))
