"""Linked data over real HTTP: every IRI under the base dereferences (303 to a document
chosen by Accept), and the documents are Turtle, N-Triples, JSON-LD or HTML about it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

import treatygraph as graph
from tests.support.lookups import BASE, SEED, shared_service
from treatygraph.rdf import mapping as rdf

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SUBJECTS = sorted(
    {t.subject.value for t in rdf.triples([graph.read(SEED)], base=BASE)}
    - {""}  # every node has an IRI: no blank nodes to leave out
)
# The concepts whose labels the data graph carries keep their ontology IRIs (tg:intent-…).
ONTOLOGY_TERMS = [s for s in SUBJECTS if s.startswith("https://w3id.org/treatygraph/ontology#")]
SUBJECTS = [s for s in SUBJECTS if s not in ONTOLOGY_TERMS]


def shape(rest: str) -> str:
    """resolution/A-RES-77-194/op/5 → resolution/X/op/N: one sample of each kind of node."""
    head, *tail = rest.split("/")
    return "/".join([head, *("N" if part.isdigit() else "X" for part in tail)])


SAMPLES = {shape(s[len(BASE) :]): s[len(BASE) :] for s in reversed(SUBJECTS)}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_service(), timeout=30) as c:
        yield c


def test_every_iri_under_the_base_dereferences(client: httpx.Client) -> None:
    assert len(SUBJECTS) > 500 and all(s.startswith(BASE) for s in SUBJECTS)
    for iri in SUBJECTS:
        rest = iri[len(BASE) :]
        answer = client.get(f"/id/{rest}", headers={"Accept": "application/n-triples"})
        assert answer.status_code == 303, iri
        assert answer.headers["location"] == f"/data/{rest}.nt"
        assert "Accept" in answer.headers["vary"]


@pytest.mark.parametrize("rest", sorted(SAMPLES.values()))
def test_each_kind_of_node_reads_back_in_every_syntax(client: httpx.Client, rest: str) -> None:
    iri = ox.NamedNode(BASE + rest)
    graphs = {}
    for accept, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        answer = client.get(f"/id/{rest}", headers={"Accept": accept}, follow_redirects=True)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
        assert answer.headers["link"] == f'<{iri.value}>; rel="describes"'
        graphs[accept] = {q.triple for q in ox.parse(answer.content, format=fmt)}
        assert any(t.subject == iri for t in graphs[accept]), (rest, accept)
    assert graphs["text/turtle"] == graphs["application/n-triples"] == graphs["application/ld+json"]


@pytest.mark.parametrize(
    ("rest", "page"),
    [
        ("resolution/A-RES-77-194", "/resolutions/A-RES-77-194"),
        ("resolution/A-RES-77-194/op/5", "/resolutions/A-RES-77-194/paragraphs/op5"),
        ("resolution/A-RES-77-194/pp/3", "/resolutions/A-RES-77-194/paragraphs/pp3"),
        ("instrument/crc", "/instruments/crc"),
        ("unts/1577/27531", "/unts/1577/27531"),
        ("resolution/A-RES-77-194/fn/19", "/data/resolution/A-RES-77-194/fn/19.html"),
        ("body/general-assembly", "/data/body/general-assembly.html"),
    ],
)
def test_a_browser_is_sent_to_a_page(client: httpx.Client, rest: str, page: str) -> None:
    answer = client.get(f"/id/{rest}", headers={"Accept": BROWSER})
    assert answer.status_code == 303 and answer.headers["location"] == page
    html = client.get(page, headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<h1>" in html.text or "<h1 " in html.text


def test_head_answers_like_get(client: httpx.Client) -> None:
    assert client.head("/id/unts/1577/27531").headers["location"] == "/data/unts/1577/27531.ttl"
    answer = client.head("/data/unts/1577/27531.ttl")
    assert answer.status_code == 200 and answer.content == b""


def test_the_default_and_json(client: httpx.Client) -> None:
    assert client.get("/id/instrument/crc").headers["location"] == "/data/instrument/crc.ttl"
    json_accept = {"Accept": "application/json"}
    assert (
        client.get("/id/instrument/crc", headers=json_accept).headers["location"]
        == "/instruments/crc"
    )
    assert client.get("/id/build/x", headers=json_accept).status_code == 404
    refused = client.get("/id/instrument/crc", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_a_resolution_document_holds_its_paragraphs(client: httpx.Client) -> None:
    answer = client.get("/data/resolution/A-RES-77-194.nt")
    triples = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    paragraphs = {t.subject.value for t in triples if re.search(r"/(pp|op)/\d+$", t.subject.value)}
    assert len(paragraphs) == 88


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/id/instrument/no-such-thing", 404),
        ("/id/nothing", 404),
        ("/data/instrument/crc", 404),  # no extension
        ("/data/instrument/crc.pdf", 404),
        ("/data/instrument/nope.ttl", 404),
        ("/id/instrument/%00", 422),
        ("/id/" + "x" * 10_000, 422),
    ],
)
def test_unknown_iris_are_not_found(client: httpx.Client, path: str, status: int) -> None:
    answer = client.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == status
    assert answer.json()["parameter"] == "path"
