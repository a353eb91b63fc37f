"""The W3C SPARQL 1.1 Protocol and Service Description tests, against a real `treatygraph serve`.

The runner and the manifests are the shared ones (``../shared/conformance/w3c_protocol.py``,
beside the checkout; see its README): the runner replays every request of the W3C manifests
and ends with "N passed, M failed". Here it runs against the service as a user starts it,
`treatygraph serve` building the seed corpus into a fresh store, on a free loopback port: the
embedded store, and an Oxigraph server behind the remote store. Any failure fails the test,
the W3C tests' and the runner's extra checks' alike.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, OxigraphServer, free_port, stop, wait_for_http

CONFORMANCE = ROOT.parent / "shared" / "conformance"
RUNNER = CONFORMANCE / "w3c_protocol.py"
SEED = ROOT / "corpus" / "A-RES-77-194.txt"
TREATYGRAPH = Path(sys.executable).parent / "treatygraph"
TOTALS = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)
EXTRAS = re.compile(r"^extras: (\d+) pass, (\d+) fail, (\d+) not-applicable$", re.MULTILINE)

pytestmark = pytest.mark.skipif(
    not RUNNER.is_file(),
    reason=f"the W3C conformance runner is not beside the checkout ({RUNNER})",
)


@dataclass(frozen=True)
class Run:
    """What the runner printed, and its figures."""

    output: str
    passed: int
    failed: int
    extras_passed: int
    extras_failed: int


@pytest.fixture(scope="module", params=["embedded", "oxigraph-server"])
def endpoint(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    start_oxigraph: Callable[[Path], AbstractContextManager[OxigraphServer]],
) -> Iterator[str]:
    """`treatygraph serve` on the seed corpus, built into a fresh store (embedded, then on an
    Oxigraph server through the remote store), on a free port."""
    work = tmp_path_factory.mktemp("w3c")
    corpus = work / "corpus"
    corpus.mkdir()
    for part in SEED.parent.glob(f"{SEED.stem}.*"):  # the text and its metadata
        shutil.copy(part, corpus / part.name)
    with ExitStack() as stack:
        store = str(work / "store")
        if request.param == "oxigraph-server":
            store = stack.enter_context(start_oxigraph(work / "oxigraph")).spec
        yield stack.enter_context(serve(corpus, store, work))


@contextmanager
def serve(corpus: Path, store: str, work: Path) -> Iterator[str]:
    port = free_port()
    command = [str(TREATYGRAPH), "serve", str(corpus), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--store", store, "--out", str(work / "dist"), "--cache", str(work / "cache")]
    env = {**os.environ, "TREATYGRAPH_WORKERS": "2"}
    process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for_http(f"{url}?query=ASK%7B%7D", timeout=120, process=process)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def run(endpoint: str) -> Run:
    done = subprocess.run(
        [sys.executable, str(RUNNER), endpoint, "--verbose"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(done.stdout[-3000:])  # the table's end and the figures, shown by `pytest -s` or -rA
    totals = TOTALS.search(done.stdout)
    extras = EXTRAS.search(done.stdout)
    assert totals and extras, f"the runner printed no figures:\n{done.stdout}\n{done.stderr}"
    return Run(
        done.stdout,
        int(totals.group(1)),
        int(totals.group(2)),
        int(extras.group(1)),
        int(extras.group(2)),
    )


def test_every_w3c_protocol_test_passes(run: Run) -> None:
    assert run.failed == 0, run.output
    assert run.passed >= 23  # every applicable W3C test, query_content_type_construct included
    assert re.search(r"^query_content_type_construct\s.*\bpass\b", run.output, re.MULTILINE)


def test_every_extra_check_passes(run: Run) -> None:
    assert run.extras_failed == 0, run.output
    assert run.extras_passed >= 26
    assert re.search(r"^x_relative_iri_select\s.*\bpass\b", run.output, re.MULTILINE)
