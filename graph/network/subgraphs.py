"""Subgraphs of the view: neighbours, paths, ego networks, a selection; and the aggregated
views of a large corpus (resolutions and instruments, instruments only)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import networkx as nx

from treatygraph.network.cocitation import _resolution_of
from treatygraph.network.limits import (
    AGGREGATES,
    DIRECTIONS,
    EDGE_KINDS,
    NODE_KINDS,
    InvalidRequest,
    LimitExceeded,
    Limits,
    NoPath,
)

if TYPE_CHECKING:  # the view imports these stages: only its type here
    from treatygraph.network.view import View

# --- subgraphs ----------------------------------------------------------------------------


def kinds(values: Iterable[str], known: tuple[str, ...], what: str) -> frozenset[str]:
    """The kinds asked for, all of them when none; an unknown kind is a clear error."""
    chosen = frozenset(v for v in values if v)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise InvalidRequest(f"unknown {what} {', '.join(unknown)}: choose from {', '.join(known)}")
    return chosen or frozenset(known)


def restrict(g: nx.DiGraph, node_kinds: Iterable[str] = (), edge_kinds: Iterable[str] = ()) -> Any:
    """A read-only view of `g` with only some node and edge kinds (all when none given)."""
    nodes = kinds(node_kinds, NODE_KINDS, "node kind")
    edges = kinds(edge_kinds, EDGE_KINDS, "edge kind")
    if nodes == set(NODE_KINDS) and edges == set(EDGE_KINDS):
        return g
    return nx.subgraph_view(
        g,
        filter_node=lambda n: g.nodes[n]["kind"] in nodes,
        filter_edge=lambda u, v: g.edges[u, v]["kind"] in edges,
    )


def _a(kind: str) -> str:
    """A kind with its article.

    >>> _a("instrument"), _a("paragraph")
    ('an instrument', 'a paragraph')
    """
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _check_depth(depth: int, limits: Limits, what: str = "depth") -> None:
    if not 0 <= depth <= limits.max_depth:
        raise LimitExceeded(f"{what} {depth} is out of range: 0 to {limits.max_depth}")


def _check_size(count: int, limits: Limits, what: str) -> None:
    if count > limits.max_nodes:
        raise LimitExceeded(
            f"{what} has more than {limits.max_nodes} nodes; lower the depth or filter by kind"
        )


def neighbours(
    view: View,
    ref: str,
    *,
    depth: int = 1,
    node_kinds: Iterable[str] = (),
    edge_kinds: Iterable[str] = (),
    direction: str = "both",
    limits: Limits | None = None,
) -> nx.DiGraph:
    """The nodes within `depth` steps of `ref` (each with its ``depth``), and the edges among
    them, following only edges and nodes of the given kinds."""
    limits = limits or Limits()
    _check_depth(depth, limits)
    if direction not in DIRECTIONS:
        raise InvalidRequest(f"unknown direction {direction!r}: choose from out, in, both")
    start = view.node(ref)
    g = restrict(view.graph, node_kinds, edge_kinds)
    if start not in g:
        raise InvalidRequest(f"{ref} is {_a(view.kind(start))}, and that kind is filtered out")
    steps = {"out": g.successors, "in": g.predecessors, "both": _both(g)}[direction]
    depths = _bfs(start, steps, depth, limits, f"the neighbourhood of {ref} to depth {depth}")
    return _induced(g, depths)


def _induced(g: nx.DiGraph, depths: Mapping[str, int]) -> nx.DiGraph:
    """The nodes of `depths` (in that order, each with its ``depth``) and the edges of `g`
    among them: a copy, made straight from the adjacency (three times faster than copying
    networkx's filtered subgraph view)."""
    sub = nx.DiGraph()
    sub.add_nodes_from((n, {**g.nodes[n], "depth": d}) for n, d in depths.items())
    sub.add_edges_from((u, v, data) for u in depths for v, data in g.adj[u].items() if v in depths)
    return sub


def _both(g: nx.DiGraph) -> Callable[[str], Iterator[str]]:
    def step(node: str) -> Iterator[str]:
        yield from g.successors(node)
        yield from g.predecessors(node)

    return step


def _bfs(
    start: str, steps: Callable[[str], Iterable[str]], depth: int, limits: Limits, what: str
) -> dict[str, int]:
    depths = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if depths[node] == depth:
            continue
        for other in steps(node):
            if other not in depths:
                depths[other] = depths[node] + 1
                _check_size(len(depths), limits, what)
                queue.append(other)
    return depths


def ego(
    view: View,
    ref: str,
    *,
    radius: int = 2,
    node_kinds: Iterable[str] = (),
    limits: Limits | None = None,
) -> nx.DiGraph:
    """An instrument's ego network: everything within `radius` steps, either direction."""
    _check_depth(radius, limits or Limits(), "radius")
    node = view.node(ref)
    if view.kind(node) != "instrument":
        raise InvalidRequest(f"{ref} is {_a(view.kind(node))}, not an instrument")
    try:
        return neighbours(
            view, node, depth=radius, node_kinds=node_kinds, direction="both", limits=limits
        )
    except LimitExceeded:
        citing = view.graph.in_degree(node)
        short = view.graph.nodes[node]["ref"]
        most = (limits or Limits()).max_nodes
        raise LimitExceeded(
            f"the ego network of {short} within radius {radius} has more than {most} nodes "
            f"({citing} paragraphs and footnotes cite {short} directly): filter by node kind, "
            f"or see the instruments cited with it, its co-citations (cocitation, "
            f"instrument={short})"
        ) from None


@dataclass(frozen=True, slots=True)
class Step:
    """One edge of a path, in the direction it was walked (``forward``: as stored)."""

    source: str
    target: str
    kind: str
    forward: bool


def shortest_path(
    view: View,
    source: str,
    target: str,
    *,
    node_kinds: Iterable[str] = (),
    edge_kinds: Iterable[str] = (),
) -> tuple[list[str], list[Step]]:
    """The shortest chain of edges between two nodes, walking edges either way."""
    a, b = view.node(source), view.node(target)
    g = restrict(view.graph, node_kinds, edge_kinds)
    for ref, node in ((source, a), (target, b)):
        if node not in g:
            raise InvalidRequest(f"{ref} is {_a(view.kind(node))}, and that kind is filtered out")
    try:
        nodes: list[str] = nx.shortest_path(g.to_undirected(as_view=True), a, b)
    except nx.NetworkXNoPath:
        raise NoPath(f"no path between {source} and {target} with these kinds") from None
    steps = [_step(g, u, v) for u, v in pairwise(nodes)]
    return nodes, steps


def _step(g: nx.DiGraph, u: str, v: str) -> Step:
    if g.has_edge(u, v):
        return Step(u, v, g.edges[u, v]["kind"], True)
    return Step(u, v, g.edges[v, u]["kind"], False)


def path_json(view: View, nodes: list[str], steps: list[Step]) -> dict[str, Any]:
    """A path as the API and the CLI answer it: its nodes (with attributes) and steps."""
    return {
        "length": len(steps),
        "nodes": [{"id": n, **view.graph.nodes[n]} for n in nodes],
        "steps": [asdict(s) for s in steps],
    }


def resolution_graph(view: View, ref: str) -> nx.DiGraph:
    """One resolution: its paragraphs and footnotes, what they cite, and those instruments'
    parents (transitively), with the edges among them."""
    node = view.node(ref)
    if view.kind(node) != "resolution":
        raise InvalidRequest(f"{ref} is {_a(view.kind(node))}, not a resolution")
    g = view.graph
    parts = [p for p in g.predecessors(node) if g.edges[p, node]["kind"] == "part_of"]
    cited = {i for p in parts for i in g.successors(p) if g.nodes[i]["kind"] == "instrument"}
    return nx.DiGraph(g.subgraph({node, *parts, *cited, *_ancestors(g, cited)}))


def _ancestors(g: nx.DiGraph, instruments: Iterable[str]) -> set[str]:
    """Every instrument reached from these by ``supplements`` edges."""
    found: set[str] = set()
    queue = deque(instruments)
    while queue:
        for parent in _parents(g, queue.popleft()):
            if parent not in found:
                found.add(parent)
                queue.append(parent)
    return found


def _parents(g: nx.DiGraph, instrument: str) -> list[str]:
    return [p for p in g.successors(instrument) if g.edges[instrument, p]["kind"] == "supplements"]


# --- aggregated views for large graphs -------------------------------------------------------


def aggregate(view: View) -> nx.DiGraph:
    """Resolutions and instruments only: one ``cites`` edge per resolution and instrument,
    counting the citing ``paragraphs``; ``supplements`` edges kept. (Computed once per view.)"""
    return view.lazily("aggregate", _aggregate)


def _aggregate(view: View) -> nx.DiGraph:
    g = view.graph
    out = nx.DiGraph()
    out.add_nodes_from((n, d) for n, d in g.nodes(data=True) if d["kind"] == "instrument")
    out.add_nodes_from((n, d) for n, d in g.nodes(data=True) if d["kind"] == "resolution")
    counts: Counter[tuple[str, str]] = Counter()
    for p, i, kind in g.edges(data="kind"):
        if kind == "cites":
            counts[_resolution_of(g, p), i] += 1
        elif kind == "supplements":
            out.add_edge(p, i, kind="supplements")
    for (r, i), n in sorted(counts.items()):
        out.add_edge(r, i, kind="cites", paragraphs=n)
    return nx.freeze(out)


COCITED_PER_INSTRUMENT = 5  # co-citation edges kept per instrument in the overview


def instruments_only(view: View) -> nx.DiGraph:
    """Instruments only, each with how many ``resolutions`` and ``paragraphs`` cite it;
    ``supplements`` edges, and ``cocited`` edges (``paragraphs`` citing both) to each
    instrument's most frequent partners, so that the overview stays sparse. (Computed once
    per view.)"""
    return view.lazily("instruments", _instruments_only)


def _instruments_only(view: View) -> nx.DiGraph:
    agg = aggregate(view)
    out = nx.DiGraph()
    for n, d in agg.nodes(data=True):
        if d["kind"] == "instrument":
            citing = [
                agg.edges[r, n]["paragraphs"]
                for r in agg.predecessors(n)
                if agg.edges[r, n]["kind"] == "cites"
            ]
            out.add_node(n, **d, resolutions=len(citing), paragraphs=sum(citing))
    index = view.cocitations()
    for a in index.instruments:
        for pair in index.pairs(focus=a, limit=COCITED_PER_INSTRUMENT):
            out.add_edge(pair.a, pair.b, kind="cocited", paragraphs=pair.paragraphs)
    out.add_edges_from((u, v, d) for u, v, d in agg.edges(data=True) if d["kind"] == "supplements")
    return nx.freeze(out)


def aggregated(view: View, level: str) -> nx.DiGraph:
    """The aggregated graph of a level: ``resolutions`` or ``instruments``."""
    if level == "resolutions":
        return aggregate(view)
    if level == "instruments":
        return instruments_only(view)
    raise InvalidRequest(f"unknown aggregate {level!r}: choose from {', '.join(AGGREGATES)}")
