"""The citation graph as a networkx view, read from the store with SPARQL, and its traversals.

Nodes are the graph's IRIs, with a ``kind`` (resolution, paragraph, footnote, instrument), a
``label``, a short ``ref`` (``A/RES/77/194``, ``A/RES/77/194 op5``, ``A/RES/77/194 fn19``,
``crc``) and scalar attributes only, so that every export format can carry them. Edges are
directed, with a ``kind``::

    paragraph  --part_of-->      resolution     footnote --part_of--> resolution
    paragraph  --has_footnote--> footnote
    paragraph  --cites-->        instrument     (citations, via, intent, footnotes)
    footnote   --references-->   instrument     (the footnote that carries a citation)
    instrument --supplements-->  instrument     (a protocol to its parent)

Two aggregated graphs summarise a large corpus: :func:`aggregate` (resolutions and
instruments, ``cites`` edges counting paragraphs) and :func:`instruments_only` (instruments,
with ``cocited`` edges between instruments cited in the same paragraphs).

The view is built from the store only (never from the extractor), frozen, and cached by
:class:`NetworkCache` until the store's version changes. Texts and quoted words stay in the
store (they would make the view several times larger); read them there when needed.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import networkx as nx
import pyoxigraph as ox

from graph.ids import split_paragraph_id
from graph.store import QueryResult, Solutions, Store
from graph.vocab import CITO, DCTERMS, ELI, RDFS, SKOS, TG, WD

NODE_KINDS = ("resolution", "paragraph", "footnote", "instrument")
EDGE_KINDS = ("part_of", "has_footnote", "cites", "references", "supplements", "cocited")
AGGREGATES = ("resolutions", "instruments")
PARTS = ("preambular", "operative")
DIRECTIONS = ("out", "in", "both")
MEASURES = ("pagerank", "in_degree", "resolutions", "citations")
Attrs = dict[str, Any]


# --- errors and limits ----------------------------------------------------------------------


class NetworkError(Exception):
    """A request the view cannot answer, with the HTTP status that says why."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(NetworkError):
    """An argument out of range or of an unknown kind."""


class LimitExceeded(NetworkError):
    """The answer would be larger than the configured limit."""


class UnknownNode(NetworkError):
    status = 404


class NoPath(NetworkError):
    status = 404


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one request may ask; each can be set by ``TREATYGRAPH_NETWORK_*``."""

    max_depth: int = 4  # neighbourhood depth, ego radius
    max_nodes: int = 5_000  # nodes in a traversal result
    max_results: int = 1_000  # rows of a ranking or co-citation list
    max_export_nodes: int = 250_000  # nodes in one view export
    max_export_triples: int = 1_000_000  # triples in one RDF export
    explore_nodes: int = 2_500  # the explorer starts from the most detailed level under
    explore_edges: int = 6_000  # ... these many nodes and edges (drawing time grows with both)
    max_explore_edges: int = 20_000  # edges a browser is ever sent to draw at once
    explore_instruments: int = 300  # the instruments overview shows the most cited ones
    check_interval: float = 1.0  # seconds between two checks of the store's version
    build_timeout: float = 120.0  # seconds for the SPARQL queries that build the view

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """``TREATYGRAPH_NETWORK_MAX_DEPTH=6`` etc.; unset or empty keeps the default.

        >>> Limits.from_env({"TREATYGRAPH_NETWORK_MAX_DEPTH": "6"}).max_depth
        6
        """
        env = os.environ if env is None else env
        defaults = cls()
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            variable = f"TREATYGRAPH_NETWORK_{name.upper()}"
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            kind = type(getattr(defaults, name))
            try:
                values[name] = kind(raw)
            except ValueError:
                raise ValueError(f"{variable} must be a number, not {raw!r}") from None
        return cls(**values)


# --- reading the store --------------------------------------------------------------------

PREFIXES = f"""\
PREFIX tg: <{TG}>
PREFIX rdfs: <{RDFS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX eli: <{ELI}>
PREFIX cito: <{CITO}>
PREFIX skos: <{SKOS}>
"""
# Few joins and no OPTIONAL on the large node sets: each join or left join costs tens of
# microseconds a row in the store, a Python dict lookup well under one.
Q_BUILDS = (
    PREFIXES
    + """\
SELECT (GROUP_CONCAT(STR(?build); separator=" ") AS ?builds) WHERE { ?build a tg:Build }"""
)

Q_RESOLUTIONS = (
    PREFIXES
    + """\
SELECT ?node ?symbol ?title ?session ?adoption_date ?synthetic WHERE {
  ?node a tg:Resolution ; tg:symbol ?symbol .
  OPTIONAL { ?node dcterms:title ?title }
  OPTIONAL { ?node tg:session ?session }
  OPTIONAL { ?node tg:adoptionDate ?adoption_date }
  OPTIONAL { ?node tg:synthetic ?synthetic }
}"""
)

Q_PARAGRAPHS = (
    PREFIXES
    + """\
SELECT ?node ?resolution ?local_id ?class WHERE {
  VALUES ?class { tg:PreambularParagraph tg:OperativeParagraph }
  ?node a ?class ; tg:localId ?local_id ; eli:is_part_of ?resolution .
}"""
)

Q_FOOTNOTES = (
    PREFIXES
    + """\
SELECT ?node ?resolution ?number WHERE {
  ?node a tg:Footnote ; eli:is_part_of ?resolution ; tg:footnoteNumber ?number .
}"""
)

Q_MARKERS = PREFIXES + "SELECT ?paragraph ?footnote WHERE { ?paragraph tg:hasFootnote ?footnote }"

# Multi-valued fields are concatenated here and split (and sorted) in Python.
Q_INSTRUMENTS = (
    PREFIXES
    + """\
SELECT ?node (SAMPLE(?label_) AS ?label) (SAMPLE(?title_) AS ?title)
       (SAMPLE(?kind_) AS ?kind) (SAMPLE(?kind_text_) AS ?kind_text)
       (SAMPLE(?symbol_) AS ?symbol) (SAMPLE(?ilo_code_) AS ?ilo_code)
       (SAMPLE(?untc_id_) AS ?untc_id) (SAMPLE(?normlex_id_) AS ?normlex_id)
       (SAMPLE(?in_authority_) AS ?in_authority)
       (SAMPLE(?adoption_date_) AS ?adoption_date) (SAMPLE(?entry_) AS ?entry_into_force)
       (GROUP_CONCAT(DISTINCT ?short_; separator="\\u001f") AS ?short_title)
       (GROUP_CONCAT(DISTINCT ?wikidata_; separator="\\u001f") AS ?wikidata)
       (GROUP_CONCAT(DISTINCT CONCAT(STR(?volume), "/", COALESCE(STR(?number), ""));
                     separator="\\u001f") AS ?unts)
WHERE {
  ?node a tg:Instrument .
  OPTIONAL { ?node rdfs:label ?label_ }
  OPTIONAL { ?node dcterms:title ?title_ }
  OPTIONAL { ?node tg:kind ?kind_ }
  OPTIONAL { ?node tg:kindText ?kind_text_ }
  OPTIONAL { ?node tg:symbol ?symbol_ }
  OPTIONAL { ?node tg:iloCode ?ilo_code_ }
  OPTIONAL { ?node tg:untcId ?untc_id_ }
  OPTIONAL { ?node tg:normlexId ?normlex_id_ }
  OPTIONAL { ?node tg:inAuthority ?in_authority_ }
  OPTIONAL { ?node tg:adoptionDate ?adoption_date_ }
  OPTIONAL { ?node tg:entryIntoForce ?entry_ }
  OPTIONAL { ?node tg:shortTitle ?short_ }
  OPTIONAL { ?node skos:exactMatch ?wikidata_ }
  OPTIONAL { ?node tg:untsRecord ?record . ?record tg:untsVolume ?volume .
             OPTIONAL { ?record tg:untsNumber ?number } }
} GROUP BY ?node"""
)

Q_SUPPLEMENTS = (
    PREFIXES
    + """\
SELECT ?node ?parent ?parent_label WHERE {
  ?node tg:supplements ?parent .
  OPTIONAL { ?parent rdfs:label ?parent_label }
}"""
)

Q_CITATIONS = (
    PREFIXES
    + """\
SELECT ?citation ?paragraph ?instrument ?via WHERE {
  ?citation cito:hasCitingEntity ?paragraph ; cito:hasCitedEntity ?instrument ;
            tg:foundBy ?via .
}"""
)
Q_INTENTS = PREFIXES + "SELECT ?citation ?intent WHERE { ?citation tg:intent ?intent }"
Q_VIA_FOOTNOTES = (
    PREFIXES + "SELECT ?citation ?footnote WHERE { ?citation tg:viaFootnote ?footnote }"
)

_SEP = "\u001f"  # a separator no title contains


def _python(term: object) -> Any:
    """A result term as a Python value: IRIs as strings, literals by their datatype."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in ("integer", "int", "long"):
            return int(term.value)
        if datatype == "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return None if term is None else str(term)


def _solutions(store: Store, query: str, timeout: float) -> Solutions:
    result: QueryResult = store.query(query, timeout=timeout)
    if not isinstance(result, Solutions):
        raise TypeError("expected a SELECT query")
    return result


def select(store: Store, query: str, *, timeout: float) -> Iterator[Attrs]:
    """Rows of a SELECT query as dicts of Python values; unbound variables are left out."""
    result = _solutions(store, query, timeout)
    for row in result.rows:
        yield {
            var: _python(term)
            for var, term in zip(result.variables, row, strict=False)
            if term is not None
        }


def values(store: Store, query: str, *, timeout: float) -> Iterator[tuple[str, ...]]:
    """Rows of a SELECT query as the terms' lexical values: the fast path for the large
    node sets (no conversion by datatype)."""
    for row in _solutions(store, query, timeout).rows:
        yield tuple(lexical(term) for term in row)


def lexical(term: object) -> str:
    """An IRI or a literal as its string value; anything else (unbound) as ""."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


@dataclass(frozen=True, slots=True)
class Version:
    """What identifies the store's content: its builds (named by a digest of the software
    version and the inputs) and a token that changes on every load."""

    builds: str
    generation: str


def store_version(store: Store, *, timeout: float) -> Version:
    row = next(select(store, Q_BUILDS, timeout=timeout), {})
    return Version(str(row.get("builds", "")), _generation(store))


def _generation(store: Store) -> str:
    """A token that changes whenever the store is loaded, as cheaply as the store allows: its
    own ``generation()`` if it has one, the generation directory an embedded store's symlink
    points to (one syscall), else the triple count (a full count: slow on large stores)."""
    own = getattr(store, "generation", None)
    if callable(own):
        return str(own())
    path = getattr(store, "path", None)
    if isinstance(path, Path) and path.is_symlink():
        return os.readlink(path)
    return str(store.triple_count())


# --- the view -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class View:
    """A frozen networkx graph of the store at one version, and an index of short refs."""

    graph: nx.DiGraph
    version: Version
    refs: Mapping[str, str]  # casefolded ref, symbol, local id or IRI → node id
    seconds: float = 0.0  # time it took to build

    def node(self, ref: str) -> str:
        """The node a ref names: an IRI, ``A/RES/77/194``, ``A/RES/77/194 op5``, ``crc``."""
        found = self.refs.get(" ".join(ref.split()).casefold())
        if found is None:
            raise UnknownNode(f"no node {ref!r} in the graph (give an IRI, a symbol or an id)")
        return found

    def kind(self, node: str) -> str:
        return str(self.graph.nodes[node]["kind"])

    def of_kind(self, kind: str) -> list[str]:
        return [n for n, k in self.graph.nodes(data="kind") if k == kind]

    def summary(self) -> dict[str, Any]:
        nodes = Counter(k for _, k in self.graph.nodes(data="kind"))
        edges = Counter(k for _, _, k in self.graph.edges(data="kind"))
        return {
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "node_kinds": dict(sorted(nodes.items())),
            "edge_kinds": dict(sorted(edges.items())),
            "build_seconds": round(self.seconds, 3),
        }


def build_view(store: Store, *, timeout: float = 120.0, version: Version | None = None) -> View:
    """Read the graph from `store` into a frozen :class:`View`."""
    started = time.perf_counter()
    version = version or store_version(store, timeout=timeout)
    g = nx.DiGraph()
    _add_resolutions(g, select(store, Q_RESOLUTIONS, timeout=timeout))
    _add_paragraphs(g, values(store, Q_PARAGRAPHS, timeout=timeout))
    _add_footnotes(g, values(store, Q_FOOTNOTES, timeout=timeout))
    g.add_edges_from(
        (p, f, {"kind": "has_footnote"})
        for p, f in values(store, Q_MARKERS, timeout=timeout)
        if p in g and f in g
    )
    _add_instruments(g, select(store, Q_INSTRUMENTS, timeout=timeout))
    _add_supplements(g, select(store, Q_SUPPLEMENTS, timeout=timeout))
    citations = _Citations(
        values(store, Q_CITATIONS, timeout=timeout),
        {c: intent for c, intent in values(store, Q_INTENTS, timeout=timeout)},
        {c: footnote for c, footnote in values(store, Q_VIA_FOOTNOTES, timeout=timeout)},
    )
    citations.add_to(g)
    return View(nx.freeze(g), version, _refs(g), time.perf_counter() - started)


def _add_resolutions(g: nx.DiGraph, rows: Iterable[Attrs]) -> None:
    for row in rows:
        node = row.pop("node")
        g.add_node(node, kind="resolution", label=row["symbol"], ref=row["symbol"], **row)


def _add_paragraphs(g: nx.DiGraph, rows: Iterable[tuple[str, ...]]) -> None:
    for node, resolution, local_id, cls in rows:
        if resolution not in g:
            continue  # a paragraph of a resolution without a symbol: not in the view
        symbol = g.nodes[resolution]["symbol"]
        part = "operative" if cls.endswith("OperativeParagraph") else "preambular"
        ref = f"{symbol} {local_id}"
        attrs = {"part": part, "resolution": symbol, "local_id": local_id}
        with contextlib.suppress(ValueError):  # an id of another shape: no number, no failure
            attrs["number"] = split_paragraph_id(local_id)[1]
        g.add_node(node, kind="paragraph", label=ref, ref=ref, **attrs)
        g.add_edge(node, resolution, kind="part_of")


def _add_footnotes(g: nx.DiGraph, rows: Iterable[tuple[str, ...]]) -> None:
    for node, resolution, number in rows:
        if resolution not in g:
            continue
        symbol = g.nodes[resolution]["symbol"]
        ref = f"{symbol} fn{number}"
        attrs = {"resolution": symbol, "number": int(number)}
        g.add_node(node, kind="footnote", label=ref, ref=ref, **attrs)
        g.add_edge(node, resolution, kind="part_of")


def _add_instruments(g: nx.DiGraph, rows: Iterable[Attrs]) -> None:
    for row in rows:
        node = row.pop("node")
        attrs = {k: v for k, v in row.items() if v != ""}  # empty GROUP_CONCATs
        kind = str(attrs.pop("kind", f"{TG}kind-other"))
        attrs["instrument_kind"] = kind.removeprefix(f"{TG}kind-")
        for name in ("short_title", "wikidata", "unts"):
            if name in attrs:
                attrs[name] = "; ".join(sorted(str(attrs[name]).split(_SEP)))
        if "wikidata" in attrs:
            attrs["wikidata"] = attrs["wikidata"].replace(WD, "")
        attrs |= _unts_numbers(attrs.get("unts"))
        label = attrs.pop("label", None) or attrs.get("title") or _local_id(node)
        g.add_node(node, kind="instrument", label=label, ref=_local_id(node), **attrs)


def _unts_numbers(unts: str | None) -> Attrs:
    """Volume and number of the first UNTS record, as integers (for sorting in Gephi)."""
    if not unts:
        return {}
    volume, _, number = unts.split("; ")[0].partition("/")
    return {"unts_volume": int(volume)} | ({"unts_number": int(number)} if number else {})


def _add_supplements(g: nx.DiGraph, rows: Iterable[Attrs]) -> None:
    for row in rows:
        for node in (row["node"], row["parent"]):
            if node not in g:  # a parent no resolution cites: known by its IRI only
                ref = _local_id(node)
                g.add_node(node, kind="instrument", label=ref, ref=ref, instrument_kind="other")
        if "parent_label" in row:
            g.nodes[row["parent"]]["label"] = row["parent_label"]
        g.add_edge(row["node"], row["parent"], kind="supplements")


@dataclass(frozen=True, slots=True)
class _Citations:
    """The citations of the store, merged into one ``cites`` edge per paragraph and
    instrument (a paragraph may cite one instrument twice), and ``references`` edges from
    the footnotes that carry them. Quotes stay in the store (read on demand)."""

    rows: Iterable[tuple[str, ...]]  # citation, paragraph, instrument, how it was found
    intents: Mapping[str, str]  # citation → intent concept
    footnotes: Mapping[str, str]  # citation → footnote

    def add_to(self, g: nx.DiGraph) -> None:
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        via: dict[str, str] = {}
        for citation, paragraph, instrument, found_by in self.rows:
            if paragraph in g and instrument in g:  # not a sub-item's, nor outside the view
                pairs[paragraph, instrument].append(citation)
                via[citation] = found_by.removeprefix(f"{TG}via-")
        for (paragraph, instrument), citations in sorted(pairs.items()):
            g.add_edge(paragraph, instrument, **self._attrs(g, citations, via))
            for citation in citations:
                footnote = self.footnotes.get(citation)
                if footnote in g:
                    g.add_edge(footnote, instrument, kind="references")

    def _attrs(self, g: nx.DiGraph, citations: list[str], via: Mapping[str, str]) -> Attrs:
        intents = {
            self.intents[c].removeprefix(f"{TG}intent-") for c in citations if c in self.intents
        }
        numbers = {g.nodes[f]["number"] for c in citations if (f := self.footnotes.get(c)) in g}
        out: Attrs = {"kind": "cites", "citations": len(citations)}
        for name, found in (
            ("via", sorted({via[c] for c in citations})),
            ("intent", sorted(intents)),
            ("footnotes", [str(n) for n in sorted(numbers)]),
        ):
            if found:
                out[name] = "; ".join(found)
        return out


def _local_id(iri: str) -> str:
    """The last segment of an IRI, decoded: ``.../instrument/crc`` → ``crc``."""
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])


def _refs(g: nx.DiGraph) -> dict[str, str]:
    """Every name a node answers to, casefolded: IRI, ref, and a symbol's slug form."""
    refs: dict[str, str] = {}
    for node, data in g.nodes(data=True):
        names = [node, data["ref"]]
        if data["kind"] == "resolution":
            names.append(str(data["ref"]).replace("/", "-"))
        for name in names:
            refs.setdefault(str(name).casefold(), node)
    return refs


# --- the cache ----------------------------------------------------------------------------


class NetworkCache:
    """The view of one store, rebuilt when the store's :class:`Version` changes.

    The version is checked at most every ``limits.check_interval`` seconds (one indexed
    query and a cheap generation token), so most requests cost no store round trip. One
    lock: two requests that find the view stale build it once.
    """

    def __init__(self, store: Store, limits: Limits | None = None) -> None:
        self.store = store
        self.limits = limits or Limits()
        self._view: View | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self.builds = 0  # how many times the view was built (for tests and metrics)

    def view(self) -> View:
        with self._lock:
            now = time.monotonic()
            if self._view is not None and now - self._checked < self.limits.check_interval:
                return self._view
            version = store_version(self.store, timeout=self.limits.build_timeout)
            if self._view is None or self._view.version != version:
                self._view = build_view(
                    self.store, timeout=self.limits.build_timeout, version=version
                )
                self.builds += 1
            self._checked = time.monotonic()
            return self._view

    def invalidate(self) -> None:
        """Check the store's version on the next request, whatever the interval."""
        with self._lock:
            self._checked = float("-inf")


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
    sub = nx.DiGraph(g.subgraph(depths))
    nx.set_node_attributes(sub, depths, "depth")
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
    return neighbours(
        view, node, depth=radius, node_kinds=node_kinds, direction="both", limits=limits
    )


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


@lru_cache(maxsize=4)
def aggregate(view: View) -> nx.DiGraph:
    """Resolutions and instruments only: one ``cites`` edge per resolution and instrument,
    counting the citing ``paragraphs``; ``supplements`` edges kept."""
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


@lru_cache(maxsize=4)
def instruments_only(view: View) -> nx.DiGraph:
    """Instruments only, each with how many ``resolutions`` and ``paragraphs`` cite it;
    ``supplements`` edges, and ``cocited`` edges (``paragraphs`` citing both) to each
    instrument's most frequent partners, so that the overview stays sparse."""
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
    partners: dict[str, list[tuple[int, str]]] = defaultdict(list)
    pairs = _cocited(view.graph)
    for (a, b), n in pairs.items():
        partners[a].append((-n, b))
        partners[b].append((-n, a))
    for a, found in partners.items():
        for _, b in sorted(found)[:COCITED_PER_INSTRUMENT]:
            u, v = sorted((a, b))
            out.add_edge(u, v, kind="cocited", paragraphs=pairs[u, v])
    out.add_edges_from((u, v, d) for u, v, d in agg.edges(data=True) if d["kind"] == "supplements")
    return nx.freeze(out)


def aggregated(view: View, level: str) -> nx.DiGraph:
    """The aggregated graph of a level: ``resolutions`` or ``instruments``."""
    if level == "resolutions":
        return aggregate(view)
    if level == "instruments":
        return instruments_only(view)
    raise InvalidRequest(f"unknown aggregate {level!r}: choose from {', '.join(AGGREGATES)}")


def _cocited(g: nx.DiGraph, focus: str | None = None) -> Counter[tuple[str, str]]:
    """How many paragraphs cite each pair of instruments (``a < b``); with `focus`, only
    the pairs it is part of."""
    pairs: Counter[tuple[str, str]] = Counter()
    for p, kind in g.nodes(data="kind"):
        if kind != "paragraph":
            continue
        cited = sorted(i for i in g.successors(p) if g.edges[p, i]["kind"] == "cites")
        pairs.update(
            (a, b)
            for i, a in enumerate(cited)
            for b in cited[i + 1 :]
            if focus is None or focus in (a, b)
        )
    return pairs


def _resolution_of(g: nx.DiGraph, node: str) -> str:
    for r in g.successors(node):
        if g.edges[node, r]["kind"] == "part_of":
            return str(r)
    raise KeyError(node)


# --- citation analysis --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Which citations an analysis counts: of some resolutions (refs), paragraph parts and
    instrument kinds; empty means all."""

    resolutions: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    instrument_kinds: tuple[str, ...] = ()


def citation_graph(view: View, selection: Selection = Selection()) -> nx.DiGraph:
    """The selected paragraphs, the instruments they cite and those instruments' parents;
    ``cites`` and ``supplements`` edges only."""
    g = view.graph
    resolutions = {view.node(r) for r in selection.resolutions}
    for r in resolutions:
        if view.kind(r) != "resolution":
            raise InvalidRequest(f"{g.nodes[r]['ref']} is {_a(view.kind(r))}, not a resolution")
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
    g = citation_graph(view, selection)
    scores = pagerank(g)
    ranks = [
        _rank(view, g, node, scores[node]) for node in g if g.nodes[node]["kind"] == "instrument"
    ]
    ranks.sort(key=lambda r: (-getattr(r, by), r.label))
    return ranks[:limit]


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
    `instrument`, only the pairs it is part of."""
    limits = limits or Limits()
    _check_limit(limit, limits)
    focus = view.node(instrument) if instrument else None
    pairs = _cocited(citation_graph(view, selection), focus)
    found = [(pair, n) for pair, n in pairs.items() if n >= min_count]
    found.sort(key=lambda item: (-item[1], item[0]))
    label = view.graph.nodes
    return [
        CoCitation(a, b, label[a]["label"], label[b]["label"], n) for (a, b), n in found[:limit]
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
