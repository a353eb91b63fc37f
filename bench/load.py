"""Load on a loopback server, bounded in time and connections: Debian's ``wrk`` (C, one
thread, so that it takes one core and leaves the other to the server), driven by a Lua script
that cycles through a list of requests; without ``wrk``, an asyncio client of our own."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Request:
    path: str  # with its query string
    method: str = "GET"
    body: str = ""
    accept: str = "application/json"


@dataclass(frozen=True)
class Result:
    """Throughput and latency of one run (latencies in milliseconds)."""

    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int  # transport errors and answers other than 2xx
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_LUA = r"""
local list = %(requests)s
local prepared = {}
init = function(args)
  for i, r in ipairs(list) do
    local headers = { ["Accept"] = r.accept }
    if r.body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    prepared[i] = wrk.format(r.method, r.path, headers, r.body ~= "" and r.body or nil)
  end
end
local n = 0
request = function()
  n = n %% #prepared + 1
  return prepared[n]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, "p50": %%d, ' ..
    '"p90": %%d, "p99": %%d, "mean": %%f, "max": %%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    latency.max))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for our (ASCII) requests


def run(
    url: str,
    requests: Sequence[Request],
    *,
    seconds: float,
    connections: int,
    timeout: float = 30.0,
) -> Result:
    """``connections`` clients send ``requests`` in turn to ``url`` for ``seconds``."""
    if shutil.which("wrk"):
        return _wrk(url, requests, seconds=seconds, connections=connections, timeout=timeout)
    return asyncio.run(
        _own(url, requests, seconds=seconds, connections=connections, timeout=timeout)
    )


def _wrk(
    url: str, requests: Sequence[Request], *, seconds: float, connections: int, timeout: float
) -> Result:
    fields = ("method", "path", "body", "accept")
    table = ",\n".join(
        "{ " + ", ".join(f"{k} = {_lua_string(getattr(r, k))}" for k in fields) + " }"
        for r in requests
    )
    script = _LUA % {"requests": "{\n" + table + "\n}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        f.name,
        url,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    finally:
        Path(f.name).unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.stdout}\n{done.stderr}")
    data = json.loads(line)
    elapsed = data["duration_us"] / 1e6
    return Result(
        tool="wrk",
        connections=connections,
        seconds=round(elapsed, 2),
        requests=data["requests"],
        errors=data["errors"] + data["non2xx"],
        rps=round(data["requests"] / elapsed, 1),
        p50_ms=round(data["p50"] / 1000, 2),
        p90_ms=round(data["p90"] / 1000, 2),
        p99_ms=round(data["p99"] / 1000, 2),
        mean_ms=round(data["mean"] / 1000, 2),
        max_ms=round(data["max"] / 1000, 2),
    )


async def _own(
    url: str, requests: Sequence[Request], *, seconds: float, connections: int, timeout: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            r = requests[next(counter) % len(requests)]
            started = time.perf_counter()
            try:
                answer = await http.request(
                    r.method,
                    url + r.path,
                    content=r.body or None,
                    headers={"Accept": r.accept}
                    | ({"Content-Type": "application/x-www-form-urlencoded"} if r.body else {}),
                )
                ok = answer.is_success
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
        await asyncio.gather(*(client(http) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 2)

    return Result(
        tool="httpx-asyncio",
        connections=connections,
        seconds=round(elapsed, 2),
        requests=len(latencies),
        errors=errors,
        rps=round(len(latencies) / elapsed, 1),
        p50_ms=pct(50),
        p90_ms=pct(90),
        p99_ms=pct(99),
        mean_ms=round(sum(ordered) / len(ordered) * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
    )


def merge(results: Sequence[Result]) -> dict[str, object]:
    """Several runs against one server as one figure: requests and errors summed, throughput
    over the total time, the median of the runs' p50 and p90, the worst p99 and max; each
    run's throughput kept in ``rounds_rps``."""
    seconds = sum(r.seconds for r in results) or 1e-9
    requests = sum(r.requests for r in results)

    def median(values: list[float]) -> float:
        ordered = sorted(values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return round((ordered[middle - 1] + ordered[middle]) / 2, 2)

    return {
        "tool": results[0].tool,
        "connections": results[0].connections,
        "seconds": round(seconds, 2),
        "requests": requests,
        "errors": sum(r.errors for r in results),
        "rps": round(requests / seconds, 1),
        "p50_ms": median([r.p50_ms for r in results]),
        "p90_ms": median([r.p90_ms for r in results]),
        "p99_ms": max(r.p99_ms for r in results),
        "mean_ms": round(sum(r.mean_ms * r.requests for r in results) / max(requests, 1), 2),
        "max_ms": max(r.max_ms for r in results),
        "rounds_rps": [r.rps for r in results],
    }
