"""The SPARQL 1.1 Protocol over real HTTP: channels, negotiation, formats, errors, CORS."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from treatygraph.store import open_store

if TYPE_CHECKING:
    from conftest import Service

    StartApp = Callable[..., AbstractContextManager[Service]]

TG = "https://w3id.org/treatygraph/ontology#"
SELECT = f"PREFIX tg: <{TG}> SELECT ?p ?t WHERE {{ ?p tg:text ?t }} ORDER BY ?p LIMIT 5"
CONSTRUCT = f"PREFIX tg: <{TG}> CONSTRUCT {{ ?c tg:cites ?i }} WHERE {{ ?c tg:cites ?i }}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


def get(service: Service, params: object, **headers: str) -> httpx.Response:
    return httpx.get(service.sparql, params=params, headers=headers, timeout=30)  # type: ignore[arg-type]


def post(service: Service, content: bytes | str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(service.sparql, content=content, headers=headers, timeout=30)


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    doc = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def test_three_ways_to_ask(service: Service) -> None:
    by_get = bindings(get(service, {"query": SELECT}))
    by_form = bindings(post(service, httpx.QueryParams({"query": SELECT}).__str__(), FORM))
    by_body = bindings(post(service, SELECT.encode(), DIRECT))
    assert by_get == by_form == by_body
    assert len(by_get) == 5


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "*/*", ""])
def test_json_is_the_default(service: Service, accept: str) -> None:
    response = get(service, {"query": SELECT}, accept=accept)
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv; charset=utf-8"),
        ("text/tab-separated-values, text/*;q=0.1", "text/tab-separated-values; charset=utf-8"),
        ("application/json", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_negotiation_by_q_values(service: Service, accept: str, expected: str) -> None:
    response = get(service, {"query": SELECT}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "text/turtle; charset=utf-8"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/sparql-results+json, application/json;q=0.5", "application/json"),
    ],
)
def test_graph_negotiation(service: Service, accept: str, expected: str) -> None:
    response = get(service, {"query": CONSTRUCT}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected


def test_406_when_nothing_fits(service: Service) -> None:
    for query in (SELECT, CONSTRUCT):
        response = get(service, {"query": query}, accept="image/png")
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/problem+json"
    # a SELECT asked only in an RDF syntax: the worker tells the kinds apart
    response = get(service, {"query": SELECT}, accept="text/turtle")
    assert response.status_code == 406
    assert "query results" in response.json()["detail"]


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_result_formats_parse_back(service: Service, name: str) -> None:
    media = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }[name]
    body = get(service, {"query": SELECT}, accept=media).content
    if name == "json":
        rows = [b["t"]["value"] for b in json.loads(body)["results"]["bindings"]]
    elif name == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        rows = [
            b[0].text or ""
            for b in ET.fromstring(body).iter(f"{ns}binding")
            if b.get("name") == "t"
        ]
    elif name == "csv":
        rows = [r["t"] for r in csv.DictReader(io.StringIO(body.decode(), newline=""))]
    else:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        rows = [s["t"].value for s in parsed]  # type: ignore[union-attr]
    assert len(rows) == 5
    assert all('"quoted", tab\there\nline <x> & é' in r for r in rows)


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_graph_formats_parse_back(service: Service, media: str, rdflib_format: str) -> None:
    body = get(service, {"query": CONSTRUCT}, accept=media).text
    graph = rdflib.Graph().parse(data=body, format=rdflib_format)
    expected = get(service, {"query": f"SELECT (COUNT(*) AS ?n) {{ ?c <{TG}cites> ?i }}"})
    assert len(graph) == int(bindings(expected)[0]["n"]) > 0


def test_ask(service: Service) -> None:
    assert get(service, {"query": "ASK { ?s ?p ?o }"}).json() == {"head": {}, "boolean": True}
    xml = get(service, {"query": "ASK { <urn:x> ?p ?o }"}, accept="application/sparql-results+xml")
    assert "<boolean>false</boolean>" in xml.text


def test_service_description(service: Service) -> None:
    response = get(service, {})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(service.sparql)
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (endpoint, sd.feature, sd.BasicFederatedQuery) not in graph
    jsonld = get(service, {}, accept="application/ld+json")
    assert rdflib.Graph().parse(data=jsonld.text, format="json-ld").isomorphic(graph)


def test_browser_gets_the_query_page(service: Service) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = get(service, {}, accept=accept)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="sparql-config"' in page.text and "data-example" in page.text
    assert "/static/sparql.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text.split("<body")[0]
    script = httpx.get(f"{service.url}/static/sparql.js")
    assert script.status_code == 200 and "Yasgui" in script.text


def test_page_config_cannot_close_its_script(service: Service) -> None:
    page = get(service, {}, accept="text/html").text
    config = page.split('id="sparql-config">', 1)[1].split("</script>", 1)[0]
    assert "<" not in config
    assert json.loads(config)["endpoint"] == service.sparql


# --- the W3C protocol's negative cases (and a few more), each answered with 4xx -------------

NEGATIVE = {
    "two queries by GET": ("GET", "query=ASK%7B%7D&query=ASK%7B%7D", None, b"", 400),
    "two queries by form": ("POST", "", FORM, b"query=ASK%7B%7D&query=ASK%7B%7D", 400),
    "query in URL and body": ("POST", "query=ASK%7B%7D", DIRECT, b"ASK {}", 400),
    "wrong media type": ("POST", "", {"Content-Type": "text/plain"}, b"ASK {}", 415),
    "missing form type": ("POST", "", None, b"query=ASK%7B%7D", 415),
    "missing direct type": ("POST", "", None, b"ASK {}", 415),
    "non-UTF-8 body": ("POST", "", DIRECT, "ASK { ?s ?p 'é' }".encode("latin-1"), 400),
    "non-UTF-8 form": ("POST", "", FORM, b"query=ASK%7B%3Fs%3Fp%27%E9%27%7D", 400),
    "non-UTF-8 charset": (
        "POST",
        "",
        {"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
        b"ASK {}",
        415,
    ),
    "empty query by GET": ("GET", "query=", None, b"", 400),
    "blank query by body": ("POST", "", DIRECT, b"  \n ", 400),
    "no query by form": ("POST", "", FORM, b"default-graph-uri=urn%3Ag", 400),
    "syntax error": ("GET", "query=SELECT%20%2A%20WHERE%20%7B", None, b"", 400),
    "bad graph IRI": ("GET", "query=ASK%7B%7D&default-graph-uri=not%20an%20iri", None, b"", 400),
    "update by GET": ("GET", "update=DROP%20ALL", None, b"", 403),
    "update by form": ("POST", "", FORM, b"update=DROP%20ALL", 403),
    "query and update": ("POST", "", FORM, b"query=ASK%7B%7D&update=DROP%20ALL", 403),
    "PUT": ("PUT", "default", {"Content-Type": "text/turtle"}, b"<a:a> <a:b> <a:c> .", 405),
    "DELETE": ("DELETE", "default", None, b"", 405),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_negative_protocol_cases(service: Service, case: str) -> None:
    method, query_string, headers, body, status = NEGATIVE[case]
    url = f"{service.sparql}?{query_string}" if query_string else service.sparql
    request = httpx.Request(method, url, content=body, headers=headers or {})
    if headers is None:
        request.headers.pop("content-type", None)
    response = httpx.Client(timeout=30).send(request)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    assert "Traceback" not in response.text


def test_request_body_limit(service: Service) -> None:
    padding = "#" + "x" * 1_100_000 + "\nASK {}"
    response = post(service, padding.encode(), DIRECT)
    assert response.status_code == 413
    chunked = httpx.post(service.sparql, content=iter([padding.encode()]), headers=DIRECT)
    assert chunked.status_code == 413


def test_protocol_dataset_names_graphs_in_the_store(service: Service) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    everything = bindings(get(service, {"query": count}))[0]["n"]
    assert int(everything) > 200
    nothing = get(service, {"query": count, "default-graph-uri": "urn:treatygraph:nothing"})
    assert bindings(nothing)[0]["n"] == "0"
    named_only = get(service, {"query": count, "named-graph-uri": "urn:treatygraph:nothing"})
    assert bindings(named_only)[0]["n"] == "0"  # an explicit dataset has no other graphs


def test_errors_are_problem_documents(service: Service) -> None:
    missing = httpx.get(f"{service.url}/no/such/page")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_cors(service: Service) -> None:
    origin = {"Origin": "https://example.org"}
    response = get(service, {"query": "ASK {}"}, **origin)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(
        service.sparql,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


QUERIES_BOTH = [
    SELECT,
    f"PREFIX tg: <{TG}> SELECT ?i (COUNT(?c) AS ?n) {{ ?c tg:cites ?i }} GROUP BY ?i ORDER BY ?i",
    "ASK { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", QUERIES_BOTH)
def test_embedded_and_remote_services_agree(
    service: Service, remote_service: Service, query: str
) -> None:
    answers = [get(s, {"query": query}).json() for s in (service, remote_service)]
    assert answers[0] == answers[1]
    construct = [
        rdflib.Graph().parse(data=get(s, {"query": CONSTRUCT}).text, format="turtle")
        for s in (service, remote_service)
    ]
    assert construct[0].isomorphic(construct[1])


def test_answers_follow_a_new_load(tmp_path: Path, seed_nt: Path, start_app: StartApp) -> None:
    """Answers may be cached, but never past a load: the next query sees the new graph."""
    store = open_store(tmp_path / "store", read_only=False)
    store.load(seed_nt)
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    with start_app(str(tmp_path / "store")) as running:
        before = bindings(get(running, {"query": count}))[0]["n"]
        assert bindings(get(running, {"query": count}))[0]["n"] == before  # from the cache
        smaller = tmp_path / "one.nt"
        smaller.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
        store.load(smaller)
        assert bindings(get(running, {"query": count}))[0]["n"] == "1"
