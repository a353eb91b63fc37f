"""The remote store: any SPARQL 1.1 server, queried with SPARQLWrapper, loaded over HTTP.

Spec: ``sparql+http://host:port/query`` (or ``sparql+https://``), the query endpoint, with
optional parameters ``update=``, ``gsp=`` (Graph Store Protocol) and ``graph=`` (the graph a
load replaces; the default graph if absent). An endpoint ending in ``/query`` gets Oxigraph's
siblings ``/update`` and ``/store`` by default.

Loads are all-or-nothing: batches go into a fresh staging named graph, then one SPARQL Update
``MOVE`` (a single transaction on Oxigraph, Fuseki/TDB2, GraphDB and Virtuoso) replaces the
target graph. A failed load drops the staging graph and leaves the target as it was. Two
caveats: while a load runs the staging graph is visible to ``GRAPH ?g`` queries, and blank
nodes do not keep their identity across batches (our graphs have none).

With ``graph=``, queries that name no dataset of their own (protocol parameters, or ``FROM``)
read that graph as their default graph (``default-graph-uri``): what a load replaced, and
nothing else (not Virtuoso's system graphs, which its default graph, the union of all graphs,
would show; not an empty default graph on Oxigraph or Fuseki).

Server quirks met and handled here (Virtuoso 7.2): answers are negotiated by ``Accept`` alone
(SPARQLWrapper's ``format=xml`` parameter made Virtuoso answer 406 to a JSON ``Accept``); an
ASK answered as a one-column result set (``__ASK_RETVAL``: a row for true, none for false)
is read as a boolean; a result cut at the server's row cap (``X-SPARQL-MaxRows``) is an
error, never a silently short answer; ``GRAPH ?g { }`` matches no graph, so stale staging
graphs are also looked for by their triples.
"""

from __future__ import annotations

import ast
import contextlib
import http.client
import socket
import urllib.error
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from .base import (
    Bindings,
    Boolean,
    Dataset,
    LoadError,
    NamedGraphFiles,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyStore,
    ResultTooLarge,
    Solutions,
    StoreError,
    StoreUnavailable,
    Triples,
)
from .binding import bind_values
from .scan import scan, tokens
from .syntax import explain, position

SCHEMES = ("sparql+http://", "sparql+https://")
STAGING = "urn:treatygraph:staging:"  # the named graphs a load fills before its MOVE
BATCH = 20_000
LOAD_TIMEOUT = 300.0
_RESULTS_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_MAX_ROWS_HEADER = "X-SPARQL-MaxRows"  # Virtuoso: the answer was cut at this many rows
_ERROR_TEXT = 300  # characters of a server's error message kept in ours


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a remote server answers queries, updates and Graph Store requests."""

    query: str
    update: str
    gsp: str | None = None
    graph: str | None = None  # the graph a load replaces; None for the default graph


def parse_spec(spec: str) -> Endpoints:
    """Endpoints from a ``sparql+http(s)://`` spec.

    >>> parse_spec("sparql+http://127.0.0.1:7878/query")
    Endpoints(query='http://127.0.0.1:7878/query', update='http://127.0.0.1:7878/update', \
gsp='http://127.0.0.1:7878/store', graph=None)
    >>> parse_spec("sparql+https://h/ds/sparql?gsp=/ds/data&graph=urn:g").gsp
    'https://h/ds/data'
    """
    if not spec.startswith(SCHEMES):
        raise ValueError(f"not a remote store spec: {spec!r}")
    parts = urlsplit(spec.removeprefix("sparql+"))
    ours = {"update", "gsp", "graph"}
    params = parse_qsl(parts.query, keep_blank_values=True)
    options = {k: v for k, v in params if k in ours}  # `gsp=` (empty): no Graph Store
    query = urlunsplit(parts._replace(query=urlencode([p for p in params if p[0] not in ours])))
    oxigraph_like = parts.path.endswith("/query")
    update = urljoin(query, "update") if oxigraph_like else query
    gsp = urljoin(query, "store") if oxigraph_like else None
    return Endpoints(
        query=query,
        update=urljoin(query, options["update"]) if "update" in options else update,
        gsp=(urljoin(query, options["gsp"]) if options["gsp"] else None)
        if "gsp" in options
        else gsp,
        graph=options.get("graph") or None,
    )


@dataclass(frozen=True, slots=True)
class _Staged:
    """One graph of a load: the staging graph its files go into, and where it then moves."""

    staging: str
    into: str  # DEFAULT or GRAPH <iri>
    files: tuple[Path, ...]
    lenient: bool


class RemoteStore:
    """A SPARQL 1.1 server reached over HTTP."""

    def __init__(self, endpoints: Endpoints, *, read_only: bool) -> None:
        self.endpoints = endpoints
        self.read_only = read_only

    def query(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        timeout: float,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        scanned = scan(sparql)
        form = scanned.form
        if form is None:
            raise QuerySyntaxError(
                "not a SPARQL query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)"
            )
        if bindings:
            try:
                sparql = bind_values(sparql, bindings)
            except ValueError as e:
                raise QuerySyntaxError(str(e)) from None
        if dataset is None and self.endpoints.graph and "FROM" not in scanned.keywords:
            dataset = Dataset(default_graphs=(self.endpoints.graph,))
        at = _after_own_base(sparql)
        head = prologue(sparql, base_iri, prefixes)
        head = " " + head if at and head else head
        try:
            return self._answer(sparql[:at] + head + sparql[at:], form, dataset, timeout=timeout)
        except QuerySyntaxError as e:
            shift = (position(sparql, at), len(head))
            message = explain(sparql, str(e), prefixes=prefixes or (), shift=shift)
            raise QuerySyntaxError(message) from None

    def triple_count(self) -> int:
        """Triples of the ``graph=`` graph if given; else of the default graph and every
        named graph but a load's staging graphs."""
        if self.endpoints.graph:
            query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
            dataset = Dataset(default_graphs=(self.endpoints.graph,))
        else:
            query = (
                "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(!STRSTARTS(STR(?g), "{STAGING}")) }} }}'
            )
            dataset = None
        result = self._answer(query, "SELECT", dataset, timeout=LOAD_TIMEOUT)
        assert isinstance(result, Solutions)
        (count,) = next(result.rows)
        assert isinstance(count, ox.Literal)
        return int(count.value)

    def load(
        self, path: Path, *, trusted: bool = False, graphs: NamedGraphFiles | None = None
    ) -> int:
        """Replace the target graph by the triples of `path`, all or nothing.

        `trusted`: as for the embedded store, a file treatygraph wrote, read without checking
        its IRIs again (pyoxigraph's lenient parser); never for a file from elsewhere.
        `graphs`: named graphs replaced in the same step, each by the triples of its files
        (each has a staging graph of its own; one update moves them all)."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.endpoints.query} was opened read-only")
        staging = f"{STAGING}{uuid.uuid4()}"
        target = f"GRAPH <{self.endpoints.graph}>" if self.endpoints.graph else "DEFAULT"
        loads = [_Staged(staging, target, (path,), trusted)]
        for number, (name, files) in enumerate((graphs or {}).items(), 1):
            try:
                into = f"GRAPH {ox.NamedNode(name)}"
            except ValueError as e:
                raise LoadError(f"could not load {path}: graph name {name!r}: {e}") from e
            loads.append(_Staged(f"{staging}/{number}", into, tuple(files), False))
        with httpx.Client(timeout=LOAD_TIMEOUT) as client:
            try:
                self._drop_stale_staging(client)
                count = self._stage_and_move(client, loads)
            except (httpx.HTTPError, OSError, SyntaxError, ValueError, StoreError) as e:
                for staged in loads:
                    self._drop_quietly(client, staged.staging)
                raise LoadError(
                    f"could not load {path}: {e}; the previous graph is unchanged"
                ) from e
        return count

    def _stage_and_move(self, client: httpx.Client, loads: Sequence[_Staged]) -> int:
        """Upload each graph's files into its staging graph, then move them all into place
        with one update (one transaction); the triples loaded."""
        swaps, count = [], 0
        for staged in loads:
            loaded = sum(
                self._upload(client, file, staged.staging, lenient=staged.lenient, append=i > 0)
                for i, file in enumerate(staged.files)
            )
            count += loaded
            swaps.append(
                f"MOVE SILENT GRAPH <{staged.staging}> TO {staged.into}"
                if loaded
                else f"CLEAR SILENT {staged.into}"
            )
        self._update(client, " ;\n".join(swaps))
        return count

    def close(self) -> None:
        """Nothing to release: every request uses its own connection."""

    # --- querying ---------------------------------------------------------------------------

    def _answer(
        self, sparql: str, form: str, dataset: Dataset | None, *, timeout: float
    ) -> QueryResult:
        graph = form in ("CONSTRUCT", "DESCRIBE")
        body, media_type = self._fetch(sparql, dataset, graph=graph, timeout=timeout)
        try:
            return _parse_answer(body, media_type, graph=graph, ask=form == "ASK")
        except (SyntaxError, ValueError) as e:
            raise StoreUnavailable(f"unreadable answer from {self.endpoints.query}: {e}") from None

    def _fetch(
        self, sparql: str, dataset: Dataset | None, *, graph: bool, timeout: float
    ) -> tuple[bytes, str]:
        wrapper = SPARQLWrapper(self.endpoints.query)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setQuery(sparql)
        # Accept alone says what we want: SPARQLWrapper's format/output/results parameters
        # (its default return format, XML) contradict it, and Virtuoso then answers 406.
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT if graph else _RESULTS_ACCEPT)
        wrapper.timeout = max(timeout, 0.001)  # type: ignore[assignment]  # setTimeout() truncates to int
        for iri in dataset.default_graphs if dataset else ():
            wrapper.addParameter("default-graph-uri", iri)
        for iri in dataset.named_graphs if dataset else ():
            wrapper.addParameter("named-graph-uri", iri)
        try:
            response = wrapper.query().response
            cut_at = response.headers.get(_MAX_ROWS_HEADER)
            if cut_at is not None:
                response.close()
                raise ServerRowLimit(self.endpoints.query, cut_at)
            return response.read(), response.headers.get("Content-Type", "")
        except QueryBadFormed as e:
            raise QuerySyntaxError(_server_message(e)) from None
        except SPARQLWrapperException as e:
            raise StoreUnavailable(f"{self.endpoints.query} failed: {_server_message(e)}") from None
        except urllib.error.HTTPError as e:
            raise StoreUnavailable(f"{self.endpoints.query} answered HTTP {e.code}") from None
        except TimeoutError:
            raise QueryTimeout(
                f"the SPARQL server {self.endpoints.query} did not answer within {timeout:g} s"
            ) from None
        except http.client.HTTPException as e:  # e.g. IncompleteRead: it died mid-answer
            raise StoreUnavailable(
                f"the SPARQL server {self.endpoints.query} broke off its answer "
                f"({type(e).__name__})"
            ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, TimeoutError | socket.timeout):
                raise QueryTimeout(
                    f"the SPARQL server {self.endpoints.query} did not answer within {timeout:g} s"
                ) from None
            raise StoreUnavailable(
                f"cannot reach the SPARQL server {self.endpoints.query}: {reason}"
            ) from None

    # --- loading ----------------------------------------------------------------------------

    def _upload(
        self,
        client: httpx.Client,
        path: Path,
        staging: str,
        *,
        lenient: bool = False,
        append: bool = False,
    ) -> int:
        count = 0
        for number, batch in enumerate(_batches(path, lenient=lenient)):
            data = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
            if self.endpoints.gsp:
                method = "POST" if append or number else "PUT"
                response = client.request(
                    method,
                    self.endpoints.gsp,
                    params={"graph": staging},
                    content=data,
                    headers={"Content-Type": "application/n-triples"},
                )
                _raise_for_status(response)
            else:
                inner = data.decode()
                self._update(client, f"INSERT DATA {{ GRAPH <{staging}> {{\n{inner}\n}} }}")
            count += len(batch)
        return count

    def _update(self, client: httpx.Client, update: str) -> None:
        response = client.post(
            self.endpoints.update,
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        _raise_for_status(response)

    def _drop_stale_staging(self, client: httpx.Client) -> None:
        """Drop the staging graphs of earlier loads that could not clean up after themselves
        (the server or the loader died midway): a partial graph must not linger. One load
        at a time per server, then. Found by name (``GRAPH ?g { }``: Oxigraph lists even an
        empty graph) and by their triples (on Virtuoso ``GRAPH ?g { }`` matches no graph)."""
        query = (
            "SELECT DISTINCT ?g { { GRAPH ?g { } } UNION { GRAPH ?g { ?s ?p ?o } } "
            f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
        )
        result = self._answer(query, "SELECT", None, timeout=LOAD_TIMEOUT)
        assert isinstance(result, Solutions)
        for (graph,) in result.rows:
            if isinstance(graph, ox.NamedNode):
                self._update(client, f"DROP SILENT GRAPH <{graph.value}>")

    def _drop_quietly(self, client: httpx.Client, staging: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is gone: nothing to undo
            self._update(client, f"DROP SILENT GRAPH <{staging}>")


def prologue(
    sparql: str,
    base_iri: str | None,
    prefixes: Mapping[str, str] | None,
    *,
    separator: str = " ",
) -> str:
    """What goes before `sparql` on a server that takes no base IRI or prefixes of its own:
    ``BASE`` unless the query has its own (Virtuoso takes one BASE, before any PREFIX), and
    ``PREFIX`` for each prefix the query does not declare. On one line, so that the server's
    line numbers stay the query's (rdflib's parser wants ``separator="\\n"``: it reads `#>`
    on a line as the start of a comment).

    >>> prologue("PREFIX a: <http://x/> ASK {}", "http://b/", {"a": "http://a/", "c": "http://c/"})
    'BASE <http://b/> PREFIX c: <http://c/> '
    >>> prologue("BASE <http://q/> ASK {}", "http://b/", {})
    ''
    """
    scanned = scan(sparql)
    own_base = "BASE" in scanned.keywords
    parts = [f"BASE <{ox.NamedNode(base_iri).value}>"] if base_iri and not own_base else []
    for name, iri in (prefixes or {}).items():
        if name not in scanned.declared:
            parts.append(f"PREFIX {name}: <{ox.NamedNode(iri).value}>")
    return "".join(part + separator for part in parts)


def _after_own_base(sparql: str) -> int:
    """Where the prologue goes: after the query's own leading ``BASE <...>`` (Virtuoso takes
    BASE before any PREFIX only), else at the start.

    >>> _after_own_base("# c\\nBASE <http://b/> SELECT * {}")
    20
    """
    found = tokens(sparql)
    first, second = next(found, None), next(found, None)
    if first and second and first[1].upper() == "BASE" and second[0] == "iri":
        return second[2] + len(second[1])
    return 0


def _batches(path: Path, *, lenient: bool = False) -> Iterator[list[ox.Triple]]:
    batch: list[ox.Triple] = []
    for quad in ox.parse(path=str(path), lenient=lenient):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise ValueError("a remote load takes triples only, not named graphs")
        batch.append(quad.triple)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class ServerRowLimit(ResultTooLarge):
    """The server cut the answer at its own row cap (Virtuoso's ``ResultSetMaxRows``)."""

    def __init__(self, endpoint: str, cut_at: str) -> None:
        try:
            limit = int(cut_at)
        except ValueError:
            limit = 0
        super().__init__(limit)
        self.args = (
            f"the SPARQL server {endpoint} cut the result at {cut_at} rows (its own row "
            "limit); add LIMIT (and OFFSET to page through it)",
        )


def _raise_for_status(response: httpx.Response) -> None:
    """An HTTP error with the server's own words (Virtuoso says why it refused an update:
    a transaction timeout, no plain default graph to MOVE into...)."""
    if response.is_success:
        return
    request = response.request
    text = " ".join(response.text.split())[:_ERROR_TEXT]
    message = f"{request.method} {request.url} answered HTTP {response.status_code}"
    raise httpx.HTTPStatusError(
        f"{message}: {text}" if text else message, request=request, response=response
    )


def _parse_answer(body: bytes, media_type: str, *, graph: bool, ask: bool = False) -> QueryResult:
    base = media_type.split(";")[0].strip().lower()
    if graph:
        rdf_format = ox.RdfFormat.from_media_type(base) or ox.RdfFormat.TURTLE
        return Triples([q.triple for q in ox.parse(body, format=rdf_format)])
    results_format = ox.QueryResultsFormat.from_media_type(base) or ox.QueryResultsFormat.JSON
    parsed = ox.parse_query_results(body, format=results_format)
    if isinstance(parsed, ox.QueryBoolean):
        return Boolean(bool(parsed))
    if ask:  # Virtuoso: a column __ASK_RETVAL, one row (1) for true, none for false
        if len(parsed.variables) != 1:
            raise ValueError("an ASK query answered with a table")
        return Boolean(any(_true(solution[0]) for solution in parsed))
    variables = tuple(v.value for v in parsed.variables)
    # Rows as plain tuples, read here: pyoxigraph's solutions may only be dropped by the thread
    # that made them, and a result may be finished (or collected) by another.
    rows = [tuple(solution[i] for i in range(len(variables))) for solution in parsed]
    return Solutions(variables, iter(rows))


def _true(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.value not in ("0", "false")


def _server_message(error: SPARQLWrapperException) -> str:
    """The server's own words, out of SPARQLWrapper's message (which holds a bytes repr)."""
    text = str(error)
    _, _, response = text.partition("Response:\n")
    try:
        raw = ast.literal_eval(response.strip())
    except (ValueError, SyntaxError):
        return text
    message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return message.strip()[:500]


__all__ = ["SCHEMES", "Endpoints", "RemoteStore", "StoreError", "bind_values", "parse_spec"]
