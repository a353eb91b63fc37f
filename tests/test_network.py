"""The networkx view of the store and its traversals: a real embedded store holding the seed
resolution (and a made-up one that cites a protocol without its parent), the HTTP API under
uvicorn, and the ``treatygraph network`` command."""

from __future__ import annotations

import ast
import doctest
import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from pathlib import Path

import httpx
import networkx as nx
import pytest

import treatygraph as graph
from tests.conftest import ROOT
from tests.support.network import (
    EXTRA_SYMBOL,
    SEED,
    load_store,
    seed_ntriples,
    serve,
    shared_service,
    shared_store,
)
from treatygraph import network
from treatygraph.cli.main import main
from treatygraph.model import Extraction
from treatygraph.network import export
from treatygraph.network.analysis import Selection
from treatygraph.network.limits import Limits
from treatygraph.network.view import View
from treatygraph.store import open_store

SYMBOL = "A/RES/77/194"


@pytest.fixture(scope="module")
def seed() -> Extraction:
    return graph.read(SEED)


@pytest.fixture(scope="module")
def store_spec() -> str:
    return shared_store()


@pytest.fixture(scope="module")
def view(store_spec: str) -> View:
    return network.build_view(open_store(store_spec, read_only=True))


@pytest.fixture(scope="module")
def service() -> str:
    return shared_service()


@pytest.fixture(scope="module")
def strict_service(store_spec: str) -> Iterator[str]:
    """The service with a small size limit, to see it refuse."""
    with serve(store_spec, network_max_nodes=150) as url:
        yield url


def refs(g: nx.DiGraph, nodes: Iterable[str] | None = None) -> set[str]:
    return {g.nodes[n]["ref"] for n in (g if nodes is None else nodes)}


# --- the view -------------------------------------------------------------------------------


def test_the_view_has_every_node_of_the_store(view: View, seed: Extraction) -> None:
    doc = seed.document
    kinds = Counter(kind for _, kind in view.graph.nodes(data="kind"))
    assert kinds == {
        "resolution": 2,
        "paragraph": len(doc.paragraphs) + 2,
        "footnote": len(doc.footnotes) + 1,
        "instrument": len(seed.instruments),  # every parent is cited too
    }
    op5 = view.node(f"{SYMBOL} op5")
    cited = [i for i in view.graph.successors(op5) if view.kind(i) == "instrument"]
    assert sorted(refs(view.graph, cited)) == sorted(
        c.instrument.id for c in seed.citations_of("op5")
    )
    assert len(cited) == 17


def test_nodes_carry_labels_kinds_and_unts_data(view: View) -> None:
    crc = view.graph.nodes[view.node("crc")]
    assert crc["label"] == "Convention on the Rights of the Child"
    assert crc["instrument_kind"] == "convention"
    assert (crc["unts"], crc["unts_volume"], crc["unts_number"]) == ("1577/27531", 1577, 27531)
    op5 = view.graph.nodes[view.node(f"{SYMBOL} op5")]
    assert (op5["part"], op5["number"], op5["resolution"]) == ("operative", 5, SYMBOL)
    edge = view.graph.edges[view.node(f"{SYMBOL} op5"), view.node("opsc")]
    assert edge == {
        "kind": "cites",
        "citations": 1,
        "via": "footnote",
        "intent": "urges-ratification",
        "footnotes": "19",
    }
    fn19 = view.node(f"{SYMBOL} fn19")
    assert view.graph.edges[fn19, view.node("opsc")]["kind"] == "references"


def test_the_supplements_tree_is_the_authority_data(view: View, seed: Extraction) -> None:
    expected = {(i.id, parent) for i in seed.instruments for parent in i.parent}
    found = {
        (view.graph.nodes[u]["ref"], view.graph.nodes[v]["ref"])
        for u, v, kind in view.graph.edges(data="kind")
        if kind == "supplements"
    }
    assert found == expected


def test_refs_name_nodes_in_every_form(view: View) -> None:
    res = view.node(SYMBOL)
    assert view.node("a-res-77-194") == view.node(res) == res
    assert view.node(" A/RES/77/194   OP5 ") == view.node(f"{SYMBOL} op5")
    with pytest.raises(network.UnknownNode, match="no node 'nothing'"):
        view.node("nothing")


def test_the_module_reads_the_store_not_the_extractor() -> None:
    modules = sorted((ROOT / "graph" / "network").glob("*.py"))
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in modules]
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    stages = {
        "treatygraph.reader.parse",
        "treatygraph.reader.find",
        "treatygraph.reader.resolve",
        "treatygraph.reader.extract",
        "treatygraph.reader.clean",
    }
    assert not imported & stages, imported
    assert "treatygraph.store" in imported


# --- the cache ------------------------------------------------------------------------------


def test_the_cache_rebuilds_when_the_store_changes(tmp_path: Path) -> None:
    spec = load_store(tmp_path, seed_ntriples())
    cache = network.NetworkCache(open_store(spec, read_only=True), Limits(check_interval=0))
    first = cache.view()
    assert cache.view() is first and cache.builds == 1  # same store: the same view
    source = tmp_path / "both.nt"
    source.write_text(seed_ntriples(extra=True), encoding="utf-8")
    open_store(spec, read_only=False).load(source)  # a new generation, swapped in
    second = cache.view()
    assert cache.builds == 2 and second.version != first.version
    assert len(second.of_kind("resolution")) == 2 and len(first.of_kind("resolution")) == 1


def test_the_cache_checks_the_store_at_most_once_an_interval(tmp_path: Path) -> None:
    spec = load_store(tmp_path, seed_ntriples())
    cache = network.NetworkCache(open_store(spec, read_only=True), Limits(check_interval=3600))
    first = cache.view()
    source = tmp_path / "both.nt"
    source.write_text(seed_ntriples(extra=True), encoding="utf-8")
    open_store(spec, read_only=False).load(source)
    assert cache.view() is first  # not checked again yet
    cache.invalidate()
    assert cache.view() is not first


# --- traversals -----------------------------------------------------------------------------


def test_neighbours_by_depth_node_and_edge_kind(view: View, seed: Extraction) -> None:
    citing = {f"{SYMBOL} {c.paragraph}" for c in seed.citations if c.instrument.id == "crc"}
    g = network.neighbours(view, "crc", depth=1, node_kinds=["instrument", "paragraph"])
    assert refs(g) == {"crc", "opsc", "opac", "opic"} | citing
    assert g.nodes[view.node("crc")]["depth"] == 0
    assert {g.nodes[n]["depth"] for n in g if n != view.node("crc")} == {1}
    tree = network.neighbours(view, "opsc", depth=3, edge_kinds=["supplements"], direction="out")
    assert refs(tree) == {"opsc", "crc"}
    children = network.neighbours(view, "crc", depth=1, edge_kinds=["supplements"], direction="in")
    assert refs(children) == {"crc", "opsc", "opac", "opic"}
    two = network.neighbours(view, "crc", depth=2, node_kinds=["instrument", "paragraph"])
    assert refs(view.graph, [view.node("cedaw")]) <= refs(two)  # co-cited in op5


def test_limits_give_clear_errors(view: View) -> None:
    with pytest.raises(network.LimitExceeded, match="depth 5 is out of range: 0 to 4"):
        network.neighbours(view, "crc", depth=5)
    with pytest.raises(network.LimitExceeded, match="more than 20 nodes"):
        network.neighbours(view, SYMBOL, depth=2, limits=Limits(max_nodes=20))
    with pytest.raises(network.InvalidRequest, match="unknown node kind treaty"):
        network.neighbours(view, "crc", node_kinds=["treaty"])
    with pytest.raises(network.InvalidRequest, match="is an instrument, and that kind"):
        network.neighbours(view, "crc", node_kinds=["paragraph"])
    with pytest.raises(network.LimitExceeded, match="limit 5000 is out of range"):
        network.ranking(view, limit=5000)


def test_shortest_path_walks_edges_either_way(view: View) -> None:
    nodes, steps = network.shortest_path(view, "opsc", "c182")
    assert [view.graph.nodes[n]["ref"] for n in nodes] == ["opsc", f"{SYMBOL} op5", "c182"]
    assert [(s.kind, s.forward) for s in steps] == [("cites", False), ("cites", True)]
    nodes, _ = network.shortest_path(view, "opsc", "opac", edge_kinds=["supplements"])
    assert refs(view.graph, nodes) == {"opsc", "crc", "opac"}
    with pytest.raises(network.NoPath):
        network.shortest_path(view, "opsc", "c182", node_kinds=["instrument"])


def test_ego_network_of_an_instrument(view: View) -> None:
    g = network.ego(view, "p029", radius=1)
    assert refs(g) >= {"p029", "c029", "r203", f"{SYMBOL} op5", f"{SYMBOL} pp11"}
    assert max(d for _, d in g.nodes(data="depth")) == 1
    with pytest.raises(network.InvalidRequest, match="not an instrument"):
        network.ego(view, SYMBOL)


def test_cocitation_counts_paragraphs_citing_both(view: View, seed: Extraction) -> None:
    by_paragraph: dict[str, set[str]] = defaultdict(set)
    for c in seed.citations:
        by_paragraph[c.paragraph].add(c.instrument.id)
    expected: Counter[tuple[str, str]] = Counter()
    for cited in by_paragraph.values():
        expected.update(combinations(sorted(cited), 2))
    pairs = network.cocitation(view, Selection(resolutions=(SYMBOL,)), limit=1000)
    found = {(p.a.rsplit("/", 1)[1], p.b.rsplit("/", 1)[1]): p.paragraphs for p in pairs}
    assert found == dict(expected)
    assert [p.paragraphs for p in pairs] == sorted((p.paragraphs for p in pairs), reverse=True)
    focus = network.cocitation(view, instrument="crc", limit=1000)
    assert focus and all(view.node("crc") in (p.a, p.b) for p in focus)


def test_ranking_by_in_degree_and_pagerank(view: View, seed: Extraction) -> None:
    citing: dict[str, set[str]] = defaultdict(set)
    for c in seed.citations:
        citing[c.instrument.id].add(c.paragraph)
    ranks = network.ranking(view, Selection(resolutions=(SYMBOL,)), by="in_degree", limit=100)
    assert {r.ref: r.in_degree for r in ranks} == {i: len(p) for i, p in citing.items()}
    assert ranks[0].ref == "tip_protocol" and ranks[0].in_degree == 4
    operative = network.ranking(view, Selection(parts=("operative",)), by="in_degree", limit=100)
    assert {r.ref for r in operative} < {r.ref for r in ranks} | {"opsc"}
    top = network.ranking(view, by="pagerank", limit=3)
    assert [r.pagerank for r in top] == sorted((r.pagerank for r in top), reverse=True)
    # A parent gains rank from the protocols that supplement it: untoc outranks its protocol.
    assert top[0].ref == "untoc"


def test_pagerank_matches_networkx() -> None:
    g = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    g.add_nodes_from(range(40, 43))  # isolated, dangling nodes
    ours = network.pagerank(nx.relabel_nodes(g, str))
    reference = getattr(nx.algorithms.link_analysis.pagerank_alg, "_pagerank_python", None)
    if reference is None:
        pytest.skip("networkx's pure-Python PageRank is not available")
    theirs = reference(g, alpha=0.85, tol=1e-12, max_iter=500)
    assert all(abs(ours[str(n)] - theirs[n]) < 1e-8 for n in g)
    assert abs(sum(ours.values()) - 1) < 1e-9


def test_what_a_resolution_cites_through_protocols(view: View) -> None:
    reach = {r.ref: r for r in network.through_parents(view, EXTRA_SYMBOL)}
    assert reach["opsc"].direct and reach["opsc"].paragraphs == ("pp1",)
    crc = reach["crc"]
    assert (crc.direct, crc.distance, crc.through, crc.paragraphs) == (False, 1, ("opsc",), ())
    seed_reach = {r.ref: r for r in network.through_parents(view, SYMBOL)}
    assert seed_reach["c029"].through == ("p029", "r203") and seed_reach["c029"].direct
    assert seed_reach["crc"].paragraphs == ("pp2", "op5", "op50")


def test_aggregated_views(view: View) -> None:
    agg = network.aggregate(view)
    assert Counter(k for _, k in agg.nodes(data="kind")) == {"instrument": 56, "resolution": 2}
    res, crc = view.node(SYMBOL), view.node("crc")
    assert agg.edges[res, crc] == {"kind": "cites", "paragraphs": 3}
    overview = network.instruments_only(view)
    assert set(overview) == set(view.of_kind("instrument"))
    assert overview.nodes[crc]["resolutions"] == 1 and overview.nodes[crc]["paragraphs"] == 3
    kinds = Counter(k for _, _, k in overview.edges(data="kind"))
    assert kinds["supplements"] == 12 and kinds["cocited"] > 0


# --- over HTTP ------------------------------------------------------------------------------


def test_api_traversals(service: str) -> None:
    summary = httpx.get(f"{service}/network").json()
    assert summary["node_kinds"]["instrument"] == 56 and summary["limits"]["max_depth"] == 4
    got = httpx.get(
        f"{service}/network/neighbours",
        params={"node": "crc", "depth": 1, "node_kind": "paragraph,instrument"},
    ).json()
    assert {n["ref"] for n in got["nodes"]} >= {"crc", "opsc", f"{SYMBOL} op5"}
    assert all({"source", "target", "kind"} <= set(e) for e in got["edges"])
    path = httpx.get(f"{service}/network/path", params={"source": "opsc", "target": "c182"})
    assert path.json()["length"] == 2
    reach = httpx.get(f"{service}/network/through-parents", params={"resolution": EXTRA_SYMBOL})
    assert {r["ref"]: r["direct"] for r in reach.json()["instruments"]} == {
        "opsc": True,
        "crc": False,
    }
    ranking = httpx.get(f"{service}/network/ranking", params={"by": "in_degree", "limit": 2})
    assert ranking.json()["instruments"][0]["ref"] == "tip_protocol"
    pairs = httpx.get(f"{service}/network/cocitation", params={"instrument": "crc", "limit": 3})
    assert len(pairs.json()["pairs"]) == 3
    ego = httpx.get(f"{service}/network/ego", params={"instrument": "crc", "radius": 1})
    assert ego.status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("neighbours", {"node": "crc", "depth": 9}, 422, "depth 9 is out of range: 0 to 4"),
        ("neighbours", {"node": SYMBOL, "depth": 2}, 422, "more than 150 nodes"),
        ("neighbours", {"node": "crc", "node_kind": "treaty"}, 422, "unknown node kind"),
        ("neighbours", {"node": "no-such"}, 404, "no node 'no-such'"),
        ("path", {"source": "opsc", "target": "c182", "node_kind": "instrument"}, 404, "no path"),
        ("ego", {"instrument": SYMBOL}, 422, "not an instrument"),
        ("ranking", {"by": "fame"}, 422, "unknown measure 'fame'"),
        ("ranking", {"limit": 0}, 422, "limit 0 is out of range"),
    ],
)
def test_api_errors_are_problem_documents(
    strict_service: str, path: str, params: dict[str, object], status: int, words: str
) -> None:
    response = httpx.get(f"{strict_service}/network/{path}", params=params)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


# --- on the command line --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``treatygraph ARGS`` through the command's own entry point; status, stdout, stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_traversals(store_spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = ("--store", store_spec)
    code, out, err = run(
        capsys, "network", "neighbours", "crc", "--node-kind", "instrument", *store
    )
    assert code == 0, err
    assert {n["ref"] for n in json.loads(out)["nodes"]} == {"crc", "opsc", "opac", "opic"}
    _, out, _ = run(capsys, "network", "through-parents", EXTRA_SYMBOL, *store)
    assert [r["ref"] for r in json.loads(out)["instruments"]] == ["opsc", "crc"]
    _, out, _ = run(capsys, "network", "ranking", "--by", "in_degree", "--limit", "1", *store)
    assert json.loads(out)["instruments"][0]["ref"] == "tip_protocol"
    _, out, _ = run(capsys, "network", "path", "opsc", "c182", *store)
    assert json.loads(out)["length"] == 2


def test_cli_errors_are_one_line(
    store_spec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "network", "neighbours", "crc", "--depth", "7", "--store", store_spec
    )
    assert code == 2
    assert err.strip() == "treatygraph: depth 7 is out of range: 0 to 4"
    code, _, err = run(capsys, "network", "summary", "--store", str(tmp_path / "missing"))
    assert code == 2 and "load a graph first" in err


def test_the_command_is_registered() -> None:
    """A real process: ``treatygraph network`` is on the command line."""
    command = [sys.executable, "-m", "treatygraph", "network", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0
    assert "through-parents" in done.stdout


def test_the_examples_in_the_docstrings() -> None:
    for module in (network, export):
        assert doctest.testmod(module).failed == 0, module.__name__
