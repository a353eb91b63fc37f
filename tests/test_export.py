"""Exports read back by independent readers: networkx (GraphML, GEXF), pydot (DOT), the csv
module (CSV), json (Cytoscape.js, node-link) and rdflib (Turtle, N-Triples, JSON-LD); every
node, edge and attribute must survive. Then the same exports over HTTP and on the command
line, with their media types and file names."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pydot
import pytest
import rdflib

from tests.conftest import ROOT
from tests.support.network import EXTRA_SYMBOL, shared_service, shared_store
from treatygraph import network
from treatygraph.cli.main import main
from treatygraph.network import export
from treatygraph.network.export import FORMATS, Scope
from treatygraph.network.limits import Limits
from treatygraph.network.view import View
from treatygraph.store import EmbeddedStore, Solutions, open_store

# The readers' own deprecations (pydot on pyparsing, rdflib's JSON-LD parser), not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*setParseAction.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph.*:DeprecationWarning"),
]
SYMBOL = "A/RES/77/194"
VIEW_FORMATS = [name for name, f in FORMATS.items() if not f.rdf]
RDF_FORMATS = [name for name, f in FORMATS.items() if f.rdf]
Attrs = dict[str, Any]


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    found = open_store(shared_store(), read_only=True)
    assert isinstance(found, EmbeddedStore)
    return found


@pytest.fixture(scope="module")
def view(store: EmbeddedStore) -> View:
    return network.build_view(store)


def tricky() -> nx.DiGraph:
    """Text that escapes badly: quotes, backslashes, line breaks, markup, non-ASCII."""
    g = nx.DiGraph()
    text = 'a "quoted" \\ back\\slash, <tag> & ümlaut; semi;colon\nnew line'
    g.add_node("urn:x:1", kind="instrument", label=text, ref="one", in_authority=False, n=0)
    g.add_node("urn:x:2", kind="paragraph", label="two", ref="two", part="operative", n=-3)
    g.add_edge("urn:x:2", "urn:x:1", kind="cites", quote=text, citations=2)
    return g


# --- independent readers: each returns nodes and edges as dicts of attributes -------------

Read = tuple[dict[str, Attrs], dict[tuple[str, str], Attrs]]


def read_networkx(g: nx.DiGraph) -> Read:
    nodes = {str(n): dict(d) for n, d in g.nodes(data=True)}
    edges = {(str(u), str(v)): dict(d) for u, v, d in g.edges(data=True)}
    return nodes, edges


def read_graphml(body: bytes) -> Read:
    return read_networkx(nx.read_graphml(io.BytesIO(body)))


def read_gexf(body: bytes) -> Read:
    return read_networkx(nx.read_gexf(io.BytesIO(body), node_type=str))


def read_cytoscape(body: bytes) -> Read:
    elements = json.loads(body)["elements"]
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"] for e in elements["edges"]}
    return nodes, edges


def read_nodelink(body: bytes) -> Read:
    doc = json.loads(body)
    nodes = {n["id"]: n for n in doc["nodes"]}
    edges = {(e["source"], e["target"]): e for e in doc["links"]}
    return nodes, edges


def _undot(value: str) -> str:
    """A pydot value as the text it quotes (pydot keeps the quotes and the escapes)."""
    inner = value[1:-1] if value.startswith('"') and value.endswith('"') else value
    out, chars = [], iter(inner)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "r": "\r"}.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def read_dot(body: bytes) -> Read:
    (g,) = pydot.graph_from_dot_data(body.decode("utf-8")) or []
    nodes = {
        _undot(n.get_name()): {k: _undot(str(v)) for k, v in n.get_attributes().items()}
        for n in g.get_nodes()
        if n.get_name() not in ("node", "edge", "graph")
    }
    edges = {
        (_undot(str(e.get_source())), _undot(str(e.get_destination()))): {
            k: _undot(str(v)) for k, v in e.get_attributes().items()
        }
        for e in g.get_edges()
    }
    return nodes, edges


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    return [{k: v for k, v in row.items() if v != ""} for row in rows]


def read_csv_zip(body: bytes) -> Read:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = {r["id"]: r for r in _csv_rows(archive.read("nodes.csv"))}
        edges = {(r["source"], r["target"]): r for r in _csv_rows(archive.read("edges.csv"))}
    return nodes, edges


def text(value: object) -> str:
    """How text formats (DOT, CSV) write a value."""
    return str(value).lower() if isinstance(value, bool) else str(value)


READERS: dict[str, tuple[Callable[[bytes], Read], bool]] = {
    # format: (reader, whether it keeps types; text formats compare as text)
    "graphml": (read_graphml, True),
    "gexf": (read_gexf, True),
    "cytoscape": (read_cytoscape, True),
    "nodelink": (read_nodelink, True),
    "dot": (read_dot, False),
    "csv": (read_csv_zip, False),
}


def assert_kept(g: nx.DiGraph, got: Read, typed: bool) -> None:
    """Every node, edge and attribute of `g` is in what was read back (readers may add some
    of their own: an ``id``, GEXF's colours, DOT's fill colour)."""
    nodes, edges = got
    assert set(nodes) == set(g), "the nodes differ"
    assert set(edges) == set(g.edges), "the edges differ"
    for n, data in g.nodes(data=True):
        expected = data if typed else {k: text(v) for k, v in data.items()}
        assert {k: nodes[n].get(k) for k in expected} == expected, n
    for u, v, data in g.edges(data=True):
        expected = data if typed else {k: text(x) for k, x in data.items()}
        assert {k: edges[u, v].get(k) for k in expected} == expected, (u, v)


@pytest.mark.parametrize("name", READERS)
def test_view_exports_keep_every_node_edge_and_attribute(view: View, name: str) -> None:
    reader, typed = READERS[name]
    assert_kept(view.graph, reader(export.write_graph(view.graph, FORMATS[name])), typed)


@pytest.mark.parametrize("name", READERS)
def test_exports_escape_awkward_text(name: str) -> None:
    reader, typed = READERS[name]
    g = tricky()
    assert_kept(g, reader(export.write_graph(g, FORMATS[name])), typed)


def test_csv_lists_alone_match_the_archive(view: View) -> None:
    nodes = _csv_rows(export.write_graph(view.graph, FORMATS["nodes-csv"]))
    edges = _csv_rows(export.write_graph(view.graph, FORMATS["edges-csv"]))
    assert len(nodes) == view.graph.number_of_nodes() and len(edges) == view.graph.size()
    assert list(nodes[0])[:4] == ["id", "kind", "label", "ref"]


def test_gexf_is_coloured_by_kind_for_gephi(view: View) -> None:
    g = nx.read_gexf(io.BytesIO(export.write_graph(view.graph, FORMATS["gexf"])), node_type=str)
    crc = g.nodes[view.node("crc")]
    assert crc["label"] == "Convention on the Rights of the Child"
    assert crc["viz"]["color"] == {"r": 209, "g": 73, "b": 91, "a": 1.0}  # conventions in red


def test_exports_are_byte_identical_from_one_run_to_the_next(view: View) -> None:
    for name in READERS:
        fmt = FORMATS[name]
        assert export.write_graph(view.graph, fmt) == export.write_graph(view.graph, fmt), name


# --- scopes ---------------------------------------------------------------------------------


def test_traversal_json_is_node_link_data_in_canonical_order(view: View) -> None:
    """``graph_json`` (what /network/neighbours and /network/ego answer) writes what networkx's
    node-link writer gives for the canonical copy, without making the copy."""
    for g in (
        tricky(),
        view.graph,
        network.neighbours(view, "crc", depth=2),
        network.ego(view, "p029", radius=1, node_kinds=["paragraph", "instrument"]),
    ):
        expected = nx.node_link_data(export.canonical(g), edges="edges")
        expected.pop("graph")
        expected["summary"] = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
        found = export.graph_json(g)
        assert json.dumps(found) == json.dumps(expected)  # the same keys in the same order


def test_scopes_select_a_resolution_a_neighbourhood_or_an_aggregate(view: View) -> None:
    limits = Limits()
    one = Scope(resolution=EXTRA_SYMBOL).graph(view, limits)
    assert {view.graph.nodes[n]["ref"] for n in one} == {
        EXTRA_SYMBOL,
        f"{EXTRA_SYMBOL} pp1",
        f"{EXTRA_SYMBOL} op1",
        f"{EXTRA_SYMBOL} fn1",
        "opsc",
        "crc",  # the parent of what it cites
    }
    around = Scope(around="crc", depth=1, node_kinds=("instrument",)).graph(view, limits)
    assert {view.graph.nodes[n]["ref"] for n in around} == {"crc", "opsc", "opac", "opic"}
    overview = Scope(aggregate="instruments").graph(view, limits)
    assert {d["kind"] for _, d in overview.nodes(data=True)} == {"instrument"}
    kinds = Scope(node_kinds=("resolution", "instrument")).graph(view, limits)
    assert {k for _, _, k in kinds.edges(data="kind")} == {"supplements"}
    assert Scope(resolution=SYMBOL).name(view) == "treatygraph-A-RES-77-194"
    assert Scope(around="crc", depth=2).name(view) == "treatygraph-around-crc-d2"
    with pytest.raises(network.InvalidRequest, match="choose one of"):
        Scope(resolution=SYMBOL, around="crc").graph(view, limits)
    with pytest.raises(network.LimitExceeded, match="over the limit of 10"):
        Scope().graph(view, Limits(max_export_nodes=10))


def store_graph(store: EmbeddedStore) -> rdflib.Graph:
    """Every triple of the store, read straight from it (not through an export)."""
    result = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", timeout=30)
    assert isinstance(result, Solutions)
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in result.rows)
    return rdflib.Graph().parse(data=lines, format="nt")


@pytest.mark.parametrize("name", RDF_FORMATS)
def test_rdf_exports_read_back_with_rdflib(store: EmbeddedStore, view: View, name: str) -> None:
    body = export.export(
        store, view, FORMATS[name], Scope(), limits=Limits(), timeout=30, max_triples=None
    ).body
    syntax = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[name]
    g = rdflib.Graph().parse(data=body, format=syntax)
    assert len(g) == store.triple_count()
    assert set(g) == set(store_graph(store))


def test_rdf_of_one_resolution_holds_what_it_owns(store: EmbeddedStore, view: View) -> None:
    out = export.export(
        store,
        view,
        FORMATS["turtle"],
        Scope(resolution=EXTRA_SYMBOL),
        limits=Limits(),
        timeout=30,
        max_triples=None,
    )
    g = rdflib.Graph().parse(data=out.body, format="turtle")
    subjects = {str(s) for s in g.subjects()}
    base = view.node(EXTRA_SYMBOL)
    assert {base, f"{base}/pp/1", f"{base}/fn/1", f"{base}/citation/pp1-1"} <= subjects
    assert f"{base}/citation/pp1-1/quote" in subjects  # the evidence comes along
    assert view.node("crc") in subjects and view.node("opsc") in subjects
    assert not any(s.startswith(view.node(SYMBOL)) for s in subjects)  # not the other one
    with pytest.raises(network.LimitExceeded, match="more than 10 triples"):
        export.rdf_triples(store, [base], timeout=30, max_triples=10)


# --- over HTTP and on the command line ------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> str:
    return shared_service()


@pytest.mark.parametrize("name", list(FORMATS))
def test_api_downloads_have_media_types_and_file_names(service: str, view: View, name: str) -> None:
    fmt = FORMATS[name]
    response = httpx.get(f"{service}/export/{name}", params={"resolution": SYMBOL})
    assert response.status_code == 200, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == fmt.media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="treatygraph-A-RES-77-194.{fmt.suffix}"'
    )
    if name in READERS and name != "dot":  # pydot is slow: DOT is read back above
        reader, _ = READERS[name]
        nodes, _ = reader(response.content)
        assert len(nodes) == len(Scope(resolution=SYMBOL).graph(view, Limits()))


def test_api_export_errors(service: str) -> None:
    response = httpx.get(f"{service}/export/pdf")
    assert response.status_code == 422 and "unknown export format 'pdf'" in response.text
    response = httpx.get(f"{service}/export/gexf", params={"around": "crc", "depth": 9})
    assert response.status_code == 422 and "depth 9 is out of range" in response.text
    response = httpx.get(f"{service}/export/gexf", params={"aggregate": "galaxies"})
    assert response.status_code == 422 and "unknown aggregate" in response.text
    listed = httpx.get(f"{service}/export").json()["formats"]
    assert {f["name"] for f in listed} == set(FORMATS)


def test_cli_export(
    store: EmbeddedStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = [sys.executable, "-m", "treatygraph", "export", "--format", "gexf"]
    command += ["--store", str(store.path), "-o", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    g = nx.read_gexf(tmp_path / "treatygraph.gexf", node_type=str)
    assert g.number_of_nodes() == len(network.build_view(store).graph)
    out = tmp_path / "one.ttl"
    args = ["export", "--format", "turtle", "-o", str(out), "--resolution", EXTRA_SYMBOL]
    assert main([*args, "--store", str(store.path)]) == 0
    assert len(rdflib.Graph().parse(out, format="turtle")) > 50
    assert not list(tmp_path.glob(".*partial"))
    assert capsys.readouterr().err.startswith(f"wrote {out} (")
    code = main(["export", "--format", "dot", "--around", "x", "--store", str(store.path)])
    assert code == 2 and capsys.readouterr().err.startswith("treatygraph: no node 'x'")
