"""The ontology in the store: the build loads the ontology, its concept schemes and the SHACL
shapes into a named graph of their own (the ontology's IRI), beside the data in the default
graph, in the same all-or-nothing load; the default graph is not the union of the two, and the
data graph carries what a query needs from the ontology (parent edges, concept labels)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest
import rdflib

from tests.conftest import ROOT
from treatygraph.build.dist import ONTOLOGY_FILE, SHAPES_FILE, store_graphs
from treatygraph.build.pipeline import run_build
from treatygraph.rdf.vocab import CITES_PARENTS, ONTOLOGY_GRAPH, TG, concept_labels
from treatygraph.store import LoadError, Solutions, open_store

if TYPE_CHECKING:
    from conftest import OxigraphServer

PREFIXES = """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX cito: <http://purl.org/spar/cito/>
"""


def file_triples(*paths: Path) -> int:
    return sum(len(list(ox.parse(path=str(p)))) for p in paths)


def ask(spec: str, query: str) -> bool:
    result = open_store(spec, read_only=True).query(PREFIXES + query, timeout=30)
    return bool(getattr(result, "value", False))


def rows(spec: str, query: str) -> list[tuple[str, ...]]:
    result = open_store(spec, read_only=True).query(PREFIXES + query, timeout=30)
    assert isinstance(result, Solutions)
    return [tuple(term.value if term else "" for term in row) for row in result.rows]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """The seed corpus built and loaded by the pipeline: dist/, the store, triples loaded."""
    work = tmp_path_factory.mktemp("ontology-graph")
    report = run_build(
        ROOT / "corpus", out_dir=work / "dist", store=str(work / "store"), progress=False
    )
    return work / "dist", str(work / "store"), report.loaded


def test_the_ontology_graph_is_loaded_from_dist(built: tuple[Path, str, int]) -> None:
    dist, _, loaded = built
    assert store_graphs(dist) == {ONTOLOGY_GRAPH: (dist / "ontology.ttl", dist / "shapes.ttl")}
    assert (dist / "ontology.ttl").read_bytes() == ONTOLOGY_FILE.read_bytes()
    assert (dist / "shapes.ttl").read_bytes() == SHAPES_FILE.read_bytes()
    data = file_triples(dist / "graph.nt")
    ontology = file_triples(dist / "ontology.ttl", dist / "shapes.ttl")
    assert loaded == data + ontology


@pytest.mark.parametrize(
    ("what", "query", "expected"),
    [
        ("the ontology is in its named graph",
         f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ tg:cites rdfs:subPropertyOf cito:cites }} }}", True),
        ("the concept schemes are in it",
         f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ tg:intent-urges skos:inScheme ?scheme }} }}",
         True),
        ("the shapes are in it",
         f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?shape sh:targetClass tg:Citation }} }}", True),
        ("the default graph is not their union",
         "ASK { tg:cites rdfs:subPropertyOf ?parent }", False),
        ("FROM reads the ontology graph as the default graph",
         f"ASK FROM <{ONTOLOGY_GRAPH}> {{ tg:cites rdfs:subPropertyOf cito:cites }}", True),
        ("concept labels are in the default graph",
         'ASK { tg:intent-urges-ratification skos:prefLabel "urges ratification"@en ; '
         'rdfs:label "urges ratification"@en }', True),
        ("the data is in the default graph only",
         f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?paragraph tg:cites ?instrument }} }}", False),
    ],
)  # fmt: skip
def test_what_each_graph_holds(
    built: tuple[Path, str, int], what: str, query: str, expected: bool
) -> None:
    assert ask(built[1], query) is expected, what


def test_every_concept_of_the_schemes_has_both_labels_in_the_data(
    built: tuple[Path, str, int],
) -> None:
    found = set(rows(built[1], "SELECT ?c ?l { ?c skos:prefLabel ?l ; rdfs:label ?l }"))
    assert {(c.iri, c.label) for c in concept_labels()} <= found
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    in_scheme = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#inScheme")
    assert len(concept_labels()) == len(set(ontology.subjects(in_scheme, None))) >= 30


def test_the_ontology_declares_the_parents_the_build_writes() -> None:
    ontology = ox.Store()
    ontology.bulk_load(path=str(ONTOLOGY_FILE))
    sub_property_of = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"
    query = f"SELECT ?parent {{ <{TG}cites> <{sub_property_of}> ?parent }}"
    declared = {row[0].value for row in ontology.query(query)}  # type: ignore[union-attr]
    assert declared == set(CITES_PARENTS)


def test_a_broken_ontology_file_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    data = tmp_path / "data.nt"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n", "utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://e/x> <http://e/y> oops .\n", "utf-8")
    store = open_store(tmp_path / "store", read_only=False)
    assert store.load(data, graphs={ONTOLOGY_GRAPH: (ONTOLOGY_FILE,)}) > 1
    before = store.triple_count()
    with pytest.raises(LoadError, match="previous store is unchanged"):
        store.load(data, graphs={ONTOLOGY_GRAPH: (ONTOLOGY_FILE, broken)})
    with pytest.raises(LoadError, match="previous store is unchanged"):
        store.load(data, graphs={"not an IRI": (ONTOLOGY_FILE,)})
    assert open_store(tmp_path / "store", read_only=True).triple_count() == before


def test_a_remote_store_loads_the_named_graph_in_the_same_step(
    tmp_path: Path, start_oxigraph: Callable[[Path], AbstractContextManager[OxigraphServer]]
) -> None:
    data = tmp_path / "data.nt"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n", "utf-8")
    with start_oxigraph(tmp_path / "oxigraph") as server:
        store = open_store(server.spec, read_only=False)
        files = (ONTOLOGY_FILE, SHAPES_FILE)
        loaded = store.load(data, graphs={ONTOLOGY_GRAPH: files})
        assert loaded == 1 + file_triples(*files) == store.triple_count()
        assert ask(
            server.spec, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s sh:targetClass tg:Citation }} }}"
        )
        assert ask(server.spec, "ASK { <http://e/a> <http://e/b> <http://e/c> }")
        assert not ask(server.spec, "ASK { tg:cites rdfs:subPropertyOf ?parent }")
        # loaded again: replaced, not added to; no staging graph left behind
        assert store.load(data, graphs={ONTOLOGY_GRAPH: files}) == store.triple_count() == loaded
        with pytest.raises(LoadError, match="graph name 'not an IRI'"):
            store.load(data, graphs={"not an IRI": files})
        assert store.triple_count() == loaded
