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
import sys
import threading
import time
import weakref
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import networkx as nx
import pyoxigraph as ox

from treatygraph.rdf.iris import split_paragraph_id
from treatygraph.rdf.vocab import CITO, DCTERMS, ELI, RDFS, SKOS, TG, WD
from treatygraph.store import QueryResult, Solutions, Store

NODE_KINDS = ("resolution", "paragraph", "footnote", "instrument")
EDGE_KINDS = ("part_of", "has_footnote", "cites", "references", "supplements", "cocited")
AGGREGATES = ("resolutions", "instruments")
PARTS = ("preambular", "operative")
DIRECTIONS = ("out", "in", "both")
MEASURES = ("pagerank", "in_degree", "resolutions", "citations")
Attrs = dict[str, Any]
T = TypeVar("T")


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


class Building(NetworkError):
    """No view yet: another request is reading the graph from the store."""

    status = 503


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
    slots: int = 2  # traversals and exports the service runs at once (more wait)
    queue_timeout: float = 10.0  # seconds one waits for a slot, then 503
    view_wait: float = 300.0  # seconds one waits for the first view (built at start-up), then 503
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
# How the store is read, and why (measured on 10,000 synthetic resolutions, 10.5 million
# triples, embedded store): a scan of one predicate costs well under a microsecond a triple,
# but a join of the patterns of one group looks every row up in an index, and turning an IRI
# into a string reads it from the store's dictionary: both random reads, 20-100 microseconds
# each. So every pattern is its own sub-select (the store joins sub-selects by hashing: two
# scans), and the queries return each paragraph's and footnote's IRI once, keyed elsewhere by
# what the store holds inline (the resolution's symbol, the paragraph's local id, the
# footnote's number): the citations, footnote markers and parts are joined in Python. Eight
# join-per-row queries took 140 s at that size; these take a fraction of it.


def _scan(subject: str, predicate: str, obj: str) -> str:
    """One triple pattern as a sub-select (projecting its variables), for a hash join.

    >>> _scan("?node", "tg:symbol", "?symbol")
    '{ SELECT ?node ?symbol WHERE { ?node tg:symbol ?symbol } }'
    """
    projected = " ".join(term for term in (subject, obj) if term.startswith("?"))
    return f"{{ SELECT {projected} WHERE {{ {subject} {predicate} {obj} }} }}"


Q_BUILDS = (
    PREFIXES
    + """\
SELECT (GROUP_CONCAT(STR(?build); separator=" ") AS ?builds) WHERE { ?build a tg:Build }"""
)

Q_RESOLUTIONS = (
    PREFIXES
    + f"""\
SELECT ?node ?symbol ?title ?session ?adoption_date ?synthetic WHERE {{
  {_scan("?node", "a", "tg:Resolution")}
  {_scan("?node", "tg:symbol", "?symbol")}
  OPTIONAL {_scan("?node", "dcterms:title", "?title")}
  OPTIONAL {_scan("?node", "tg:session", "?session")}
  OPTIONAL {_scan("?node", "tg:adoptionDate", "?adoption_date")}
  OPTIONAL {_scan("?node", "tg:synthetic", "?synthetic")}
}}"""
)

# The symbol of the resolution `?part` belongs to (a paragraph's, a footnote's).
_SYMBOL_OF = (
    f"{_scan('?part', 'eli:is_part_of', '?resolution')} "
    f"{_scan('?resolution', 'tg:symbol', '?symbol')}"
)

# ?operative is compared in the store (no IRI to read): "true" or "false".
Q_PARAGRAPHS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?operative ?part WHERE {{
  {{ SELECT ?part (?class = tg:OperativeParagraph AS ?operative) WHERE {{
      VALUES ?class {{ tg:PreambularParagraph tg:OperativeParagraph }} ?part a ?class }} }}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
}}"""
)

Q_FOOTNOTES = (
    PREFIXES
    + f"""\
SELECT ?symbol ?number ?part WHERE {{
  {_scan("?part", "a", "tg:Footnote")}
  {_scan("?part", "tg:footnoteNumber", "?number")}
  {_SYMBOL_OF}
}}"""
)

# Footnote markers: the paragraph by its local id, the footnote (of the same resolution) by
# its number.
Q_MARKERS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?number WHERE {{
  {_scan("?part", "tg:hasFootnote", "?footnote")}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
  {_scan("?footnote", "tg:footnoteNumber", "?number")}
  {_scan("?footnote", "eli:is_part_of", "?resolution")}
}}"""
)

# One row per citation (it has one ``foundBy``, at most one intent and one footnote): the
# paragraph by its key, the instrument, how the citation was found, its intent and the number
# of the footnote that carries it. (Grouping by paragraph and instrument in the store doubled
# the time.)
Q_CITATIONS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?instrument ?via ?intent ?number WHERE {{
  {_scan("?citation", "cito:hasCitingEntity", "?part")}
  {_scan("?citation", "cito:hasCitedEntity", "?instrument")}
  {_scan("?citation", "tg:foundBy", "?via")}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
  OPTIONAL {_scan("?citation", "tg:intent", "?intent")}
  OPTIONAL {{
    {_scan("?citation", "tg:viaFootnote", "?footnote")}
    {_scan("?footnote", "tg:footnoteNumber", "?number")}
    {_scan("?footnote", "eli:is_part_of", "?resolution")}
  }}
}}"""
)

# Multi-valued fields are concatenated here and split (and sorted) in Python. A few thousand
# instruments: labels, symbols and UNTS records (which most nodes have) are looked up per
# instrument, the rest hashed.
Q_INSTRUMENTS = (
    PREFIXES
    + f"""\
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
WHERE {{
  {_scan("?node", "a", "tg:Instrument")}
  OPTIONAL {{ ?node rdfs:label ?label_ }}
  OPTIONAL {_scan("?node", "dcterms:title", "?title_")}
  OPTIONAL {_scan("?node", "tg:kind", "?kind_")}
  OPTIONAL {_scan("?node", "tg:kindText", "?kind_text_")}
  OPTIONAL {{ ?node tg:symbol ?symbol_ }}
  OPTIONAL {_scan("?node", "tg:iloCode", "?ilo_code_")}
  OPTIONAL {_scan("?node", "tg:untcId", "?untc_id_")}
  OPTIONAL {_scan("?node", "tg:normlexId", "?normlex_id_")}
  OPTIONAL {_scan("?node", "tg:inAuthority", "?in_authority_")}
  OPTIONAL {_scan("?node", "tg:adoptionDate", "?adoption_date_")}
  OPTIONAL {_scan("?node", "tg:entryIntoForce", "?entry_")}
  OPTIONAL {_scan("?node", "tg:shortTitle", "?short_")}
  OPTIONAL {_scan("?node", "skos:exactMatch", "?wikidata_")}
  OPTIONAL {{ ?node tg:untsRecord ?record . ?record tg:untsVolume ?volume .
             OPTIONAL {{ ?record tg:untsNumber ?number }} }}
}} GROUP BY ?node"""
)

Q_SUPPLEMENTS = (
    PREFIXES
    + """\
SELECT ?node ?parent ?parent_label WHERE {
  ?node tg:supplements ?parent .
  OPTIONAL { ?parent rdfs:label ?parent_label }
}"""
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
        try:
            yield tuple(map(_VALUE, row))  # every variable bound: the common case, in C
        except AttributeError:  # an unbound variable (None)
            yield tuple(lexical(term) for term in row)


_VALUE = attrgetter("value")


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
    # What is computed from the graph on first use and kept as long as the view (the view
    # is replaced, never changed, when the store changes).
    _lazy: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)

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

    def lazily(self, name: str, compute: Callable[[View], T]) -> T:
        """``compute(self)``, computed once (by whichever caller comes first, the others
        waiting for it) and kept with the view."""
        with self._lock:
            if name in self._lazy:
                found: T = self._lazy[name]
                return found
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:  # one lock a name: a long computation holds up no other
            if name not in self._lazy:
                value = compute(self)
                with self._lock:
                    self._lazy[name] = value
            found = self._lazy[name]
            return found

    def summary(self) -> dict[str, Any]:
        return dict(self.lazily("summary", _summary))

    def cocitations(self) -> CoCitations:
        """The co-citation counts of the view (counted on first use)."""
        return self.lazily("cocitations", lambda view: CoCitations(view.graph))


def _summary(view: View) -> dict[str, Any]:
    nodes = Counter(k for _, k in view.graph.nodes(data="kind"))
    edges = Counter(k for _, _, k in view.graph.edges(data="kind"))
    return {
        "nodes": view.graph.number_of_nodes(),
        "edges": view.graph.number_of_edges(),
        "node_kinds": dict(sorted(nodes.items())),
        "edge_kinds": dict(sorted(edges.items())),
        "build_seconds": round(view.seconds, 3),
    }


def build_view(store: Store, *, timeout: float = 120.0, version: Version | None = None) -> View:
    """Read the graph from `store` into a frozen :class:`View`."""
    started = time.perf_counter()
    version = version or store_version(store, timeout=timeout)
    g = nx.DiGraph()
    resolutions = _add_resolutions(g, select(store, Q_RESOLUTIONS, timeout=timeout))
    paragraphs = _add_parts(g, values(store, Q_PARAGRAPHS, timeout=timeout), resolutions)
    footnotes = _add_parts(g, values(store, Q_FOOTNOTES, timeout=timeout), resolutions)
    g.add_edges_from(
        (p, f, {"kind": "has_footnote"})
        for symbol, local_id, number in values(store, Q_MARKERS, timeout=timeout)
        if (p := paragraphs.get((symbol, local_id))) and (f := footnotes.get((symbol, number)))
    )
    _add_instruments(g, select(store, Q_INSTRUMENTS, timeout=timeout))
    _add_supplements(g, select(store, Q_SUPPLEMENTS, timeout=timeout))
    citations = _Citations(paragraphs, footnotes)
    citations.add_to(g, values(store, Q_CITATIONS, timeout=timeout))
    return View(nx.freeze(g), version, _refs(g), time.perf_counter() - started)


def _add_resolutions(g: nx.DiGraph, rows: Iterable[Attrs]) -> dict[str, str]:
    """The resolutions, with a symbol; returns them by symbol."""
    by_symbol: dict[str, str] = {}
    for row in rows:
        node = row.pop("node")
        g.add_node(node, kind="resolution", label=row["symbol"], ref=row["symbol"], **row)
        by_symbol[row["symbol"]] = node
    return by_symbol


# A part of a resolution: symbol, local id or footnote number, whether operative (paragraphs
# only), IRI. The key of a part is (symbol, local id) or (symbol, footnote number).
PartKey = tuple[str, str]


def _add_parts(
    g: nx.DiGraph, rows: Iterable[tuple[str, ...]], resolutions: Mapping[str, str]
) -> dict[PartKey, str]:
    """Paragraphs (rows of four) or footnotes (rows of three), each with its ``part_of``
    edge, in bulk; returns them by key. A part of a resolution without a symbol is left out."""
    found: dict[PartKey, str] = {}
    edges: list[tuple[str, str]] = []
    symbols: dict[str, str] = {}  # the row's symbol → the resolution's, one string each

    def nodes() -> Iterator[tuple[str, Attrs]]:
        for row in rows:
            symbol, local = row[0], row[1]
            resolution = resolutions.get(symbol)
            if resolution is None:
                continue
            own = symbols.get(symbol)
            if own is None:
                own = symbols[symbol] = g.nodes[resolution]["symbol"]
            node = row[-1]
            if len(row) == 4:
                yield node, _paragraph_attrs(own, sys.intern(local), row[2] == "true")
            else:
                yield node, _footnote_attrs(own, int(local))
            edges.append((node, resolution))
            found[symbol, local] = node

    g.add_nodes_from(nodes())
    g.add_edges_from(edges, kind="part_of")
    return found


def _footnote_attrs(symbol: str, number: int) -> Attrs:
    ref = f"{symbol} fn{number}"
    return {"kind": "footnote", "label": ref, "ref": ref, "resolution": symbol, "number": number}


def _paragraph_attrs(symbol: str, local_id: str, operative: bool) -> Attrs:
    ref = f"{symbol} {local_id}"
    attrs: Attrs = {"kind": "paragraph", "label": ref, "ref": ref}
    attrs |= {"part": "operative" if operative else "preambular"}
    attrs |= {"resolution": symbol, "local_id": local_id}
    with contextlib.suppress(ValueError):  # an id of another shape: no number, no failure
        attrs["number"] = split_paragraph_id(local_id)[1]
    return attrs


def _add_instruments(g: nx.DiGraph, rows: Iterable[Attrs]) -> None:
    for row in rows:
        node = row.pop("node")
        attrs = {k: v for k, v in row.items() if v != ""}  # empty GROUP_CONCATs
        kind = str(attrs.pop("kind", f"{TG}kind-other"))
        attrs["instrument_kind"] = kind.removeprefix(f"{TG}kind-")
        for name in ("short_title", "wikidata", "unts"):
            if name in attrs:
                # a record without a volume is "/" on servers that make STR(unbound) "" (Virtuoso)
                parts = [p for p in str(attrs[name]).split(_SEP) if p and not p.startswith("/")]
                if parts:
                    attrs[name] = "; ".join(sorted(parts))
                else:
                    del attrs[name]
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

    paragraphs: Mapping[PartKey, str]  # (symbol, local id) → paragraph
    footnotes: Mapping[PartKey, str]  # (symbol, number) → footnote

    def add_to(self, g: nx.DiGraph, rows: Iterable[tuple[str, ...]]) -> None:
        """`rows`: one per citation: symbol, local id, instrument, how it was found, its
        intent and the number of the footnote that carries it ("" when none)."""
        # The graph's own string of each instrument, so that edges do not keep copies.
        instruments = {n: n for n, kind in g.nodes(data="kind") if kind == "instrument"}
        merged: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for symbol, local_id, cited, via, intent, number in rows:
            paragraph = self.paragraphs.get((symbol, local_id))
            instrument = instruments.get(cited) or (cited if cited in g else None)
            if paragraph is None or instrument is None:
                continue  # not a paragraph's (a sub-item's), or outside the view
            footnote = self.footnotes.get((symbol, number), "") if number else ""
            merged.setdefault((paragraph, instrument), []).append((via, intent, footnote))
        references: set[tuple[str, str]] = set()
        strings: dict[str, str] = {}  # one copy of each attribute value

        def cites() -> Iterator[tuple[str, str, Attrs]]:
            for (paragraph, instrument), citations in sorted(merged.items()):
                footnotes = {f for _, _, f in citations if f}
                references.update((f, instrument) for f in footnotes)
                numbers = sorted(g.nodes[f]["number"] for f in footnotes)
                yield paragraph, instrument, _cites_attrs(citations, numbers, strings)

        g.add_edges_from(cites())
        g.add_edges_from(sorted(references), kind="references")


def _cites_attrs(
    citations: list[tuple[str, str, str]], numbers: list[int], strings: dict[str, str]
) -> Attrs:
    """A ``cites`` edge's attributes: how many citations, how they were found, their intents,
    the footnotes that carry them (each list sorted, "; "-separated, one string each)."""
    out: Attrs = {"kind": "cites", "citations": len(citations)}
    for name, names in (
        ("via", sorted({v.removeprefix(f"{TG}via-") for v, _, _ in citations})),
        ("intent", sorted({i.removeprefix(f"{TG}intent-") for _, i, _ in citations if i})),
        ("footnotes", [str(n) for n in numbers]),
    ):
        if names:
            text = "; ".join(names)
            out[name] = strings.setdefault(text, text)
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
    thread checks and builds at a time: the requests that come meanwhile are answered from the
    current view if there is one (so a rebuild, a minute at 10,000 resolutions, holds no one
    up), else they wait for it, for at most `wait` seconds when they say so.
    """

    def __init__(self, store: Store, limits: Limits | None = None) -> None:
        self.store = store
        self.limits = limits or Limits()
        self._view: View | None = None
        self._checked = float("-inf")
        self._building = threading.Lock()  # held by the one thread checking or building
        self._since: float | None = None  # when the build under way started
        self.builds = 0  # how many times the view was built (for tests and metrics)

    def view(self, wait: float | None = None) -> View:
        """The view of the store as it is now. With no view yet and another thread building
        it, wait for it (at most `wait` seconds, then :class:`Building`)."""
        current = self._view
        if current is not None:
            if time.monotonic() - self._checked < self.limits.check_interval:
                return current
            if not self._building.acquire(blocking=False):
                return current  # another thread is checking or rebuilding: good enough
        elif not self._building.acquire(timeout=-1 if wait is None else max(wait, 0.0)):
            raise self.still_building()
        try:
            return self._refresh()
        finally:
            self._building.release()

    @property
    def ready(self) -> bool:
        """Whether there is a view (perhaps one being replaced)."""
        return self._view is not None

    @property
    def building(self) -> bool:
        """Whether a thread is checking the store's version or building the view."""
        return self._building.locked()

    def still_building(self) -> Building:
        since = self._since
        took = f" ({time.monotonic() - since:.0f} s so far)" if since is not None else ""
        return Building(f"the graph is being read from the store{took}; try again shortly")

    def _refresh(self) -> View:
        current = self._view  # another thread may have built it while this one waited
        if current is not None and time.monotonic() - self._checked < self.limits.check_interval:
            return current
        version = store_version(self.store, timeout=self.limits.build_timeout)
        if current is None or current.version != version:
            self._since = time.monotonic()
            try:
                current = build_view(self.store, timeout=self.limits.build_timeout, version=version)
            finally:
                self._since = None
            self._view = current
            self.builds += 1
        self._checked = time.monotonic()
        return current

    def warm(self) -> View:
        """Build the view and what the explorer and co-citation requests read from it."""
        view = self.view()
        view.cocitations().table(frozenset(PARTS))
        instruments_only(view)
        return view

    def invalidate(self) -> None:
        """Check the store's version on the next request, whatever the interval."""
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


# --- co-citation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """Two instruments (by IRI, `a` before `b`) and how many paragraphs cite both."""

    a: str
    b: str
    paragraphs: int


@dataclass(frozen=True, slots=True)
class _Table:
    """The pairs of instruments cited together (by number), most often first: ``(-count,
    a, b)`` order; and for each instrument the positions of its pairs, in that order."""

    a: array[int]
    b: array[int]
    count: array[int]
    of: dict[int, array[int]]


class CoCitations:
    """How many paragraphs cite each pair of instruments, counted once per view (by
    :meth:`View.cocitations`) so that each request is a lookup.

    The instruments are numbered in IRI order, so that pairs of numbers sort as pairs of
    IRIs. Paragraphs citing the same instruments are counted together (per part), and the
    pair counts of each choice of parts are tabled on first use: three compact arrays most
    frequent first, and for each instrument the positions of its pairs. A selection of
    resolutions is counted from their own paragraphs, kept by resolution.
    """

    def __init__(self, g: nx.DiGraph) -> None:
        cited = {v for _, v, kind in g.edges(data="kind") if kind == "cites"}
        self.instruments: list[str] = sorted(cited)
        self.number = {iri: n for n, iri in enumerate(self.instruments)}
        self.kinds = [g.nodes[i].get("instrument_kind") for i in self.instruments]
        # Paragraphs citing two instruments or more: how many cite each set, per part; and
        # each resolution's (part, set).
        self._sets: dict[str, Counter[tuple[int, ...]]] = {part: Counter() for part in PARTS}
        self._resolutions: dict[str, list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        same: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per set of instruments
        for p, data in g.nodes(data=True):
            if data["kind"] != "paragraph":
                continue
            numbers = [self.number[i] for i, d in g.adj[p].items() if d["kind"] == "cites"]
            if len(numbers) < 2:
                continue
            key = tuple(sorted(numbers))
            key = same.setdefault(key, key)
            self._sets.setdefault(data["part"], Counter())[key] += 1
            self._resolutions[_resolution_of(g, p)].append((data["part"], key))
        self._tables: dict[frozenset[str], _Table] = {}
        self._lock = threading.Lock()

    def pairs(
        self,
        *,
        parts: Iterable[str] = PARTS,
        resolutions: Iterable[str] | None = None,
        instrument_kinds: Iterable[str] = (),
        focus: str | None = None,
        min_count: int = 1,
        limit: int | None = None,
    ) -> list[Pair]:
        """The pairs cited together by at least `min_count` paragraphs of the given parts
        (of `resolutions`, when given), most often first then by IRI; with `focus`, only
        the pairs it is part of; with `instrument_kinds`, only pairs of those kinds."""
        wanted = frozenset(instrument_kinds)
        chosen = frozenset(parts)
        if focus is not None and focus not in self.number:
            return []  # nothing cites it, or not an instrument
        one = None if focus is None else self.number[focus]
        found: Iterable[tuple[int, int, int]] = (
            self._tabled(chosen, one)
            if resolutions is None
            else self._counted(resolutions, chosen, one)
        )
        out: list[Pair] = []
        for a, b, count in found:
            if count < min_count:
                break
            if wanted and (self.kinds[a] not in wanted or self.kinds[b] not in wanted):
                continue
            out.append(Pair(self.instruments[a], self.instruments[b], count))
            if len(out) == limit:
                break
        return out

    def _tabled(self, parts: frozenset[str], focus: int | None) -> Iterator[tuple[int, int, int]]:
        table = self.table(parts)
        positions = range(len(table.count)) if focus is None else table.of.get(focus, ())
        for i in positions:
            yield table.a[i], table.b[i], table.count[i]

    def _counted(
        self, resolutions: Iterable[str], parts: frozenset[str], focus: int | None
    ) -> list[tuple[int, int, int]]:
        counts: Counter[tuple[int, int]] = Counter()
        for r in set(resolutions):
            for part, numbers in self._resolutions.get(r, ()):
                if part in parts:
                    counts.update(combinations(numbers, 2))
        found = [(a, b, n) for (a, b), n in counts.items() if focus is None or focus in (a, b)]
        found.sort(key=lambda t: (-t[2], t[0], t[1]))
        return found

    def table(self, parts: frozenset[str]) -> _Table:
        """The pair counts of paragraphs of these parts (tabled on first use)."""
        with self._lock:
            found = self._tables.get(parts)
            if found is None:
                sets: Counter[tuple[int, ...]] = Counter()
                for part in parts:
                    sets.update(self._sets.get(part, {}))
                found = self._tables[parts] = _tabulate(sets, len(self.instruments))
            return found


def _tabulate(sets: Mapping[tuple[int, ...], int], size: int) -> _Table:
    """Pair counts from the sets of instruments paragraphs cite (each with how many cite it).

    A pair ``a < b`` is the integer ``a * size + b``; sorting ``(top - count) * size² + pair``
    as plain integers puts them in ``(-count, a, b)`` order.
    """
    counts: Counter[int] = Counter()
    for numbers, paragraphs in sets.items():
        keys = (a * size + b for a, b in combinations(numbers, 2))
        if paragraphs == 1:
            counts.update(keys)
        else:
            for key in keys:
                counts[key] += paragraphs
    top = max(counts.values(), default=0)
    square = size * size
    order = sorted((top - n) * square + key for key, n in counts.items())
    del counts
    a, b, count = array("l"), array("l"), array("l")
    of: dict[int, list[int]] = defaultdict(list)
    for position, packed in enumerate(order):
        rest, key = divmod(packed, square)
        first, second = divmod(key, size)
        a.append(first)
        b.append(second)
        count.append(top - rest)
        of[first].append(position)
        of[second].append(position)
    return _Table(a, b, count, {n: array("l", positions) for n, positions in of.items()})


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
