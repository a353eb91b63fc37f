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
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import networkx as nx

from treatygraph.network.cocitation import CoCitations
from treatygraph.network.limits import (
    _SEP,
    PARTS,
    Q_CITATIONS,
    Q_FOOTNOTES,
    Q_INSTRUMENTS,
    Q_MARKERS,
    Q_PARAGRAPHS,
    Q_RESOLUTIONS,
    Q_SUPPLEMENTS,
    Attrs,
    Building,
    Limits,
    T,
    UnknownNode,
    Version,
    select,
    store_version,
    values,
)
from treatygraph.network.subgraphs import instruments_only
from treatygraph.rdf.iris import split_paragraph_id
from treatygraph.rdf.vocab import TG, WD
from treatygraph.store import Store

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
