"""What every lookup route shares: the route class that turns errors into problem documents,
the lookups service (the query runner and its gate), representations (JSON, CSV, HTML with
paging and links), fetching resources by the named queries, and the documented examples."""

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

from fastapi import Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from treatygraph.api.admission import Gate
from treatygraph.api.negotiation import Offer, choose
from treatygraph.api.params import header_url
from treatygraph.api.problems import RETRY_AFTER, RequestProblem, problem
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
from treatygraph.named_queries.output import to_csv
from treatygraph.named_queries.params import document_symbol, instrument_id, paragraph_id
from treatygraph.named_queries.shapes import (
    JSON,
    citations_by_paragraph,
    footnote_json,
    grouped,
    instrument_record,
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


def _as_problem(exc: Exception) -> RequestProblem | None:
    if isinstance(exc, RequestProblem):
        return exc
    if isinstance(exc, ParameterError):
        return RequestProblem(422, str(exc), exc.parameter)
    if isinstance(exc, UnknownQuery):
        return RequestProblem(404, str(exc), "name")
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc)
    if isinstance(exc, ResultTooLarge):
        return RequestProblem(422, str(exc), "limit")
    if isinstance(exc, StoreUnavailable):
        return RequestProblem(503, f"the graph cannot be read now: {exc}")
    if isinstance(exc, StoreError):
        return RequestProblem(500, "the query failed in the store")
    return None


def _validation_problem(exc: RequestValidationError) -> RequestProblem:
    error = exc.errors()[0] if exc.errors() else {}
    where = [str(part) for part in error.get("loc", ()) if part not in ("path", "query")]
    name = where[-1] if where else None
    message = str(error.get("msg", "invalid request")).lower()
    return RequestProblem(422, f"{name}: {message}" if name else message, name)


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
                await (
                    gate.enter()
                )  # not a context manager: RequestProblem is frozen (no __traceback__)
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


def _busy() -> RequestProblem:
    return RequestProblem(503, "the service is busy; try again shortly")


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
class Representation:
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
            raise RequestProblem(422, f"format: {asked[:20]!r} is not json, csv or html", "format")
        return asked
    offer = choose(request.headers.get("accept"), OFFERS)
    if offer is None:
        raise RequestProblem(406, "no acceptable format: this resource is JSON, CSV or HTML")
    return offer.name


def send(request: Request, view: Representation) -> Response:
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


def _links(request: Request, view: Representation) -> Iterator[str]:
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
        raise RequestProblem(422, f"{parameter}: {err}", parameter) from None


def resolution_row(lk: Lookups, symbol: str) -> Mapping[str, Value]:
    text = checked("symbol", document_symbol, symbol)
    rows = lk.table("resolutions", resolution=text).records()
    if not rows:
        raise RequestProblem(404, f"symbol: no resolution {text} in the graph", "symbol")
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
        raise RequestProblem(404, f"id: {row['symbol']} has no paragraph {wanted}", "id")
    return row, rows[0]


def instrument_rows(lk: Lookups, raw: str) -> Sequence[Mapping[str, Value]]:
    key = checked("id", instrument_id, raw)
    rows = lk.table("instruments", instrument=key).records()
    if not rows:
        raise RequestProblem(404, f"id: no instrument {key!r} in the graph", "id")
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
