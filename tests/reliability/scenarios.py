"""The reliability checks, each a function of its budget: ``tests/test_reliability.py`` runs
them small (seconds, in ``make test``), ``tests/reliability/`` runs them long (``make
reliability``). Each asserts what must hold and returns its figures.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.conftest import OXIGRAPH, Listener, OxigraphServer, free_port
from tests.reliability import harness
from tests.reliability.harness import (
    CLI,
    ROOT,
    Catalogue,
    build,
    count_triples,
    fuzz_sparql,
    healthy_workers,
    mixed_requests,
    run_load,
    running,
    start_service,
    state,
    stop_process,
    tree,
    wait_ready,
)

SEED_CORPUS = ROOT / "corpus"
STAMP = "build-stamp.json"  # written into dist/ after the load: absent after a kill there


def seed_store(work: Path) -> str:
    """The seed corpus built by the command line into `work` (dist/, store, cache)."""
    done = build(SEED_CORPUS, work)
    assert done.returncode == 0, done.stderr
    return str(work / "store")


# --- bad input: the SPARQL fuzzer and schemathesis -----------------------------------------


def sparql_fuzz(store: str, *, count: int, seconds: float, seed: int) -> dict[str, object]:
    """Random and mutated queries: 4xx or an answer, never a 5xx, no worker left dead, no
    request sent anywhere."""
    with (
        contextlib.closing(Listener()) as listener,
        running(store, query_timeout=2, worker_memory_mb=768, queue_timeout=60) as service,
    ):
        result = fuzz_sparql(
            service, count=count, seconds=seconds, seed=seed, listener=listener.url
        )
        assert not result.failures, "\n".join(result.failures[:10])
        assert result.sent >= min(count, 20)
        workers = healthy_workers(service)
        assert len(workers) == service.workers and not service.zombies()
        time.sleep(0.1)
        assert listener.connections == 0 and listener.received == []
    return result.figures()


def schemathesis(store: str, *, seconds: int, seed: int, examples: int | None) -> dict[str, object]:
    """schemathesis over every operation of the OpenAPI schema: no 5xx, every status, content
    type, header and body as documented."""
    checks = ",".join(
        [
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_headers_conformance",
            "response_schema_conformance",
        ]
    )
    st = Path(sys.executable).with_name("st")
    with running(store, query_timeout=5, queue_timeout=60) as service:
        command = [str(st), "run", f"{service.url}/openapi.json", "--checks", checks]
        command += ["--max-time", str(seconds), "--seed", str(seed), "--workers", "2"]
        command += ["--request-timeout", "30", "--suppress-health-check", "all", "--no-color"]
        command += ["--generation-database", "none", "--continue-on-failure"]
        if examples is not None:
            command += ["--max-examples", str(examples), "--phases", "examples,fuzzing"]
        with tempfile.TemporaryDirectory() as scratch:  # its cache and reports, not ours
            done = subprocess.run(
                command,
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=seconds + 120,
                env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
            )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    tested = re.search(r"Tested:\s+(\d+)", out)
    cases = re.search(r"(\d+) generated, (\d+) passed", out)
    assert tested and cases, out[-3000:]
    return {
        "operations": int(tested.group(1)),
        "cases": int(cases.group(1)),
        "passed": int(cases.group(2)),
        "failures": 0,
    }


# --- faults: SIGKILL of the build ------------------------------------------------------------


def _dist(out: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.is_file() and p.name != STAMP
    }


def build_kills(work: Path, *, kills: int, seed: int) -> dict[str, object]:
    """Build A, then start builds of B and A in turn and SIGKILL each at a random moment: dist/
    is always all of A or all of B, the store always holds all of A or all of B and the
    service goes on serving it, and the next build succeeds."""
    corpus_a = work / "corpus-a"
    shutil.copytree(SEED_CORPUS, corpus_a)
    corpus_b = harness.synth_corpus(work / "corpus-b", 30, seed)
    shutil.copytree(SEED_CORPUS, corpus_b, dirs_exist_ok=True)
    site = work / "site"
    versions: dict[str, tuple[dict[str, str], int]] = {}
    full = 0.0  # the longer build: kills fall anywhere in it, or just after it
    for name, corpus in (("B", corpus_b), ("A", corpus_a), ("B", corpus_b), ("A", corpus_a)):
        started = time.monotonic()  # twice each: the second time is as the kills will see it
        done = build(corpus, site)
        assert done.returncode == 0, done.stderr
        full = max(full, time.monotonic() - started) if name in versions else full
        versions[name] = (_dist(site / "dist"), _triples(site / "store"))  # A last: served
    assert versions["A"][1] != versions["B"][1]
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    orphans = 0
    with running(str(site / "store")) as service:
        for n in range(kills):
            corpus = corpus_b if n % 2 == 0 else corpus_a
            process = subprocess.Popen(
                [*CLI, "build", corpus, "--out", site / "dist", "--store", site / "store",
                 "--cache", site / "cache", "--jobs", "2"],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(0, full * 1.1))
            readers = tree(process.pid)[1:]
            process.kill()  # SIGKILL, the main process only, as the OOM killer does
            process.wait()
            dist = _dist(site / "dist")
            dist_is = [k for k, (d, _) in versions.items() if d == dist]
            assert dist_is, f"kill {n}: dist/ is neither build: {sorted(dist)}"
            count = count_triples(service.url)
            store_is = [k for k, (_, c) in versions.items() if c == count]
            assert store_is, f"kill {n}: the store serves {count} triples"
            assert httpx.get(f"{service.url}/ready", timeout=10).status_code == 200
            seen[f"dist {dist_is[0]}, store {store_is[0]}"] += 1
            orphans += _reap(readers)  # readers die with the build (PR_SET_PDEATHSIG)
        done = build(corpus_b, site)
        assert done.returncode == 0, done.stderr
        assert _dist(site / "dist") == versions["B"][0]
        deadline = time.monotonic() + 10
        while count_triples(service.url) != versions["B"][1]:
            assert time.monotonic() < deadline, "the service does not serve the new build"
            time.sleep(0.2)
    return {
        "kills": kills,
        "build_s": round(full, 1),
        **{k: v for k, v in sorted(seen.items())},
        "orphaned_readers": orphans,
    }


def leftovers(site: Path) -> list[str]:
    """What killed builds left beside dist/ and the store, and in the cache."""
    names = [p.name for p in site.iterdir() if p.name.startswith(".")]
    temporary = [str(p.relative_to(site)) for p in (site / "cache").rglob("*") if
                 p.suffix in (".tmp", ".partial") or ".tmp" in p.name]  # fmt: skip
    return sorted(names + temporary)


def _triples(store: Path) -> int:
    """The triples of the store's default graph (the data), as the service counts them; the
    ontology's named graph is beside it."""
    from treatygraph.store import Solutions, open_store

    answer = open_store(store, read_only=True).query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=60
    )
    assert isinstance(answer, Solutions)
    (row,) = list(answer.rows)
    assert row[0] is not None
    return int(str(row[0].value))


def _reap(pids: list[int], *, strict: bool = True, grace: float = 10.0) -> int:
    """A killed build must not leave reader processes running: wait `grace` seconds for them
    to end, then kill what is left (by id) and fail, or with `strict` false count them."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(state(p) not in ("", "Z") for p in pids):
        time.sleep(0.1)
    alive = [p for p in pids if state(p) not in ("", "Z")]
    for p in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)
    assert not strict or not alive, f"a killed build left processes running: {alive}"
    return len(alive)


# --- faults: the remote Oxigraph server killed ---------------------------------------------


def _oxigraph(location: Path) -> OxigraphServer:
    if not OXIGRAPH.exists():
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    return OxigraphServer(location, free_port()).start()


def remote_load_kills(work: Path, *, rounds: int, triples: int, seed: int) -> dict[str, object]:
    """Kill the Oxigraph server while a load runs: the load fails with a clear error, the
    graph that was there is all that is counted once the server is back, and the next load
    succeeds (all or nothing)."""
    from treatygraph.store import LoadError, open_store

    big = harness.ntriples(work / "big.nt", triples)
    small = harness.ntriples(work / "small.nt", 500, prefix="urn:small:")
    rng = random.Random(seed)
    server = _oxigraph(work / "oxigraph")
    messages = []
    try:
        store = open_store(server.spec, read_only=False)
        assert store.load(small) == 500
        for _ in range(rounds):
            failure: list[BaseException] = []

            def load() -> None:
                try:
                    store.load(big)
                except LoadError as e:
                    failure.append(e)  # noqa: B023

            loading = threading.Thread(target=load)
            loading.start()
            time.sleep(rng.uniform(0.2, 0.6))
            assert server.process is not None
            server.process.kill()
            server.process.wait()
            server.process = None
            loading.join(60)
            assert failure, "the load finished before the kill: make the file bigger"
            message = str(failure[0])
            assert "could not load" in message and "unchanged" in message, message
            messages.append(message.split("; ")[0].rsplit(": ", 1)[-1][:40])
            server.start()
            assert store.triple_count() == 500, "a partial graph is counted"
            answer = store.query("ASK { <urn:load:s0> ?p ?o }", timeout=10)
            assert not getattr(answer, "value", True), "a partial load is visible"
        assert store.load(big) == triples and store.triple_count() == triples
        graphs = store.query("SELECT ?g WHERE { GRAPH ?g { } }", timeout=10)
        assert not list(getattr(graphs, "rows", [])), "a staging graph is left"
    finally:
        server.stop()
    return {
        "rounds": rounds,
        "triples": triples,
        "partial_graphs_left": 0,
        "errors_seen": " / ".join(sorted(set(messages))),
    }


def remote_query_kills(work: Path, *, seconds: float, seed: int) -> dict[str, object]:
    """Kill the Oxigraph server under a query load: every answer is 200 or a clear 503 with
    Retry-After (never a 500), /ready says 503 while it is down, and all is well once it is
    back, without restarting the service."""
    from treatygraph.store import open_store

    server = _oxigraph(work / "oxigraph")
    try:
        done = build(SEED_CORPUS, work / "site")
        assert done.returncode == 0, done.stderr
        open_store(server.spec, read_only=False).load(work / "site" / "dist" / "graph.nt")
        with running(server.spec, query_timeout=3) as service:
            catalogue = Catalogue.of(service.url)
            requests = mixed_requests(catalogue)
            statuses: Counter[int] = Counter()
            bad: list[str] = []
            stop = threading.Event()

            def client(n: int) -> None:
                rng = random.Random(seed + n)
                with httpx.Client(base_url=service.url, timeout=30) as http:
                    while not stop.is_set():
                        kind, path, headers, form = requests(rng)
                        if kind == "export":
                            continue  # exports read a view built once; see the lookups
                        try:
                            answer = (
                                http.get(path, headers=headers)
                                if form is None
                                else http.post(path, headers=headers, data=form)
                            )
                        except httpx.TransportError as e:
                            bad.append(f"{type(e).__name__} {e} for {path}")
                            continue
                        statuses[answer.status_code] += 1
                        if answer.status_code == 503:
                            if "retry-after" not in answer.headers:
                                bad.append(f"503 without Retry-After: {path}")
                        elif answer.status_code >= 400:
                            bad.append(f"{answer.status_code} {path}: {answer.text[:200]}")

            clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
            for c in clients:
                c.start()
            time.sleep(seconds / 3)
            server.stop()
            time.sleep(0.5)
            down = httpx.get(f"{service.url}/ready", timeout=10)
            time.sleep(seconds / 3)
            server.start()
            time.sleep(seconds / 3)
            stop.set()
            for c in clients:
                c.join(60)
            assert not bad, bad[:5]
            assert down.status_code == 503 and "retry-after" in down.headers, down.text
            assert statuses[503] > 0 and statuses[200] > 0, statuses
            wait_ready(service, timeout=10)
            assert count_triples(service.url) > 0
    finally:
        server.stop()
    return {"answers_200": statuses[200], "answers_503": statuses[503], "other": 0}


# --- faults: a restart under load ---------------------------------------------------------


def restart_under_load(
    store: str, *, seconds: float, restarts: int, clients: int
) -> dict[str, object]:
    """Restart the service (SIGTERM to its whole process group, as systemd does) while
    clients query it, the listening socket held across restarts as under socket activation:
    no request gets a 5xx, and none is lost (requests made while no process accepts wait)."""
    listen = socket.create_server(("127.0.0.1", 0), backlog=256)
    catalogue: Catalogue | None = None
    service = start_service(store, listen=listen)
    statuses: Counter[int] = Counter()
    bad: list[str] = []
    retried = Counter[str]()
    stop = threading.Event()
    gaps: list[float] = []
    try:
        wait_ready(service)
        catalogue = Catalogue.of(service.url)
        requests = mixed_requests(catalogue)

        def client(n: int) -> None:
            rng = random.Random(n)
            with httpx.Client(base_url=service.url, timeout=60) as http:
                while not stop.is_set():
                    _kind, path, headers, form = requests(rng)

                    def send() -> httpx.Response:
                        return (
                            http.get(path, headers=headers)  # noqa: B023
                            if form is None  # noqa: B023
                            else http.post(path, headers=headers, data=form)  # noqa: B023
                        )

                    for attempt in range(50):
                        try:
                            answer = send()
                            break
                        except httpx.TransportError as e:  # a keep-alive closed by the old one
                            retried[type(e).__name__] += 1
                            time.sleep(0.05 * (attempt + 1))
                    else:
                        bad.append(f"no answer to {path}")
                        continue
                    statuses[answer.status_code] += 1
                    if answer.status_code >= 500 or (
                        answer.status_code >= 400 and answer.status_code != 503
                    ):
                        bad.append(f"{answer.status_code} {path}: {answer.text[:200]}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for _ in range(restarts):
            time.sleep(seconds / (restarts + 1))
            started = time.monotonic()
            os.killpg(service.process.pid, signal.SIGTERM)  # the group: uvicorn and workers
            service.process.wait(60)
            service = start_service(store, listen=listen)
            wait_ready(service)
            gaps.append(time.monotonic() - started)
        time.sleep(seconds / (restarts + 1))
        stop.set()
        for t in threads:
            t.join(120)
        assert not bad, bad[:5]
        assert sum(statuses.values()) > 0
    finally:
        stop.set()
        stop_process(service.process)
        listen.close()
    return {
        "restarts": restarts,
        "requests": sum(statuses.values()),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "503": statuses[503],
        "reconnects": sum(retried.values()),
        "longest_gap_s": round(max(gaps), 1),
    }


# --- faults: the data directory and the disk -----------------------------------------------


BROKEN = ("missing", "dangling link", "damaged", "truncated")


def broken_stores(work: Path, *, kinds: tuple[str, ...] = BROKEN) -> dict[str, object]:
    """A missing, dangling, damaged or truncated store: the service starts, says 503 with
    Retry-After and a clear reason everywhere (never a 500), and serves the graph as soon as
    a build puts one there, without a restart."""
    seed = Path(seed_store(work / "seed"))
    generation = seed.parent / os.readlink(seed)
    cases = {}
    cases["missing"] = work / "missing" / "data" / "store"
    dangling = work / "dangling" / "store"
    dangling.parent.mkdir(parents=True)
    os.symlink("store.20200101T000000-000000", dangling)
    cases["dangling link"] = dangling
    for name, damage in (("damaged", _garbage), ("truncated", _truncate)):
        store = work / name / "store"
        store.parent.mkdir(parents=True)
        copy = store.with_name(generation.name)
        shutil.copytree(generation, copy)
        damage(copy)
        os.symlink(copy.name, store)
        cases[name] = store
    said: dict[str, str] = {}
    for name, store in cases.items():
        if name not in kinds:
            continue
        with running(str(store), ready=False) as service:
            ready = httpx.get(f"{service.url}/ready", timeout=10)
            assert ready.status_code == 503 and ready.headers.get("retry-after"), ready.text
            for path in ("/sparql?query=ASK%7B%7D", "/resolutions", "/instruments/crc",
                         "/explore/graph.json", "/export/graphml", "/network"):  # fmt: skip
                answer = httpx.get(f"{service.url}{path}", timeout=30)
                assert answer.status_code == 503, (name, path, answer.status_code, answer.text)
                assert answer.headers.get("retry-after"), (name, path)
                assert answer.headers["content-type"].startswith("application/problem+json")
            said[name] = ready.json()["detail"]
            if name in ("missing", "damaged"):  # a build repairs it; the service needs no restart
                done = harness.treatygraph(
                    "build", SEED_CORPUS, "--out", store.parent / "dist", "--store", store,
                    "--no-cache",
                )  # fmt: skip
                assert done.returncode == 0, done.stderr
                wait_ready(service, timeout=30)
                assert count_triples(service.url) == _triples(seed)
                deadline = time.monotonic() + 30
                while httpx.get(f"{service.url}/resolutions", timeout=30).status_code != 200:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
    repaired = len({"missing", "damaged"} & set(kinds))
    reasons = {
        name: next((w for w in ("no store", "cannot open", "damaged") if w in detail), "?")
        for name, detail in said.items()
    }
    return {"stores": len(said), "503_everywhere": len(said), "repaired_live": repaired,
            "reasons": reasons}  # fmt: skip


def _garbage(generation: Path) -> None:
    for f in generation.iterdir():
        if f.is_file():
            f.write_bytes(os.urandom(max(1, f.stat().st_size)))


def _truncate(generation: Path) -> None:
    for f in generation.iterdir():
        if f.suffix == ".sst":
            f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _unprivileged() -> list[str]:
    """A prefix that makes file permissions bind even for root (drops CAP_DAC_OVERRIDE)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("running as root without setpriv: permissions cannot be tested")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_unprivileged(), *CLI, *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def disk_faults(work: Path) -> dict[str, object]:
    """A read-only output folder or store, an unreadable corpus file, a missing corpus, an
    output path through a file: exit status 2, one line naming the path and the reason, no
    traceback, and the previous dist/ and store untouched."""
    site = work / "site"
    assert build(SEED_CORPUS, site).returncode == 0
    before = (_dist(site / "dist"), _triples(site / "store"))
    said = {}

    def refused(name: str, *args: str | Path, expect: str) -> None:
        done = _cli(*args)
        assert done.returncode == 2, (name, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        assert expect in done.stderr, (name, done.stderr)
        said[name] = done.stderr.strip().splitlines()[-1]
        assert (_dist(site / "dist"), _triples(site / "store")) == before

    ro = work / "read-only"
    ro.mkdir()
    corpus = work / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    try:
        ro.chmod(0o555)
        refused("read-only out", "build", corpus, "--out", ro / "dist", "--store", site / "store",
                "--no-cache", expect="Permission denied")  # fmt: skip
        refused("read-only store", "build", corpus, "--out", site / "dist", "--store",
                ro / "store", "--no-cache", expect="Permission denied")  # fmt: skip
        (corpus / "A-RES-77-194.txt").chmod(0)
        refused("unreadable corpus file", "build", corpus, "--out", site / "dist", "--store",
                site / "store", "--no-cache", expect="cannot read")  # fmt: skip
        refused("unreadable file, extract", "extract", corpus / "A-RES-77-194.txt",
                expect="cannot read")  # fmt: skip
    finally:
        ro.chmod(0o755)
        (corpus / "A-RES-77-194.txt").chmod(0o644)
    refused("missing corpus", "build", work / "nowhere", "--out", site / "dist", "--store",
            site / "store", expect="no such directory")  # fmt: skip
    (work / "a-file").write_text("x")
    refused("out through a file", "build", corpus, "--out", work / "a-file" / "dist",
            "--store", site / "store", "--no-cache", expect="a-file")  # fmt: skip
    return {"cases": len(said), "exit_2": len(said), "tracebacks": 0, "one_line": len(said)}


# --- load -------------------------------------------------------------------------------------


def load(
    store: str, *, seconds: float, clients: int, seed: int, warmup: float = 0.0
) -> tuple[dict[str, object], list[str]]:
    """A bounded mixed load (lookups, SPARQL, pages, exports) on loopback, against the
    service with its default settings; its figures and its errors (there must be none)."""
    with running(store) as service:
        catalogue = Catalogue.of(service.url)
        for path in ("/explore/graph.json", "/network"):  # views built before the clock starts
            httpx.get(f"{service.url}{path}", timeout=300)
        warmed = _read_every_resolution(service.url, catalogue.slugs)
        result = run_load(
            service, mixed_requests(catalogue), seconds=seconds, clients=clients, seed=seed,
            timeout=120, warmup=warmup,
        )  # fmt: skip
        figures = result.figures()
        figures["warmup_s"] = warmup
        figures["warmed_resolutions"] = warmed
        figures["resolutions"] = len(catalogue.slugs)
        figures["statuses"] = dict(sorted(result.statuses.items()))
        figures["workers_alive"] = len(service.workers_alive())
        assert figures["workers_alive"] == service.workers
        assert result.requests > 0
    return figures, result.errors


def _read_every_resolution(url: str, slugs: tuple[str, ...]) -> int:
    """Each resolution read once before the clock starts, 8 at a time: the store's caches
    fill as lookups first touch a resolution's data (measured at 1,000 resolutions: the
    service's anonymous memory grows ~60 MB over the first pass, then stays within 0.5 MB
    over three more), so that the memory measured is the steady state's. `?format=json` is
    a key of the answer cache the load never asks for: the load's own requests still miss."""

    def read(slug: str) -> bool:
        answer = httpx.get(f"{url}/resolutions/{slug}?format=json", timeout=120)
        return answer.status_code == 200

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        read_ok = list(pool.map(read, slugs))
    assert all(read_ok), f"{read_ok.count(False)} resolutions could not be read"
    return len(read_ok)


# --- a build killed at a chosen moment ----------------------------------------------------


def kill_build_when(corpus: Path, site: Path, appears: str, *, timeout: float = 60.0) -> bool:
    """Start ``treatygraph build`` and SIGKILL it the moment an entry whose name matches
    `appears` (a regular expression) shows up beside dist/; whether it did in time."""
    before = {p.name for p in site.iterdir()} if site.exists() else set()
    process = subprocess.Popen(
        [*CLI, "build", corpus, "--out", site / "dist", "--store", site / "store",
         "--cache", site / "cache"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    pattern = re.compile(appears)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            new = {p.name for p in site.iterdir()} - before if site.exists() else set()
            if any(pattern.fullmatch(name) for name in new):
                readers = tree(process.pid)[1:]
                process.kill()
                process.wait()
                _reap(readers, strict=False)
                return True
            time.sleep(0.002)
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def kill_build_while_reading(corpus: Path, site: Path, *, grace: float) -> int:
    """SIGKILL ``treatygraph build`` (the main process only, as the OOM killer does) once its
    reader processes run; how many of them are still running `grace` seconds later (they
    are then killed by id)."""
    process = subprocess.Popen(
        [*CLI, "build", corpus, "--out", site / "dist", "--store", site / "store",
         "--no-cache", "--jobs", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(tree(process.pid)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    readers = tree(process.pid)[1:]
    process.kill()
    process.wait()
    assert readers, "the build finished before it started its readers"
    return _reap(readers, strict=False, grace=grace)
