"""Federating with Wikidata, as docs/sparql.md tells an operator to allow it: the worked query
of its section "Federating with Wikidata" runs on the service against a stand-in SPARQL
endpoint on the loopback interface (no outside network). With the endpoint in
``TREATYGRAPH_SERVICE_ALLOW`` the query is federated and answers, joined on the instrument's
``skos:exactMatch``; an endpoint not allowed (by default: every one) is refused with a 403
that names it, before anything is sent."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import httpx
import pytest

from tests.conftest import ROOT
from tests.support.lookups import BASE, SEED
from treatygraph.api.query_policy import Refused, check
from treatygraph.api.settings import Settings
from treatygraph.store import open_store

if TYPE_CHECKING:
    from conftest import Service

WIKIDATA = "https://query.wikidata.org/sparql"
ITEM = "http://www.wikidata.org/entity/Q99999999"  # an item made up for the test
SPARQL_DOC = ROOT / "docs" / "sparql.md"


def worked_query() -> str:
    """The query of the section "Federating with Wikidata" of docs/sparql.md."""
    text = SPARQL_DOC.read_text("utf-8")
    section = text[text.index("### Federating with Wikidata") :]
    block = re.search(r"```sparql\n(.*?)```", section, re.DOTALL)
    assert block, "docs/sparql.md: the federation section has no ```sparql block"
    assert f"SERVICE <{WIKIDATA}>" in block.group(1)
    return block.group(1)


class StandIn:
    """A SPARQL endpoint answering every query with one solution: the made-up item and a UNTS
    registration number; it records the queries it receives."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        received = self.queries

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                received.append(parse_qs(self.path.partition("?")[2]).get("query", [""])[0])
                self.answer()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = self.headers.get("Content-Type", "").startswith("application/x-www")
                received.append(parse_qs(body).get("query", [""])[0] if form else body)
                self.answer()

            def answer(self) -> None:
                bindings = [{"item": {"type": "uri", "value": ITEM},
                             "wikidataNumber": {"type": "literal", "value": "27531"}}]  # fmt: skip
                data = json.dumps(
                    {
                        "head": {"vars": ["item", "wikidataNumber"]},
                        "results": {"bindings": bindings},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    with contextlib.closing(StandIn()) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed graph, with the CRC linked to the made-up item (as the authority data's
    Wikidata ids will link instruments)."""
    import treatygraph as graph
    from treatygraph.rdf import mapping as rdf

    work = tmp_path_factory.mktemp("federation")
    link = f"<{BASE}instrument/crc> <http://www.w3.org/2004/02/skos/core#exactMatch> <{ITEM}> .\n"
    nt = work / "graph.nt"
    nt.write_text(rdf.to_ntriples(rdf.triples([graph.read(SEED)], base=BASE)) + link, "utf-8")
    open_store(work / "store", read_only=False).load(nt)
    return str(work / "store")


def ask(service: Service, query: str) -> httpx.Response:
    accept = {"Accept": "application/sparql-results+json"}
    return httpx.post(service.sparql, data={"query": query}, headers=accept, timeout=30)


@pytest.mark.slow
def test_an_allowed_endpoint_is_federated_and_others_are_refused(
    store: str, stand_in: StandIn, start_app: Callable[..., AbstractContextManager[Service]]
) -> None:
    federated = worked_query().replace(WIKIDATA, stand_in.url)
    with start_app(store, service_allow=stand_in.url, query_timeout=10) as service:
        answered = ask(service, federated)
        refused = ask(service, worked_query())  # Wikidata itself: not in this allow-list
    assert answered.status_code == 200, answered.text
    bindings = answered.json()["results"]["bindings"]
    rows = [{k: v["value"] for k, v in b.items()} for b in bindings]
    assert rows == [
        {"instrument": "crc", "item": ITEM, "ourNumber": "27531", "wikidataNumber": "27531"}
    ]
    assert len(stand_in.queries) == 1 and "P4231" in stand_in.queries[0]
    assert refused.status_code == 403, refused.text
    assert f"SERVICE <{WIKIDATA}> is not allowed" in refused.json()["detail"]


def test_by_default_every_service_is_refused() -> None:
    """What the service's workers check before running a query (api/query_policy.py), with
    the default settings and with the documented one."""
    default = Settings.from_env({})
    with pytest.raises(Refused) as refused:
        check(worked_query(), max_depth=default.max_depth, service_allow=default.service_allow)
    assert refused.value.status == 403 and f"SERVICE <{WIKIDATA}>" in refused.value.message
    allowed = Settings.from_env({"TREATYGRAPH_SERVICE_ALLOW": WIKIDATA})
    assert allowed.service_allow == (WIKIDATA,)
    check(worked_query(), max_depth=allowed.max_depth, service_allow=allowed.service_allow)


def test_the_operator_setting_is_documented() -> None:
    assert f"TREATYGRAPH_SERVICE_ALLOW={WIKIDATA}" in SPARQL_DOC.read_text("utf-8")
