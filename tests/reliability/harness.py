"""Tools of the reliability suite: the service under test in its own process, its process tree
and memory, a bounded HTTP load, a SPARQL fuzzer, and the record of figures that
``make reliability`` prints as a table (and ``docs/reliability.md`` keeps).

Everything runs on loopback, is bounded in count and time, and stops by itself. Processes are
started here and stopped here, by their own ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import ROOT, free_port

ARTIFACTS = ROOT / "test-artifacts" / "reliability"
FIGURES = "TREATYGRAPH_RELIABILITY_FIGURES"  # the JSON-lines file figures are recorded in
CLI = [sys.executable, "-m", "treatygraph"]
MIB = 1024 * 1024


# --- figures ----------------------------------------------------------------------------------


def record(kind: str, check: str, *, whole_file: bool = False, **figures: object) -> None:
    """Keep the figures of one check for the summary table (only when a run asks for them);
    with `whole_file`, the check is every test of the current file."""
    path = os.environ.get(FIGURES)
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    if whole_file:
        test = test.split("::")[0]
    line = json.dumps({"kind": kind, "check": check, "figures": figures, "test": test})
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


# --- processes ----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The direct children of `pid`."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                found += [int(c) for c in text.split()]
    return found


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def state(pid: int) -> str:
    """The process state letter (R, S, Z, ...), or '' when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return text.rsplit(")", 1)[1].split()[0]


def rss(pid: int) -> int:
    """Resident memory of `pid` and its descendants, in bytes."""
    return rss_parts(pid)[0]


def rss_parts(pid: int) -> tuple[int, int]:
    """Resident memory of `pid` and its descendants, and the part of it that is file-backed
    (mapped files: the store's, the libraries'; the kernel can drop it), in bytes."""
    page = os.sysconf("SC_PAGE_SIZE")
    resident = shared = 0
    for p in tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/statm").read_text().split()
            resident += int(fields[1]) * page
            shared += int(fields[2]) * page
    return resident, shared


def stop_process(process: subprocess.Popen[bytes], *, grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; then any child it left, by id."""
    if process.poll() is None:
        left = tree(process.pid)[1:]
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(state(p) not in ("", "Z") for p in left):
            time.sleep(0.1)
        for p in left:
            if state(p) not in ("", "Z"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)


# --- the service --------------------------------------------------------------------------


@dataclass
class Service:
    """The service in its own process: where it listens and how to reach its process tree."""

    url: str
    process: subprocess.Popen[bytes]
    store: str
    workers: int

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def rss(self) -> int:
        return rss(self.process.pid)

    def workers_alive(self) -> list[int]:
        """Query workers that are alive (not zombies)."""
        return [p for p in children(self.process.pid) if state(p) not in ("", "Z")]

    def zombies(self) -> list[int]:
        return [p for p in children(self.process.pid) if state(p) == "Z"]


def start_service(
    store: str,
    *,
    listen: socket.socket | None = None,
    port: int | None = None,
    workers: int = 2,
    log: Path | None = None,
    **settings: object,
) -> Service:
    """Start the service (uvicorn, ``treatygraph.api.app:app_from_env``) on `store`. With `listen`
    it
    takes that listening socket (``--fd``, as under socket activation): connections made
    while no process accepts wait in the socket's backlog instead of being refused."""
    env = {**os.environ, "TREATYGRAPH_STORE": store, "TREATYGRAPH_WORKERS": str(workers)}
    env |= {f"TREATYGRAPH_{k.upper()}": str(v) for k, v in settings.items()}
    command = [sys.executable, "-m", "uvicorn", "--factory", "treatygraph.api.app:app_from_env"]
    command += ["--log-level", "warning", "--timeout-graceful-shutdown", "30"]
    pass_fds: tuple[int, ...] = ()
    if listen is not None:
        command += ["--fd", str(listen.fileno())]
        pass_fds = (listen.fileno(),)
        port = int(listen.getsockname()[1])
    else:
        port = port or free_port()
        command += ["--host", "127.0.0.1", "--port", str(port)]
    if log is None:  # kept for a post-mortem: test-artifacts/ is not committed
        (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
        log = ARTIFACTS / "logs" / f"service-{port}.log"
    output = open(log, "ab")  # noqa: SIM115 (the child keeps it)
    with output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            pass_fds=pass_fds,
            stdout=output,
            stderr=output,
            start_new_session=True,  # our own signals only: a Ctrl-C of the tests stays ours
        )
    return Service(f"http://127.0.0.1:{port}", process, store, workers)


def wait_ready(service: Service, *, timeout: float = 120.0, ready: bool = True) -> float:
    """Seconds until ``/ready`` says 200 (or, with `ready` false, until it answers at all);
    RuntimeError if the process exits first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if service.process.poll() is not None:
            raise RuntimeError(f"the service exited with {service.process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.get(f"{service.url}/ready", timeout=5)
            if answer.status_code == 200 or not ready:
                return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"{service.url} was not ready within {timeout} s")


@contextlib.contextmanager
def running(store: str, *, ready: bool = True, **options: object) -> Iterator[Service]:
    """The service on `store`, ready (or only up, with `ready` false); stopped afterwards."""
    service = start_service(store, **options)  # type: ignore[arg-type]
    try:
        wait_ready(service, ready=ready)
        yield service
    finally:
        stop_process(service.process)


# --- stores and corpora -------------------------------------------------------------------


def treatygraph(*args: str | Path, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh process; its status, stdout and stderr."""
    return subprocess.run(
        [*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def synth_corpus(directory: Path, resolutions: int, seed: int) -> Path:
    done = treatygraph("synth", "--resolutions", resolutions, "--seed", seed, directory)
    assert done.returncode == 0, done.stderr
    return directory


def build(corpus: Path, work: Path, *, jobs: int = 2) -> subprocess.CompletedProcess[str]:
    """``treatygraph build CORPUS --out WORK/dist --store WORK/store`` (cache in WORK)."""
    return treatygraph(
        "build", corpus, "--out", work / "dist", "--store", work / "store",
        "--cache", work / "cache", "--jobs", jobs,
    )  # fmt: skip


def count_triples(service_url: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answer = httpx.post(f"{service_url}/sparql", data={"query": query}, timeout=60)
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


# --- a bounded load -------------------------------------------------------------------------

Request = tuple[str, str, dict[str, str], dict[str, str] | None]  # kind, path, headers, form


@dataclass
class LoadResult:
    """What a load run saw: latencies by kind, statuses, errors and resident memory."""

    seconds: float
    clients: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    memory: list[tuple[float, int]] = field(default_factory=list)  # (seconds in, bytes)
    cached: list[tuple[float, int]] = field(default_factory=list)  # answer cache (/stats)
    mapped: list[tuple[float, int]] = field(default_factory=list)  # file-backed resident

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def percentile(self, q: float, kind: str | None = None) -> float:
        values = sorted(v for k, vs in self.latencies.items() if kind in (None, k) for v in vs)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(q / 100 * len(values)))]

    def memory_between(
        self, start: float, end: float, *, cache: bool = False, mapped: bool = False
    ) -> float:
        """Median resident memory (MiB) of the samples taken between two times (with
        `cache`, the answer cache's own bytes instead; with `mapped`, the file-backed part)."""
        samples = self.cached if cache else self.mapped if mapped else self.memory
        window = [b for t, b in samples if start <= t < end]
        return statistics.median(window) / MIB if window else 0.0

    def figures(self) -> dict[str, object]:
        third = self.seconds / 3
        first, last = self.memory_between(0, third), self.memory_between(2 * third, self.seconds)
        # the answer cache grows by design, bounded (TREATYGRAPH_CACHE_BYTES): count it apart
        cache_first = self.memory_between(0, third, cache=True)
        cache_last = self.memory_between(2 * third, self.seconds, cache=True)
        # pages of mapped files (the store read by more and more lookups) are not a leak
        mapped_first = self.memory_between(0, third, mapped=True)
        mapped_last = self.memory_between(2 * third, self.seconds, mapped=True)
        # growth only: a full cache evicting large answers for small ones shrinks
        set_apart = max(0.0, cache_last - cache_first) + max(0.0, mapped_last - mapped_first)
        return {
            "requests": self.requests,
            "rate": round(self.requests / self.seconds, 1),
            "errors": len(self.errors),
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
            "by_kind": {
                k: {
                    "n": len(v),
                    "p50_ms": round(self.percentile(50, k) * 1000, 1),
                    "p99_ms": round(self.percentile(99, k) * 1000, 1),
                }
                for k, v in sorted(self.latencies.items())
            },
            "rss_first_mib": round(first, 1),
            "rss_last_mib": round(last, 1),
            "rss_growth_mib": round(last - first, 1),
            "cache_growth_mib": round(cache_last - cache_first, 1),
            "mapped_growth_mib": round(mapped_last - mapped_first, 1),
            "rss_growth_besides_cache_mib": round(last - first - set_apart, 1),
            "rss_noise_mib": round(self.memory_spread(0, third), 1),
        }

    def memory_spread(self, start: float, end: float) -> float:
        """How much resident memory moves (MiB) within a window: the noise to beat."""
        window = sorted(b for t, b in self.memory if start <= t < end)
        if len(window) < 2:
            return 0.0
        return (window[-1] - window[0]) / MIB


def run_load(
    service: Service,
    requests: Callable[[random.Random], Request],
    *,
    seconds: float,
    clients: int,
    seed: int = 1,
    timeout: float = 60.0,
    warmup: float = 0.0,
) -> LoadResult:
    """`clients` concurrent clients, each sending requests from `requests` for `warmup` and
    then `seconds` seconds; latencies and resident memory (of the service's process tree,
    every second) are figures of the `seconds` after the warm-up; errors count throughout."""
    result = LoadResult(seconds, clients)
    measured = [0.0]  # when the measured period starts (monotonic)

    async def client(number: int, deadline: float, http: httpx.AsyncClient) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.monotonic() < deadline:
            kind, path, headers, form = requests(rng)
            counted = time.monotonic() >= measured[0]
            started = time.perf_counter()
            try:
                if form is None:
                    answer = await http.get(path, headers=headers)
                else:
                    answer = await http.post(path, headers=headers, data=form)
                await answer.aread()
            except httpx.HTTPError as e:
                result.errors.append(f"{kind} {path}: {type(e).__name__} {e}"[:300])
                continue
            took = time.perf_counter() - started
            result.statuses[answer.status_code] += 1
            if answer.status_code >= 400:
                result.errors.append(f"{kind} {path}: {answer.status_code} {answer.text[:200]}")
            if counted:
                result.latencies.setdefault(kind, []).append(took)

    async def sample(deadline: float, http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            if time.monotonic() >= measured[0]:
                at = time.monotonic() - measured[0]
                resident, mapped = rss_parts(service.process.pid)
                result.memory.append((at, resident))
                result.mapped.append((at, mapped))
                with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
                    stats = (await http.get("/stats")).json()
                    result.cached.append((at, int(stats["cache"]["bytes"])))
            await asyncio.sleep(1.0)

    async def main() -> None:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=service.url, timeout=timeout, limits=limits) as http:
            measured[0] = time.monotonic() + warmup
            deadline = measured[0] + seconds
            await asyncio.gather(
                sample(deadline, http),
                *(client(n, deadline, http) for n in range(clients)),
            )

    asyncio.run(main())
    return result


@dataclass(frozen=True)
class Catalogue:
    """Names that exist in the graph under load, read from the service itself."""

    slugs: tuple[str, ...]
    symbols: tuple[str, ...]
    instruments: tuple[str, ...]
    exports: tuple[str, ...]

    @classmethod
    def of(cls, url: str) -> Catalogue:
        with httpx.Client(base_url=url, timeout=120) as http:
            resolutions = http.get("/resolutions", params={"limit": 1000}).json()
            instruments = http.get("/instruments", params={"limit": 1000}).json()
            formats = http.get("/export").json()["formats"]
        return cls(
            slugs=tuple(r["slug"] for r in resolutions),
            symbols=tuple(r["symbol"] for r in resolutions),
            instruments=tuple(i["id"] for i in instruments),
            exports=tuple(f["name"] for f in formats),
        )


JSON_ONLY = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


def mixed_requests(catalogue: Catalogue) -> Callable[[random.Random], Request]:
    """The load's mix: lookups 35 %, SPARQL 30 %, pages 25 %, exports 10 %."""
    base = "https://w3id.org/treatygraph/id/"

    def lookup(rng: random.Random) -> Request:
        slug, symbol = _resolution(rng, catalogue)
        instrument = rng.choice(catalogue.instruments)
        path = rng.choice(
            [
                f"/resolutions/{slug}",
                f"/resolutions/{slug}/paragraphs/op1",
                f"/instruments/{instrument}",
                f"/instruments/{instrument}/cited-by?limit=20",
                f"/queries/citations?resolution={symbol}&paragraph=op1",
                "/resolutions?limit=20",
                "/unts/1577/27531",
            ]
        )
        return "lookup", path, JSON_ONLY, None

    def sparql(rng: random.Random) -> Request:
        slug, _ = _resolution(rng, catalogue)
        iri = f"<{base}resolution/{slug}>"
        query, accept = rng.choice(
            [
                (f"SELECT ?p ?o WHERE {{ {iri} ?p ?o }} LIMIT 50", SPARQL_JSON),
                (
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x <http://data.europa.eu/eli/ontology#"
                    f"is_part_of> {iri} }}",
                    {"Accept": "text/csv"},
                ),
                (f"ASK {{ {iri} ?p ?o }}", SPARQL_JSON),
                (f"CONSTRUCT {{ {iri} ?p ?o }} WHERE {{ {iri} ?p ?o }}", {"Accept": "text/turtle"}),
                (
                    "SELECT ?i (COUNT(?c) AS ?n) WHERE { ?c <http://purl.org/spar/cito/"
                    "hasCitedEntity> ?i } GROUP BY ?i ORDER BY DESC(?n) LIMIT 10",
                    SPARQL_JSON,
                ),
            ]
        )
        if rng.random() < 0.5:
            return "sparql", "/sparql", accept, {"query": query}
        return "sparql", "/sparql?" + str(httpx.QueryParams({"query": query})), accept, None

    def page(rng: random.Random) -> Request:
        slug, _ = _resolution(rng, catalogue)
        instrument = rng.choice(catalogue.instruments)
        path = rng.choice(
            [
                f"/resolutions/{slug}",
                f"/instruments/{instrument}",
                f"/data/resolution/{slug}.ttl",
                f"/data/instrument/{instrument}.html",
                "/explore",
                "/sparql",
            ]
        )
        return "page", path, HTML if not path.endswith(".ttl") else {}, None

    def export(rng: random.Random) -> Request:
        _, symbol = _resolution(rng, catalogue)
        fmt = rng.choice(catalogue.exports)
        return "export", f"/export/{fmt}?resolution={symbol}", {}, None

    kinds = [(lookup, 35), (sparql, 30), (page, 25), (export, 10)]
    makers = [m for m, _ in kinds]
    weights = [w for _, w in kinds]

    def one(rng: random.Random) -> Request:
        return rng.choices(makers, weights)[0](rng)

    return one


def _resolution(rng: random.Random, catalogue: Catalogue) -> tuple[str, str]:
    i = rng.randrange(len(catalogue.slugs))
    return catalogue.slugs[i], catalogue.symbols[i]


# --- the SPARQL fuzzer ----------------------------------------------------------------------

TOKENS = (
    "{", "}", "(", ")", "[", "]", ".", ";", ",", "*", "/", "|", "^", "+", "?", "!", "=", "<",
    ">", "&&", "||", "a", "?s", "?p", "?o", "?x", "$y", "_:b", "[]", "SELECT", "DISTINCT",
    "REDUCED", "WHERE", "ASK", "CONSTRUCT", "DESCRIBE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH ?g", "BIND", "AS", "VALUES", "UNDEF", "GROUP BY", "HAVING", "ORDER BY", "DESC",
    "LIMIT", "OFFSET", "COUNT(*)", "SAMPLE", "GROUP_CONCAT", "EXISTS", "NOT EXISTS", "IN",
    "REGEX(?o, \"(a+)+$\")", "STRLEN", "CONCAT", "IRI", "BNODE()", "RAND()", "NOW()", "UUID()",
    "STRUUID()", "LANG", "DATATYPE", "COALESCE", "IF", "SUBSTR", "REPLACE", "ENCODE_FOR_URI",
    "PREFIX x: <http://x/>", "BASE <http://b/>", "x:y", ":z", "<http://e/a>", "<>", "<%>",
    "\"s\"", "'s'", "\"\"\"long\"\"\"", "\"x\"@en", "\"1\"^^<http://www.w3.org/2001/"
    "XMLSchema#integer>", "1", "-0.5", "1e308", "99999999999999999999", "true", "#",
    "\n", "\u200f", "\u0000", "\ud7ff", "\u0301", "\ufeff", "SERVICE", "SILENT",
    "INSERT DATA { <a:b> <a:c> <a:d> }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL",
    "LOAD <http://127.0.0.1:9/x>", "CLEAR DEFAULT", "CREATE GRAPH <a:g>", "WITH <a:g>",
    "?s ?p ?o", "?a (<a:b>|^<a:c>)* ?z", "?a <a:b>+ ?z", "?a !(<a:b>) ?z", "?s ?p ?o . ?o ?p2 ?x",
)  # fmt: skip
ACCEPTS = (
    None, None, None, "*/*", "application/sparql-results+json", "application/sparql-results+xml",
    "text/csv", "text/tab-separated-values", "text/turtle", "application/ld+json",
    "application/rdf+xml", "application/n-triples", "text/html", "image/png",
    "text/*;q=0.2, */*;q=nan", ";;;", "application/json;q=0, text/csv",
)  # fmt: skip
_WORD = re.compile(r"\s+|[{}()\[\].;,]")


def library_queries() -> list[str]:
    """The bodies of the named queries of ``queries/`` (their ``#+`` headers left out)."""
    out = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        lines = path.read_text("utf-8").splitlines()
        out.append("\n".join(line for line in lines if not line.startswith("#+")))
    return out


def mutate(query: str, rng: random.Random, service: str) -> str:
    """One to three random edits of `query`, most of them at token boundaries so that many
    results still parse: cut, duplicate, insert a token, swap two tokens, nest deeply,
    truncate, widen a pattern (a constant made a variable, a path made transitive, the LIMIT
    dropped or made huge), or call a SERVICE (`service`, a listener never to be called)."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        cuts = [m.start() for m in re.finditer(r"\s", query)] or [len(query)]
        a, b = sorted((rng.choice(cuts), rng.choice(cuts)))
        edit = rng.randrange(12)
        if edit == 0:
            query = query[:a] + query[b:]
        elif edit == 1:
            query = query[:b] + query[a:b] + query[b:]
        elif edit in (2, 3):
            query = query[:a] + f" {rng.choice(TOKENS)} " + query[a:]
        elif edit == 4:
            parts = query.split()
            if len(parts) > 2:
                i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
                parts[i], parts[j] = parts[j], parts[i]
                query = " ".join(parts)
        elif edit == 5:
            depth = rng.choice([3, 30, 70, 200, 5000])
            query = query[:a] + "{" * depth + " ?s ?p ?o " + "}" * depth + query[a:]
        elif edit == 6:
            query = query[: max(1, rng.randint(0, len(query)))]
        elif edit == 7:
            where = rng.choice(["SERVICE", "SERVICE SILENT"])
            query = query[:a] + f" {where} <{service}/sparql> {{ ?s ?p ?o }} " + query[a:]
        elif edit == 8:
            names = re.findall(r"\b[a-z]+:[A-Za-z_]+", query)
            if names:
                query = query.replace(rng.choice(names), f"?v{rng.randrange(9)}", 1)
        elif edit == 9:
            names = re.findall(r"\b[a-z]+:[A-Za-z_]+(?= )", query)
            if names:
                name = rng.choice(names)
                query = query.replace(f"{name} ", f"{name}{rng.choice('*+?')} ", 1)
        elif edit == 10:
            limit = rng.choice(["", "LIMIT 0", "LIMIT 1", "LIMIT 1000000000", "OFFSET 7"])
            query = re.sub(r"\b(LIMIT|OFFSET)\s+\d+", limit, query) + f" {limit}"
        else:
            query = query + "\n" + rng.choice(["ORDER BY RAND()", "LIMIT 3", "# end", "}"])
    return query


def random_query(rng: random.Random) -> str:
    return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 40)))


@dataclass
class FuzzResult:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    too_costly: int = 0  # 422: past the time limit or the memory cap (the worker replaced)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict[str, object]:
        return {
            "queries": self.sent,
            "answered_200": self.statuses[200],
            "refused_4xx": sum(n for s, n in self.statuses.items() if 400 <= s < 500),
            "too_costly_422": self.too_costly,
            "5xx": sum(n for s, n in self.statuses.items() if s >= 500),
            "failures": len(self.failures),
            "seconds": round(self.seconds, 1),
        }


def fuzz_sparql(
    service: Service, *, count: int, seconds: float, seed: int, listener: str
) -> FuzzResult:
    """Send up to `count` random and mutated queries (or for `seconds`), by GET, POST form and
    POST body, with assorted Accept headers. A failure: any 5xx, a lost connection, or an
    error that is not a problem document with its status."""
    rng = random.Random(seed)
    corpus = library_queries()
    result = FuzzResult()
    started = time.monotonic()
    with httpx.Client(base_url=service.url, timeout=60) as http:
        while result.sent < count and time.monotonic() - started < seconds:
            if rng.random() < 0.2:
                query = random_query(rng)
            else:
                query = mutate(rng.choice(corpus), rng, listener)
            accept = rng.choice(ACCEPTS)
            headers = {"Accept": accept} if accept else {}
            how = rng.randrange(3)
            try:
                if how == 0:
                    answer = http.get("/sparql", params={"query": query}, headers=headers)
                elif how == 1:
                    answer = http.post("/sparql", data={"query": query}, headers=headers)
                else:
                    body = query.encode("utf-8", "surrogatepass")
                    headers["Content-Type"] = "application/sparql-query"
                    answer = http.post("/sparql", content=body, headers=headers)
            except httpx.HTTPError as e:
                result.failures.append(f"{type(e).__name__}: {e} for {query[:300]!r}")
                continue
            result.sent += 1
            result.statuses[answer.status_code] += 1
            if answer.status_code == 422 and re.search("time limit|memory or stack", answer.text):
                result.too_costly += 1
            if answer.status_code >= 500:
                result.failures.append(f"{answer.status_code} {answer.text[:200]} for {query!r}")
            elif not answer.is_success and not _is_problem(answer):
                result.failures.append(f"{answer.status_code} not a problem document: {query!r}")
    result.seconds = time.monotonic() - started
    return result


def _is_problem(answer: httpx.Response) -> bool:
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    body = answer.json()
    return isinstance(body, dict) and body.get("status") == answer.status_code


def healthy_workers(service: Service, *, timeout: float = 30.0) -> list[int]:
    """Wait until the pool is whole again (a killed worker is replaced in the background),
    then answer a query on each worker at once; the live workers, no zombie among them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(service.workers_alive()) < service.workers:
        time.sleep(0.1)
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # %d"}

    async def one(n: int, http: httpx.AsyncClient) -> int:
        answer = await http.post("/sparql", data={"query": query["query"] % n})
        return answer.status_code

    async def all_at_once() -> list[int]:
        async with httpx.AsyncClient(base_url=service.url, timeout=60) as http:
            return await asyncio.gather(*(one(n, http) for n in range(service.workers * 3)))

    codes = asyncio.run(all_at_once())
    assert codes == [200] * len(codes), codes
    return service.workers_alive()


def ntriples(path: Path, count: int, *, prefix: str = "urn:load:") -> Path:
    """A plain N-Triples file of `count` triples, quick to write and to load."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(f'<{prefix}s{i}> <{prefix}p{i % 7}> "value {i}" .\n')
    return path


def retrying(fn: Callable[[], httpx.Response], *, seconds: float) -> httpx.Response:
    """`fn()` until it answers (connection errors retried, for `seconds` at most)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def table(rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
