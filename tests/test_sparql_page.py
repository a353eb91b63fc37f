"""The query page in headless Chromium: YASGUI from our own origin, an example, a result."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ASSETS = Path(__file__).resolve().parent.parent / "api/static/vendor/yasgui/yasgui.min.js"
EXAMPLE = """#+ summary: Instruments and their titles
PREFIX tg: <https://w3id.org/treatygraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?instrument ?title WHERE { ?instrument a tg:Instrument ; rdfs:label ?title }
ORDER BY ?title
"""

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not ASSETS.is_file(), reason="front-end assets missing: make assets"),
]


@pytest.fixture(scope="module")
def page_service(
    tmp_path_factory: pytest.TempPathFactory,
    embedded_spec: str,
    start_app: Callable[..., AbstractContextManager[Service]],
) -> Iterator[Service]:
    queries = tmp_path_factory.mktemp("queries")
    (queries / "instruments.rq").write_text(EXAMPLE)
    with start_app(embedded_spec, queries_dir=queries) as running:
        yield running


def test_yasgui_runs_an_example(page_service: Service) -> None:
    foreign: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((page_service.url, "data:")) else foreign.append(r.url)
            ),
        )
        page.goto(page_service.sparql)
        page.get_by_role("button", name="Instruments and their titles").click()
        page.locator(".yasqe_queryButton").click()
        page.get_by_text("Convention on the Rights of the Child").first.wait_for(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sparql-yasgui.png"))
        browser.close()
    assert foreign == []  # every asset and request stays on the service's origin
