"""The ontology's HTML page, opened in headless Chromium as a reader would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF

from treatygraph.rdf.vocab import TG

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "ontology" / "treatygraph.html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto(PAGE.as_uri())
        yield tab, errors
        browser.close()


def terms() -> list[str]:
    g = rdflib.Graph().parse(ROOT / "ontology" / "treatygraph.ttl", format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({str(s)[len(TG) :] for k in kinds for s in g.subjects(RDF.type, k)
                   if str(s).startswith(TG)})  # fmt: skip


def test_page_opens_and_lists_every_class_and_property(page: tuple[object, list[str]]) -> None:
    tab, errors = page
    text = tab.inner_text("body")  # type: ignore[attr-defined]
    missing = [t for t in terms() if t not in text]
    assert missing == []
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "ontology.png"), full_page=False)  # type: ignore[attr-defined]
