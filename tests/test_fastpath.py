"""The response cache in front of the routes (treatygraph.api.cache_middleware on
treatygraph.api.cache): over real HTTP, the
service under uvicorn on a real embedded store; and the ASGI layer around small Starlette
apps, for what a service cannot be made to do on demand (not ready, huge answers, a load in
the middle of an answer)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.lookups import BASE, seed_store
from treatygraph.api.cache import Cache
from treatygraph.api.cache_middleware import ResponseCache
from treatygraph.api.settings import Settings
from treatygraph.api.worker_frames import Job
from treatygraph.store import open_store

if TYPE_CHECKING:
    from tests.conftest import Service

    StartApp = Callable[..., AbstractContextManager[Service]]

CITATIONS = "/resolutions/A-RES-77-194/paragraphs/5/citations"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
JSON = "application/sparql-results+json"
CARTESIAN = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(6)) + " }"


@dataclass(frozen=True)
class Site:
    """A service on a store of its own (which a test may reload), and the seed graph's file."""

    service: Service
    store: Path

    @property
    def seed_nt(self) -> Path:
        return self.store.parent / "seed.nt"  # written by tests.support.lookups.seed_store

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(self.service.url + path, headers=headers, timeout=60)

    def ask(self, query: str, accept: str = JSON, **headers: str) -> httpx.Response:
        return httpx.get(
            self.service.sparql,
            params={"query": query},
            headers={"Accept": accept, **headers},
            timeout=60,
        )

    def stats(self) -> dict[str, int]:
        figures: dict[str, int] = self.get("/stats").json()["cache"]
        return figures

    def load(self, nt: Path) -> None:
        """A new generation of the store, swapped in (as `treatygraph build` does)."""
        open_store(self.store, read_only=False).load(nt)


@pytest.fixture(scope="module")
def start_site(
    tmp_path_factory: pytest.TempPathFactory, start_app: StartApp
) -> Callable[..., AbstractContextManager[Site]]:
    """`with start_site(**settings) as site:` the service on a fresh store of the seed
    resolution's graph."""
    import contextlib

    @contextlib.contextmanager
    def start(**settings: object) -> Iterator[Site]:
        spec = seed_store(tmp_path_factory.mktemp("site"))
        with start_app(spec, base=BASE, **settings) as service:
            yield Site(service, Path(spec))

    return start


@pytest.fixture(scope="module")
def site(start_site: Callable[..., AbstractContextManager[Site]]) -> Iterator[Site]:
    """The service as shipped (cache on), shared by the tests that do not reload its store."""
    with start_site() as running:
        yield running


def _vary(response: httpx.Response) -> list[str]:
    return [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]


# --- over real HTTP -------------------------------------------------------------------------


def test_second_identical_get_is_a_hit_with_the_same_answer(site: Site) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"
    before = site.stats()
    first, second = site.ask(query), site.ask(query)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"] == JSON
    assert second.headers["content-length"] == str(len(first.content))
    assert _vary(second) == _vary(first)
    after = site.stats()
    assert after["hits"] == before["hits"] + 1 and after["stores"] == before["stores"] + 1
    assert after["entries"] >= 1 and after["bytes"] > len(first.content)
    assert site.get("/stats").headers["cache-control"] == "no-store"


def test_lookups_are_kept_per_representation(site: Site) -> None:
    html = {"Accept": "text/html"}
    first = site.get(CITATIONS)
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    page = site.get(CITATIONS, **html)
    assert page.headers["x-cache"] == "miss" and page.headers["content-type"].startswith("text/")
    csv = site.get(CITATIONS + "?format=csv")
    assert csv.headers["x-cache"] == "miss" and csv.headers["content-type"].startswith("text/csv")
    again, page_again = site.get(CITATIONS), site.get(CITATIONS, **html)
    assert (again.headers["x-cache"], page_again.headers["x-cache"]) == ("hit", "hit")
    assert again.json() == first.json() and len({c["instrument"]["id"] for c in again.json()}) == 17
    assert again.headers["content-type"] == "application/json"
    assert page_again.text == page.text and "<html" in page_again.text.lower()
    assert again.headers["link"] == first.headers["link"]  # links name the host asked


def test_accept_variants_are_never_mixed(site: Site) -> None:
    query = "SELECT ?p WHERE { ?s ?p ?o } ORDER BY ?p LIMIT 2"
    json_first = site.ask(query)
    csv_first = site.ask(query, accept="text/csv")
    xml_first = site.ask(query, accept="application/sparql-results+xml")
    assert [r.headers["x-cache"] for r in (json_first, csv_first, xml_first)] == ["miss"] * 3
    for accept, first in (
        (JSON, json_first),
        ("text/csv", csv_first),
        ("application/sparql-results+xml", xml_first),
    ):
        again = site.ask(query, accept=accept)
        assert again.headers["x-cache"] == "hit"
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.content == first.content
    assert csv_first.content.startswith(b"p\r\n") and json_first.json()["head"]["vars"] == ["p"]


def test_errors_are_never_kept(site: Site) -> None:
    stores = site.stats()["stores"]
    for _ in range(2):
        bad = site.ask("SELECT ?x WHERE { ?x ")
        assert bad.status_code == 400 and bad.headers["x-cache"] == "miss"
        missing = site.get("/resolutions/A-RES-1-1/paragraphs/5/citations")
        assert missing.status_code == 404 and missing.headers["x-cache"] == "miss"
        unacceptable = site.ask("ASK {}", accept="image/png")
        assert unacceptable.status_code == 406 and unacceptable.headers["x-cache"] == "miss"
    assert site.stats()["stores"] == stores


def test_volatile_queries_and_the_query_page_are_not_kept(site: Site) -> None:
    stores = site.stats()["stores"]
    for query in ("SELECT (RAND() AS ?r) {}", "SELECT (STRUUID() AS ?u) {}"):
        answers = [site.ask(query) for _ in range(2)]
        assert [a.headers["x-cache"] for a in answers] == ["miss", "miss"]
    uuids = [site.ask("SELECT (STRUUID() AS ?u) {}").json() for _ in range(2)]
    assert uuids[0] != uuids[1]
    for _ in range(2):  # no query: the service description or the page (not kept)
        assert site.get("/sparql", Accept="text/turtle").headers["x-cache"] == "miss"
    assert site.stats()["stores"] == stores


def test_cors_headers_are_the_requests_own(site: Site) -> None:
    query = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 4"
    first = site.ask(query, Origin="https://a.example")
    assert first.headers["x-cache"] == "miss"
    assert first.headers["access-control-allow-origin"] == "*"
    for origin in ("https://b.example", "https://c.example"):
        hit = site.ask(query, Origin=origin)
        assert hit.headers["x-cache"] == "hit"
        assert hit.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in hit.headers
        assert _vary(hit).count("Origin") == 1  # not piled up on the kept headers
    plain = site.ask(query)  # no Origin: no CORS header from anyone's earlier request
    assert plain.headers["x-cache"] == "hit"
    assert "access-control-allow-origin" not in plain.headers
    assert _vary(plain).count("Origin") == 1 and "Accept" in _vary(plain)
    assert plain.content == first.content


def test_post_answers_come_from_the_same_cache(site: Site) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY DESC(?s) LIMIT 2"
    before = site.stats()
    answers = [
        httpx.post(site.service.sparql, data={"query": query}, headers={"Accept": JSON})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [200, 200] and answers[0].json() == answers[1].json()
    after = site.stats()
    assert after["stores"] == before["stores"] + 1 and after["hits"] == before["hits"] + 1


def test_a_hit_needs_no_query_worker(
    start_site: Callable[..., AbstractContextManager[Site]],
) -> None:
    """The only worker is busy with a runaway query: a kept answer still comes at once."""
    with start_site(workers=1, query_timeout=3) as site:
        assert site.ask(COUNT).headers["x-cache"] == "miss"
        assert site.get(CITATIONS).headers["x-cache"] == "miss"
        runaway: dict[str, httpx.Response] = {}
        thread = threading.Thread(target=lambda: runaway.update(r=site.ask(CARTESIAN)))
        thread.start()
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            hit, lookup = site.ask(COUNT), site.get(CITATIONS)
            assert time.monotonic() - started < 1.0
            assert hit.status_code == lookup.status_code == 200
            assert hit.headers["x-cache"] == lookup.headers["x-cache"] == "hit"
        thread.join()
        assert runaway["r"].status_code == 422  # stopped at its time limit, as before


def test_a_load_empties_the_cache(start_site: Callable[..., AbstractContextManager[Site]]) -> None:
    """A rebuild swaps the store's generation symlink: the next answers are misses with the
    new data, for /sparql and for the lookups alike."""
    with start_site() as site:
        count = site.ask(COUNT)
        before = int(count.json()["results"]["bindings"][0]["n"]["value"])
        assert site.ask(COUNT).headers["x-cache"] == "hit"
        assert site.get(CITATIONS).status_code == 200
        assert site.get(CITATIONS).headers["x-cache"] == "hit"

        tiny = site.store.parent / "tiny.nt"
        tiny.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
        generation = os.readlink(site.store)
        site.load(tiny)
        assert os.readlink(site.store) != generation
        after = site.ask(COUNT)
        assert after.headers["x-cache"] == "miss"
        assert after.json()["results"]["bindings"][0]["n"]["value"] == "1"
        gone = site.get(CITATIONS)
        assert gone.status_code == 404 and gone.headers["x-cache"] == "miss"
        assert site.stats()["invalidations"] >= 1

        site.load(site.seed_nt)  # the seed again, in yet another generation
        back = site.ask(COUNT)
        assert back.headers["x-cache"] == "miss"
        assert int(back.json()["results"]["bindings"][0]["n"]["value"]) == before
        found = site.get(CITATIONS)
        assert found.status_code == 200 and found.headers["x-cache"] == "miss"
        assert site.get(CITATIONS).headers["x-cache"] == "hit"


def test_cache_off(start_site: Callable[..., AbstractContextManager[Site]]) -> None:
    with start_site(cache="off") as site:
        answers = [site.ask(COUNT) for _ in range(2)] + [site.get(CITATIONS) for _ in range(2)]
        assert all(a.status_code == 200 and "x-cache" not in a.headers for a in answers)
        assert answers[0].content == answers[1].content
        figures = site.stats()
        assert figures["enabled"] is False and figures["entries"] == figures["hits"] == 0
        post = httpx.post(site.service.sparql, data={"query": COUNT}, headers={"Accept": JSON})
        assert post.status_code == 200 and site.stats()["stores"] == 0


def test_remote_store_gets_no_cache(remote_service: Service) -> None:
    """Another server's data can change behind our back: nothing is kept."""
    answers = [
        httpx.get(remote_service.sparql, params={"query": COUNT}, timeout=30) for _ in range(2)
    ]
    assert all(a.status_code == 200 and "x-cache" not in a.headers for a in answers)
    figures = httpx.get(f"{remote_service.url}/stats", timeout=30).json()["cache"]
    assert figures["enabled"] is False and figures["stores"] == 0


# --- the layer around small Starlette apps -------------------------------------------------


class Inner:
    """A Starlette app under the layer, counting the requests that reach it."""

    def __init__(self, handler: Callable[[Request], Response], *others: Route) -> None:
        self.calls = 0

        async def endpoint(request: Request) -> Response:
            self.calls += 1
            return handler(request)

        self.app = Starlette(routes=[*others, Route("/resolutions/{rest:path}", endpoint)])


class Client:
    """Requests to an ASGI app in this process (httpx's transport; lifespan not needed)."""

    def __init__(self, app: ResponseCache) -> None:
        self.app = app

    def get(self, path: str) -> httpx.Response:
        return asyncio.run(self._request("GET", path))

    def post(self, path: str) -> httpx.Response:
        return asyncio.run(self._request("POST", path))

    async def _request(self, method: str, path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, path)


def _generation(tmp_path: Path, name: str = "store.1") -> Path:
    (tmp_path / name).mkdir()
    link = tmp_path / "store"
    temporary = tmp_path / "store.new"
    os.symlink(name, temporary)
    os.replace(temporary, link)
    return link


def _layer(
    tmp_path: Path, inner: Inner, ready: Callable[[], bool] = lambda: True, max_entry: int = 1 << 20
) -> tuple[Client, Cache]:
    link = _generation(tmp_path)
    cache = Cache.for_settings(Settings(store=str(link), cache_entry_bytes=max_entry))
    return Client(ResponseCache(inner.app, cache=cache, ready=ready)), cache


def test_nothing_is_served_or_kept_before_the_service_is_ready(tmp_path: Path) -> None:
    inner = Inner(lambda request: PlainTextResponse("answer"))
    up = [False]
    client, cache = _layer(tmp_path, inner, ready=lambda: up[0])
    for _ in range(2):
        answer = client.get("/resolutions/x")
        assert answer.text == "answer" and "x-cache" not in answer.headers
    assert inner.calls == 2 and cache.stats()["entries"] == 0
    up[0] = True
    assert [client.get("/resolutions/x").headers["x-cache"] for _ in range(2)] == ["miss", "hit"]
    assert inner.calls == 3


def test_large_answers_stream_through_and_are_not_kept(tmp_path: Path) -> None:
    chunk = b"x" * 40_000

    def stream(request: Request) -> Response:
        return StreamingResponse(iter([chunk] * 5), media_type="text/plain")

    inner = Inner(stream)
    client, cache = _layer(tmp_path, inner, max_entry=100_000)
    for _ in range(2):
        answer = client.get("/resolutions/big")
        assert answer.content == chunk * 5 and answer.headers["x-cache"] == "miss"
    assert inner.calls == 2 and cache.stats()["entries"] == 0


def test_a_streamed_answer_under_the_cap_is_kept_whole(tmp_path: Path) -> None:
    def stream(request: Request) -> Response:
        return StreamingResponse(iter([b"one ", b"two ", b"three"]), media_type="text/plain")

    inner = Inner(stream)
    client, _ = _layer(tmp_path, inner)
    first, second = client.get("/resolutions/s"), client.get("/resolutions/s")
    assert first.content == second.content == b"one two three"
    assert second.headers["x-cache"] == "hit" and inner.calls == 1
    assert second.headers["content-length"] == "13"


@pytest.mark.parametrize(
    "headers",
    [
        {"Set-Cookie": "session=1"},
        {"Cache-Control": "no-store"},
        {"Cache-Control": "private, max-age=60"},
        {"Vary": "Accept-Encoding"},
        {"Vary": "*"},
    ],
)
def test_answers_that_refuse_to_be_kept(tmp_path: Path, headers: dict[str, str]) -> None:
    inner = Inner(lambda request: PlainTextResponse("answer", headers=headers))
    client, _ = _layer(tmp_path, inner)
    assert [client.get("/resolutions/x").headers["x-cache"] for _ in range(2)] == ["miss"] * 2
    assert inner.calls == 2


def test_only_the_listed_routes_and_methods_are_kept(tmp_path: Path) -> None:
    async def ok(request: Request) -> Response:
        return PlainTextResponse("ok")

    inner = Inner(
        lambda request: PlainTextResponse("answer"),
        Route("/ready", ok),
        Route("/resolutions/post", ok, methods=["POST"]),
    )
    client, cache = _layer(tmp_path, inner)
    assert all("x-cache" not in client.get("/ready").headers for _ in range(2))
    assert all("x-cache" not in client.post("/resolutions/post").headers for _ in range(2))
    assert cache.stats()["entries"] == 0


def test_an_answer_made_while_a_load_swapped_the_store_is_not_kept(tmp_path: Path) -> None:
    caches: list[Cache] = []

    def during_a_load(request: Request) -> Response:
        if not (tmp_path / "store.2").exists():  # the first request: a load finishes now,
            _generation(tmp_path, "store.2")
            caches[0].current()  # and another request has already seen the new generation
        return PlainTextResponse("made from the old store, or the new: who knows")

    inner = Inner(during_a_load)
    client, cache = _layer(tmp_path, inner)
    caches.append(cache)
    assert client.get("/resolutions/x").headers["x-cache"] == "miss"
    assert cache.stats()["entries"] == 0
    assert [client.get("/resolutions/x").headers["x-cache"] for _ in range(2)] == ["miss", "hit"]


def test_memory_is_bounded_in_entries_and_bytes() -> None:
    cache = Cache(entries=3, max_bytes=1_000, max_entry=600, generation=lambda: "g")
    g = cache.current()
    for n in range(5):
        assert cache.put(n, n, 100, g)
    assert cache.stats()["entries"] == 3 and cache.get(0) is None and cache.get(4) == 4
    assert not cache.put("huge", 0, 601, g)  # past the cap of one entry: never kept

    cache = Cache(entries=100, max_bytes=1_000, max_entry=600, generation=lambda: "g")
    for n in range(4):
        assert cache.put(n, n, 200, g)
    cache.get(0)  # recently used: kept
    assert cache.put("big", 0, 600, g)  # 800 + 600 > 1,000: the least recently used go
    assert cache.get(1) is None and cache.get(2) is None
    assert cache.get(0) == 0 and cache.get(3) == 3 and cache.get("big") == 0
    assert cache.stats()["bytes"] == 1_000 and cache.stats()["evictions"] == 2


def test_settings_switch_the_cache() -> None:
    assert Settings.from_env({"TREATYGRAPH_CACHE": "off"}).cache is False
    assert Settings.from_env({"TREATYGRAPH_CACHE": "On"}).cache is True
    with pytest.raises(ValueError, match="TREATYGRAPH_CACHE"):
        Settings.from_env({"TREATYGRAPH_CACHE": "maybe"})
    off = Cache.for_settings(Settings(store="data/store", cache_entries=0))
    remote = Cache.for_settings(Settings(store="sparql+http://127.0.0.1:9/query"))
    assert not off.enabled and not remote.enabled
    assert Cache.for_settings(Settings(store="data/store")).enabled


def test_jobs_cross_the_pipe_whole() -> None:
    """Job.encode spells its fields out: a field added later must be added there too."""
    job = Job(
        query="ASK {}",
        results_format="json",
        graph_format="turtle",
        default_graphs=("http://e/g",),
        named_graphs=(),
    )
    assert Job.decode(job.encode()) == job
    assert len(fields(Job)) == 5
