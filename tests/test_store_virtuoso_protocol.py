"""The remote store against Virtuoso's own answers, replayed: runs everywhere, no Virtuoso needed.

A tiny loopback HTTP server plays back what Virtuoso 7.2.5 (Debian's virtuoso-opensource
7.2.5.1+dfsg1-0.3) answered, recorded verbatim with curl: 406 to SPARQLWrapper's ``format=xml``
beside a JSON ``Accept``, ASK as a one-column table, ``X-SPARQL-MaxRows`` on a cut answer, the
plain-text reason of a refused update. ``test_store_virtuoso.py`` runs the real server.
"""

from __future__ import annotations

import threading
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

from treatygraph.store import Boolean, LoadError, ResultTooLarge, Solutions, open_store

GRAPH = "https://w3id.org/treatygraph/graph"
JSON_RESULTS = "application/sparql-results+json"

# Virtuoso's answers, verbatim (headers trimmed to those that matter).
NOT_ACCEPTABLE = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>406 Not Acceptable</title>
</head><body>
<h1>406 Not Acceptable</h1>
<p>An appropriate representation of the requested resource sparql could not be found on this \
server.</p>
Available variant(s):
<ul>
<li><a href="sparql">sparql</a> , type application/sparql-results+xml, charset UTF-8</li>
</ul>
</body></html>"""
ASK_TRUE = b"""
{ "head": { "link": [], "vars": ["__ASK_RETVAL"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "__ASK_RETVAL": { "type": "typed-literal", "datatype": \
"http://www.w3.org/2001/XMLSchema#integer", "value": "1" }} ] } }"""
ASK_FALSE = b"""
{ "head": { "link": [], "vars": ["__ASK_RETVAL"] },
  "results": { "distinct": false, "ordered": true, "bindings": [ ] } }"""
CUT_AT_2 = b"""
{ "head": { "link": [], "vars": ["s"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "s": { "type": "uri", "value": "http://e/b/s0" }},
    { "s": { "type": "uri", "value": "http://e/b/s1" }} ] } }"""
NO_GRAPHS = b"""
{ "head": { "link": [], "vars": ["g"] },
  "results": { "distinct": false, "ordered": true, "bindings": [ ] } }"""
NO_DEFAULT_GRAPH = b"""Virtuoso 37000 Error SP031: SPARQL compiler: SPARQL 1.1 MOVE...DEFAULT \
operator requires declaration of a plain default graph

SPARQL query:
MOVE SILENT GRAPH <urn:treatygraph:staging:zz> TO DEFAULT"""
DROPPED = b"""<sparql xmlns="http://www.w3.org/2005/sparql-results#" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://www.w3.org/2001/sw/DataAccess/rf1/result2.xsd">
 <head>
  <variable name="callret-0"/>
 </head>
 <results distinct="false" ordered="true">
  <result>
   <binding name="callret-0"><literal>Drop silent graph &lt;urn:treatygraph:staging:zz&gt; -- \
graph has not been explicitly created before, triples were removed</literal></binding>
  </result>
 </results>
</sparql>"""

Answer = tuple[int, dict[str, str], bytes]


def _results(body: bytes, **headers: str) -> Answer:
    return 200, {"Content-Type": JSON_RESULTS, **headers}, body


def virtuoso_answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
    """What Virtuoso 7.2.5 answered to these requests."""
    if path == "/sparql-graph-crud" and method in ("PUT", "POST"):
        return 201, {"Content-Type": "text/html; charset=UTF-8"}, b""
    if headers.get("content-type", "").startswith("application/sparql-update"):
        update = body.decode()
        if update.startswith("DROP"):
            return 200, {"Content-Type": "application/sparql-results+xml; charset=UTF-8"}, DROPPED
        if update.endswith("TO DEFAULT"):
            return 400, {"Content-Type": "text/plain"}, NO_DEFAULT_GRAPH
        return 200, {"Content-Type": "text/plain"}, b""
    form = parse_qs(body.decode())
    # Virtuoso honours `format` (SPARQLWrapper sends format=xml&output=xml&results=xml)
    # over the Accept header, has no JSON variant for it, and answers 406.
    if form.get("format", [""])[0] == "xml" and JSON_RESULTS in headers.get("accept", ""):
        return 406, {"Content-Type": "text/html; charset=UTF-8"}, NOT_ACCEPTABLE
    query = form["query"][0]
    if query.startswith("ASK"):
        return _results(ASK_TRUE if "?o" in query else ASK_FALSE)
    if "LIMIT 5" in query:
        return _results(CUT_AT_2, **{"X-SPARQL-MaxRows": "2"})
    return _results(NO_GRAPHS)


@dataclass
class Replay:
    """A loopback HTTP server answering as Virtuoso did; it records every request."""

    server: ThreadingHTTPServer
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def spec(self, graph: str | None = GRAPH) -> str:
        spec = f"sparql+{self.url}/sparql?gsp=/sparql-graph-crud"
        return f"{spec}&graph={graph}" if graph else spec

    def forms(self) -> list[dict[str, list[str]]]:
        """The URL-encoded bodies (queries) sent, in order."""
        forms = []
        for _, _, headers, body in self.requests:
            if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                forms.append(parse_qs(body.decode()))
        return forms


@pytest.fixture
def replay() -> Iterator[Replay]:
    recorded: list[tuple[str, str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = urlsplit(self.path).path
            recorded.append((self.command, self.path, headers, body))
            status, out_headers, out = virtuoso_answer(self.command, path, headers, body)
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Replay(server, recorded)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_sparqlwrappers_format_parameter_got_406(replay: Replay) -> None:
    """What the remote store used to send, and what Virtuoso made of it."""
    wrapper = SPARQLWrapper(f"{replay.url}/sparql")
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(URLENCODED)
    wrapper.setQuery("SELECT ?s { ?s ?p ?o } LIMIT 1")
    wrapper.addCustomHttpHeader("Accept", JSON_RESULTS)
    with pytest.raises(urllib.error.HTTPError) as caught:
        wrapper.query()
    assert caught.value.code == 406
    assert replay.forms()[0]["format"] == ["xml"]


def test_results_are_negotiated_by_accept_alone(replay: Replay) -> None:
    store = open_store(replay.spec(), read_only=True)
    assert store.query("ASK { ?s ?p ?o }", timeout=5) == Boolean(True)
    (method, path, headers, _), form = replay.requests[0], replay.forms()[0]
    assert (method, urlsplit(path).path, headers["accept"]) == ("POST", "/sparql", JSON_RESULTS)
    assert not {"format", "output", "results"} & set(form)
    assert form["default-graph-uri"] == [GRAPH]  # graph=: the loaded graph, not the union
    store.query("SELECT ?s FROM <urn:other> { ?s ?p ?o }", timeout=5)
    assert "default-graph-uri" not in replay.forms()[1]  # the query's own dataset


def test_ask_answered_as_a_table_is_a_boolean(replay: Replay) -> None:
    store = open_store(replay.spec(), read_only=True)
    assert store.query("ASK { ?s ?p ?o }", timeout=5) == Boolean(True)
    assert store.query("ASK { <urn:x> ?p <urn:y> }", timeout=5) == Boolean(False)


def test_an_answer_cut_by_the_server_is_an_error(replay: Replay) -> None:
    store = open_store(replay.spec(), read_only=True)
    with pytest.raises(ResultTooLarge, match="cut the result at 2 rows"):
        store.query("SELECT ?s { ?s ?p ?o } LIMIT 5", timeout=5)
    assert isinstance(store.query("SELECT ?s { ?s ?p ?o }", timeout=5), Solutions)


def test_a_refused_update_says_why(replay: Replay, tmp_path: Path) -> None:
    """Without graph= the MOVE goes TO DEFAULT, which Virtuoso refuses with its reason."""
    data = tmp_path / "one.nt"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    store = open_store(replay.spec(graph=None), read_only=False)
    with pytest.raises(LoadError, match="requires declaration of a plain default graph"):
        store.load(data)
    methods = [(method, urlsplit(path).path) for method, path, _, _ in replay.requests]
    assert methods == [
        ("POST", "/sparql"),  # stale staging graphs?
        ("PUT", "/sparql-graph-crud"),  # the batch into the staging graph
        ("POST", "/sparql"),  # MOVE ... TO DEFAULT: 400
        ("POST", "/sparql"),  # DROP SILENT GRAPH <staging>
    ]
    assert replay.requests[-1][3].startswith(b"DROP SILENT GRAPH <urn:treatygraph:staging:")
