"""Installed as a user installs it: a wheel built from this checkout, installed (not editable)
into a new virtual environment, run from an empty folder far from the checkout.

This is the path a researcher takes with ``pip install .`` or ``pipx install .``; it proves that
the ontology, the named queries, the reference data, the templates and the front-end assets
travel inside the wheel, and that nothing is installed under a generic top-level name.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, stop, wait_for_http

pytestmark = pytest.mark.timeout(900)


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the new environment's bin/
    home: Path  # an empty folder to work in


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("treatygraph-*.whl")
    env = work / "venv"
    venv.create(env, with_pip=True)
    subprocess.run(
        [str(env / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True
    )
    home = work / "elsewhere"
    home.mkdir()
    return Installed(wheel, env / "bin", home)


def test_nothing_under_a_generic_name(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"treatygraph", f"{installed.wheel.name.split('-')[0]}-"
                    f"{installed.wheel.name.split('-')[1]}.dist-info"}  # fmt: skip
    for data in (
        "treatygraph/ontology/treatygraph.ttl",
        "treatygraph/ontology/shapes.ttl",
        "treatygraph/ontology/context.jsonld",
        "treatygraph/queries/citations.rq",
        "treatygraph/data/authority.csv",
        "treatygraph/api/templates/sparql.html",
        "treatygraph/api/static/sparql.js",
    ):
        assert data in names, data


def test_version_and_module_entry_point(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.bin / "python"), "-m", "treatygraph", "--version"],
        cwd=installed.home,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "treatygraph 0.1.0"


@pytest.fixture(scope="module")
def service(installed: Installed) -> Iterator[str]:
    """`treatygraph serve` of a corpus copied into the empty folder, run from there."""
    corpus = installed.home / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    built = subprocess.run(
        [str(installed.bin / "treatygraph"), "build", "corpus"],
        cwd=installed.home,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert (installed.home / "dist" / "graph.nt").is_file()
    port = free_port()
    process = subprocess.Popen(
        [str(installed.bin / "treatygraph"), "serve", "--port", str(port), "corpus"],
        cwd=installed.home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/ready", timeout=60, process=process)
        for _ in range(600):
            if httpx.get(f"{url}/ready").status_code == 200:
                break
        yield url
    finally:
        stop(process)


def test_lookups_answer(service: str) -> None:
    answer = httpx.get(f"{service}/resolutions/A-RES-77-194/paragraphs/5/citations", timeout=30)
    assert answer.status_code == 200
    cited = {c["instrument"]["id"]: c["instrument"]["unts"] for c in answer.json()}
    assert len(cited) == 17 and cited["crc"] == [{"volume": 1577, "number": 27531}]


def test_named_queries_answer(service: str) -> None:
    listing = httpx.get(f"{service}/queries", headers={"Accept": "application/json"}, timeout=30)
    assert listing.status_code == 200
    assert len(listing.json()) >= 20  # the library travelled with the package


def test_sparql_with_yasgui(service: str) -> None:
    page = httpx.get(f"{service}/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "/static/sparql.js" in page.text
    if (ROOT / "api" / "static" / "vendor" / "yasgui").is_dir():  # assets built here: shipped
        script = httpx.get(f"{service}/static/vendor/yasgui/yasgui.min.js", timeout=30)
        assert script.status_code == 200 and "Yasgui" in script.text
    ask = httpx.get(f"{service}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_explorer_answers(service: str) -> None:
    page = httpx.get(f"{service}/explore", timeout=60)
    assert page.status_code == 200 and "cytoscape" in page.text.lower()
