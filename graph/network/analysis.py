"""Citation analysis over the view: rankings (PageRank, in-degree, citing resolutions) and the
instruments reached through the parents of protocols."""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import networkx as nx

from treatygraph.network.cocitation import _resolution_of
from treatygraph.network.limits import MEASURES, PARTS, InvalidRequest, LimitExceeded, Limits
from treatygraph.network.subgraphs import _a, _ancestors, _parents, kinds, resolution_graph
from treatygraph.rdf.iris import split_paragraph_id

if TYPE_CHECKING:  # the view imports these stages: only its type here
    from treatygraph.network.view import View

# --- citation analysis --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Which citations an analysis counts: of some resolutions (refs), paragraph parts and
    instrument kinds; empty means all."""

    resolutions: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    instrument_kinds: tuple[str, ...] = ()


def _resolutions(view: View, selection: Selection) -> set[str]:
    """The resolutions a selection names (none: all), each checked to be one."""
    resolutions = {view.node(r) for r in selection.resolutions}
    for r in resolutions:
        if view.kind(r) != "resolution":
            ref = view.graph.nodes[r]["ref"]
            raise InvalidRequest(f"{ref} is {_a(view.kind(r))}, not a resolution")
    return resolutions


def citation_graph(view: View, selection: Selection = Selection()) -> nx.DiGraph:
    """The selected paragraphs, the instruments they cite and those instruments' parents;
    ``cites`` and ``supplements`` edges only."""
    g = view.graph
    resolutions = _resolutions(view, selection)
    parts = kinds(selection.parts, PARTS, "paragraph part")
    wanted = frozenset(selection.instrument_kinds)
    out = nx.DiGraph()
    for p, i, d in g.edges(data=True):
        if d["kind"] != "cites" or g.nodes[p]["part"] not in parts:
            continue
        if resolutions and _resolution_of(g, p) not in resolutions:
            continue
        if not wanted or g.nodes[i].get("instrument_kind") in wanted:
            out.add_edge(p, i, **d)
    cited = [n for n in out if g.nodes[n]["kind"] == "instrument"]
    for child in [*cited, *_ancestors(g, cited)]:
        for parent in _parents(g, child):
            if not wanted or g.nodes[parent].get("instrument_kind") in wanted:
                out.add_edge(child, parent, kind="supplements")
    for n in out:
        out.nodes[n].update(g.nodes[n])
    return out


def pagerank(
    g: nx.DiGraph, *, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200
) -> dict[str, float]:
    """PageRank by power iteration (networkx's own needs scipy, which we do not ship);
    dangling nodes spread their rank evenly, as in networkx."""
    nodes = list(g)
    if not nodes:
        return {}
    n = len(nodes)
    rank = dict.fromkeys(nodes, 1.0 / n)
    out_degree = {u: g.out_degree(u) for u in nodes}
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in nodes if out_degree[u] == 0) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u, v in g.edges():
            new[v] += alpha * rank[u] / out_degree[u]
        if sum(abs(new[u] - rank[u]) for u in nodes) < n * tol:
            return new
        rank = new
    return rank


@dataclass(frozen=True, slots=True)
class Rank:
    """One instrument's standing in a selection."""

    node: str
    ref: str
    label: str
    instrument_kind: str
    in_degree: int  # citing paragraphs
    resolutions: int  # citing resolutions
    citations: int  # citations (a paragraph may cite one instrument twice)
    pagerank: float


def ranking(
    view: View,
    selection: Selection = Selection(),
    *,
    by: str = "pagerank",
    limit: int = 50,
    limits: Limits | None = None,
) -> list[Rank]:
    """Instruments ranked by PageRank (over cites and supplements), citing paragraphs,
    citing resolutions or citations."""
    limits = limits or Limits()
    if by not in MEASURES:
        raise InvalidRequest(f"unknown measure {by!r}: choose from {', '.join(MEASURES)}")
    _check_limit(limit, limits)
    ranked: Callable[[Selection], tuple[Rank, ...]] = view.lazily("rankings", _rankings)
    ranks = sorted(ranked(selection), key=lambda r: (-getattr(r, by), r.label))
    return ranks[:limit]


RANKINGS_KEPT = 32  # selections whose rankings a view keeps (PageRank: seconds on a large graph)


def _rankings(view: View) -> Callable[[Selection], tuple[Rank, ...]]:
    """The instruments of a selection with every measure, the last few selections kept
    (kept by the view, which the cache refers to weakly: no cycle keeps an old view alive)."""
    owner = weakref.ref(view)

    @lru_cache(maxsize=RANKINGS_KEPT)
    def ranked(selection: Selection) -> tuple[Rank, ...]:
        view = owner()
        assert view is not None  # the view calls this
        g = citation_graph(view, selection)
        scores = pagerank(g)
        return tuple(
            _rank(view, g, node, scores[node])
            for node in g
            if g.nodes[node]["kind"] == "instrument"
        )

    return ranked


def _rank(view: View, g: nx.DiGraph, node: str, score: float) -> Rank:
    citing = [p for p in g.predecessors(node) if g.edges[p, node]["kind"] == "cites"]
    data = g.nodes[node]
    return Rank(
        node=node,
        ref=data["ref"],
        label=data["label"],
        instrument_kind=data.get("instrument_kind", "other"),
        in_degree=len(citing),
        resolutions=len({_resolution_of(view.graph, p) for p in citing}),
        citations=sum(g.edges[p, node]["citations"] for p in citing),
        pagerank=score,
    )


def _check_limit(limit: int, limits: Limits) -> None:
    if not 1 <= limit <= limits.max_results:
        raise LimitExceeded(f"limit {limit} is out of range: 1 to {limits.max_results}")


@dataclass(frozen=True, slots=True)
class CoCitation:
    """Two instruments cited in the same paragraphs; `a` sorts before `b`."""

    a: str
    b: str
    a_label: str
    b_label: str
    paragraphs: int


def cocitation(
    view: View,
    selection: Selection = Selection(),
    *,
    instrument: str | None = None,
    min_count: int = 1,
    limit: int = 100,
    limits: Limits | None = None,
) -> list[CoCitation]:
    """Pairs of instruments cited in the same paragraph, most often first; with
    `instrument`, only the pairs it is part of. Answered from the view's co-citation counts
    (:meth:`View.cocitations`, counted once per view)."""
    limits = limits or Limits()
    _check_limit(limit, limits)
    focus = view.node(instrument) if instrument else None
    parts = kinds(selection.parts, PARTS, "paragraph part")
    resolutions = _resolutions(view, selection) if selection.resolutions else None
    pairs = view.cocitations().pairs(
        parts=parts,
        resolutions=resolutions,
        instrument_kinds=selection.instrument_kinds,
        focus=focus,
        min_count=min_count,
        limit=limit,
    )
    label = view.graph.nodes
    return [
        CoCitation(p.a, p.b, label[p.a]["label"], label[p.b]["label"], p.paragraphs) for p in pairs
    ]


@dataclass(frozen=True, slots=True)
class Reach:
    """An instrument a resolution cites, directly or through instruments that supplement it."""

    node: str
    ref: str
    label: str
    direct: bool  # cited by a paragraph of the resolution
    paragraphs: tuple[str, ...]  # local ids of the paragraphs that cite it
    through: tuple[str, ...]  # refs of the cited instruments that supplement it
    distance: int  # supplements steps from the nearest cited instrument (0: cited)


def through_parents(view: View, ref: str) -> list[Reach]:
    """What a resolution cites, and the parents of what it cites, transitively."""
    g = resolution_graph(view, ref)
    direct: dict[str, list[str]] = defaultdict(list)
    for p, i, kind in g.edges(data="kind"):
        if kind == "cites":
            direct[i].append(g.nodes[p]["local_id"])
    tree = nx.subgraph_view(g, filter_edge=lambda u, v: g.edges[u, v]["kind"] == "supplements")
    distance = nx.multi_source_dijkstra_path_length(tree, set(direct))
    reach = [
        _reach(g, node, direct, nx.ancestors(tree, node) & direct.keys(), int(steps))
        for node, steps in distance.items()
    ]
    reach.sort(key=lambda r: (r.distance, r.label))
    return reach


def _reach(
    g: nx.DiGraph, node: str, direct: Mapping[str, list[str]], below: set[str], distance: int
) -> Reach:
    data = g.nodes[node]
    paragraphs = sorted(direct.get(node, []), key=_paragraph_order)
    through = sorted(g.nodes[n]["ref"] for n in below)
    return Reach(
        node,
        data["ref"],
        data["label"],
        node in direct,
        tuple(paragraphs),
        tuple(through),
        distance,
    )


def _paragraph_order(local_id: str) -> tuple[bool, int, str]:
    """pp before op, then by number."""
    try:
        part, number = split_paragraph_id(local_id)
    except ValueError:
        return True, 0, local_id
    return part != "pp", number, local_id
