"""A researcher's notebook: the endpoint through SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

if TYPE_CHECKING:
    from conftest import Service

TG = rdflib.Namespace("https://w3id.org/treatygraph/ontology#")
MOST_CITED = f"""
PREFIX tg: <{TG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label (COUNT(?c) AS ?n)
WHERE {{ ?c tg:cites ?i . ?i rdfs:label ?label }}
GROUP BY ?label
ORDER BY DESC(?n) ?label
"""


def test_sparqlwrapper_select_and_construct(service: Service) -> None:
    sparql = SPARQLWrapper(service.sparql)
    sparql.setQuery(MOST_CITED)
    sparql.setReturnFormat(JSON)
    table = sparql.queryAndConvert()
    assert isinstance(table, dict)
    counts = [(b["label"]["value"], int(b["n"]["value"])) for b in table["results"]["bindings"]]
    assert len(counts) == 10 and counts == sorted(counts, key=lambda x: (-x[1], x[0]))

    sparql.setReturnFormat(XML)  # the XML route, as older notebooks use
    assert sparql.queryAndConvert().getElementsByTagName("result").length == 10  # type: ignore[union-attr]

    sparql.setQuery(f"PREFIX tg: <{TG}> CONSTRUCT {{ ?c tg:cites ?i }} WHERE {{ ?c tg:cites ?i }}")
    sparql.setReturnFormat(TURTLE)
    graph = sparql.queryAndConvert()
    assert isinstance(graph, bytes)
    cites = rdflib.Graph().parse(data=graph, format="turtle")
    assert len(cites) == sum(n for _, n in counts)


def test_rdflib_sparqlstore(service: Service) -> None:
    graph = rdflib.Graph(store=SPARQLStore(service.sparql, returnFormat="json"))
    counts = [(str(label), int(n)) for label, n in graph.query(MOST_CITED)]  # type: ignore[misc]
    assert len(counts) == 10
    crc = rdflib.URIRef("https://w3id.org/treatygraph/id/instrument/crc")
    assert (crc, rdflib.RDF.type, TG.Instrument) in graph
    labels = list(graph.objects(crc, rdflib.RDFS.label))
    assert labels == [rdflib.Literal("Convention on the Rights of the Child", lang="en")]
    citing = set(graph.subjects(TG.cites, crc))
    assert citing and all("/citation/" in str(c) for c in citing)
    ask = graph.query(f"ASK {{ ?c <{TG.cites}> <{crc}> }}")
    assert ask.askAnswer is True
