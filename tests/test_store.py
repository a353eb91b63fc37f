"""The stores: atomic loads, the same answers embedded and remote, safe bindings, formats."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest
import rdflib
import yaml

from tests.conftest import check_remote_load_is_all_or_nothing
from treatygraph.store import (
    FORMATS,
    Boolean,
    EmbeddedStore,
    LoadError,
    QueryResult,
    QueryTimeout,
    ReadOnlyStore,
    ResultTooLarge,
    Solutions,
    Store,
    StoreUnavailable,
    Triples,
    bind_values,
    open_store,
    scan,
    serialize,
)

if TYPE_CHECKING:
    from conftest import Listener, OxigraphServer

    StartOxigraph = Callable[[Path], AbstractContextManager[OxigraphServer]]

BASE = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
PREFIX = f"PREFIX tg: <{TG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = {
    "instruments": PREFIX + "SELECT ?i ?label WHERE { ?i a tg:Instrument ; rdfs:label ?label }",
    "most cited": PREFIX
    + "SELECT ?i (COUNT(?c) AS ?n) WHERE { ?c tg:cites ?i } GROUP BY ?i ORDER BY DESC(?n) ?i",
    "optional": PREFIX
    + "SELECT ?p ?c WHERE { ?p a tg:Paragraph OPTIONAL { ?c tg:inParagraph ?p } } LIMIT 500",
    "filter": PREFIX + 'SELECT ?p WHERE { ?p tg:text ?t FILTER(CONTAINS(?t, "op 3")) }',
    "ask yes": PREFIX + "ASK { ?c tg:cites ?i }",
    "ask no": PREFIX + "ASK { ?c tg:cites tg:nothing }",
    "construct": PREFIX + "CONSTRUCT { ?c tg:cites ?i } WHERE { ?c tg:cites ?i }",
    "describe": f"DESCRIBE <{BASE}instrument/crc>",
}
BOUND: dict[str, tuple[str, dict[str, ox.NamedNode | ox.Literal]]] = {
    "bound iri": (
        PREFIX + "SELECT ?c ?i WHERE { ?c tg:cites ?i }",
        {"i": ox.NamedNode(f"{BASE}instrument/crc")},
    ),
    "bound literal": (
        PREFIX + "SELECT ?i ?label WHERE { ?i rdfs:label ?label }",
        {"label": ox.Literal("Paris Agreement", language="en")},
    ),
    "bound in filter": (
        PREFIX + "SELECT ?c ?i WHERE { ?c tg:cites ?j FILTER(?j = ?i) }",
        {"i": ox.NamedNode(f"{BASE}instrument/udhr")},
    ),
}


def normalise(result: QueryResult) -> object:
    """A comparable value: a set of rows (as N-Triples terms) or of triples, or a bool."""
    if isinstance(result, Boolean):
        return result.value
    if isinstance(result, Triples):
        return {str(t) for t in result.triples}
    return {
        tuple(sorted((v, str(t)) for v, t in zip(result.variables, row, strict=False) if t))
        for row in result.rows
    }


@pytest.fixture(scope="module")
def stores(embedded_spec: str, remote_spec: str) -> dict[str, Store]:
    return {
        "embedded": open_store(embedded_spec, read_only=True),
        "remote": open_store(remote_spec, read_only=True),
    }


def test_counts(stores: dict[str, Store], seed_size: int) -> None:
    for store in stores.values():
        assert store.triple_count() == seed_size


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_answers(stores: dict[str, Store], name: str) -> None:
    answers = [normalise(s.query(QUERIES[name], timeout=10)) for s in stores.values()]
    assert answers[0] == answers[1]
    assert answers[0] not in (set(), None)  # each query finds something (or a bool)


@pytest.mark.parametrize("name", sorted(BOUND))
def test_same_answers_with_bindings(stores: dict[str, Store], name: str) -> None:
    query, bindings = BOUND[name]
    answers = [normalise(s.query(query, bindings=bindings, timeout=10)) for s in stores.values()]
    assert answers[0] == answers[1]
    assert answers[0]


def test_bindings_are_terms_not_text(stores: dict[str, Store], seed_size: int) -> None:
    """A hostile literal stays a literal: no syntax error, no injected pattern, no update."""
    hostile = ox.Literal('x" } } DROP ALL ; INSERT DATA { <a:a> <a:b> "c" } #\n} SELECT * {')
    query = PREFIX + "SELECT * WHERE { ?i rdfs:label ?label }"
    for store in stores.values():
        result = store.query(query, bindings={"label": hostile}, timeout=10)
        assert normalise(result) == set()
        assert store.triple_count() == seed_size


def test_bind_values_placement() -> None:
    iri = {"x": ox.NamedNode("http://e/x")}
    assert bind_values("SELECT * { ?x ?p ?o }", iri) == (
        "SELECT * { VALUES (?x) { (<http://e/x>) } ?x ?p ?o }"
    )
    # a sub-select takes no VALUES before it, nor does a short CONSTRUCT's template
    assert bind_values("SELECT * { SELECT ?x { ?x ?p ?o } }", iri).endswith(
        "\nVALUES (?x) { (<http://e/x>) }"
    )
    assert bind_values("CONSTRUCT WHERE { ?x ?p ?o }", iri).endswith(
        "VALUES (?x) { (<http://e/x>) }"
    )
    construct = bind_values("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", iri)
    assert construct.startswith("CONSTRUCT { ?x ?p ?o } WHERE { VALUES")
    # EXISTS in the projection is not the WHERE group
    projected = bind_values("SELECT (EXISTS { ?x ?p ?o } AS ?e) WHERE { ?x ?p ?o }", iri)
    assert "WHERE { VALUES" in projected
    with pytest.raises(ValueError, match="variable name"):
        bind_values("SELECT * { ?x ?p ?o }", {"x ?y": ox.NamedNode("http://e/x")})
    with pytest.raises(ValueError, match="only IRIs and literals"):
        bind_values("SELECT * { ?x ?p ?o }", {"x": ox.BlankNode()})
    with pytest.raises(ValueError, match="already ends with VALUES"):
        bind_values("SELECT * { SELECT * { ?x ?p ?o } } VALUES ?y { 1 }", iri)


def test_scan_sees_through_strings_iris_and_comments() -> None:
    hidden = scan('SELECT * { ?s <http://e/SERVICE> "DROP" } # SERVICE <http://x/> {}\n')
    assert not hidden.has_service and not hidden.update_keywords
    assert scan("SELECT * { ?s ?p ?o . service <http://x/> { } }").has_service
    assert scan("PREFIX : <http://x/> SELECT * { SERVICE:a { ?s ?p ?o } }").has_service
    assert scan("select * {{{{ ?s ?p ?o }}}}").depth == 4
    assert scan("CLEAR ALL").update_keywords == {"CLEAR", "ALL"} & {"CLEAR"}


# --- loads --------------------------------------------------------------------------------------


def test_embedded_load_is_atomic(tmp_path: Path, seed_nt: Path, seed_size: int) -> None:
    spec = tmp_path / "store"
    writer = open_store(spec, read_only=False)
    reader = open_store(spec, read_only=True)
    with pytest.raises(StoreUnavailable, match="load a graph first"):
        reader.query("ASK {}", timeout=1)
    assert writer.load(seed_nt) == seed_size
    assert reader.triple_count() == seed_size

    broken = tmp_path / "broken.nt"
    broken.write_text(seed_nt.read_text() + "<http://e/a> <http://e/b> oops .\n")
    with pytest.raises(LoadError, match="previous store is unchanged"):
        writer.load(broken)
    assert reader.triple_count() == seed_size
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("store.")]) == 1

    smaller = tmp_path / "smaller.ttl"
    smaller.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    assert writer.load(smaller) == 1
    assert reader.triple_count() == 1  # the reader follows the swap by itself
    assert spec.is_symlink()


def test_embedded_trusted_load(tmp_path: Path, seed_nt: Path, seed_size: int) -> None:
    """A file treatygraph wrote loads without its IRIs checked again: the same store; a file
    that is not N-Triples is still refused, and the previous generation kept."""
    checked = open_store(tmp_path / "checked" / "store", read_only=False)
    trusted = open_store(tmp_path / "trusted" / "store", read_only=False)
    assert isinstance(trusted, EmbeddedStore)
    assert checked.load(seed_nt) == seed_size
    assert trusted.load(seed_nt, trusted=True) == seed_size
    every = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    for store in (checked, trusted):
        result = store.query(every, timeout=10)
        assert isinstance(result, Triples)
        assert {str(t) for t in result.triples} == {
            ln.removesuffix(" .") for ln in seed_nt.read_text("utf-8").splitlines()
        }

    broken = tmp_path / "broken.nt"
    broken.write_text(seed_nt.read_text() + "<http://e/a> <http://e/b> oops .\n")
    with pytest.raises(LoadError, match="previous store is unchanged"):
        trusted.load(broken, trusted=True)
    assert trusted.triple_count() == seed_size
    bad_iri = tmp_path / "bad-iri.nt"
    bad_iri.write_text("<http://e/a> <http://e/b> <not an iri> .\n")
    with pytest.raises(LoadError):
        checked.load(bad_iri)  # checked: refused; trusted it would go in (hence: own files only)


def test_read_only_store_refuses_loads(embedded_spec: str, remote_spec: str, seed_nt: Path) -> None:
    for spec in (embedded_spec, remote_spec):
        with pytest.raises(ReadOnlyStore):
            open_store(spec, read_only=True).load(seed_nt)


def test_remote_load_is_all_or_nothing(
    tmp_path: Path,
    seed_nt: Path,
    seed_size: int,
    start_oxigraph: StartOxigraph,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with start_oxigraph(tmp_path / "db") as with_server:
        store = open_store(with_server.spec, read_only=False)
        check_remote_load_is_all_or_nothing(store, tmp_path, seed_nt, seed_size, monkeypatch)


def test_remote_without_graph_store_protocol(
    tmp_path: Path, seed_nt: Path, seed_size: int, start_oxigraph: StartOxigraph
) -> None:
    """Servers without GSP are loaded with SPARQL Update batches."""
    with start_oxigraph(tmp_path / "db") as with_server:
        spec = f"{with_server.spec}?gsp="
        store = open_store(spec, read_only=False)
        assert store.endpoints.gsp is None  # type: ignore[union-attr]
        assert store.load(seed_nt) == seed_size
        assert store.triple_count() == seed_size


def test_remote_down_or_slow(make_listener: type[Listener], free_port: int) -> None:
    down = open_store(f"sparql+http://127.0.0.1:{free_port}/query", read_only=True)
    with pytest.raises(StoreUnavailable, match="cannot reach"):
        down.query("ASK {}", timeout=2)
    with contextlib.closing(make_listener()) as hanging:
        slow = open_store(f"sparql+{hanging.url}/query", read_only=True)
        with pytest.raises(QueryTimeout, match=r"did not answer within 0\.5 s"):
            slow.query("ASK {}", timeout=0.5)


# --- serialisations -----------------------------------------------------------------------------


def test_result_formats_parse_back(stores: dict[str, Store]) -> None:
    query = PREFIX + "SELECT ?p ?t ?n WHERE { ?p tg:text ?t ; tg:number ?n } ORDER BY ?p"
    for store in stores.values():
        rows = {}
        for name in ("json", "xml", "csv", "tsv"):
            result = store.query(query, timeout=10)
            rows[name] = _parse_results(name, serialize(result, FORMATS[name], max_rows=None))
        texts = {r[1] for r in rows["json"]}
        assert any('"quoted", tab\there\nline <x> & é' in t for t in texts)
        assert rows["json"] == rows["xml"] == rows["csv"] == rows["tsv"]


def _parse_results(name: str, body: bytes) -> list[tuple[str, ...]]:
    if name == "json":
        doc = json.loads(body)
        return [
            tuple(b[v]["value"] for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]
        ]
    if name == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(body)
        return [
            tuple(b[0].text or "" for b in result.findall("r:binding", ns))
            for result in root.iter("{http://www.w3.org/2005/sparql-results#}result")
        ]
    if name == "csv":
        return [tuple(r) for r in list(csv.reader(io.StringIO(body.decode(), newline="")))[1:]]
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return [tuple(t.value for t in row if t is not None) for row in parsed]


@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")],
)
def test_graph_formats_parse_back(stores: dict[str, Store], name: str, rdflib_format: str) -> None:
    for store in stores.values():
        result = store.query(QUERIES["describe"], timeout=10)
        graph = rdflib.Graph().parse(
            data=serialize(result, FORMATS[name], max_rows=None), format=rdflib_format
        )
        assert len(graph) == 3  # type, label, adoptedOn


def test_row_limit(stores: dict[str, Store]) -> None:
    for store in stores.values():
        result = store.query("SELECT * { ?s ?p ?o }", timeout=10)
        with pytest.raises(ResultTooLarge, match="more than 10 rows"):
            serialize(result, FORMATS["json"], max_rows=10)
        graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }", timeout=10)
        with pytest.raises(ResultTooLarge):
            serialize(graph, FORMATS["turtle"], max_rows=10)
        ok = store.query("SELECT * { ?s ?p ?o } LIMIT 10", timeout=10)
        assert isinstance(ok, Solutions)
        assert json.loads(serialize(ok, FORMATS["json"], max_rows=10))["results"]["bindings"]


# --- the real graph -----------------------------------------------------------------------------


def _shared_queries() -> list[Path]:
    """queries/*.rq that need no parameter."""
    found = []
    for path in sorted(Path(__file__).parent.parent.glob("queries/*.rq")):
        header = [ln[2:] for ln in path.read_text().splitlines() if ln.startswith("#+")]
        meta = yaml.safe_load("\n".join(header)) if header else {}
        parameters = (meta or {}).get("parameters") or {}
        if all(isinstance(p, dict) and p.get("required") is False for p in parameters.values()):
            found.append(path)
    return found


def test_real_graph_same_answers(
    tmp_path: Path, seed_graph: Path, start_oxigraph: StartOxigraph
) -> None:
    """The built graph answers the project's queries alike on both stores."""
    embedded = open_store(tmp_path / "store", read_only=False)
    size = embedded.load(seed_graph)
    queries = [
        "SELECT ?class (COUNT(?s) AS ?n) { ?s a ?class } GROUP BY ?class",
        "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        *(path.read_text() for path in _shared_queries()),
    ]
    with start_oxigraph(tmp_path / "db") as server:
        remote = open_store(server.spec, read_only=False)
        assert remote.load(seed_graph) == size == remote.triple_count() > 1000
        for query in queries:
            answers = [normalise(s.query(query, timeout=30)) for s in (embedded, remote)]
            assert answers[0] == answers[1], query[:200]
