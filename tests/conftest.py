"""Reusable fixtures: free ports, a seed graph, stores, an Oxigraph server, the app server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
BASE = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
INSTRUMENTS = (
    ("crc", "Convention on the Rights of the Child", "1989-11-20"),
    (
        "cedaw",
        "Convention on the Elimination of All Forms of Discrimination against Women",
        "1979-12-18",
    ),
    ("iccpr", "International Covenant on Civil and Political Rights", "1966-12-16"),
    ("icescr", "International Covenant on Economic, Social and Cultural Rights", "1966-12-16"),
    ("cat", "Convention against Torture", "1984-12-10"),
    ("crpd", "Convention on the Rights of Persons with Disabilities", "2006-12-13"),
    ("unclos", "United Nations Convention on the Law of the Sea", "1982-12-10"),
    ("vclt", "Vienna Convention on the Law of Treaties", "1969-05-23"),
    ("paris", "Paris Agreement", "2015-12-12"),
    ("udhr", "Universal Declaration of Human Rights", "1948-12-10"),
)
RESOLUTIONS = ("A-RES-77-194", "A-RES-76-150", "A-RES-75-100")


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(
    url: str, *, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1.0)
            return
        time.sleep(0.05)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- seed graph -----------------------------------------------------------------------------


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


def seed_triples() -> list[str]:
    """A few hundred N-Triples lines shaped like resolutions, paragraphs and instruments."""
    out: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        out.append(f"<{s}> <{p}> {o} .")

    for key, title, adopted in INSTRUMENTS:
        iri = f"{BASE}instrument/{key}"
        add(iri, RDF + "type", f"<{TG}Instrument>")
        add(iri, RDFS + "label", _lit(title, lang="en"))
        add(iri, TG + "adoptedOn", _lit(adopted, XSD + "date"))
    for r, symbol in enumerate(RESOLUTIONS):
        res = f"{BASE}resolution/{symbol}"
        add(res, RDF + "type", f"<{TG}Resolution>")
        add(res, DCT + "identifier", _lit(symbol.replace("-", "/")))
        add(res, RDFS + "label", _lit(f"Resolution {symbol}", lang="en"))
        for kind, count in (("pp", 4), ("op", 8)):
            for n in range(1, count + 1):
                par = f"{res}/{kind}/{n}"
                add(par, RDF + "type", f"<{TG}Paragraph>")
                add(par, TG + "partOf", f"<{res}>")
                add(par, TG + "number", _lit(str(n), XSD + "integer"))
                add(
                    par,
                    TG + "text",
                    _lit(f'{kind} {n} of {symbol}: "quoted", tab\there\nline <x> & é'),
                )
                if kind == "op":
                    for c in range(1 + (n + r) % 2):
                        inst = INSTRUMENTS[(n * 3 + r + c) % len(INSTRUMENTS)][0]
                        cit = f"{res}/citation/op{n}-{c + 1}"
                        add(cit, RDF + "type", f"<{TG}Citation>")
                        add(cit, TG + "inParagraph", f"<{par}>")
                        add(cit, TG + "cites", f"<{BASE}instrument/{inst}>")
    return out


@pytest.fixture(name="free_port")
def free_port_fixture() -> int:
    """A free loopback TCP port."""
    return free_port()


@pytest.fixture(scope="session")
def seed_size() -> int:
    """How many triples the seed graph has."""
    return len(seed_triples())


@pytest.fixture(scope="session")
def seed_nt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed graph as an N-Triples file."""
    path = tmp_path_factory.mktemp("seed") / "seed.nt"
    path.write_text("\n".join(seed_triples()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def seed_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real graph of the seed corpus, built by the pipeline; its N-Triples file."""
    try:
        import treatygraph as graph
        from treatygraph.build.dist import build
    except ImportError as e:  # the pipeline is not there yet
        pytest.skip(f"the build is not available: {e}")
    out = tmp_path_factory.mktemp("build") / "dist"
    build([graph.read(ROOT / "corpus" / "A-RES-77-194.txt")], out)
    return out / "graph.nt"


@pytest.fixture(scope="session")
def embedded_spec(tmp_path_factory: pytest.TempPathFactory, seed_nt: Path) -> str:
    """An embedded store holding the seed graph (its path, as a store spec)."""
    from treatygraph.store import open_store

    path = tmp_path_factory.mktemp("embedded") / "store"
    open_store(path, read_only=False).load(seed_nt)
    return str(path)


# --- Oxigraph server --------------------------------------------------------------------------


@dataclass
class OxigraphServer:
    """`oxigraph serve` on a loopback port; can be stopped and started again on that port."""

    location: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def spec(self) -> str:
        return f"sparql+{self.url}/query"

    def start(self) -> OxigraphServer:
        command = [str(OXIGRAPH), "serve", "--location", str(self.location)]
        command += ["--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_http(f"{self.url}/query?query=ASK%7B%7D", process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@contextlib.contextmanager
def oxigraph(location: Path) -> Iterator[OxigraphServer]:
    if not OXIGRAPH.exists() and not shutil.which("oxigraph"):
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    server = OxigraphServer(location, free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def start_oxigraph() -> Callable[[Path], contextlib.AbstractContextManager[OxigraphServer]]:
    """`with start_oxigraph(dir) as server:` runs one more Oxigraph server."""
    return oxigraph


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server, empty at first."""
    with oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def remote_spec(oxigraph_server: OxigraphServer, seed_nt: Path) -> str:
    """The Oxigraph server holding the seed graph, loaded through the remote store."""
    from treatygraph.store import open_store

    open_store(oxigraph_server.spec, read_only=False).load(seed_nt)
    return oxigraph_server.spec


# --- the service ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """A running service: its base URL and its process."""

    url: str
    process: subprocess.Popen[bytes]
    store: str  # the store spec it serves

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"


@contextlib.contextmanager
def app_server(store: str, **settings: object) -> Iterator[Service]:
    """The service in its own process (uvicorn on a free loopback port)."""
    port = free_port()
    env = {**os.environ, "TREATYGRAPH_STORE": store, "TREATYGRAPH_WORKERS": "2"}
    env.update({f"TREATYGRAPH_{k.upper()}": str(v) for k, v in settings.items()})
    command = [sys.executable, "-m", "uvicorn", "--factory", "treatygraph.api.app:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/sparql", process=process)
        yield Service(url, process, store)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def start_app() -> Callable[..., contextlib.AbstractContextManager[Service]]:
    """`with start_app(store_spec, query_timeout=1, ...) as service:` runs one more service."""
    return app_server


@pytest.fixture(scope="session")
def service(embedded_spec: str) -> Iterator[Service]:
    """The service on the embedded seed store, with a short time limit for the tests."""
    with app_server(embedded_spec, query_timeout=2) as running:
        yield running


@pytest.fixture(scope="session")
def remote_service(remote_spec: str) -> Iterator[Service]:
    """The service on the remote (Oxigraph server) store."""
    with app_server(remote_spec, query_timeout=2) as running:
        yield running


# --- a tiny TCP listener ----------------------------------------------------------------------


class Listener:
    """Accepts connections on a loopback port, records what arrives, never answers."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.received: list[bytes] = []
        self.connections = 0
        self._open: list[socket.socket] = []
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while self._running:
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)  # kept open and silent: a server that hangs
            conn.settimeout(0.2)
            with contextlib.suppress(OSError):
                data = conn.recv(65536)
                if data:
                    self.received.append(data)

    def close(self) -> None:
        self._running = False
        self._thread.join(2)
        for conn in self._open:
            conn.close()
        self.socket.close()


@pytest.fixture(scope="session")
def make_listener() -> type[Listener]:
    """`with contextlib.closing(make_listener()) as other:` for a listener of one's own."""
    return Listener


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    """A silent TCP listener on loopback that records every connection and byte sent to it."""
    server = Listener()
    yield server
    server.close()


# --- shared scenarios ---------------------------------------------------------------------


def check_remote_load_is_all_or_nothing(
    store: Any,
    tmp_path: Path,
    seed_nt: Path,
    seed_size: int,
    monkeypatch: pytest.MonkeyPatch,
    *,
    after_failure: Callable[[], None] = lambda: None,
) -> None:
    """On any SPARQL server: a load that fails after several batches reached the server
    leaves the previous graph whole (`after_failure` checks more, engine by engine); a good
    load then replaces it."""
    from treatygraph.store import LoadError
    from treatygraph.store import remote as remote_module

    assert store.load(seed_nt) == seed_size
    # several batches reach the server before the syntax error: all must be undone
    monkeypatch.setattr(remote_module, "BATCH", 50)
    broken = tmp_path / "broken.nt"
    broken.write_text(seed_nt.read_text() + "<http://e/a> <http://e/b> oops .\n")
    with pytest.raises(LoadError, match="previous graph is unchanged"):
        store.load(broken)
    assert store.triple_count() == seed_size
    after_failure()
    smaller = tmp_path / "smaller.nt"
    smaller.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    assert store.load(smaller) == 1
    assert store.triple_count() == 1  # replaced, and no staging graph left behind


# --- markers ------------------------------------------------------------------------------
# `pytest -m "not slow"` runs the fast part alone (about a minute): the tests below start
# real servers (Chromium, Virtuoso, uvicorn) or build large synthetic corpora.
SLOW_MODULES = frozenset(
    {
        "test_build_scale.py",
        "test_network_scale.py",
        "test_reliability.py",
        "test_reliability_regressions.py",
        "test_store_virtuoso.py",
        "test_explorer.py",
        "test_ontology_page.py",
        "test_pages.py",
        "test_sparql_page.py",
        "test_install.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
