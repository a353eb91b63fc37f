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
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from treatygraph.api.admission import Gate
from treatygraph.api.negotiation import Offer, choose
from treatygraph.api.params import header_url
from treatygraph.api.problems import RETRY_AFTER, Problem, problem
from treatygraph.api.routes import pages
from treatygraph.api.services import services
from treatygraph.api.settings import Settings
from treatygraph.named_queries.library import (
    DEFAULT_DIR,
    Library,
    ParameterError,
    Runner,
    Table,
    UnknownQuery,
    Value,
    load_library,
)
from treatygraph.named_queries.library import (
    Query as LibraryQuery,
)
from treatygraph.named_queries.output import to_csv
from treatygraph.named_queries.params import document_symbol, ilo_code, instrument_id, paragraph_id
from treatygraph.named_queries.shapes import (
    CITATION_EXAMPLE,
    CITED_BY_EXAMPLE,
    INSTRUMENT_EXAMPLE,
    INSTRUMENT_LIST_ITEM,
    JSON,
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
    footnote_json,
    grouped,
    instrument_json,
    instrument_record,
    list_item,
    paragraph_json,
    resolution_meta,
)
from treatygraph.rdf.iris import Ids, default_base
from treatygraph.store import ResultTooLarge, StoreError, StoreUnavailable, open_store

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
RESERVED = ("format", "limit", "offset")  # query-string names that are never query parameters
OFFERS = (
    Offer("application/json", "json"),
    Offer("text/csv", "csv"),
    Offer("text/html", "html"),
    Offer("application/xhtml+xml", "html"),
)
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


# --- errors -------------------------------------------------------------------------------


def _as_problem(exc: Exception) -> Problem | None:
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, ParameterError):
        return Problem(422, str(exc), exc.parameter)
    if isinstance(exc, UnknownQuery):
        return Problem(404, str(exc), "name")
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc)
    if isinstance(exc, ResultTooLarge):
        return Problem(422, str(exc), "limit")
    if isinstance(exc, StoreUnavailable):
        return Problem(503, f"the graph cannot be read now: {exc}")
    if isinstance(exc, StoreError):
        return Problem(500, "the query failed in the store")
    return None


def _validation_problem(exc: RequestValidationError) -> Problem:
    error = exc.errors()[0] if exc.errors() else {}
    where = [str(part) for part in error.get("loc", ()) if part not in ("path", "query")]
    name = where[-1] if where else None
    message = str(error.get("msg", "invalid request")).lower()
    return Problem(422, f"{name}: {message}" if name else message, name)


def _wants_html(request: Request) -> bool:
    if "format" in request.query_params:
        return request.query_params["format"] == "html"
    offer = choose(request.headers.get("accept"), OFFERS)
    return offer is not None and offer.name == "html"


class LookupRoute(APIRoute):
    """Turns what handlers raise (and FastAPI's own validation) into problem documents, so
    a bad parameter is a 422 naming it and an unknown one a 404, never a 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            gate = lookups(request).gate
            try:
                await gate.enter()  # not a context manager: Problem is frozen (no __traceback__)
                try:
                    return await handler(request)
                finally:
                    gate.leave()
            except Exception as exc:
                found = _as_problem(exc)
                if found is None:
                    raise
                if _wants_html(request):  # a person in a browser: a page that says what went wrong
                    page = pages.error_page(request, found.status, found.detail, found.parameter)
                    if found.status == 503:
                        page.headers["Retry-After"] = RETRY_AFTER
                    return page
                return problem(found.status, found.detail, parameter=found.parameter)

        return guarded


# --- the service --------------------------------------------------------------------------


def _busy() -> Problem:
    return Problem(503, "the service is busy; try again shortly")


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the lookup routes share: the runner (store, library, IRI base) and the gate."""

    runner: Runner
    gate: Gate

    @classmethod
    def open(cls, settings: Settings, *, base: str | None = None) -> Lookups:
        # Always the project's own library: the routes are built on its queries by name
        # (settings.queries_dir only chooses the examples of the SPARQL page).
        store = open_store(settings.store, read_only=True)  # opens lazily, on first query
        runner = Runner(
            store,
            load_library(DEFAULT_DIR),
            base=base or default_base(),
            timeout=settings.query_timeout,
            max_rows=settings.max_rows,
        )
        gate = Gate(settings.workers, settings.queue_timeout, busy=_busy)
        return cls(runner, gate)

    @property
    def library(self) -> Library:
        return self.runner.library

    @property
    def ids(self) -> Ids:
        return Ids(self.runner.base)

    def table(self, name: str, **values: str) -> Table:
        return self.runner.table(name, values)


def lookups(request: Request) -> Lookups:
    """The app's lookups (a FastAPI dependency)."""
    return services(request).lookups


# --- representations ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paging:
    offset: int
    limit: int
    total: int

    def window(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.offset : self.offset + self.limit])


@dataclass(frozen=True, slots=True)
class View:
    """One resource, ready for any representation."""

    data: Any  # the JSON body
    template: str  # the HTML page
    context: Mapping[str, Any] = field(default_factory=dict)
    columns: Sequence[str] = ()  # CSV
    rows: Sequence[Mapping[str, Value]] = ()
    paging: Paging | None = None
    title: str = ""


def negotiate(request: Request) -> str:
    """json, csv or html: ``?format=`` first, else the Accept header (JSON for ``*/*``)."""
    asked = request.query_params.get("format")
    if asked is not None:
        if asked not in ("json", "csv", "html"):
            raise Problem(422, f"format: {asked[:20]!r} is not json, csv or html", "format")
        return asked
    offer = choose(request.headers.get("accept"), OFFERS)
    if offer is None:
        raise Problem(406, "no acceptable format: this resource is JSON, CSV or HTML")
    return offer.name


def send(request: Request, view: View) -> Response:
    fmt = negotiate(request)
    headers = {"Vary": "Accept", "Link": ", ".join(_links(request, view))}
    if view.paging is not None:
        headers["X-Total-Count"] = str(view.paging.total)
    if fmt == "html":
        context = {**view.context, "data": view.data, "paging": view.paging, "title": view.title}
        return pages.render(request, view.template, context, headers=headers)
    if fmt == "csv":
        body = to_csv(view.columns, view.rows)
        return Response(body, media_type=MEDIA_TYPES["csv"], headers=headers)
    return JSONResponse(view.data, headers=headers)


def _links(request: Request, view: View) -> Iterator[str]:
    for name, media in (("json", "application/json"), ("csv", "text/csv"), ("html", "text/html")):
        yield f'<{_with(request, format=name)}>; rel="alternate"; type="{media}"'
    if view.paging is None:
        return
    p = view.paging
    last = max(0, (p.total - 1) // p.limit * p.limit)
    yield f'<{_with(request, offset=0, limit=p.limit)}>; rel="first"'
    if p.offset > 0:
        yield f'<{_with(request, offset=max(0, p.offset - p.limit), limit=p.limit)}>; rel="prev"'
    if p.offset + p.limit < p.total:
        yield f'<{_with(request, offset=p.offset + p.limit, limit=p.limit)}>; rel="next"'
    yield f'<{_with(request, offset=last, limit=p.limit)}>; rel="last"'


def _with(request: Request, **params: Any) -> str:
    return header_url(str(request.url.include_query_params(**params)))


def paging(offset: int, limit: int, total: int) -> Paging:
    return Paging(offset, limit, total)


def page_of(items: Sequence[Any], offset: int, limit: int) -> tuple[list[Any], Paging]:
    p = paging(offset, limit, len(items))
    return p.window(items), p


# --- shaping rows into the JSON of `treatygraph extract` ----------------------------------


# --- fetching resources -------------------------------------------------------------------


def checked(parameter: str, check: Callable[[str], Any], raw: str) -> Any:
    """``check(raw)``, with a ValueError turned into a 422 naming ``parameter``."""
    try:
        return check(raw)
    except ValueError as err:
        raise Problem(422, f"{parameter}: {err}", parameter) from None


def resolution_row(lk: Lookups, symbol: str) -> Mapping[str, Value]:
    text = checked("symbol", document_symbol, symbol)
    rows = lk.table("resolutions", resolution=text).records()
    if not rows:
        raise Problem(404, f"symbol: no resolution {text} in the graph", "symbol")
    return rows[0]


def resolution_json(lk: Lookups, row: Mapping[str, Value]) -> JSON:
    """A whole resolution in the shape of ``treatygraph extract`` (without its problems)."""
    symbol = str(row["symbol"])
    cites = citations_by_paragraph(lk.table("citations", resolution=symbol))
    items = grouped(lk.table("sub-items", resolution=symbol).records(), "paragraph")
    items_of = {str(group[0]["paragraph"]): group for group in items}
    paragraphs = [
        paragraph_json(p, cites.get(str(p["paragraph"]), []), items_of.get(str(p["paragraph"]), []))
        for p in lk.table("paragraphs", resolution=symbol).records()
    ]
    refs = grouped(lk.table("references", resolution=symbol).records(), "footnote")
    refs_of = {group[0]["footnote"]: group for group in refs}
    notes = grouped(lk.table("footnotes", resolution=symbol).records(), "footnote")
    footnotes = [footnote_json(g, refs_of.get(g[0]["footnote"], [])) for g in notes]
    return {"resolution": resolution_meta(row), "paragraphs": paragraphs, "footnotes": footnotes}


def paragraph_rows(
    lk: Lookups, symbol: str, pid: str
) -> tuple[Mapping[str, Value], Mapping[str, Value]]:
    """The resolution's row and the paragraph's; 422 for a malformed id, 404 for a missing one."""
    row = resolution_row(lk, symbol)
    wanted = checked("id", paragraph_id, pid)
    rows = lk.table("paragraphs", resolution=str(row["symbol"]), paragraph=wanted).records()
    if not rows:
        raise Problem(404, f"id: {row['symbol']} has no paragraph {wanted}", "id")
    return row, rows[0]


def instrument_rows(lk: Lookups, raw: str) -> Sequence[Mapping[str, Value]]:
    key = checked("id", instrument_id, raw)
    rows = lk.table("instruments", instrument=key).records()
    if not rows:
        raise Problem(404, f"id: no instrument {key!r} in the graph", "id")
    return rows


def instrument_detail(lk: Lookups, rows: Sequence[Mapping[str, Value]]) -> JSON:
    return instrument_record(lk.ids, rows)


# --- OpenAPI examples (the test suite checks them against live answers) --------------------


def documented(example: Any, *, csv: str, summary: str) -> dict[int | str, dict[str, Any]]:
    """The responses of a route for OpenAPI: examples of each representation and errors."""
    html = f"<!doctype html>… {summary} …"
    error = {"type": "about:blank", "title": "Unprocessable Content", "status": 422}
    missing = {"type": "about:blank", "title": "Not Found", "status": 404}
    return {
        200: {
            "description": summary,
            "content": {
                "application/json": {"example": example},
                "text/csv": {"example": csv},
                "text/html": {"example": html},
            },
        },
        404: {
            "description": "no such resource",
            "content": {"application/problem+json": {"example": missing | {"detail": "…"}}},
        },
        422: {
            "description": "a parameter is malformed; `parameter` names it",
            "content": {"application/problem+json": {"example": error | {"parameter": "id"}}},
        },
    }


PAGED = (
    "A page of a list: `limit` (1-1000) items from `offset`; `Link` and `X-Total-Count` "
    "headers give the rest."
)
SYMBOL = Annotated[
    str,
    Path(
        description="A resolution's symbol with dashes (`A-RES-77-194`) or URL-encoded "
        "slashes (`A%2FRES%2F77%2F194`)",
        examples=["A-RES-77-194"],
        max_length=1000,
    ),
]
PARAGRAPH = Annotated[
    str,
    Path(
        description="A paragraph: `5` or `op5` for operative paragraph 5, `pp3` for the third "
        "preambular paragraph",
        examples=["op5"],
    ),
]
INSTRUMENT = Annotated[
    str, Path(description="An instrument's authority id", examples=["crc"], max_length=1000)
]
LIMIT = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-1000)", examples=[100])
]
OFFSET = Annotated[int, Query(ge=0, description="Items to skip", examples=[0])]
FORMAT = Annotated[
    str | None,
    Query(
        description="json, csv or html; overrides the Accept header",
        examples=["json"],
        pattern="^(json|csv|html)$",
    ),
]


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
        View(
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
    view = View(shown, "citations.html", context, columns, flat, page, title)
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
    return send(request, View(data, "paragraph.html", context, columns, flat, title=title))


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
    return send(request, View(data, "resolution.html", context, columns, flat, title=title))


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
    view = View(shown, "instruments.html", context, [*INSTRUMENT_LIST_ITEM], flat, page, title)
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
    view = View(shown, "cited_by.html", context, [*CITED_BY_EXAMPLE][:-1], flat, page, title)
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
        request, View(data, "instrument.html", context, list(flat[0]), flat, title=data["title"])
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
        raise Problem(404, f"volume, number: no UNTS record vol. {vol}, No. {num}", "number")
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
    view = View(data, "unts.html", {"iri": iri}, list(flat[0]), flat, title=str(data["label"]))
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
        raise Problem(404, f"code: no ILO instrument {key} in the graph", "code")
    return _instrument_view(request, lk, instrument_rows(lk, str(rows[0]["instrument"])))


# --- the query library at /queries ---------------------------------------------------------


def query_json(request: Request, q: LibraryQuery) -> JSON:
    url = request.url_for(f"query:{q.name}").include_query_params(**q.example)
    cli = " ".join(["treatygraph query", q.name, *(f"--{k} '{v}'" for k, v in q.example.items())])
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.type.name,
                "required": p.required,
                "description": p.description,
                "format": p.type.description,
                "choices": list(p.type.choices),
            }
            for p in q.params
        ],
        "columns": dict(q.columns),
        "example": {"parameters": dict(q.example), "url": str(url), "cli": cli},
        "sparql": q.text,
    }


def query_router(library: Library) -> APIRouter:
    """``/queries`` and one documented route per query of the library."""
    r = APIRouter(route_class=LookupRoute, tags=["queries"])

    @r.get(
        "/queries",
        summary="The query library",
        responses=documented(
            [{"name": "citations", "summary": "Instruments a paragraph cites"}],
            csv="name,summary\r\n",
            summary="the query library",
        ),
    )
    def list_queries(request: Request, format: FORMAT = None) -> Response:
        """Every named query: summary, description, parameters, columns and an example."""
        items = [query_json(request, q) for q in lookups(request).library]
        rows = [
            {"name": i["name"], "summary": i["summary"], "url": i["example"]["url"]} for i in items
        ]
        return send(
            request,
            View(
                items, "queries.html", {}, ["name", "summary", "url"], rows, title="Query library"
            ),
        )

    for q in library:
        r.add_api_route(
            f"/queries/{q.name}",
            _query_endpoint(q.name),
            methods=["GET"],
            name=f"query:{q.name}",
            summary=q.summary,
            description=q.description,
            openapi_extra={"parameters": _query_parameters(q)},
            responses=_query_responses(q),
        )

    @r.get("/queries/{name}", include_in_schema=False)
    def unknown_query(request: Request, name: str) -> Response:
        raise UnknownQuery(f"name: no query named {name[:60]!r}; see /queries")

    return r


def _query_endpoint(name: str) -> Callable[[Request], Response]:
    def run(request: Request) -> Response:
        lk = lookups(request)
        q = lk.library[name]
        values = {k: v for k, v in request.query_params.items() if k not in RESERVED}
        html = negotiate(request) == "html"
        if html and not values:  # a browser arriving at the form: show the example at work
            values = dict(q.example)
        offset = checked("offset", _natural, request.query_params.get("offset", "0"))
        limit = checked("limit", _limit, request.query_params.get("limit", str(DEFAULT_LIMIT)))
        context = {"query": query_json(request, q), "values": values, "columns": list(q.columns)}
        try:
            table = lk.runner.table(name, values, offset=offset, limit=limit)
        except ParameterError as err:
            if not html:
                raise
            return pages.render(
                request,
                "query.html",
                context | {"data": [], "error": err, "title": q.summary},
                status=422,
            )
        records = table.records()
        page = paging(offset, limit, table.total)
        return send(
            request,
            View(records, "query.html", context, table.columns, records, page, title=q.summary),
        )

    run.__doc__ = f"Run the named query {name}."
    return run


def _natural(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"not a whole number: {text[:20]!r}")
    return int(text)


def _limit(text: str) -> int:
    value = _natural(text)
    if not 1 <= value <= MAX_LIMIT:
        raise ValueError(f"must be between 1 and {MAX_LIMIT}")
    return value


def _query_parameters(q: LibraryQuery) -> list[JSON]:
    params = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} ({p.type.description})",
            "schema": {"type": "integer" if p.type.name == "integer" else "string"},
            "example": q.example.get(p.name, p.type.example),
        }
        for p in q.params
    ]
    paging_params = [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": PAGED,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "example": 100,
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Rows to skip",
            "schema": {"type": "integer", "minimum": 0},
            "example": 0,
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json, csv or html",
            "schema": {"type": "string", "enum": ["json", "csv", "html"]},
            "example": "json",
        },
    ]
    return params + paging_params


def _query_responses(q: LibraryQuery) -> dict[int | str, dict[str, Any]]:
    example = [dict(r) for r in (q.expected.rows or q.expected.contains)[:2]] or [
        {c: "…" for c in q.columns}
    ]
    responses = documented(example, csv=",".join(q.columns) + "\r\n", summary=q.summary)
    schema = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {c: {"description": d} for c, d in q.columns.items()},
        },
    }
    responses[200]["content"]["application/json"]["schema"] = schema
    return responses
