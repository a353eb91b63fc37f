"""The graph explorer: a page that draws the citation graph with Cytoscape.js (``/explore``),
the elements it draws (``/explore/graph.json``) and the details of one node
(``/explore/node.json``). :func:`mount` adds it, with ``/network`` and ``/export``, to the app.

A graph too large to draw whole starts aggregated: resolutions and instruments only, or
instruments only; a resolution's paragraphs and a node's neighbours are loaded on demand.
"""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache
from typing import Any

import networkx as nx
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from treatygraph import network, resources
from treatygraph.api import arenas as memory
from treatygraph.api.routes.network import GatedRoute, cache, current
from treatygraph.api.routes.pages import local_url
from treatygraph.network.export import COLOURS, colour_key, cytoscape_elements
from treatygraph.network.view import NetworkCache, View
from treatygraph.rdf.iris import default_base
from treatygraph.rdf.statements import normlex_url, untc_url
from treatygraph.rdf.vocab import CITO, OA, TG
from treatygraph.store import Solutions, Store, StoreError

router = APIRouter(tags=["explorer"])  # the page
data = APIRouter(tags=["explorer"], route_class=GatedRoute)  # what it draws: one slot each
HERE = resources.api()
VENDOR = HERE / "static" / "vendor" / "cytoscape.min.js"
LEVELS = ("auto", "full", "resolutions", "instruments")
# The site's other pages (those of treatygraph.api.routes.pages, when mounted), as their navigation
# names them.
NAV = (
    ("/resolutions", "Resolutions"),
    ("/instruments", "Instruments"),
    ("/queries", "Lookups"),
    ("/sparql", "SPARQL"),
)
Q_TEXT = f"SELECT ?node ?text WHERE {{ ?node <{TG}text> ?text }}"
# The words of each citation, by the role `?node` plays in it (quotes are not in the view).
_QUOTE = f"""<{TG}evidence>/<{OA}hasSelector>/<{OA}exact> ?quote"""
Q_QUOTES = {
    role: f"SELECT ?node ?citation ?source ?instrument ?quote WHERE {{ {pattern} }}"
    for role, pattern in (
        (
            "paragraph",
            f"?citation <{CITO}hasCitingEntity> ?node ; <{CITO}hasCitedEntity> ?instrument ;"
            f" {_QUOTE} . BIND(?node AS ?source)",
        ),
        (
            "footnote",
            f"?citation <{TG}viaFootnote> ?node ; <{CITO}hasCitedEntity> ?instrument ;"
            f" {_QUOTE} . BIND(?node AS ?source)",
        ),
        (
            "instrument",
            f"?citation <{CITO}hasCitedEntity> ?node ; <{CITO}hasCitingEntity> ?source ;"
            f" {_QUOTE} . BIND(?node AS ?instrument)",
        ),
    )
}


def warm(views: NetworkCache) -> None:
    """The view, its co-citation counts and the instruments overview; then the memory the
    build used for a while goes back to the system."""
    with contextlib.suppress(StoreError):  # no store yet: the first request says so
        views.warm()
    memory.trim()


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )


@router.get("/explore", response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    """The explorer page (its data comes from ``/explore/graph.json``)."""
    static = str(request.url_for("static", path="")).rstrip("/")
    config = {
        "graph": str(request.url_for("explore_graph")),
        "node": str(request.url_for("explore_node")),
        "search": str(request.url_for("explore_search")),
        "export": str(request.url_for("formats")),
        "colours": COLOURS,
    }
    root = str(request.scope.get("root_path", "")).rstrip("/")
    pages = True  # the lookups and pages are always served beside the explorer
    nav = [(root + href, name) for href, name in (NAV if pages else NAV[-1:])]
    html = (
        _templates()
        .get_template("explore.html")
        .render(
            nav=nav,
            static=static,
            assets=VENDOR.is_file(),
            # `<` escaped so that no label can close the <script> element holding the config.
            config_json=json.dumps(config).replace("<", "\\u003c"),
        )
    )
    return HTMLResponse(html)


@data.get("/explore/graph.json", name="explore_graph")
def graph_data(
    request: Request,
    level: str = "auto",
    resolution: str | None = None,
    around: str | None = None,
    depth: int = 1,
) -> dict[str, Any]:
    """Cytoscape.js elements: the graph at a `level` of detail, one `resolution` with its
    paragraphs, or the neighbourhood of a node (`around`, `depth`)."""
    view = current(request)
    limits = cache(request).limits
    if resolution is not None:
        chosen, g = "resolution", network.resolution_graph(view, resolution)
    elif around is not None:
        g = network.neighbours(view, around, depth=depth, limits=limits)
        chosen = "neighbours"
    else:
        chosen, g = _level(view, level, limits)
    kinds = _instrument_kinds(view)
    shown = sum(1 for _, k in g.nodes(data="kind") if k == "instrument")
    return {
        "level": chosen,
        "elements": cytoscape_elements(g),
        "summary": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
        "total": view.summary(),
        "instrument_kinds": kinds,
        "note": (
            f"the {shown} most cited of {sum(kinds.values())} instruments"
            if chosen == "instruments" and shown < sum(kinds.values())
            else None
        ),
    }


def _level(view: View, level: str, limits: network.Limits) -> tuple[str, nx.DiGraph]:
    """The graph at a level of detail; ``auto`` picks the most detailed one that draws
    quickly, an explicit level is refused when it is too large to draw at all."""
    if level not in LEVELS:
        raise network.InvalidRequest(f"unknown level {level!r}: choose from {', '.join(LEVELS)}")
    if level == "auto":
        for name in ("full", "resolutions"):
            g = _graph_of(view, name, limits)
            nodes, edges = g.number_of_nodes(), g.number_of_edges()
            if nodes <= limits.explore_nodes and edges <= limits.explore_edges:
                return name, g
        return "instruments", _graph_of(view, "instruments", limits)
    g = _graph_of(view, level, limits)
    if g.number_of_nodes() > limits.max_nodes or g.number_of_edges() > limits.max_explore_edges:
        raise network.LimitExceeded(
            f"the {level} level has {g.number_of_nodes()} nodes and {g.number_of_edges()} "
            f"edges, over the limits of {limits.max_nodes} and {limits.max_explore_edges}: "
            "choose a coarser level, or find a resolution and show its paragraphs"
        )
    return level, g


def _graph_of(view: View, level: str, limits: network.Limits) -> nx.DiGraph:
    if level == "full":
        return view.graph
    g = network.aggregated(view, level)
    if level == "instruments" and g.number_of_nodes() > limits.explore_instruments:
        # An overview of the most cited: the rest are one search or one click away.
        ranked = sorted(g, key=lambda n: (-g.nodes[n]["resolutions"], -g.nodes[n]["paragraphs"], n))
        g = g.subgraph(ranked[: limits.explore_instruments])
    return g


def _instrument_kinds(view: View) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in view.of_kind("instrument"):
        key = colour_key(view.graph.nodes[node])
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


@data.get("/explore/search.json", name="explore_search")
def search(request: Request, q: str, limit: int = 12) -> dict[str, Any]:
    """Nodes whose ref, label, title or short title contain `q` (exact ref first)."""
    view = current(request)
    return {"matches": [_brief(view.graph, n) for n in find(view, q, min(max(limit, 1), 50))]}


def find(view: View, query: str, limit: int) -> list[str]:
    """Nodes matching `query`: exact refs, then refs and labels that start with it, then
    those that contain it anywhere; instruments and resolutions before their parts."""
    words = " ".join(query.split()).casefold()
    if not words:
        return []
    exact = view.refs.get(words)
    scored = []
    for node, data in view.graph.nodes(data=True):
        names = [str(data.get(k, "")).casefold() for k in ("ref", "label", "title", "short_title")]
        if node == exact:
            rank = 0
        elif any(name.startswith(words) for name in names):
            rank = 1
        elif any(words in name for name in names):
            rank = 2
        else:
            continue
        scored.append((rank, _KIND_RANK[data["kind"]], str(data["label"]).casefold(), node))
    return [node for *_, node in sorted(scored)[:limit]]


_KIND_RANK = {"instrument": 0, "resolution": 1, "paragraph": 2, "footnote": 3}


# --- one node -------------------------------------------------------------------------------


LISTED = 200  # citing paragraphs listed for one instrument; the total is given too


@data.get("/explore/node.json", name="explore_node")
def node_data(request: Request, id: str) -> dict[str, Any]:
    """One node: its attributes, links, and what it cites or what cites it, with quotes."""
    view = current(request)
    node = view.node(id)
    data = view.graph.nodes[node]
    out: dict[str, Any] = {"id": node, **data, "links": _links(request, node, data)}
    out["colour"] = COLOURS[colour_key(data)]
    store = cache(request).store
    if data["kind"] == "resolution":
        return out | _resolution_details(view, node)
    quotes = _quotes(store, node, data["kind"])
    if data["kind"] == "instrument":
        return out | _instrument_details(view.graph, node, quotes)
    return out | _text_details(view.graph, node, quotes) | {"text": _text(store, node)}


Quotes = dict[tuple[str, str], list[str]]


def _text_details(g: nx.DiGraph, node: str, quotes: Quotes) -> dict[str, Any]:
    """A paragraph's or footnote's instruments, in the order the text cites them."""
    first = {instrument: i for i, (_, instrument) in enumerate(quotes)}
    targets = _targets(g, node, ("cites", "references"))
    targets.sort(key=lambda i: first.get(i, len(first)))
    return {
        "cites": [_cited(g, node, i, quotes.get((node, i), [])) for i in targets],
        "resolution": _brief(g, _targets(g, node, ("part_of",))[0]),
        "footnotes": [_brief(g, f) for f in _targets(g, node, ("has_footnote",))],
    }


def _instrument_details(g: nx.DiGraph, node: str, quotes: Quotes) -> dict[str, Any]:
    citing = _sources(g, node, ("cites",))
    return {
        "cited_by": [_citing(g, p, node, quotes.get((p, node), [])) for p in citing[:LISTED]],
        "cited_by_total": len(citing),
        "supplements": [_brief(g, n) for n in _targets(g, node, ("supplements",))],
        "supplemented_by": [_brief(g, n) for n in _sources(g, node, ("supplements",))],
    }


def _resolution_details(view: View, node: str) -> dict[str, Any]:
    parts = _sources(view.graph, node, ("part_of",))
    paragraphs = sum(1 for p in parts if view.kind(p) == "paragraph")
    return {
        "paragraphs": paragraphs,
        "footnotes": len(parts) - paragraphs,
        "cites": [_reach(view.graph, r) for r in network.through_parents(view, node)],
    }


def _targets(g: nx.DiGraph, node: str, kinds: tuple[str, ...]) -> list[str]:
    found = [n for n in g.successors(node) if g.edges[node, n]["kind"] in kinds]
    return sorted(found, key=lambda n: _order(g, n))


def _sources(g: nx.DiGraph, node: str, kinds: tuple[str, ...]) -> list[str]:
    found = [n for n in g.predecessors(node) if g.edges[n, node]["kind"] in kinds]
    return sorted(found, key=lambda n: _order(g, n))


def _order(g: nx.DiGraph, node: str) -> tuple[str, int, int, str]:
    """Resolutions by symbol, their paragraphs in document order, instruments by label."""
    data = g.nodes[node]
    return (
        str(data.get("resolution", "")),
        0 if data.get("part") == "preambular" else 1,
        int(data.get("number", 0)),
        str(data["label"]).casefold(),
    )


def _brief(g: nx.DiGraph, node: str) -> dict[str, Any]:
    data = g.nodes[node]
    return {"id": node, "ref": data["ref"], "label": data["label"], "kind": data["kind"]}


def _cited(g: nx.DiGraph, source: str, instrument: str, quotes: list[str]) -> dict[str, Any]:
    data = g.nodes[instrument]
    keep = ("short_title", "instrument_kind", "unts", "ilo_code", "symbol")
    return {
        **_brief(g, instrument),
        **{k: data[k] for k in keep if k in data},
        **_evidence(g, source, instrument, quotes),
        "colour": COLOURS[colour_key(data)],
    }


def _citing(g: nx.DiGraph, paragraph: str, instrument: str, quotes: list[str]) -> dict[str, Any]:
    data = g.nodes[paragraph]
    return {
        **_brief(g, paragraph),
        "resolution": data.get("resolution"),
        "part": data.get("part"),
        **_evidence(g, paragraph, instrument, quotes),
    }


def _evidence(g: nx.DiGraph, source: str, instrument: str, quotes: list[str]) -> dict[str, Any]:
    """How `source` cites `instrument`: the ``cites`` edge's attributes (a footnote's
    ``references`` edge has none: the paragraph's edge says how) and the quoted words."""
    edge = g.edges[source, instrument]
    return {**{k: v for k, v in edge.items() if k != "kind"}, "quotes": quotes}


def _reach(g: nx.DiGraph, r: network.Reach) -> dict[str, Any]:
    return {
        "colour": COLOURS[colour_key(g.nodes[r.node])],
        "id": r.node,
        "ref": r.ref,
        "label": r.label,
        "direct": r.direct,
        "paragraphs": list(r.paragraphs),
        "through": list(r.through),
    }


def _links(request: Request, node: str, data: dict[str, Any]) -> list[dict[str, str]]:
    """The node's page here (``/id/...``, when the linked-data views are mounted), its IRI,
    and the depositary's and Wikidata's pages of an instrument."""
    links = [{"rel": "IRI", "href": node}]
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = local_url(node, default_base(), root)
    if page != node:
        links.insert(0, {"rel": "linked data", "href": page})
    untc = untc_url(str(data["untc_id"])) if "untc_id" in data else None
    if untc:
        links.append({"rel": "UN Treaty Collection", "href": untc})
    if str(data.get("normlex_id", "")).isdigit():
        links.append({"rel": "NORMLEX", "href": normlex_url(str(data["normlex_id"]))})
    if "wikidata" in data:
        for item in str(data["wikidata"]).split("; "):
            links.append({"rel": "Wikidata", "href": f"https://www.wikidata.org/wiki/{item}"})
    return links


def _quotes(store: Store, node: str, kind: str) -> dict[tuple[str, str], list[str]]:
    """The quoted words of the citations `node` takes part in, by (citing node, instrument),
    in the order of the citations (``.../citation/op5-1``, ``-2``, ...)."""
    if kind not in Q_QUOTES:
        return {}
    result = store.query(Q_QUOTES[kind], bindings={"node": ox.NamedNode(node)}, timeout=10.0)
    assert isinstance(result, Solutions)
    rows = [tuple(network.lexical(row[i]) for i in range(1, 5)) for row in result.rows]
    found: dict[tuple[str, str], list[str]] = {}
    for _, source, instrument, quote in sorted(rows, key=lambda r: _citation_key(r[0])):
        words = found.setdefault((source, instrument), [])
        if quote not in words:
            words.append(quote)
    return found


def _citation_key(iri: str) -> tuple[str, int]:
    """``…/citation/op5-12`` sorts by paragraph, then by ordinal as a number."""
    head, _, ordinal = iri.rpartition("-")
    return head, int(ordinal) if ordinal.isdigit() else 0


def _text(store: Store, node: str) -> str | None:
    """A paragraph's or footnote's text, read from the store on demand (not in the view)."""
    result = store.query(Q_TEXT, bindings={"node": ox.NamedNode(node)}, timeout=10.0)
    assert isinstance(result, Solutions)
    for row in result.rows:
        text = row[1]
        if isinstance(text, ox.Literal):
            return text.value
    return None
