"""What /sparql adds to a query, and what it says when a query is wrong.

- A base IRI: relative IRIs resolve against ``TREATYGRAPH_QUERY_BASE`` (the graph's base by
  default); a query's own ``BASE`` wins.
- Predeclared prefixes (tg, cito, eli, dcterms, oa, skos, prov, rdf, rdfs, xsd, owl); a
  query's own ``PREFIX`` lines win. The service description and the query page say so.
- Syntax errors in words: line, column, the line with a caret, what was expected; an
  undeclared prefix named, with the PREFIX line to add.

On the embedded store and on the remote store (an Oxigraph server), both behind the service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox
import pytest

from treatygraph.api.query_policy import PREDECLARED
from treatygraph.rdf.vocab import PREFIXES
from treatygraph.store.syntax import explain

if TYPE_CHECKING:
    from tests.conftest import Service

    StartApp = Callable[..., AbstractContextManager[Service]]

GRAPH_BASE = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
JSON = "application/sparql-results+json"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(params=["embedded", "remote"])
def endpoint(request: pytest.FixtureRequest) -> Service:
    """The service on the embedded store, then on the remote one (an Oxigraph server)."""
    service: Service = request.getfixturevalue(
        "service" if request.param == "embedded" else "remote_service"
    )
    return service


def ask(service: Service, query: str, accept: str = JSON) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-query", "Accept": accept}
    return httpx.post(service.sparql, content=query.encode(), headers=headers, timeout=30)


def values(response: httpx.Response, variable: str) -> list[str]:
    assert response.status_code == 200, response.text
    return [b[variable]["value"] for b in response.json()["results"]["bindings"]]


# --- the base IRI ----------------------------------------------------------------------------

RELATIVE = {
    "SELECT (<x> AS ?y) {}": GRAPH_BASE + "x",
    "SELECT (<instrument/crc> AS ?y) {}": GRAPH_BASE + "instrument/crc",
    "SELECT (<../ontology#Instrument> AS ?y) {}": "https://w3id.org/treatygraph/ontology#Instrument",
    "BASE <http://example.org/a/> SELECT (<x> AS ?y) {}": "http://example.org/a/x",
}


@pytest.mark.parametrize("query", RELATIVE)
def test_relative_iris_resolve_against_the_base(endpoint: Service, query: str) -> None:
    assert values(ask(endpoint, query), "y") == [RELATIVE[query]]


def test_a_construct_with_relative_iris_answers_rdf(endpoint: Service) -> None:
    """The W3C test query_content_type_construct."""
    answer = ask(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", accept="application/n-triples")
    assert answer.status_code == 200, answer.text
    assert answer.text.strip() == (
        f'<{GRAPH_BASE}s> <{GRAPH_BASE}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )


def test_the_base_is_a_setting(start_app: StartApp, embedded_spec: str) -> None:
    with start_app(embedded_spec, query_base="http://example.org/q/") as service:
        assert values(ask(service, "SELECT (<x> AS ?y) {}"), "y") == ["http://example.org/q/x"]


def test_the_relative_iri_of_a_resource_finds_it(service: Service) -> None:
    query = "SELECT ?title { <instrument/crc> <http://www.w3.org/2000/01/rdf-schema#label> ?title }"
    assert values(ask(service, query), "title") == ["Convention on the Rights of the Child"]


# --- predeclared prefixes --------------------------------------------------------------------


def test_the_predeclared_prefixes_are_the_vocabulary_tables() -> None:
    assert set(PREDECLARED) == {
        "tg", "cito", "eli", "dcterms", "oa", "skos", "prov", "rdf", "rdfs", "xsd", "owl"
    }  # fmt: skip
    assert all(PREDECLARED[name] == PREFIXES[name] for name in PREDECLARED)


@pytest.mark.parametrize("name", sorted(PREDECLARED))
def test_a_query_may_use_a_common_prefix_undeclared(endpoint: Service, name: str) -> None:
    assert values(ask(endpoint, f"SELECT ({name}:x AS ?y) {{}}"), "y") == [PREDECLARED[name] + "x"]


def test_an_undeclared_tg_query_answers_as_a_declared_one(endpoint: Service) -> None:
    query = "SELECT (COUNT(*) AS ?n) { ?citation tg:cites ?instrument }"
    plain = values(ask(endpoint, query), "n")
    declared = values(ask(endpoint, f"PREFIX tg: <{TG}>\n{query}"), "n")
    assert plain == declared and int(plain[0]) > 0


def test_the_query_s_own_prefix_wins(endpoint: Service) -> None:
    query = "PREFIX tg: <http://example.org/other#>\nSELECT (tg:cites AS ?y) {}"
    assert values(ask(endpoint, query), "y") == ["http://example.org/other#cites"]


def test_a_service_clause_is_checked_with_the_predeclared_prefixes(service: Service) -> None:
    answer = ask(service, "SELECT * { SERVICE <http://example.org/sparql> { ?s tg:cites ?o } }")
    assert answer.status_code == 403
    assert "<http://example.org/sparql> is not allowed" in answer.json()["detail"]


def test_the_service_description_declares_the_prefixes(service: Service) -> None:
    answer = httpx.get(service.sparql, headers={"Accept": "application/n-triples"}, timeout=30)
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    declared = {}
    for declaration in {t.object for t in triples if t.predicate.value == SH + "declare"}:
        facts = {t.predicate.value: t.object.value for t in triples if t.subject == declaration}
        declared[facts[SH + "prefix"]] = facts[SH + "namespace"]
    assert declared == PREDECLARED
    comment = next(t.object.value for t in triples if t.predicate.value.endswith("#comment"))
    assert "tg:" in comment and f"<{GRAPH_BASE}>" in comment


def test_the_query_page_starts_with_the_prefixes(service: Service) -> None:
    page = httpx.get(service.sparql, headers={"Accept": "text/html"}, timeout=30).text
    config = json.loads(page.split('id="sparql-config">', 1)[1].split("</script>", 1)[0])
    for name, iri in PREDECLARED.items():
        assert f"PREFIX {name}: <{iri}>\n" in config["start"]
    assert ask(service, config["start"]).status_code == 200  # the starter query runs
    assert 'title="https://w3id.org/treatygraph/ontology#">tg:</code>' in page


# --- errors in words ---------------------------------------------------------------------------

ERRORS = {  # query -> what the detail says (after "query error: ")
    "SELECT ?p ?i { ?p foaf:name ?i }": (
        "line 1, column 19: prefix 'foaf:' is not declared; add PREFIX foaf: "
        "<http://xmlns.com/foaf/0.1/>\n  SELECT ?p ?i { ?p foaf:name ?i }\n                    ^"
    ),
    "SELECT ?x {\n  ?x nope:p ?o }": (
        "line 2, column 6: prefix 'nope:' is not declared; add PREFIX nope: <...> with its "
        "namespace IRI\n    ?x nope:p ?o }\n       ^"
    ),
    "SELECT ?x {\n  ?x ?p ?o .\n  FILTER(?x = ) }": "line 3, column 18: expected one of ABS AVG",
    "SELECT (COUNT(*) AS ?n) ?s { ?s ?p ?o }": (
        "line 1, column 40: The SELECT contains a variable that is unbound"
    ),
    "SELECT * { ?s ?p <http://a b> }": "not a valid IRI",
    "SELEC * {}": "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE",
}


@pytest.mark.parametrize("query", ERRORS)
def test_a_syntax_error_says_where_and_what(service: Service, query: str) -> None:
    answer = ask(service, query)
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail.startswith("query error: ")
    assert ERRORS[query] in detail
    assert "\\u{" not in detail and "['" not in detail  # none of the parser's raw classes


def test_an_undeclared_prefix_is_named_on_the_remote_store_too(remote_service: Service) -> None:
    answer = ask(remote_service, "SELECT ?p { ?p foaf:name ?n }")
    assert answer.status_code == 400
    assert (
        "prefix 'foaf:' is not declared; add PREFIX foaf: <http://xmlns.com/foaf/0.1/>"
        in (answer.json()["detail"])
    )


@pytest.mark.parametrize("query", ["SELECT ?x WHERE { ?x ?p }", "ASK {\n  ?s ?p ?o ."])
def test_the_remote_store_s_positions_are_the_query_s(
    service: Service, remote_service: Service, query: str
) -> None:
    """The prologue the remote store puts before a query does not move its error."""
    embedded, remote = ask(service, query), ask(remote_service, query)
    assert embedded.status_code == remote.status_code == 400
    assert remote.json()["detail"] == embedded.json()["detail"]
    assert embedded.json()["detail"].startswith("query error: line ")


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ('error at 1:5: expected one of "{", [_]', "line 1, column 5: expected one of '{' here"),
        ("error at 1:5: expected one of ABS, AVG, ['0'..='9']", "expected one of ABS AVG a number"),
        ("error at 1:5: expected IRI parsing failed", "not a valid IRI"),
        ("Virtuoso 37000 Error SP030: syntax error", "Virtuoso 37000 Error SP030: syntax error"),
    ],
)
def test_a_parser_report_in_words(report: str, said: str) -> None:
    assert said in explain("ASK {?s ?p ?o}", report)
