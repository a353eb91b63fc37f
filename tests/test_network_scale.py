"""The networkx view at scale: read from the store with hash-joined scans, its co-citation
counts computed once per view, and the cache that keeps serving while it rebuilds.

Everything is checked against a straightforward recount from the extractions themselves (the
seed resolution and a small synthetic corpus, read by the real pipeline), never against the
view's own code; and the same view read from an Oxigraph server must be the embedded one's.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import treatygraph as graph
from tests.support.network import SEED, load_store
from treatygraph import network
from treatygraph.model import Extraction, ParagraphKind
from treatygraph.network.analysis import Selection
from treatygraph.network.limits import Limits
from treatygraph.network.view import View
from treatygraph.rdf import mapping as rdf
from treatygraph.rdf.vocab import TG, citation_intent
from treatygraph.store import EmbeddedStore, open_store
from treatygraph.synth.generate import synthesize

SYNTHETIC = 40  # resolutions
UNLIMITED = Limits(max_results=10**9)
EVERYTHING = Selection()


@pytest.fixture(scope="module")
def extractions(tmp_path_factory: pytest.TempPathFactory) -> list[Extraction]:
    corpus = tmp_path_factory.mktemp("synthetic")
    synthesize(SYNTHETIC, seed=11, out_dir=corpus)
    read = [graph.read(path) for path in sorted(corpus.glob("*.txt"))]
    assert len(read) == SYNTHETIC
    return [graph.read(SEED), *read]


@pytest.fixture(scope="module")
def ntriples(extractions: list[Extraction], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nt") / "graph.nt"
    path.write_text(rdf.to_ntriples(rdf.triples(extractions)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store_spec(ntriples: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return load_store(tmp_path_factory.mktemp("store"), ntriples.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def view(store_spec: str) -> View:
    return network.build_view(open_store(store_spec, read_only=True))


# --- the recount ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cited:
    """What one paragraph cites, from its extraction."""

    resolution: str  # symbol
    paragraph: str  # local id
    part: str
    instruments: frozenset[str]  # ids


def cited(extractions: list[Extraction]) -> list[Cited]:
    out = []
    for x in extractions:
        by_paragraph: dict[str, set[str]] = defaultdict(set)
        for c in x.citations:
            by_paragraph[c.paragraph].add(c.instrument.id)
        for p in x.document.paragraphs:
            part = "preambular" if p.kind is ParagraphKind.PREAMBULAR else "operative"
            symbol = x.document.meta.symbol
            out.append(Cited(symbol, p.id, part, frozenset(by_paragraph.get(p.id, ()))))
    return out


def recount(
    view: View,
    paragraphs: list[Cited],
    *,
    parts: tuple[str, ...] = (),
    resolutions: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    focus: str | None = None,
    min_count: int = 1,
) -> list[tuple[str, str, int]]:
    """Pairs of instrument IRIs (`a` < `b`) with how many chosen paragraphs cite both, most
    often first, then by IRI: the plain way, paragraph by paragraph."""

    def kind(instrument: str) -> str:
        return str(view.graph.nodes[view.node(instrument)]["instrument_kind"])

    counts: Counter[tuple[str, str]] = Counter()
    for p in paragraphs:
        if (parts and p.part not in parts) or (resolutions and p.resolution not in resolutions):
            continue
        iris = sorted(view.node(i) for i in p.instruments if not kinds or kind(i) in kinds)
        counts.update(combinations(iris, 2))
    found = [
        (a, b, n)
        for (a, b), n in counts.items()
        if n >= min_count and (focus is None or view.node(focus) in (a, b))
    ]
    return sorted(found, key=lambda t: (-t[2], t[0], t[1]))


def answered(
    view: View, selection: Selection = EVERYTHING, **options: Any
) -> list[tuple[str, str, int]]:
    pairs = network.cocitation(view, selection, limit=10**9, limits=UNLIMITED, **options)
    for p in pairs:
        assert (p.a_label, p.b_label) == (
            view.graph.nodes[p.a]["label"],
            view.graph.nodes[p.b]["label"],
        )
    return [(p.a, p.b, p.paragraphs) for p in pairs]


# --- the view ---------------------------------------------------------------------------------


def test_the_view_holds_what_the_extractions_hold(
    view: View, extractions: list[Extraction]
) -> None:
    g = view.graph
    expected_cites: dict[tuple[str, str], dict[str, Any]] = {}
    expected_markers, expected_references = set(), set()
    for x in extractions:
        symbol, doc = x.document.meta.symbol, x.document
        numbers = {f.number for f in doc.footnotes}
        for p in doc.paragraphs:
            node = view.node(f"{symbol} {p.id}")
            part = "preambular" if p.kind is ParagraphKind.PREAMBULAR else "operative"
            assert (g.nodes[node]["part"], g.nodes[node]["local_id"]) == (part, p.id)
            assert g.edges[node, view.node(symbol)] == {"kind": "part_of"}
            expected_markers |= {
                (f"{symbol} {p.id}", f"{symbol} fn{m.number}")
                for m in p.markers
                if m.number in numbers
            }
        for f in doc.footnotes:
            node = view.node(f"{symbol} fn{f.number}")
            assert g.nodes[node]["number"] == f.number
        by_pair: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for c in x.citations:
            by_pair[f"{symbol} {c.paragraph}", c.instrument.id].append(c)
            if c.footnote in numbers:
                expected_references.add((f"{symbol} fn{c.footnote}", c.instrument.id))
        for pair, citations in by_pair.items():
            carried = sorted({c.footnote for c in citations if c.footnote in numbers})
            intents = {citation_intent(c.intent) for c in citations}
            attrs: dict[str, Any] = {"kind": "cites", "citations": len(citations)}
            attrs["via"] = "; ".join(sorted({c.via.value for c in citations}))
            keys = sorted(str(i.concept).removeprefix(f"{TG}intent-") for i in intents if i)
            if keys:
                attrs["intent"] = "; ".join(keys)
            if carried:
                attrs["footnotes"] = "; ".join(str(n) for n in carried)
            expected_cites[pair] = attrs

    def edges(kind: str) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (g.nodes[u]["ref"], g.nodes[v]["ref"]): d
            for u, v, d in g.edges(data=True)
            if d["kind"] == kind
        }

    assert edges("cites") == expected_cites
    assert set(edges("has_footnote")) == expected_markers
    assert set(edges("references")) == expected_references
    paragraphs = sum(len(x.document.paragraphs) for x in extractions)
    footnotes = sum(len(x.document.footnotes) for x in extractions)
    assert view.summary()["node_kinds"] == {
        "resolution": len(extractions),
        "paragraph": paragraphs,
        "footnote": footnotes,
        "instrument": len(view.of_kind("instrument")),
    }
    assert view.summary()["edge_kinds"]["part_of"] == paragraphs + footnotes


def test_a_remote_store_gives_the_same_view(
    view: View, ntriples: Path, start_oxigraph: Any, tmp_path: Path
) -> None:
    """The sub-selects are plain SPARQL 1.1: an Oxigraph server answers them the same."""
    with start_oxigraph(tmp_path / "oxigraph") as server:
        remote = open_store(server.spec, read_only=False)
        remote.load(ntriples)
        theirs = network.build_view(remote)
    assert dict(theirs.graph.nodes(data=True)) == dict(view.graph.nodes(data=True))
    assert set(theirs.graph.edges) == set(view.graph.edges)
    assert all(theirs.graph.edges[e] == view.graph.edges[e] for e in view.graph.edges)


# --- co-citation ------------------------------------------------------------------------------


def test_cocitation_equals_a_recount(view: View, extractions: list[Extraction]) -> None:
    paragraphs = cited(extractions)
    everything = recount(view, paragraphs)
    assert len(everything) > 200 and everything[0][2] > 1  # a corpus with something to count
    assert answered(view) == everything
    for part in ("operative", "preambular"):
        assert answered(view, Selection(parts=(part,))) == recount(view, paragraphs, parts=(part,))
    both = Selection(parts=("operative", "preambular"))
    assert answered(view, both) == everything
    assert answered(view, min_count=3) == recount(view, paragraphs, min_count=3)


def test_cocitation_of_one_instrument(view: View, extractions: list[Extraction]) -> None:
    paragraphs = cited(extractions)
    most_cited = Counter(i for p in paragraphs for i in p.instruments).most_common(8)
    for instrument, _ in most_cited:
        assert answered(view, instrument=instrument) == recount(view, paragraphs, focus=instrument)
        operative = Selection(parts=("operative",))
        assert answered(view, operative, instrument=instrument, min_count=2) == recount(
            view, paragraphs, parts=("operative",), focus=instrument, min_count=2
        )
    assert network.cocitation(view, instrument=extractions[0].document.meta.symbol) == []


def test_cocitation_by_resolution_and_instrument_kind(
    view: View, extractions: list[Extraction]
) -> None:
    paragraphs = cited(extractions)
    symbols = tuple(x.document.meta.symbol for x in extractions[:3])
    for chosen in (symbols[:1], symbols):
        assert answered(view, Selection(resolutions=chosen)) == recount(
            view, paragraphs, resolutions=chosen
        )
        assert answered(
            view, Selection(resolutions=chosen, parts=("operative",)), instrument="crc"
        ) == recount(view, paragraphs, resolutions=chosen, parts=("operative",), focus="crc")
    kinds = Counter(view.graph.nodes[i]["instrument_kind"] for i in view.of_kind("instrument"))
    for kind, _ in kinds.most_common(2):
        assert answered(view, Selection(instrument_kinds=(kind,))) == recount(
            view, paragraphs, kinds=(kind,)
        )
    pair = tuple(k for k, _ in kinds.most_common(2))
    assert answered(view, Selection(resolutions=symbols, instrument_kinds=pair)) == recount(
        view, paragraphs, resolutions=symbols, kinds=pair
    )


def test_cocitation_limits_and_errors(view: View) -> None:
    top = answered(view)
    assert [(p.a, p.b, p.paragraphs) for p in network.cocitation(view, limit=7)] == top[:7]
    with pytest.raises(network.LimitExceeded, match="limit 0 is out of range"):
        network.cocitation(view, limit=0)
    with pytest.raises(network.InvalidRequest, match="unknown paragraph part annex"):
        network.cocitation(view, Selection(parts=("annex",)))
    with pytest.raises(network.InvalidRequest, match="not a resolution"):
        network.cocitation(view, Selection(resolutions=("crc",)))
    with pytest.raises(network.UnknownNode):
        network.cocitation(view, instrument="no-such-treaty")


def test_an_ego_network_too_large_points_to_the_co_citations(view: View) -> None:
    citing = view.graph.in_degree(view.node("crc"))
    with pytest.raises(network.LimitExceeded) as refused:
        network.ego(view, "crc", radius=1, limits=Limits(max_nodes=citing - 1))
    assert refused.value.message == (
        f"the ego network of crc within radius 1 has more than {citing - 1} nodes ({citing} "
        "paragraphs and footnotes cite crc directly): filter by node kind, or see the "
        "instruments cited with it, its co-citations (cocitation, instrument=crc)"
    )
    assert network.ego(view, "crc", radius=1, limits=Limits(max_nodes=citing + 10))


def test_the_counts_are_made_once_per_view(view: View, store_spec: str) -> None:
    assert view.cocitations() is view.cocitations()
    found: list[network.CoCitations] = []
    fresh = network.build_view(open_store(store_spec, read_only=True))
    threads = [threading.Thread(target=lambda: found.append(fresh.cocitations())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 4 and all(f is found[0] for f in found)
    assert fresh.cocitations() is not view.cocitations()


def test_the_overview_keeps_each_instruments_most_frequent_partners(
    view: View, extractions: list[Extraction]
) -> None:
    everything = recount(view, cited(extractions))
    partners: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for a, b, n in everything:
        partners[a].append((-n, b))
        partners[b].append((-n, a))
    supplements = {(u, v) for u, v, k in view.graph.edges(data="kind") if k == "supplements"}
    expected = {}
    for a, found in partners.items():
        for minus, b in sorted(found)[: network.COCITED_PER_INSTRUMENT]:
            u, v = sorted((a, b))
            if (u, v) not in supplements:  # a protocol and its parent: that edge says more
                expected[u, v] = -minus
    overview = network.instruments_only(view)
    assert {
        (u, v): d["paragraphs"] for u, v, d in overview.edges(data=True) if d["kind"] == "cocited"
    } == expected
    assert network.instruments_only(view) is overview  # kept with the view


# --- the cache --------------------------------------------------------------------------------


class SlowStore:
    """An embedded store whose queries for the view (not its version) wait for `go`."""

    def __init__(self, spec: str) -> None:
        store = open_store(spec, read_only=True)
        assert isinstance(store, EmbeddedStore)
        self.store = store
        self.path = store.path  # the generation token
        self.go = threading.Event()
        self.reading = threading.Event()

    def query(self, sparql: str, **options: Any) -> Any:
        if "tg:Build" not in sparql:
            self.reading.set()
            assert self.go.wait(30), "never released"
        return self.store.query(sparql, **options)

    def triple_count(self) -> int:
        return self.store.triple_count()

    def hold(self) -> None:
        self.go.clear()
        self.reading.clear()


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[SlowStore]:
    from tests.support.network import seed_ntriples

    store = SlowStore(load_store(tmp_path, seed_ntriples()))
    yield store
    store.go.set()


def test_before_the_first_view_a_request_waits_at_most_its_wait(slow: SlowStore) -> None:
    cache = network.NetworkCache(slow, Limits(check_interval=0))  # type: ignore[arg-type]
    builder = threading.Thread(target=cache.view)
    builder.start()
    assert slow.reading.wait(10)
    started = time.monotonic()
    with pytest.raises(network.Building, match="being read from the store") as refused:
        cache.view(wait=0.2)
    assert 0.15 < time.monotonic() - started < 5 and refused.value.status == 503
    slow.go.set()
    builder.join(30)
    assert cache.view(wait=0) is cache.view() and cache.builds == 1


def test_a_rebuild_holds_no_one_up(slow: SlowStore, tmp_path: Path) -> None:
    from tests.support.network import seed_ntriples

    cache = network.NetworkCache(slow, Limits(check_interval=0))  # type: ignore[arg-type]
    slow.go.set()
    first = cache.view()
    source = tmp_path / "both.nt"
    source.write_text(seed_ntriples(extra=True), encoding="utf-8")
    open_store(slow.path, read_only=False).load(source)  # a new generation
    slow.hold()
    rebuilt: list[View] = []
    builder = threading.Thread(target=lambda: rebuilt.append(cache.view()))
    builder.start()
    assert slow.reading.wait(10)
    started = time.monotonic()
    assert cache.view(wait=0) is first  # the current view, at once, while the new one is read
    assert cache.view() is first
    assert time.monotonic() - started < 1
    slow.go.set()
    builder.join(30)
    assert rebuilt and rebuilt[0] is not first and cache.builds == 2
    assert cache.view() is rebuilt[0]
    assert len(rebuilt[0].of_kind("resolution")) == 2


def test_an_old_view_is_freed_with_what_was_computed_from_it(store_spec: str) -> None:
    """Aggregates, co-citation counts and rankings live and die with their view (a module
    lru_cache kept the last four views alive: gigabytes on a large graph)."""
    old = network.build_view(open_store(store_spec, read_only=True))
    network.instruments_only(old)
    network.cocitation(old, instrument="crc")
    network.ranking(old, by="in_degree")
    assert network.ranking(old, limit=3) == network.ranking(old, limit=3)
    assert isinstance(network.aggregate(old), nx.DiGraph)
    gone = weakref.ref(old)
    del old
    gc.collect()
    assert gone() is None
