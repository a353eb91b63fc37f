"""Linked data: every IRI under the base dereferences, with content negotiation.

The IRI ``{base}X`` is served at ``/id/X`` (w3id.org redirects ``https://w3id.org/
treatygraph/id/X`` there). ``/id/X`` names the thing (a resolution, a paragraph, a treaty),
not a document, so it answers **303 See Other** (Cool URIs for the Semantic Web, and what
ELI does) to a document about it, chosen by ``Accept``:

- ``text/html`` → the page of a resolution, paragraph, instrument or UNTS record
  (``/resolutions/A-RES-77-194``, ...), or the generic page ``/data/X.html`` for any other node;
- ``text/turtle`` (also for ``*/*``), ``application/n-triples``, ``application/ld+json`` →
  ``/data/X.ttl``, ``/data/X.nt``, ``/data/X.jsonld``;
- ``application/json`` → the JSON of the page where there is one, else ``/data/X.jsonld``.

A document ``/data/X.{html,ttl,nt,jsonld}`` holds the resource's description: its own
statements, those of the nodes minted under its IRI (the paragraphs and footnotes of a
resolution, the evidence of a citation), the statements pointing at it, and the labels of all
it links to. An IRI the graph does not hold is a 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, unquote

import pyoxigraph as ox
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from treatygraph.api.lookup import LookupRoute, lookups
from treatygraph.api.negotiation import Offer, choose
from treatygraph.api.params import header_url
from treatygraph.api.problems import RequestProblem
from treatygraph.api.routes import pages
from treatygraph.api.routes.pages import DATA, ID, local_url
from treatygraph.named_queries.library import Graph, collect
from treatygraph.rdf.mapping import to_jsonld, to_ntriples, to_turtle

MAX_PATH = 1000
_SAFE = "-._~()"  # what treatygraph.rdf.iris keeps unencoded in a segment
# Accept → the document format; table order is the preference for */* and on ties.
OFFERS = (
    Offer("text/turtle", "ttl"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/n-triples", "nt"),
    Offer("text/html", "html"),
    Offer("application/xhtml+xml", "html"),
    Offer("application/json", "json"),
    Offer("text/plain", "nt"),
)
MEDIA = {
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "html": "text/html; charset=utf-8",
}
DESCRIBE = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {
  ?iri ?p ?o . ?o rdfs:label ?o_label .
  ?child ?cp ?co . ?co rdfs:label ?co_label .
  ?grandchild ?gp ?go .
  ?in ?ip ?iri . ?in rdfs:label ?in_label .
}
WHERE {
  {
    ?iri ?p ?o .
    OPTIONAL { ?o rdfs:label ?o_label }
  } UNION {
    ?iri ?link ?child .
    FILTER(isIRI(?child) && STRSTARTS(STR(?child), CONCAT(STR(?iri), "/")))
    ?child ?cp ?co .
    OPTIONAL { ?co rdfs:label ?co_label }
  } UNION {
    ?iri ?link1 ?middle .
    FILTER(isIRI(?middle) && STRSTARTS(STR(?middle), CONCAT(STR(?iri), "/")))
    ?middle ?link2 ?grandchild .
    FILTER(isIRI(?grandchild) && STRSTARTS(STR(?grandchild), CONCAT(STR(?middle), "/")))
    ?grandchild ?gp ?go .
  } UNION {
    ?in ?ip ?iri .
    OPTIONAL { ?in rdfs:label ?in_label }
  }
}
"""
# IRI paths that have a page of their own, and the page.
_PAGES = (
    (re.compile(r"resolution/([^/]+)"), "/resolutions/{0}"),
    (re.compile(r"resolution/([^/]+)/(pp|op)/(\d+)"), "/resolutions/{0}/paragraphs/{1}{2}"),
    (re.compile(r"instrument/([^/]+)"), "/instruments/{0}"),
    (re.compile(r"unts/(\d+)/(\d+)"), "/unts/{0}/{1}"),
)

router = APIRouter(route_class=LookupRoute, tags=["linked data"])
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get_and_head(path: str, **spec: Any) -> Callable[[Endpoint], Endpoint]:
    """Serve an endpoint for GET and for HEAD as two routes, so that each is an operation of
    its own in the OpenAPI description, with its own id (``…_get``, ``…_head``): one route
    with both methods gives both operations the same id."""

    def register(endpoint: Endpoint) -> Endpoint:
        for method in ("GET", "HEAD"):
            router.api_route(path, methods=[method], **spec)(endpoint)
        return endpoint

    return register


# --- IRIs and paths -----------------------------------------------------------------------


def canonical_path(raw: str) -> str:
    """A path as treatygraph.rdf.iris writes it: each segment decoded, then encoded the one way ids
    do.

    >>> canonical_path("resolution/A-RES-2200%28XXI%29")
    'resolution/A-RES-2200(XXI)'
    >>> canonical_path("source/a%2Fb")
    'source/a%2Fb'
    """
    if not raw or len(raw) > MAX_PATH:
        raise RequestProblem(
            404 if not raw else 422, "path: not an identifier of this graph", "path"
        )
    try:
        segments = [unquote(s, errors="strict") for s in raw.split("/")]
    except UnicodeDecodeError:  # `%FF`: percent-encoded bytes that are not UTF-8
        raise RequestProblem(
            422, "path: not an identifier of this graph (not UTF-8)", "path"
        ) from None
    if any(not s or s in (".", "..") or any(ord(ch) < 32 for ch in s) for s in segments):
        raise RequestProblem(422, "path: not an identifier of this graph", "path")
    return "/".join(quote(s, safe=_SAFE) for s in segments)


def raw_path(request: Request, prefix: str) -> str:
    """The request path after ``prefix``, as sent (still percent-encoded)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    root = str(request.scope.get("root_path", "")).rstrip("/")
    path = path.removeprefix(root)
    return path.removeprefix(prefix)


def page_path(rest: str) -> str | None:
    """The page of a resource with one (resolution, paragraph, instrument, UNTS record).

    >>> page_path("resolution/A-RES-77-194/op/5")
    '/resolutions/A-RES-77-194/paragraphs/op5'
    >>> page_path("resolution/A-RES-77-194/fn/3") is None
    True
    """
    for pattern, page in _PAGES:
        m = pattern.fullmatch(rest)
        if m:
            return page.format(*m.groups())
    return None


def iri_of(request: Request, rest: str) -> str:
    return lookups(request).runner.base + rest


# --- descriptions -------------------------------------------------------------------------


def describe(request: Request, iri: str) -> tuple[ox.Triple, ...]:
    """The description of ``iri``; 404 when the graph says nothing about it."""
    lk = lookups(request)
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise RequestProblem(422, "path: not a valid IRI", "path") from None
    result = lk.runner.store.query(DESCRIBE, bindings={"iri": node}, timeout=lk.runner.timeout)
    graph = collect(result, max_rows=lk.runner.max_rows)
    assert isinstance(graph, Graph)
    if not any(t.subject == node for t in graph.triples):
        raise RequestProblem(404, f"path: the graph holds nothing about <{iri}>", "path")
    return graph.triples


@get_and_head(
    "/id/{path:path}",
    summary="Dereference an IRI (303 to a description)",
    status_code=303,
    responses={
        303: {
            "description": "See Other: a document about the resource, in the format Accept "
            "asks for (Turtle for */*; HTML pages for browsers)",
            "headers": {
                "Location": {"schema": {"type": "string"}, "example": "/data/instrument/crc.ttl"}
            },
            "content": {"text/plain": {"example": "See /data/instrument/crc.ttl"}},
        },
        404: {
            "description": "the graph holds nothing about this IRI",
            "content": {"application/problem+json": {"example": {"status": 404}}},
        },
    },
)
def dereference(
    request: Request,
    path: Annotated[
        str, Path(description="The IRI's path after the base", examples=["instrument/crc"])
    ],
) -> Response:
    """`{base}PATH` is served here: 303 to `/data/PATH.ttl`, `.nt` or `.jsonld`, or to the
    HTML page, by `Accept`."""
    rest = canonical_path(raw_path(request, ID))
    offer = choose(request.headers.get("accept"), OFFERS)
    if offer is None:
        raise RequestProblem(406, "no acceptable format: Turtle, N-Triples, JSON-LD or HTML")
    describe(request, iri_of(request, rest))  # 404 before redirecting to nothing
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = page_path(rest)
    if offer.name in ("html", "json") and page is not None:
        target = root + page
    else:
        ext = "jsonld" if offer.name == "json" else offer.name
        target = f"{root}{DATA}{rest}.{ext}"
    headers = {"Location": header_url(target), "Vary": "Accept"}
    return Response(f"See {target}\n", status_code=303, media_type="text/plain", headers=headers)


@get_and_head(
    "/data/{path:path}",
    summary="The description of a resource, as a document",
    responses={
        200: {
            "description": "the statements about the resource",
            "content": {
                "text/turtle": {
                    "example": "<https://w3id.org/treatygraph/id/unts/1577/27531> "
                    "a tg:UNTSRecord ; tg:untsVolume 1577 ."
                },
                "application/n-triples": {
                    "example": '<…/unts/1577/27531> <…#untsVolume> "1577"^^<…#integer> .'
                },
                "application/ld+json": {"example": {"@context": {}, "@graph": []}},
                "text/html": {"example": "<!doctype html>…"},
            },
        },
        404: {
            "description": "the graph holds nothing about this IRI",
            "content": {"application/problem+json": {"example": {"status": 404}}},
        },
    },
)
def document(
    request: Request,
    path: Annotated[
        str,
        Path(
            description="The IRI's path after the base, and .ttl, .nt, .jsonld or .html",
            examples=["unts/1577/27531.ttl"],
        ),
    ],
) -> Response:
    """`/data/PATH.ttl` (or `.nt`, `.jsonld`, `.html`): what the graph says about `{base}PATH`,
    e.g. `/data/unts/1577/27531.ttl`."""
    raw = raw_path(request, DATA)
    stem, dot, ext = raw.rpartition(".")
    if not dot or ext not in MEDIA:
        raise RequestProblem(
            404, "path: add .ttl, .nt, .jsonld or .html to the resource's path", "path"
        )
    rest = canonical_path(stem)
    iri = iri_of(request, rest)
    triples = describe(request, iri)
    headers = {"Link": f'<{header_url(iri)}>; rel="describes"'}
    if ext == "html":
        return resource_page(request, iri, triples, headers)
    body = {"ttl": to_turtle, "nt": to_ntriples, "jsonld": to_jsonld}[ext](triples)
    return Response(body, media_type=MEDIA[ext], headers=headers)


# --- the generic HTML page ----------------------------------------------------------------

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True, slots=True)
class Statement:
    predicate: str
    property: str
    value: str
    link: str | None = None
    datatype: str | None = None


compact = pages.compact_iri
CITING = "http://purl.org/spar/cito/hasCitingEntity"
CITED = "http://purl.org/spar/cito/hasCitedEntity"


@dataclass(frozen=True, slots=True)
class Fact:
    """A triple with plain strings where the page needs them (we mint no RDF-star triples)."""

    subject: str
    predicate: str
    object: ox.NamedNode | ox.BlankNode | ox.Literal


def facts(triples: Iterable[ox.Triple]) -> list[Fact]:
    out = []
    for t in triples:
        s, o = t.subject, t.object
        if isinstance(s, ox.NamedNode | ox.BlankNode) and not isinstance(o, ox.Triple):
            out.append(Fact(s.value, t.predicate.value, o))
    return out


@dataclass(frozen=True, slots=True)
class Describer:
    """Turns facts into the rows of the generic page: labels for IRIs, local links."""

    labels: dict[str, str]
    base: str
    root: str

    def statement(self, f: Fact) -> Statement:
        o = f.object
        if isinstance(o, ox.NamedNode):
            shown = self.labels.get(o.value, compact(o.value))
            return Statement(f.predicate, compact(f.predicate), shown, self.link(o.value))
        datatype = None
        if isinstance(o, ox.Literal) and not o.datatype.value.endswith("#string"):
            datatype = compact(o.datatype.value)
        return Statement(f.predicate, compact(f.predicate), o.value, None, datatype)

    def incoming(self, f: Fact) -> Statement:
        shown = self.labels.get(f.subject, f.subject.removeprefix(self.base))
        return Statement(f.predicate, compact(f.predicate), shown, self.link(f.subject))

    def link(self, iri: str) -> str:
        return local_url(iri, self.base, self.root)


def resource_page(
    request: Request, iri: str, triples: Sequence[ox.Triple], headers: dict[str, str]
) -> Response:
    """The generic page of a node: its statements, those of the nodes under its IRI, and
    what points at it."""
    known = facts(triples)
    labels = {f.subject: f.object.value for f in known if f.predicate == RDFS_LABEL}
    root = str(request.scope.get("root_path", "")).rstrip("/")
    describer = Describer(labels, lookups(request).runner.base, root)
    own = [f.subject for f in known if f.subject == iri or f.subject.startswith(iri + "/")]
    subjects = sorted(set(own), key=lambda s: (s != iri, _natural_key(s)))
    groups = [_group(describer, s, known) for s in subjects]
    pointing = [f for f in known if f.object == ox.NamedNode(iri) and f.subject not in subjects]
    types = [compact(f.object.value) for f in known if f.subject == iri and f.predicate == RDF_TYPE]
    context = {
        "iri": iri,
        "groups": groups,
        "incoming": [describer.incoming(f) for f in pointing],
        "types": [{"label": t} for t in types],
        "title": labels.get(iri) or _title(iri, known, labels, describer.base),
    }
    return pages.render(request, "resource.html", context, headers=headers)


def _group(describer: Describer, subject: str, known: Sequence[Fact]) -> dict[str, Any]:
    rows = sorted((describer.statement(f) for f in known if f.subject == subject), key=_order)
    label = describer.labels.get(subject, subject.removeprefix(describer.base))
    return {"subject": subject, "label": label, "statements": rows}


def _title(iri: str, known: Sequence[Fact], labels: dict[str, str], base: str) -> str:
    """A heading for a node without a label: a citation says who cites what."""
    own = {f.predicate: f.object.value for f in known if f.subject == iri}
    if CITING in own and CITED in own:
        citing = labels.get(own[CITING], own[CITING])
        return f"Citation: {citing} cites {labels.get(own[CITED], own[CITED])}"
    return iri.removeprefix(base)


def _order(s: Statement) -> tuple[bool, str, str]:
    return (s.predicate != RDF_TYPE, s.property, s.value)


def _natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
