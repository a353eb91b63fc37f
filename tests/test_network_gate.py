"""The traversal, export and explorer data routes under concurrent requests: at most
``TREATYGRAPH_NETWORK_SLOTS`` run at once, the others wait at most
``TREATYGRAPH_NETWORK_QUEUE_TIMEOUT`` seconds and then get a 503 with Retry-After; nothing
else fails, nothing hangs, and a slot is given back whatever the request did.

The service runs in this process (uvicorn in a thread) so that a traversal can be made slow
on purpose, and the real routes, gate and error handlers answer over real HTTP.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import free_port
from tests.support.network import shared_store
from treatygraph import network
from treatygraph.api.app import create_app
from treatygraph.api.settings import Settings
from treatygraph.network import view as network_view

TIMEOUT = 20.0  # seconds: a request taking longer than this has hung


@contextlib.contextmanager
def serving(monkeypatch: pytest.MonkeyPatch, **limits: object) -> Iterator[str]:
    """The explorer, ``/network`` and ``/export`` on the shared seed store, with these
    ``TREATYGRAPH_NETWORK_*`` limits, under uvicorn in a thread; its base URL."""
    for name, value in limits.items():
        monkeypatch.setenv(f"TREATYGRAPH_NETWORK_{name.upper()}", str(value))
    app = create_app(Settings(store=shared_store()))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)


class Slow:
    """`network.ranking`, held for `hold` seconds; counts how many run at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hold: float) -> None:
        self.hold = hold
        self.real = network.ranking
        self.running = 0
        self.most = 0
        self.entered = threading.Event()
        self._lock = threading.Lock()
        monkeypatch.setattr(network, "ranking", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.entered.set()
        try:
            time.sleep(self.hold)
            return self.real(*args, **kwargs)
        finally:
            with self._lock:
                self.running -= 1


def get(url: str, **params: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(url, params=params, timeout=TIMEOUT)
    return response, time.monotonic() - started


def at_once(calls: list[Callable[[], tuple[httpx.Response, float]]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and "busy" in body["detail"]


def test_excess_requests_get_503_with_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    slow = Slow(monkeypatch, hold=3.0)
    with serving(monkeypatch, slots=1, queue_timeout=0.3) as url:
        ranking = f"{url}/network/ranking"
        answers = at_once([lambda: get(ranking, by="in_degree") for _ in range(8)])
        statuses = Counter(r.status_code for r, _ in answers)
        assert statuses == {200: 1, 503: 7}
        for response, seconds in answers:
            if response.status_code == 503:
                assert_busy(response)
                assert 0.25 < seconds < 2.5  # refused when the wait ran out, not at once
        assert slow.most == 1
        first = next(r for r, _ in answers if r.status_code == 200)
        assert first.json()["instruments"][0]["ref"] == "tip_protocol"
        # The slot is free again.
        assert get(ranking, by="in_degree")[0].status_code == 200


def test_the_gate_covers_exports_and_the_explorers_data_not_the_listing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = Slow(monkeypatch, hold=2.0)
    with serving(monkeypatch, slots=1, queue_timeout=0.2) as url:
        holder = threading.Thread(target=get, args=(f"{url}/network/ranking",))
        holder.start()
        assert slow.entered.wait(TIMEOUT)
        for path, params in (
            ("/export/gexf", {"resolution": "A/RES/77/194"}),
            ("/network/ego", {"instrument": "crc", "radius": 1}),
            ("/network/cocitation", {"instrument": "crc"}),
            ("/explore/search.json", {"q": "crc"}),
            ("/explore/graph.json", {}),
        ):
            assert_busy(get(url + path, **params)[0])
        listing, seconds = get(f"{url}/export")
        assert listing.status_code == 200 and seconds < 1.0
        holder.join(TIMEOUT)


def test_queued_requests_are_served_when_the_wait_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = Slow(monkeypatch, hold=0.3)
    with serving(monkeypatch, slots=2, queue_timeout=10) as url:
        answers = at_once([lambda: get(f"{url}/network/ranking") for _ in range(6)])
    assert [r.status_code for r, _ in answers] == [200] * 6
    assert slow.most == 2  # two at a time, never more
    assert max(seconds for _, seconds in answers) > 0.5  # the last ones waited their turn


def test_a_slot_is_given_back_whatever_the_request_did(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, slots=1, queue_timeout=0.5) as url:
        for path, params, status in (
            ("/network/ranking", {"by": "fame"}, 422),
            ("/network/neighbours", {"node": "no-such"}, 404),
            ("/network/neighbours", {"node": "crc", "depth": 9}, 422),
            ("/export/no-such-format", {}, 422),
            ("/network/neighbours", {}, 400),  # a required parameter missing (the app: 400)
        ):
            for _ in range(3):
                assert get(url + path, **params)[0].status_code == status
        assert get(f"{url}/network/cocitation", instrument="crc")[0].status_code == 200

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(network, "ranking", broken)
        with contextlib.suppress(httpx.HTTPError):
            assert get(f"{url}/network/ranking")[0].status_code == 500
        assert get(f"{url}/network/cocitation", instrument="crc")[0].status_code == 200


def test_real_traversals_at_once_are_answered_or_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No slowing down: whatever runs at once, every answer is a 200 or a 503 that says
    when to come back, and none takes long."""
    with serving(monkeypatch, slots=1, queue_timeout=0.01) as url:
        calls: list[Callable[[], tuple[httpx.Response, float]]] = []
        for _ in range(4):
            calls += [
                lambda: get(f"{url}/network/ego", instrument="crc", radius=2),
                lambda: get(f"{url}/network/cocitation", instrument="crc", limit=50),
                lambda: get(f"{url}/network/neighbours", node="A/RES/77/194", depth=2),
                lambda: get(f"{url}/network/ranking", by="pagerank"),
                lambda: get(f"{url}/export/graphml"),
                lambda: get(f"{url}/explore/graph.json"),
            ]
        answers = at_once(calls)
    statuses = Counter(r.status_code for r, _ in answers)
    assert set(statuses) <= {200, 503} and statuses[200] >= 1, statuses
    for response, seconds in answers:
        assert seconds < TIMEOUT / 2
        if response.status_code == 503:
            assert_busy(response)


class SlowBuild:
    """The view module's `build_view`, held until `release` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = network_view.build_view
        self.release = threading.Event()
        monkeypatch.setattr(network_view, "build_view", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        assert self.release.wait(TIMEOUT)
        return self.real(*args, **kwargs)


def test_before_the_first_view_requests_get_503_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = SlowBuild(monkeypatch)
    with serving(monkeypatch, slots=2, view_wait=0.3) as url:  # the lifespan starts the build
        response, seconds = get(f"{url}/network")
        assert response.status_code == 503 and 0.25 < seconds < TIMEOUT / 2
        assert response.headers["retry-after"] == "5"
        assert "being read from the store" in response.json()["detail"]
        build.release.set()
        deadline = time.monotonic() + TIMEOUT
        while (response := get(f"{url}/network")[0]).status_code == 503:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert response.status_code == 200 and response.json()["node_kinds"]["resolution"] == 2


def test_requests_wait_for_the_first_view_without_holding_a_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = SlowBuild(monkeypatch)
    with (
        serving(monkeypatch, slots=1, queue_timeout=0.3, view_wait=TIMEOUT) as url,
        ThreadPoolExecutor(4) as pool,
    ):
        waiting = [pool.submit(get, f"{url}/network/cocitation", limit=3) for _ in range(4)]
        time.sleep(1.0)  # past the wait for a slot: none was refused, all wait
        assert not any(f.done() for f in waiting)
        build.release.set()
        answers = [f.result() for f in waiting]
    assert [r.status_code for r, _ in answers] == [200] * 4
    assert all(len(r.json()["pairs"]) == 3 for r, _ in answers)
