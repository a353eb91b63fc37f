"""The lookups over real HTTP: the app under uvicorn on a loopback port, on the seed graph."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

import treatygraph as graph
from tests.support.lookups import SEED, shared_service
from treatygraph.named_queries import library as ql

LIBRARY = ql.load_library()


@pytest.fixture(scope="module")
def url() -> str:
    return shared_service()


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def openapi(client: httpx.Client) -> dict[str, Any]:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


# --- what the issue asks to show -------------------------------------------------------------


def test_paragraph_5_lists_17_instruments_with_unts_volume_and_number(client: httpx.Client) -> None:
    answer = client.get("/resolutions/A-RES-77-194/paragraphs/5/citations")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    cites = answer.json()
    assert len({c["instrument"]["id"] for c in cites}) == 17
    expected = {
        c.instrument.id: [
            {"volume": u.volume, "number": u.number} | ({"page": u.page} if u.page else {})
            for u in c.instrument.unts
        ]
        for c in graph.read(SEED).citations_of("op5")
    }
    assert {c["instrument"]["id"]: c["instrument"]["unts"] for c in cites} == expected
    assert expected["crc"] == [{"volume": 1577, "number": 27531}]


def test_the_citations_have_the_shape_of_treatygraph_extract(client: httpx.Client) -> None:
    extracted = graph.to_json(graph.read(SEED))
    op5 = next(p for p in extracted["paragraphs"] if p["id"] == "op5")
    assert (
        client.get("/resolutions/A-RES-77-194/paragraphs/op5/citations").json() == op5["citations"]
    )


def test_cedaw_is_cited_by_pp2_op5_and_op50(client: httpx.Client) -> None:
    cited = client.get("/instruments/cedaw/cited-by").json()
    assert [c["paragraph"] for c in cited] == ["pp2", "op5", "op50"]
    assert {c["resolution"] for c in cited} == {"A/RES/77/194"}
    assert cited[1]["quote"] == (
        "Convention on the Elimination of All Forms of Discrimination against Women"
    )


def test_unts_1577_27531_is_the_crc(client: httpx.Client) -> None:
    record = client.get("/unts/1577/27531").json()
    assert [i["id"] for i in record["instruments"]] == ["crc"]
    assert record["instruments"][0]["title"] == "Convention on the Rights of the Child"


def test_a_whole_resolution_is_what_treatygraph_extract_prints(client: httpx.Client) -> None:
    """Read back from the store, the resolution is the extractor's JSON (less its problems)."""
    extracted = graph.to_json(graph.read(SEED))
    del extracted["problems"]
    assert client.get("/resolutions/A-RES-77-194").json() == extracted


# --- the other lookups -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pid"),
    [
        ("/resolutions/A-RES-77-194/paragraphs/5", "op5"),
        ("/resolutions/A-RES-77-194/paragraphs/op5", "op5"),
        ("/resolutions/A-RES-77-194/paragraphs/pp3", "pp3"),
        ("/resolutions/A%2FRES%2F77%2F194/paragraphs/pp3", "pp3"),
        ("/resolutions/A%2FRES%2F77%2F194/paragraphs/OP52", "op52"),
    ],
)
def test_paragraphs_by_any_spelling(client: httpx.Client, path: str, pid: str) -> None:
    paragraph = client.get(path).json()
    assert paragraph["id"] == pid and paragraph["resolution"]["symbol"] == "A/RES/77/194"


def test_instruments_ilo_and_resolutions(client: httpx.Client) -> None:
    crc = client.get("/instruments/crc").json()
    assert crc["protocols"] == ["opac", "opic", "opsc"] and crc["cited_in"]["paragraphs"] == 3
    assert crc["untc_url"].startswith("https://treaties.un.org/")
    assert client.get("/ilo/C29").json()["id"] == "c029"
    assert client.get("/ilo/p029").json()["parent"] == "c029"
    conventions = client.get("/instruments", params={"kind": "convention"}).json()
    assert "crc" in {i["id"] for i in conventions} and {i["kind_key"] for i in conventions} == {
        "convention"
    }
    (resolution,) = client.get("/resolutions").json()
    assert (resolution["symbol"], resolution["paragraphs"], resolution["citations"]) == (
        "A/RES/77/194", 88, 80,
    )  # fmt: skip


def test_csv_on_request(client: httpx.Client) -> None:
    by_param = client.get("/resolutions/A-RES-77-194/paragraphs/5/citations?format=csv")
    by_accept = client.get(
        "/resolutions/A-RES-77-194/paragraphs/5/citations", headers={"Accept": "text/csv"}
    )
    assert by_param.text == by_accept.text
    assert by_param.headers["content-type"].startswith("text/csv")
    lines = by_param.text.splitlines()
    assert lines[0].startswith("instrument,") and len(lines) == 18
    assert "vol. 1577, No. 27531" in by_param.text
    refused = client.get("/instruments/crc", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_lists_are_paged_with_link_headers(client: httpx.Client) -> None:
    path = "/resolutions/A-RES-77-194/paragraphs/5/citations"
    seen: list[str] = []
    answer = client.get(path, params={"limit": 5})
    assert answer.headers["x-total-count"] == "17"
    assert 'rel="last"' in answer.headers["link"] and "offset=15" in answer.links["last"]["url"]
    while True:
        seen += [c["instrument"]["id"] for c in answer.json()]
        if "next" not in answer.links:
            break
        answer = client.get(answer.links["next"]["url"])
    assert len(seen) == 17 and seen[:3] == ["cedaw", "op_cedaw", "crc"]
    assert answer.links["prev"]["url"].endswith("offset=10&limit=5")


# --- errors: 404 or 422 naming the parameter, never 500 ---------------------------------------

LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/resolutions/A-RES-99-999", 404, "symbol"),
        ("/resolutions/A-RES-99-999/paragraphs/5", 404, "symbol"),
        ("/resolutions/A-RES-77-194/paragraphs/0", 422, "id"),
        ("/resolutions/A-RES-77-194/paragraphs/53", 404, "id"),
        ("/resolutions/A-RES-77-194/paragraphs/pp37", 404, "id"),
        ("/resolutions/A-RES-77-194/paragraphs/-1", 422, "id"),
        ("/resolutions/A-RES-77-194/paragraphs/abc", 422, "id"),
        (f"/resolutions/A-RES-77-194/paragraphs/{LONG}", 422, "id"),
        (f"/resolutions/A-RES-77-194/paragraphs/{LONG}/citations", 422, "id"),
        (f"/resolutions/{LONG}", 422, "symbol"),
        ("/resolutions/A-RES-77-194/paragraphs/%00", 422, "id"),
        ("/resolutions/%00", 422, "symbol"),
        ("/resolutions/..%2F..%2F..%2Fetc%2Fpasswd", 422, "symbol"),
        ("/resolutions/A-RES-77-194/paragraphs/..%2F..%2Fetc%2Fpasswd", 422, "symbol"),
        ("/resolutions/A-RES-77-194/paragraphs/5?limit=0", 200, None),
        ("/resolutions/A-RES-77-194/paragraphs/5/citations?limit=0", 422, "limit"),
        ("/resolutions/A-RES-77-194/paragraphs/5/citations?offset=-1", 422, "offset"),
        ("/resolutions/A-RES-77-194?format=pdf", 422, "format"),
        ("/instruments/nope", 404, "id"),
        (f"/instruments/{LONG}", 422, "id"),
        ("/instruments/a%20b", 422, "id"),
        ("/instruments?kind=pact", 422, "kind"),
        ("/unts/1577/1", 404, "number"),
        ("/unts/abc/27531", 422, "volume"),
        ("/unts/1577/-5", 422, "number"),
        ("/ilo/C999", 404, "code"),
        ("/ilo/X29", 422, "code"),
        ("/queries/nope", 404, "name"),
        ("/queries/unts?volume=1577", 422, "number"),
        ("/queries/unts?volume=1577&number=27531&colour=red", 422, "colour"),
        ("/queries/citations?resolution=%00", 422, "resolution"),
    ],
)
def test_errors_name_the_parameter(
    client: httpx.Client, path: str, status: int, parameter: str | None
) -> None:
    answer = client.get(path)
    assert answer.status_code == status, answer.text[:300]
    if status >= 400:
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["status"] == status and problem["detail"]
        assert problem.get("parameter") == parameter


def test_a_browser_gets_its_errors_as_a_page(client: httpx.Client) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    answer = client.get("/resolutions/A-RES-77-194/paragraphs/53", headers=browser)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "A/RES/77/194 has no paragraph op53" in answer.text


def test_path_traversal_never_reaches_a_file(url: str) -> None:
    """Sent as is (no client-side normalisation), dot segments find nothing."""
    for raw in (
        "/resolutions/../../etc/passwd",
        "/static/../../../etc/passwd",
        "/data/../etc/passwd.ttl",
    ):
        request = httpx.Request("GET", url + raw)
        request.url = httpx.URL(url + raw)  # keep the dots
        with httpx.Client() as raw_client:
            answer = raw_client.send(request)
        assert answer.status_code in (404, 422) and "root:" not in answer.text


# --- the query library over HTTP ---------------------------------------------------------------


@pytest.mark.parametrize("query", list(LIBRARY), ids=lambda q: q.name)
def test_every_query_example_over_http(client: httpx.Client, query: ql.Query) -> None:
    answer = client.get(f"/queries/{query.name}", params={**query.example, "limit": 1000})
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    table = ql.Table(tuple(query.columns), tuple(tuple(r.values()) for r in rows), len(rows))
    assert int(answer.headers["x-total-count"]) == len(rows)
    assert ql.mismatches(query, table) == []


def test_the_library_lists_itself(client: httpx.Client) -> None:
    listed = client.get("/queries").json()
    assert [q["name"] for q in listed] == [q.name for q in LIBRARY]
    citations = next(q for q in listed if q["name"] == "citations")
    assert citations["example"]["cli"].startswith("treatygraph query citations --resolution")
    assert client.get(citations["example"]["url"]).status_code == 200


# --- the documentation keeps up ---------------------------------------------------------------

MINE = ("/resolutions", "/instruments", "/unts", "/ilo", "/queries", "/id/", "/data/")


def _example(param: dict[str, Any]) -> Any:
    schema = param.get("schema", {})
    for found in (
        param.get("example"),
        *(param.get("examples") or ()),
        *(schema.get("examples") or ()),
    ):
        if found is not None:
            return found
    return None


def _my_operations(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in openapi["paths"].items():
        if path.startswith(MINE):
            yield path, operations["get"]


def test_every_route_is_in_openapi_with_examples(url: str, openapi: dict[str, Any]) -> None:
    from treatygraph.api.routes.linked_data import router as ld_router
    from treatygraph.api.routes.lookups import router

    documented = {path for path, _ in _my_operations(openapi)}
    for route in [*router.routes, *ld_router.routes]:
        assert getattr(route, "path", "").replace(":path", "") in documented
    for path, op in _my_operations(openapi):
        assert op.get("summary") and op.get("description"), path
        for param in op.get("parameters", []):
            assert param.get("description") or param.get("schema", {}).get("description"), (
                path,
                param["name"],
            )
            assert _example(param) is not None, (path, param["name"])
        content = op["responses"].get("200", op["responses"].get("303", {})).get("content", {})
        assert any("example" in c or "examples" in c for c in content.values()), path


def test_every_query_is_documented_in_openapi(openapi: dict[str, Any]) -> None:
    for query in LIBRARY:
        op = openapi["paths"][f"/queries/{query.name}"]["get"]
        assert op["summary"] == query.summary and op["description"] == query.description
        names = {p["name"] for p in op["parameters"]}
        assert {p.name for p in query.params} | {"limit", "offset", "format"} == names


def test_json_examples_have_the_shape_of_real_answers(
    client: httpx.Client, openapi: dict[str, Any]
) -> None:
    """The documented example of each JSON route has the keys the live answer has, so the
    documentation cannot fall behind a change of shape. (Taken from the routes: OpenAPI
    drops the null members of examples.)"""
    from fastapi.routing import APIRoute

    from treatygraph.api.routes.lookups import router

    for route in router.routes:
        assert isinstance(route, APIRoute)
        path = route.path.replace(":path", "")
        example = route.responses[200]["content"]["application/json"]["example"]
        concrete = path
        for param in openapi["paths"][path]["get"].get("parameters", []):
            if param["in"] == "path":
                concrete = concrete.replace("{" + param["name"] + "}", quote(str(_example(param))))
        live = client.get(concrete).json()
        if isinstance(example, list):
            example, live = example[0], live[0]
        assert set(example) == set(live), path


def test_every_route_has_an_html_page(client: httpx.Client, openapi: dict[str, Any]) -> None:
    """The browser view of each route's documented example renders (no template error)."""
    for path, op in _my_operations(openapi):
        if path.startswith(("/id/", "/data/")):
            continue
        concrete = path
        for param in op.get("parameters", []):
            if param["in"] == "path":
                concrete = concrete.replace("{" + param["name"] + "}", quote(str(_example(param))))
        answer = client.get(concrete, headers={"Accept": "text/html"})
        assert answer.status_code == 200, (concrete, answer.text[:300])
        assert answer.headers["content-type"].startswith("text/html"), concrete
        assert "<h1" in answer.text and "</html>" in answer.text


# --- how fast -------------------------------------------------------------------------------------


def test_lookup_latency(client: httpx.Client) -> None:
    """Median over 20 requests each; printed with -s (figures for the report)."""
    figures = {}
    for path in (
        "/resolutions/A-RES-77-194/paragraphs/5/citations",
        "/instruments/cedaw/cited-by",
        "/unts/1577/27531",
        "/resolutions/A-RES-77-194",
    ):
        client.get(path)  # warm
        times = []
        for _ in range(20):
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        figures[path] = statistics.median(times)
    print({k: f"{v:.1f} ms" for k, v in figures.items()})
    assert figures["/resolutions/A-RES-77-194/paragraphs/5/citations"] < 500
