"""Traversals and exports of the citation graph over HTTP: ``/network/...`` and ``/export/...``.

Every answer comes from the cached networkx view (the app's
:class:`~treatygraph.network.view.NetworkCache`, a dependency of :mod:`treatygraph.api.services`);
RDF exports read the store. Limits on depth and size answer 422, unknown nodes and missing paths
404, all as problem documents.

A traversal or an export runs in this process and holds the GIL while it runs: at most
``limits.slots`` run at once (the app's network :class:`Gate`, shared with the
explorer's data routes); the others wait, holding no thread, for at most
``limits.queue_timeout`` seconds, then get a 503 with Retry-After. Before the first view
exists (it is built in the background from start-up) requests wait for it, holding no slot,
for at most ``limits.view_wait`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from treatygraph import network
from treatygraph.api.admission import Gate
from treatygraph.api.negotiation import Offer, choose
from treatygraph.api.problems import problem
from treatygraph.api.services import services
from treatygraph.network import export
from treatygraph.network.analysis import CoCitation, Rank, Reach, Selection
from treatygraph.network.limits import InvalidRequest, Limits, NetworkError
from treatygraph.network.tables import (
    GRAPH_TABLES,
    Table,
    graph_table,
    path_table,
    records_table,
    summary_table,
)
from treatygraph.network.view import NetworkCache, View
from treatygraph.store import StoreUnavailable

# Repeatable and comma-separated: ?node_kind=paragraph&node_kind=instrument or =paragraph,instrument
Many = Annotated[list[str], Query()]
FORMAT = Annotated[
    str | None,
    Query(description="json or csv; overrides the Accept header", pattern="^(json|csv)$"),
]
TABLE = Annotated[
    str,
    Query(description="for CSV, the table of a graph answer: its nodes or its edges",
          pattern=f"^({'|'.join(GRAPH_TABLES)})$"),
]  # fmt: skip
OFFERS = (Offer("application/json", "json"), Offer("text/csv", "csv"))
CSV_TYPE = "text/csv; charset=utf-8"
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON by default; CSV with `format=csv` or `Accept: text/csv`",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    }
}


def cache(request: Request) -> NetworkCache:
    """The app's network view cache (a FastAPI dependency)."""
    return services(request).network


class Unavailable(NetworkError):
    """The store cannot be read now (missing, unreachable): try again later."""

    status = 503


class Busy(Unavailable):
    """Every slot was taken for as long as a request may wait."""


def network_gate(limits: Limits) -> Gate:
    """The gate of the traversal, export and explorer data routes (api/gate.py)."""
    message = (
        f"the service is busy ({max(1, limits.slots)} graph traversals or exports at once); "
        "try again shortly"
    )
    return Gate(limits.slots, limits.queue_timeout, busy=lambda: Busy(message))


def gate(request: Request) -> Gate:
    """The gate of the traversal routes (a FastAPI dependency)."""
    return services(request).network_gate


class GatedRoute(APIRoute):
    """A route that runs only with a slot of the app's :class:`Gate` (errors, the gate's own
    included, become problem documents through :func:`network_error`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def gated(request: Request) -> Response:
            await first_view(cache(request))
            slots = gate(request)
            await slots.enter()
            try:
                return await handler(request)
            finally:
                slots.leave()

        return gated


async def first_view(views: NetworkCache) -> None:
    """While the first view is being built (from start-up, in the background: a minute on a
    large graph), wait for it holding neither a slot nor a thread, for at most
    ``limits.view_wait`` seconds, then :class:`treatygraph.network.view.Building` (a 503)."""
    deadline = time.monotonic() + views.limits.view_wait
    while not views.ready and views.building:
        if time.monotonic() >= deadline:
            raise views.still_building()
        await asyncio.sleep(0.05)


router = APIRouter(tags=["network"], route_class=GatedRoute)
listing = APIRouter(tags=["network"])  # what costs nothing: never queued


def current(request: Request) -> View:
    """The view of the store as it is now (rebuilt if the store changed); with no view yet
    and another request building it, one waits as long as for a slot, then gets a 503."""
    views = cache(request)
    try:
        return views.view(wait=views.limits.queue_timeout)
    except StoreUnavailable as e:
        raise Unavailable(str(e)) from None


def split(values: list[str]) -> tuple[str, ...]:
    """Repeated and comma-separated values as one tuple, blanks dropped."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def selection(resolution: list[str], part: list[str], instrument_kind: list[str]) -> Selection:
    return Selection(split(resolution), split(part), split(instrument_kind))


def wants_csv(request: Request) -> bool:
    """CSV or JSON: ``?format=`` first, else the Accept header; JSON for ``*/*`` and for
    anything else (a browser's ``text/html``)."""
    asked = request.query_params.get("format")
    if asked is not None:
        if asked not in ("json", "csv"):
            raise InvalidRequest(f"format: {asked[:20]!r} is not json or csv")
        return asked == "csv"
    offer = choose(request.headers.get("accept"), OFFERS)
    return offer is not None and offer.name == "csv"


def answer(request: Request, data: dict[str, Any], table: Table) -> Response:
    """``data`` as JSON, or ``table`` as CSV when the client asks for it."""
    headers = {"Vary": "Accept"}
    if wants_csv(request):
        return Response(table.csv(), media_type=CSV_TYPE, headers=headers)
    return JSONResponse(data, headers=headers)


@router.get("/network", responses=ANSWERS)
def summary(request: Request, format: FORMAT = None) -> Response:
    """Counts of the graph's nodes and edges by kind, and the limits in force."""
    view = current(request)
    counts = view.summary()
    data = {**counts, "limits": asdict(cache(request).limits)}
    return answer(request, data, summary_table(counts))


@router.get("/network/neighbours", responses=ANSWERS)
def neighbours(
    request: Request,
    node: str,
    depth: int = 1,
    node_kind: Many = [],  # noqa: B006 (FastAPI copies defaults)
    edge_kind: Many = [],  # noqa: B006
    direction: str = "both",
    format: FORMAT = None,
    table: TABLE = "nodes",
) -> Response:
    """The nodes within `depth` steps of `node`, by node and edge kind, and the edges among
    them; each node has its ``depth``. CSV: the nodes, or the edges with ``table=edges``."""
    g = network.neighbours(
        current(request),
        node,
        depth=depth,
        node_kinds=split(node_kind),
        edge_kinds=split(edge_kind),
        direction=direction,
        limits=cache(request).limits,
    )
    return answer(request, export.graph_json(g), graph_table(g, table))


@router.get("/network/path", responses=ANSWERS)
def path(
    request: Request,
    source: str,
    target: str,
    node_kind: Many = [],  # noqa: B006
    edge_kind: Many = [],  # noqa: B006
    format: FORMAT = None,
) -> Response:
    """The shortest path between two nodes, walking edges either way. CSV: one row a step."""
    view = current(request)
    nodes, steps = network.shortest_path(
        view, source, target, node_kinds=split(node_kind), edge_kinds=split(edge_kind)
    )
    return answer(request, network.path_json(view, nodes, steps), path_table(view, steps))


@router.get("/network/ego", responses=ANSWERS)
def ego(
    request: Request,
    instrument: str,
    radius: int = 2,
    node_kind: Many = [],  # noqa: B006
    format: FORMAT = None,
    table: TABLE = "nodes",
) -> Response:
    """An instrument's ego network: everything within `radius` steps. CSV: the nodes, or the
    edges with ``table=edges``."""
    g = network.ego(
        current(request),
        instrument,
        radius=radius,
        node_kinds=split(node_kind),
        limits=cache(request).limits,
    )
    return answer(request, export.graph_json(g), graph_table(g, table))


@router.get("/network/cocitation", responses=ANSWERS)
def cocitation(
    request: Request,
    instrument: str | None = None,
    resolution: Many = [],  # noqa: B006
    part: Many = [],  # noqa: B006
    instrument_kind: Many = [],  # noqa: B006
    min_count: int = 1,
    limit: int = 100,
    format: FORMAT = None,
) -> Response:
    """Pairs of instruments cited in the same paragraph, with how many paragraphs."""
    pairs = network.cocitation(
        current(request),
        selection(resolution, part, instrument_kind),
        instrument=instrument,
        min_count=min_count,
        limit=limit,
        limits=cache(request).limits,
    )
    data = {"pairs": [asdict(p) for p in pairs]}
    return answer(request, data, records_table(CoCitation, pairs))


@router.get("/network/ranking", responses=ANSWERS)
def ranking(
    request: Request,
    by: str = "pagerank",
    resolution: Many = [],  # noqa: B006
    part: Many = [],  # noqa: B006
    instrument_kind: Many = [],  # noqa: B006
    limit: int = 50,
    format: FORMAT = None,
) -> Response:
    """Instruments by PageRank, citing paragraphs (``in_degree``), resolutions or citations,
    over the citations of the chosen resolutions, paragraph parts and instrument kinds."""
    ranks = network.ranking(
        current(request),
        selection(resolution, part, instrument_kind),
        by=by,
        limit=limit,
        limits=cache(request).limits,
    )
    data = {"by": by, "instruments": [asdict(r) for r in ranks]}
    return answer(request, data, records_table(Rank, ranks))


@router.get("/network/through-parents", responses=ANSWERS)
def through_parents(request: Request, resolution: str, format: FORMAT = None) -> Response:
    """What a resolution cites, and the instruments those supplement, transitively."""
    reach = network.through_parents(current(request), resolution)
    data = {"resolution": resolution, "instruments": [asdict(r) for r in reach]}
    return answer(request, data, records_table(Reach, reach))


# --- exports --------------------------------------------------------------------------------


@listing.get("/export")
def formats() -> dict[str, Any]:
    """The export formats, their media types and file suffixes."""
    return {"formats": [asdict(f) for f in export.FORMATS.values()]}


@router.get("/export/{name}")
def export_graph(
    request: Request,
    name: str,
    resolution: str | None = None,
    around: str | None = None,
    depth: int = 1,
    aggregate: str | None = None,
    node_kind: Many = [],  # noqa: B006
    edge_kind: Many = [],  # noqa: B006
) -> Response:
    """The graph, one resolution (`resolution`), a neighbourhood (`around`, `depth`) or an
    aggregated graph (`aggregate`: resolutions, instruments), as a download in `name`."""
    fmt = export.FORMATS.get(name)
    if fmt is None:
        raise network.InvalidRequest(
            f"unknown export format {name!r}: choose from {', '.join(export.FORMATS)}"
        )
    settings = services(request).settings
    scope = export.Scope(resolution, around, depth, aggregate, split(node_kind), split(edge_kind))
    limits = cache(request).limits
    try:
        out = export.export(
            cache(request).store,
            current(request),
            fmt,
            scope,
            limits=limits,
            timeout=max(settings.query_timeout, 30.0),
            max_triples=limits.max_export_triples,
        )
    except StoreUnavailable as e:
        raise Unavailable(str(e)) from None
    media_type = out.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    disposition = f'attachment; filename="{out.filename}"'
    return Response(out.body, media_type=media_type, headers={"Content-Disposition": disposition})


async def network_error(request: Request, exc: Exception) -> Response:
    """A :class:`treatygraph.network.view.NetworkError` as a problem document with its status."""
    assert isinstance(exc, NetworkError)
    response: JSONResponse = problem(exc.status, exc.message)
    return response
