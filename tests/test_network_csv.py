"""``/network/*`` answer CSV like every other resource: with ``format=csv`` or ``Accept:
text/csv``, one row per node, edge, step, pair, ranked or reached instrument, holding what the
JSON answer holds; JSON stays the default (also for ``*/*`` and a browser's ``text/html``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.support.network import EXTRA_SYMBOL, shared_service, shared_store
from treatygraph import network
from treatygraph.network.analysis import Rank
from treatygraph.network.tables import Table, graph_table, path_table, records_table
from treatygraph.network.view import View
from treatygraph.store import open_store

SYMBOL = "A/RES/77/194"


@pytest.fixture(scope="module")
def service() -> str:
    return shared_service()


@pytest.fixture(scope="module")
def view() -> View:
    return network.build_view(open_store(shared_store(), read_only=True))


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


# (path, parameters, the JSON list the CSV rows stand for, a column every row has)
RESOURCES: list[tuple[str, dict[str, Any], str, str]] = [
    ("", {}, "", "count"),
    ("/neighbours", {"node": "crc", "depth": 1}, "nodes", "ref"),
    ("/neighbours", {"node": "crc", "depth": 1, "table": "edges"}, "edges", "source"),
    ("/path", {"source": "opsc", "target": "c182"}, "steps", "target_ref"),
    ("/ego", {"instrument": "crc", "radius": 1}, "nodes", "depth"),
    ("/ego", {"instrument": "crc", "radius": 1, "table": "edges"}, "edges", "kind"),
    ("/cocitation", {"instrument": "crc", "limit": 3}, "pairs", "paragraphs"),
    ("/ranking", {"by": "in_degree", "limit": 5}, "instruments", "in_degree"),
    ("/through-parents", {"resolution": SYMBOL}, "instruments", "distance"),
]


@pytest.mark.parametrize(("path", "params", "key", "column"), RESOURCES)
@pytest.mark.parametrize("ask", ["format", "accept"])
def test_every_network_resource_answers_csv(
    service: str, path: str, params: dict[str, Any], key: str, column: str, ask: str
) -> None:
    url = f"{service}/network{path}"
    json_answer = httpx.get(url, params=params).json()
    if ask == "format":
        response = httpx.get(url, params={**params, "format": "csv"})
    else:
        response = httpx.get(url, params=params, headers={"Accept": "text/csv"})
    rows = read_csv(response)
    assert rows and all(row[column] != "" for row in rows)
    assert "Accept" in response.headers["vary"]
    if key:  # as many rows as the JSON list
        assert len(rows) == len(json_answer[key])
    else:  # the summary: one row per kind of node and of edge
        expected = len(json_answer["node_kinds"]) + len(json_answer["edge_kinds"])
        assert len(rows) == expected


@pytest.mark.parametrize("accept", [None, "*/*", "text/html,application/xhtml+xml", "image/png"])
def test_json_stays_the_default(service: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(f"{service}/network/ranking", params={"limit": 2}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert len(response.json()["instruments"]) == 2


@pytest.mark.parametrize(
    ("params", "words"),
    [({"format": "xml"}, "format"), ({"format": "csv", "table": "both"}, "table")],
)
def test_an_unknown_format_or_table_is_a_problem(
    service: str, params: dict[str, str], words: str
) -> None:
    response = httpx.get(f"{service}/network/ego", params={"instrument": "crc", **params})
    assert response.status_code == 400  # the service's answer to a malformed parameter
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.text


def test_the_csv_holds_what_the_json_holds(service: str) -> None:
    params = {"resolution": EXTRA_SYMBOL}
    json_rows = httpx.get(f"{service}/network/through-parents", params=params).json()
    csv_rows = read_csv(
        httpx.get(f"{service}/network/through-parents", params={**params, "format": "csv"})
    )
    assert [r["ref"] for r in csv_rows] == [r["ref"] for r in json_rows["instruments"]]
    crc = next(r for r in csv_rows if r["ref"] == "crc")
    assert (crc["direct"], crc["through"], crc["distance"], crc["paragraphs"]) == (
        "false",
        "opsc",
        "1",
        "",
    )


def test_tables_of_a_graph_a_path_and_records(view: View) -> None:
    g = network.ego(view, "p029", radius=1)
    nodes = graph_table(g)
    assert nodes.columns[:4] == ("id", "kind", "label", "ref") and "depth" in nodes.columns
    assert len(nodes.rows) == g.number_of_nodes()
    edges = graph_table(g, "edges")
    assert edges.columns[:3] == ("source", "target", "kind")
    assert len(edges.rows) == g.number_of_edges()
    with pytest.raises(network.InvalidRequest, match="unknown table 'all'"):
        graph_table(g, "all")
    _, steps = network.shortest_path(view, "opsc", "c182")
    walked = path_table(view, steps)
    assert [row[0] for row in walked.rows] == [1, 2]
    assert walked.rows[0][2] == "opsc" and walked.rows[-1][5] == "c182"
    ranks = network.ranking(view, by="in_degree", limit=3)
    table = records_table(Rank, ranks)
    assert table.columns[:3] == ("node", "ref", "label") and len(table.rows) == 3


def test_csv_writes_booleans_lists_and_missing_values_as_the_exports_do() -> None:
    table = Table(("a", "b", "c", "d"), ((True, ("x", "y"), None, 'say "hi", then'),))
    assert table.csv().decode() == 'a,b,c,d\r\ntrue,x y,,"say ""hi"", then"\r\n'
