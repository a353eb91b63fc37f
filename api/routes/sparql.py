"""The SPARQL 1.1 Protocol endpoint, read-only, as a mountable router (`/sparql`).

Queries come by GET, by POST form or by POST ``application/sparql-query``; the answer's
format is negotiated from the tables below. Queries run in worker processes
(treatygraph.api.worker_pool);
this module only reads the request, picks formats and writes the response.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from treatygraph import resources
from treatygraph.api.cache import volatile
from treatygraph.api.examples import load_examples
from treatygraph.api.negotiation import Offer, choose
from treatygraph.api.problems import problem
from treatygraph.api.query_policy import PREDECLARED
from treatygraph.api.services import services
from treatygraph.api.settings import Settings
from treatygraph.api.worker_frames import Answer, Job
from treatygraph.api.worker_pool import query_pool
from treatygraph.store import FORMATS, Triples, scan, serialize

router = APIRouter(tags=["sparql"])
HERE = resources.api()

# Content negotiation, as data: table order is the server's preference on ties and for */*.
RESULT_OFFERS = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv", "csv"),
    Offer("text/tab-separated-values", "tsv"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)
GRAPH_OFFERS = (
    Offer("text/turtle", "turtle"),
    Offer("application/n-triples", "ntriples"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/rdf+xml", "rdfxml"),
    Offer("application/x-turtle", "turtle"),
    Offer("text/plain", "ntriples"),
    Offer("application/json", "jsonld"),
    Offer("application/xml", "rdfxml"),
    Offer("text/xml", "rdfxml"),
)
# GET without a query: the service description (RDF), or the query page for a browser.
PAGE_OFFERS = (
    *GRAPH_OFFERS[:4],
    Offer("text/html", "html"),
    Offer("application/xhtml+xml", "html"),
    *GRAPH_OFFERS[4:],
)
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


class ProtocolError(Exception):
    """A request the SPARQL protocol does not allow, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Operation:
    """What a protocol request asks: a query (None: describe the service) and its dataset."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation (read-only)."""
    settings = services(request).settings
    try:
        operation = await read_operation(request, settings.max_body_bytes)
    except ProtocolError as e:
        return problem(e.status, e.message)
    if operation.query is None:
        return describe(request, settings)
    accept = request.headers.get("accept")
    results, graph = choose(accept, RESULT_OFFERS), choose(accept, GRAPH_OFFERS)
    if results is None and graph is None:
        return problem(406, f"no acceptable format; this endpoint offers {_offered()}")
    job = Job(
        query=operation.query,
        results_format=results.name if results else None,
        graph_format=graph.name if graph else None,
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
    )
    answer = await _run(request, job, operation)
    if answer.status != 200:
        return problem(answer.status, answer.message)
    offer = results if results and results.name == answer.format else graph
    assert offer is not None
    return Response(answer.body, media_type=_content_type(offer), headers={"Vary": "Accept"})


async def _run(request: Request, job: Job, operation: Operation) -> Answer:
    """The answer from a worker; for a POST, from the cache when it holds it (a GET's whole
    response is kept by the layer in front of the routes, treatygraph.api.cache_middleware)."""
    cache = services(request).cache
    if request.method != "POST" or not cache.enabled:
        return await query_pool(request).run(job)
    generation = cache.current()
    key = ("POST /sparql", operation, job.results_format, job.graph_format)
    answer: Answer | None = cache.get(key)
    if answer is None:
        answer = await query_pool(request).run(job)
        if answer.status == 200 and not volatile(job.query):
            cache.put(key, answer, _weight(operation, answer), generation)
    return answer


def _weight(operation: Operation, answer: Answer) -> int:
    """Bytes a kept answer holds: its body, and its key's query (up to max_body_bytes)."""
    graphs = (*(operation.default_graphs or ()), *(operation.named_graphs or ()))
    return 256 + len(answer.body) + len(operation.query or "") + sum(map(len, graphs))


# A plain Starlette route: FastAPI's per-request machinery (dependencies, validation) would
# cost about a fifth of a point query's time, and the protocol is parsed here by hand anyway.
# Its OpenAPI description is written out below (`openapi_paths`) and added by treatygraph.api.app.
router.add_route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=False)


def openapi_paths() -> dict[str, object]:
    """The OpenAPI description of ``/sparql``, for the service's schema."""
    results_json = {
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {"type": "object"},
            "results": {
                "type": "object",
                "required": ["bindings"],
                "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
            },
            "boolean": {"type": "boolean"},
        },
    }
    text = {"schema": {"type": "string"}}
    content: dict[str, object] = {o.media_type: text for o in RESULT_OFFERS + PAGE_OFFERS}
    content |= {
        "application/sparql-results+json": {"schema": results_json},
        "application/json": {"schema": {"type": ["object", "array"]}},
        "application/ld+json": {"schema": {"type": ["object", "array"]}},
    }
    ok = {"description": "the answer, in the format `Accept` asks for", "content": content}
    dataset = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": "a graph of the store to query (repeatable)",
            "schema": {"type": "string"},
        }
        for name in ("default-graph-uri", "named-graph-uri")
    ]
    query = {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "a SPARQL 1.1 query; without one, the service description (or the "
        "query page for a browser)",
        "schema": {"type": "string"},
        "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    }
    form = {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {"type": "string"},
            "default-graph-uri": {"type": "string"},
            "named-graph-uri": {"type": "string"},
        },
    }
    return {
        "/sparql": {
            "get": {
                "tags": ["sparql"],
                "summary": "SPARQL 1.1 Protocol query (read-only)",
                "operationId": "sparql_get",
                "parameters": [query, *dataset],
                "responses": {"200": ok},
            },
            "post": {
                "tags": ["sparql"],
                "summary": "SPARQL 1.1 Protocol query by POST (read-only)",
                "operationId": "sparql_post",
                "parameters": dataset,
                "requestBody": {
                    "required": True,
                    "content": {
                        FORM: {"schema": form},
                        DIRECT: {"schema": {"type": "string"}},
                    },
                },
                "responses": {"200": ok},
            },
        }
    }


# --- reading a protocol request ----------------------------------------------------------


async def read_operation(request: Request, max_body: int) -> Operation:
    """The operation in `request`, or ProtocolError for what the protocol forbids."""
    url_params = _params(request.scope.get("query_string", b""))
    if request.method in ("GET", "HEAD"):
        return _operation(url_params, post=False)
    media_type, charset = _media_type(request.headers.get("content-type"))
    if media_type == UPDATE:
        raise ProtocolError(403, READ_ONLY)
    if media_type not in (FORM, DIRECT):
        shown = f"Content-Type {media_type}" if media_type else "no Content-Type"
        raise ProtocolError(415, f"a POST query needs {FORM} or {DIRECT}, not {shown}")
    if charset not in (None, "utf-8"):
        raise ProtocolError(415, f"queries are read as UTF-8, not {charset}")
    body = await _read_body(request, max_body)
    if media_type == FORM:
        return _operation(url_params + _params(body), post=True)
    if any(key in ("query", "update") for key, _ in url_params):
        raise ProtocolError(400, "a query in the body and another in the URL")
    return _operation([*url_params, ("query", _utf8(body))], post=True)


def _operation(params: list[tuple[str, str]], *, post: bool) -> Operation:
    if any(key == "update" for key, _ in params):
        raise ProtocolError(403, READ_ONLY)
    queries = [value for key, value in params if key == "query"]
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query in one request")
    default = tuple(_iri(v) for k, v in params if k == "default-graph-uri")
    named = tuple(_iri(v) for k, v in params if k == "named-graph-uri")
    explicit = bool(default or named)
    if not queries:
        if post:
            raise ProtocolError(400, "no query: give a `query` parameter or a query body")
        return Operation(None)
    if not queries[0].strip():
        raise ProtocolError(400, "the query is empty")
    return Operation(queries[0], default if explicit else None, named if explicit else None)


def _params(raw: bytes) -> list[tuple[str, str]]:
    """``parse_qsl(..., keep_blank_values=True, errors="strict")``, on bytes: each name and
    value unquoted once as bytes, then read as UTF-8 (a third of the time for a query)."""
    _utf8(raw)  # the request itself must be UTF-8, escapes aside
    pairs = []
    try:
        for piece in raw.split(b"&"):
            if not piece:
                continue
            name, _, text = piece.partition(b"=")
            pairs.append((_unquoted(name), _unquoted(text)))
    except UnicodeDecodeError:
        raise ProtocolError(400, "the parameters are not UTF-8") from None
    return pairs


def _unquoted(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request is not UTF-8") from None


def _iri(value: str) -> str:
    try:
        return ox.NamedNode(value).value
    except ValueError:
        raise ProtocolError(400, f"not an IRI: {value!r}") from None


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(offer: Offer) -> str:
    text = offer.media_type.startswith("text/")
    return f"{offer.media_type}; charset=utf-8" if text else offer.media_type


def _offered() -> str:
    return ", ".join(dict.fromkeys(o.media_type for o in RESULT_OFFERS + GRAPH_OFFERS))


# --- GET without a query: service description or query page -------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"
_SD_FORMATS = (
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.RDF_XML,
)
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def describe(request: Request, settings: Settings) -> Response:
    """The service description in RDF, or the YASGUI page when a browser asks for HTML."""
    endpoint = str(request.url.replace(query=""))
    offer = choose(request.headers.get("accept"), PAGE_OFFERS)
    if offer is None:
        return problem(406, "no acceptable format for the service description")
    if offer.name == "html":
        return HTMLResponse(render_page(request, endpoint, settings), headers={"Vary": "Accept"})
    triples = service_description(
        endpoint, federated=bool(settings.service_allow), base_iri=settings.query_base
    )
    body = serialize(Triples(triples), FORMATS[offer.name], max_rows=None)
    return Response(body, media_type=_content_type(offer), headers={"Vary": "Accept"})


def service_description(
    endpoint: str, *, federated: bool, base_iri: str | None = None
) -> list[ox.Triple]:
    """An `sd:Service` for this endpoint (no blank nodes: every node has an IRI).

    It says, in SHACL's vocabulary for prefix declarations (``sh:declare``), which prefixes a
    query may use without declaring them, and in its ``rdfs:comment`` the base IRI of queries."""
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    graph = ox.NamedNode(endpoint + "#default-graph")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    formats = [ox.NamedNode(f.iri) for f in _SD_FORMATS]
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, sd("Graph")),
    ]
    triples += [ox.Triple(service, sd("resultFormat"), f) for f in formats]
    triples += _predeclared(service, endpoint, base_iri)
    if federated:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    return triples


SH = "http://www.w3.org/ns/shacl#"
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
XSD_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")


def _predeclared(service: ox.NamedNode, endpoint: str, base_iri: str | None) -> list[ox.Triple]:
    """The predeclared prefixes as ``sh:declare`` (one IRI per declaration), and a comment."""
    triples = []
    for name, namespace in PREDECLARED.items():
        declaration = ox.NamedNode(f"{endpoint}#prefix-{name}")
        triples += [
            ox.Triple(service, ox.NamedNode(SH + "declare"), declaration),
            ox.Triple(declaration, RDF_TYPE, ox.NamedNode(SH + "PrefixDeclaration")),
            ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(name)),
            ox.Triple(
                declaration,
                ox.NamedNode(SH + "namespace"),
                ox.Literal(namespace, datatype=XSD_ANY_URI),
            ),
        ]
    names = ", ".join(f"{name}:" for name in PREDECLARED)
    comment = (
        f"Read-only SPARQL 1.1 endpoint of treatygraph. Queries may use the prefixes {names} "
        "without declaring them (see sh:declare; a query's own PREFIX lines win)."
    )
    if base_iri:
        comment += f" Relative IRIs resolve against <{base_iri}> unless the query says BASE."
    return [*triples, ox.Triple(service, RDFS_COMMENT, ox.Literal(comment, language="en"))]


def prefix_block(query: str = "") -> str:
    """PREFIX lines for the predeclared prefixes `query` does not declare (for the editor).

    >>> prefix_block("PREFIX tg: <x> ASK {}").splitlines()[0]
    'PREFIX cito: <http://purl.org/spar/cito/>'
    """
    declared = scan(query).declared
    lines = [f"PREFIX {n}: <{iri}>" for n, iri in PREDECLARED.items() if n not in declared]
    return "".join(line + "\n" for line in lines)


STARTER = "SELECT ?paragraph ?instrument\nWHERE { ?paragraph tg:cites ?instrument }\nLIMIT 10\n"


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )


def render_page(request: Request, endpoint: str, settings: Settings) -> str:
    examples = load_examples(settings.queries_dir)
    start = prefix_block() + "\n" + STARTER  # what a new editor tab holds
    config = {"endpoint": endpoint, "examples": [asdict(e) for e in examples], "start": start}
    # `<` escaped so that no query text can close the <script> element holding the config.
    config_json = json.dumps(config).replace("<", "\\u003c")
    static = str(request.url_for("static", path="")).rstrip("/")
    assets = (HERE / "static" / "vendor" / "yasgui" / "yasgui.min.js").is_file()
    template = _templates().get_template("sparql.html")
    return template.render(
        config_json=config_json,
        examples=examples,
        static=static,
        endpoint=endpoint,
        assets=assets,
        start=start,
        prefixes=PREDECLARED,
        base_iri=settings.query_base,
    )
