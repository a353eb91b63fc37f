"""One test per bug the reliability checks of issue 8 found, named after the bug."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

import treatygraph as graph
from tests.conftest import ROOT
from tests.reliability import scenarios
from tests.reliability.harness import children, state, tree
from tests.support.lookups import shared_service
from treatygraph.api.problems import RequestProblem, problem
from treatygraph.api.routes.linked_data import canonical_path
from treatygraph.build.folders import remove_stale
from treatygraph.cli.main import main as cli
from treatygraph.errors import TreatygraphError
from treatygraph.model import ResolutionMeta
from treatygraph.store import LoadError, StoreUnavailable, open_store
from treatygraph.store.embedded import EmbeddedStore

if TYPE_CHECKING:
    from tests.conftest import OxigraphServer, Service

    StartApp = Callable[..., AbstractContextManager[Service]]

TEXT = (
    "The General Assembly,\n\n Recalling the Convention on the Rights of the Child,1\n\n"
    " 1. Urges States to implement it.\n_________\n 1 United Nations, Treaty Series, vol. 1577,"
    " No. 27531.\n"
)


# --- the HTTP service ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/id/resolution/%FF", "/data/resolution/A-RES-%C3%28.ttl"])
def test_iri_path_with_bytes_that_are_not_utf8_is_a_422_not_a_500(path: str) -> None:
    answer = httpx.get(shared_service() + path, timeout=30)
    assert answer.status_code == 422, answer.text
    assert answer.json()["parameter"] == "path"
    with pytest.raises(RequestProblem):
        canonical_path("resolution/%FF")


def test_every_503_says_when_to_retry() -> None:
    assert problem(503, "down").headers["retry-after"] == "5"
    assert problem(503, "down").headers["retry-after"] == "5"
    assert "retry-after" not in problem(400, "bad").headers


def test_openapi_documents_errors_as_problems_and_describes_sparql(
    embedded_spec: str,
) -> None:
    from treatygraph.api.app import create_app
    from treatygraph.api.settings import Settings

    spec = create_app(Settings(store=embedded_spec)).openapi()
    assert {"get", "post"} <= set(spec["paths"]["/sparql"])
    assert "/ready" in spec["paths"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
            assert "4XX" in errors and "503" in errors, (method, path)
            for response in errors.values():
                assert "application/problem+json" in response["content"], (method, path)
                assert "application/json" not in response["content"], (method, path)


def test_ready_says_503_with_retry_after_until_the_store_can_be_read(
    tmp_path: Path, seed_nt: Path, start_app: StartApp
) -> None:
    store = tmp_path / "data" / "store"
    with start_app(str(store)) as service:
        waiting = httpx.get(f"{service.url}/ready", timeout=10)
        assert waiting.status_code == 503 and waiting.headers["retry-after"]
        assert "load a graph first" in waiting.json()["detail"]
        open_store(store, read_only=False).load(seed_nt)
        ready = httpx.get(f"{service.url}/ready", timeout=10)
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "workers": 2}


def test_query_workers_outlive_sigterm_and_sigint_sent_to_the_process_group(
    embedded_spec: str, start_app: StartApp
) -> None:
    """systemd's stop and a terminal's Ctrl-C signal the whole group: the workers must leave
    stopping to the service, which drains the queries under way first."""
    with start_app(embedded_spec) as service:
        workers = [p for p in children(service.process.pid) if state(p) not in ("", "Z")]
        assert len(workers) == 2
        for pid in workers:
            os.kill(pid, signal.SIGTERM)
            os.kill(pid, signal.SIGINT)
        time.sleep(0.5)
        assert all(state(p) not in ("", "Z") for p in workers)
        answer = httpx.post(service.sparql, data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert answer.status_code == 200


def test_query_past_the_memory_cap_is_a_422_not_a_500(
    embedded_spec: str, start_app: StartApp
) -> None:
    greedy = (
        "SELECT ?a ?d ?g (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
        "GROUP BY ?a ?d ?g"
    )
    with start_app(embedded_spec, worker_memory_mb=256, query_timeout=60) as service:
        answer = httpx.post(service.sparql, data={"query": greedy}, timeout=90)
        assert answer.status_code == 422, answer.text
        assert "memory or stack" in answer.json()["detail"]
        after = httpx.post(service.sparql, data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert after.status_code == 200


def test_query_timeout_is_the_clients_on_an_embedded_store_and_the_servers_on_a_remote() -> None:
    from treatygraph.api.worker import answer
    from treatygraph.api.worker_frames import Job, Limits
    from treatygraph.store import QueryTimeout

    class Slow:
        def query(self, *_: object, **__: object) -> object:
            raise QueryTimeout("the query ran past its time limit")

    job = Job(query="SELECT * { ?s ?p ?o }", results_format="json", graph_format=None)
    for store, status in (("data/store", 422), ("sparql+http://127.0.0.1:9/query", 503)):
        limits = Limits(store=store, timeout=2, max_rows=10, max_depth=64,
                        service_allow=(), memory_mb=0)  # fmt: skip
        assert answer(Slow(), job, limits).status == status  # type: ignore[arg-type]


# --- stores ----------------------------------------------------------------------------------


def test_damaged_store_is_unavailable_not_an_internal_error(tmp_path: Path, seed_nt: Path) -> None:
    path = tmp_path / "store"
    open_store(path, read_only=False).load(seed_nt)
    generation = path.parent / os.readlink(path)
    for f in generation.iterdir():
        f.write_bytes(b"\x00garbage")
    with pytest.raises(StoreUnavailable, match=r"damaged.*treatygraph build"):
        open_store(path, read_only=True).query("ASK {}", timeout=5)


def test_load_where_the_folder_cannot_be_made_is_a_load_error(
    tmp_path: Path, seed_nt: Path
) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(LoadError, match="previous store is unchanged"):
        EmbeddedStore(tmp_path / "a-file" / "store", read_only=False).load(seed_nt)


def test_what_a_killed_load_left_is_pruned_by_the_next_load(tmp_path: Path, seed_nt: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path, read_only=False)
    store.load(seed_nt)
    half = tmp_path / "store.20200101T000000-abcdef"  # a generation whose load was killed
    half.mkdir()
    (half / "000001.sst").write_bytes(b"partial")
    os.symlink(half.name, tmp_path / ".store.link-abcdef")  # killed between link and swap
    store.load(seed_nt)
    assert not half.exists() and not (tmp_path / ".store.link-abcdef").is_symlink()


def test_remote_load_killed_midway_leaves_no_staging_graph_counted_or_kept(
    tmp_path: Path,
    seed_nt: Path,
    seed_size: int,
    start_oxigraph: Callable[[Path], AbstractContextManager[OxigraphServer]],
) -> None:
    with start_oxigraph(tmp_path / "db") as server:
        store = open_store(server.spec, read_only=False)
        store.load(seed_nt)
        orphan = "INSERT DATA { GRAPH <urn:treatygraph:staging:dead> { <urn:a> <urn:b> 1 } }"
        httpx.post(
            f"{server.url}/update",
            content=orphan,
            headers={"Content-Type": "application/sparql-update"},
        ).raise_for_status()
        assert store.triple_count() == seed_size  # a dead load's staging graph is not counted
        store.load(seed_nt)  # and the next load drops it
        graphs = store.query("SELECT ?g { GRAPH ?g { } }", timeout=10)
        assert list(getattr(graphs, "rows", [])) == []


@contextlib.contextmanager
def _dies_mid_answer() -> Iterator[str]:
    """A server that starts a chunked answer and hangs up in the middle of it."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n400\r\n" + b'{"head":' + b" " * 100
                )
                # Read what is left of the request first: closing with unread bytes sends a
                # reset, which may reach the client before the half answer does.
                conn.settimeout(0.3)
                while conn.recv(65536):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"sparql+http://127.0.0.1:{server.getsockname()[1]}/query"
    finally:
        server.close()
        thread.join(5)


def test_remote_server_dying_mid_answer_is_unavailable_not_a_500() -> None:
    with _dies_mid_answer() as spec, pytest.raises(StoreUnavailable, match="broke off"):
        open_store(spec, read_only=True).query("SELECT * { ?s ?p ?o }", timeout=5)


def test_remote_results_can_be_dropped_by_another_thread() -> None:
    """A remote store's solutions were pyoxigraph's own, lazily read: dropped by a thread
    other than the one that queried (a load's thread, a request thread), they raised
    'PyQuerySolutions is unsendable, but is being dropped on another thread'."""
    import gc
    import sys

    from treatygraph.store.remote import _parse_answer

    body = b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"uri","value":"http://e/x"}}]}}'
    made: list[object] = []
    thread = threading.Thread(
        target=lambda: made.append(
            _parse_answer(body, "application/sparql-results+json", graph=False)
        )
    )
    thread.start()
    thread.join()
    errors: list[object] = []
    previous, sys.unraisablehook = sys.unraisablehook, lambda u: errors.append(u.exc_value)
    try:
        made.clear()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert errors == []


# --- the reader ------------------------------------------------------------------------------


def _read_with_meta(tmp_path: Path, meta: str) -> None:
    path = tmp_path / "A-RES-99-1.txt"
    path.write_text(TEXT, encoding="utf-8")
    path.with_name("A-RES-99-1.meta.yaml").write_text(meta, encoding="utf-8")
    graph.read(path)


@pytest.mark.parametrize("date", ["2020-02-30", "2020-13-45", "2020-02-30T10:00:00"])
def test_metadata_with_an_impossible_date_is_bad_input(tmp_path: Path, date: str) -> None:
    with pytest.raises(TreatygraphError, match="bad metadata value"):
        _read_with_meta(tmp_path, f"symbol: A/RES/99/1\ntitle: T\nadoption_date: {date}\n")


@pytest.mark.parametrize("session", [".inf", "-.inf", ".nan", "2.7", "true", "-5", "0", "[1]"])
def test_metadata_session_must_be_a_positive_whole_number(tmp_path: Path, session: str) -> None:
    with pytest.raises(TreatygraphError, match="bad metadata value"):
        _read_with_meta(tmp_path, f"symbol: A/RES/99/1\ntitle: T\nsession: {session}\n")


def test_metadata_nested_too_deeply_is_bad_input(tmp_path: Path) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    with pytest.raises(TreatygraphError, match=r"nested too deeply|cannot read metadata"):
        _read_with_meta(tmp_path, f"symbol: A/RES/99/1\ntitle: T\nagenda_item: {deep}\n")


def test_metadata_with_keys_that_are_not_text_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(TreatygraphError, match=r"unknown metadata fields: 1, 2\.5"):
        _read_with_meta(tmp_path, "symbol: A/RES/99/1\ntitle: T\n1: a\n2.5: b\n")


def test_metadata_datetime_reads_as_its_date(tmp_path: Path) -> None:
    path = tmp_path / "A-RES-99-1.txt"
    path.write_text(TEXT, encoding="utf-8")
    meta = "symbol: A/RES/99/1\ntitle: T\nadoption_date: 2020-01-31T10:00:00\n"
    path.with_name("A-RES-99-1.meta.yaml").write_text(meta, encoding="utf-8")
    assert str(graph.read(path).document.meta.adoption_date) == "2020-01-31"


def test_paragraph_with_twenty_thousand_anaphora_reads_in_linear_time() -> None:
    body = (
        "Recalling the Convention on the Rights of the Child1 and "
        + "the Protocol thereto, " * 20_000
    )
    started = time.monotonic()
    x = graph.extract(
        graph.parse(
            f"The General Assembly,\n\n {body}\n\n 1. Decides.\n_____\n 1 Ibid.\n",
            meta=ResolutionMeta(symbol="A/RES/99/1", title="T"),
        )
    )
    assert time.monotonic() - started < 10  # was 90 s: quadratic in the mentions
    assert x.document.paragraphs


def test_cli_output_through_a_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli(
            ["build", str(Path(__file__).resolve().parents[1] / "corpus"), "--out",
             str(tmp_path / "a-file" / "dist"), "--store", str(tmp_path / "store"), "--no-cache"]
        )  # fmt: skip
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert lines[-1].startswith("treatygraph: ") and "a-file" in lines[-1], err.getvalue()
    assert "Traceback" not in err.getvalue()


# --- builds killed outright (SIGKILL, the OOM killer) ---------------------------------------

SEED_CORPUS = ROOT / "corpus"
HOLD = """
import sys, time
from pathlib import Path
from treatygraph.build.folders import scratch_folder
with scratch_folder(Path(sys.argv[1]), sys.argv[2]) as folder:
    (folder / "part").write_text("half written")
    print(folder, flush=True)
    time.sleep(300)
"""


def _holding(out: Path, kind: str) -> tuple[subprocess.Popen[str], Path]:
    """A process that made its temporary folder beside ``out`` as a build does, and holds it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out), kind], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line, "the holder ended before making its folder"
    return process, Path(line)


def _build_quietly(corpus: Path, out: Path, store: Path, *more: str) -> int:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return cli(["build", str(corpus), "--out", str(out), "--store", str(store), *more])


def _beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_build_killed_while_writing_leaves_no_temporary_folder_and_running_builds_keep_theirs(
    tmp_path: Path,
) -> None:
    """The temporary folders of killed builds (the staging folder of dist/ and the scratch
    folder of parts) are removed by the next build; those of builds still running are not."""
    out = tmp_path / "dist"
    holders = {(kind, fate): _holding(out, kind) for kind in ("", "parts-")
               for fate in ("killed", "running")}  # fmt: skip
    try:
        for kind in ("", "parts-"):
            killed = holders[kind, "killed"][0]
            killed.kill()
            killed.wait()
        legacy = tmp_path / ".dist.abcd_123"  # left by a build from before the lock files
        legacy.mkdir()
        (legacy / "graph.nt").write_text("half written")
        (tmp_path / ".dist.notes").mkdir()  # not a build's: kept
        (tmp_path / ".dist.backup_1").mkdir()  # named like one, but holds what no build writes
        (tmp_path / ".dist.backup_1" / "notes.md").write_text("mine")
        assert all(holders[kind, "killed"][1].is_dir() for kind in ("", "parts-"))
        assert _build_quietly(SEED_CORPUS, out, tmp_path / "store", "--no-cache") == 0
        running = [holders[kind, "running"][1] for kind in ("", "parts-")]
        theirs = [*(f.name for f in running), *(f"{f.name}.lock" for f in running)]
        expected = [".dist.backup_1", ".dist.notes", *theirs]
        assert _beside(out) == sorted(expected)
        assert all((f / "part").read_text() == "half written" for f in running)
        assert {p.name for p in out.iterdir()} >= {"graph.nt", "void.ttl"}
    finally:
        for process, _ in holders.values():
            process.kill()
            process.wait()
    assert sorted(remove_stale(out)) == sorted(theirs)  # now their builds are dead too
    assert _beside(out) == [".dist.backup_1", ".dist.notes"]


def test_build_killed_between_the_two_renames_of_its_swap_gets_the_previous_dist_back(
    tmp_path: Path,
) -> None:
    """Where two paths cannot be exchanged at once, dist/ is moved aside to ``….old`` and the
    new tree moved in: a build killed between the two leaves no dist/ at all."""
    out = tmp_path / "dist"
    out.mkdir()
    (out / "graph.nt").write_text("the previous build")
    holder, stage = _holding(out, "")
    holder.kill()
    holder.wait()
    os.rename(out, f"{stage}.old")
    remove_stale(out)
    assert (out / "graph.nt").read_text() == "the previous build"
    assert _beside(out) == []


def test_build_killed_while_reading_without_a_cache_leaves_no_scratch_folder(
    tmp_path: Path,
) -> None:
    corpus = scenarios.harness.synth_corpus(tmp_path / "corpus", 40, 8)
    shutil.copytree(SEED_CORPUS, corpus, dirs_exist_ok=True)
    out, store = tmp_path / "site" / "dist", tmp_path / "site" / "store"
    process = subprocess.Popen(
        [*scenarios.CLI, "build", corpus, "--out", out, "--store", store, "--no-cache",
         "--jobs", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    scratch = re.compile(r"\.dist\.parts-[a-z0-9_]{8}")
    try:
        deadline = time.monotonic() + 60
        while not (out.parent.exists() and any(map(scratch.fullmatch, os.listdir(out.parent)))):
            assert process.poll() is None and time.monotonic() < deadline, "no scratch folder"
            time.sleep(0.002)
    finally:
        process.kill()
        process.wait()
    assert any(map(scratch.fullmatch, _beside(out)))  # what the killed build left...
    assert _build_quietly(corpus, out, store, "--no-cache", "--jobs", "2") == 0
    assert _beside(out) == []  # ... the next one removed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_build_killed_while_reading_leaves_no_reader_running_even_one_started_as_it_died(
    tmp_path: Path,
) -> None:
    """A reader ends when its build is killed; one whose build died before it could ask the
    kernel for that (its parent is then another process) ends at once."""
    start = (
        "import subprocess, sys, time\n"
        "code = 'import os, sys, time; from treatygraph.build.corpus import die_with_parent; "
        "die_with_parent(int(sys.argv[1])); time.sleep(300)'\n"
        "import os\n"
        "child = subprocess.Popen([sys.executable, '-c', code, str(os.getpid())])\n"
        "time.sleep(300)\n"
    )
    build = subprocess.Popen([sys.executable, "-c", start], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while len(tree(build.pid)) < 2:
            assert time.monotonic() < deadline, "the reader did not start"
            time.sleep(0.01)
        time.sleep(1.0)  # the reader has asked by now
        reader = tree(build.pid)[1]
        assert state(reader) not in ("", "Z")
    finally:
        build.kill()  # SIGKILL: no clean-up of any kind in the build
        build.wait()
    deadline = time.monotonic() + 5
    while state(reader) not in ("", "Z") and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = state(reader) not in ("", "Z")
    if alive:
        os.kill(reader, signal.SIGKILL)
    assert not alive, "the reader outlived its build"
    late = subprocess.run(
        [sys.executable, "-c",
         "from treatygraph.build.corpus import die_with_parent; die_with_parent(0); "
         "print('still running')"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert late.returncode == -signal.SIGKILL and "still running" not in late.stdout


def test_unreadable_corpus_subfolder_is_named_unreadable(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus / "general-assembly")
    (corpus / "later").mkdir()
    (corpus / "later" / "A-RES-99-1.txt").write_text("The General Assembly,\n")
    (corpus / "later").chmod(0)
    try:  # as root too: the command runs without the capabilities that bypass permissions
        done = scenarios._cli("build", corpus, "--out", tmp_path / "dist", "--store",
                              tmp_path / "store")  # fmt: skip
    finally:
        (corpus / "later").chmod(0o755)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    said = done.stderr.strip().splitlines()
    assert said == [f"treatygraph: {corpus / 'later'}: error: cannot read this corpus folder: "
                    "Permission denied"]  # fmt: skip
    assert not (tmp_path / "dist").exists()


# --- the OpenAPI description ----------------------------------------------------------------


def test_get_and_head_of_linked_data_have_operation_ids_of_their_own(tmp_path: Path) -> None:
    """``/id/…`` and ``/data/…`` answer GET and HEAD: one route with both methods gave the
    two operations one id (FastAPI warned "Duplicate Operation ID"), which clients
    generated from the description cannot tell apart."""
    import asyncio

    from treatygraph.api.app import create_app
    from treatygraph.api.settings import Settings

    async def fetch() -> httpx.Response:
        app = create_app(Settings(store=str(tmp_path / "store")))
        transport = httpx.ASGITransport(app=app)  # no lifespan: no workers, no store needed
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/openapi.json")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = asyncio.run(fetch())
    assert answer.status_code == 200
    assert not [w for w in caught if "Duplicate Operation ID" in str(w.message)]
    spec = answer.json()
    ids = Counter(op["operationId"] for ops in spec["paths"].values() for op in ops.values())
    assert [i for i, n in ids.items() if n > 1] == []
    for path, name in (
        ("/id/{path}", "dereference_id__path_"),
        ("/data/{path}", "document_data__path_"),
    ):
        assert {m: op["operationId"] for m, op in spec["paths"][path].items()} == {
            "get": f"{name}_get", "head": f"{name}_head"}  # fmt: skip


# --- memory under concurrent lookups ------------------------------------------------------


def test_lookups_beyond_their_slots_wait_then_get_a_503() -> None:
    """Forty request threads each ran a library query at once, each holding 100+ MB on a
    large graph: now two run, the others wait (holding no thread) and then get a 503."""
    import asyncio

    from treatygraph.api.admission import Gate

    async def scenario() -> list[str]:
        gate = Gate(1, wait=0.2, busy=lambda: RequestProblem(503, "busy"))
        seen: list[str] = []

        async def hold() -> None:
            await gate.enter()
            seen.append("first")
            await asyncio.sleep(0.5)
            gate.leave()

        async def late() -> None:
            try:
                await gate.enter()
            except RequestProblem as e:
                seen.append(f"second {e.status}")

        await asyncio.gather(hold(), late())
        await gate.enter()  # free again
        seen.append("third")
        gate.leave()
        return seen

    assert asyncio.run(scenario()) == ["first", "second 503", "third"]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/resolutions/A-RES-1-1", 404), ("/resolutions/" + "0" * 900 + "/paragraphs/op5", 422)],
)
def test_lookup_errors_keep_their_status_through_the_gate(path: str, status: int) -> None:
    """The first gate was a context manager: the frozen RequestProblem raised inside it could not
    take its traceback, and every 404 and 422 of the lookups became a 500."""
    answer = httpx.get(shared_service() + path, timeout=30)
    assert answer.status_code == status, answer.text


def test_malloc_arenas_are_bounded_where_glibc_allows() -> None:
    from treatygraph.api import arenas as memory

    if memory._libc() is None:
        pytest.skip("not glibc")
    assert memory.bound_arenas()
    memory.trim()
