"""The graph explorer in headless Chromium: the page served by the app under uvicorn, on a
real store holding the seed resolution. A screenshot of each state is kept in
``test-artifacts/`` (git-ignored) to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

import treatygraph as graph
from tests.conftest import ROOT
from tests.support.network import SEED, shared_service, shared_store
from treatygraph import network
from treatygraph.api.routes.explore import _level
from treatygraph.model import Extraction
from treatygraph.network.limits import Limits
from treatygraph.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
SYMBOL = "A/RES/77/194"
READY = "window.explorer && window.explorer.cy() && window.explorer.cy().nodes().length > 0"


@pytest.fixture(scope="module")
def seed() -> Extraction:
    return graph.read(SEED)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.skip("Chromium is not installed (make system-deps)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(executable), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def service() -> str:
    if not (ROOT / "api" / "static" / "vendor" / "cytoscape.min.js").is_file():
        pytest.fail("api/static/vendor/cytoscape.min.js is missing: run `make assets`")
    return shared_service()


class Page:
    """A page of the explorer, with every console error and page error it reports."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1440, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_function(READY)
        assert self.page.evaluate("window.explorer.ready") is True

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def count(self, selector: str = "") -> int:
        return int(self.page.evaluate(f"window.explorer.cy().nodes({selector!r}).length"))

    def visible(self) -> int:
        """Nodes the filters leave shown."""
        return int(self.page.evaluate("window.explorer.cy().nodes().not('.filtered').length"))

    def click_node(self, ref: str) -> None:
        """A real mouse click where the node is drawn."""
        x, y = self.page.evaluate(
            """(ref) => {
                const cy = window.explorer.cy();
                const node = cy.nodes().filter((n) => n.data('ref') === ref)[0];
                cy.center(node);
                const at = node.renderedPosition();
                const box = cy.container().getBoundingClientRect();
                return [box.left + at.x, box.top + at.y];
            }""",
            ref,
        )
        self.page.mouse.click(x, y)

    def headings(self) -> list[str]:
        """The side panel's headings, as written (the style shows them in capitals)."""
        return [str(h) for h in self.page.locator("#panel h3").all_text_contents()]

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))


@pytest.fixture
def page(browser: Browser, service: str) -> Iterator[Page]:
    opened = Page(browser, f"{service}/explore")
    yield opened
    opened.page.close()


def expected_nodes(seed: Extraction) -> int:
    """The seed's nodes, and the four of the made-up resolution (itself, two paragraphs and
    a footnote: the instruments it cites are the seed's)."""
    doc = seed.document
    instruments = {i.id for i in seed.instruments} | {p for i in seed.instruments for p in i.parent}
    return 1 + len(doc.paragraphs) + len(doc.footnotes) + len(instruments) + 4


def test_the_page_draws_the_whole_graph(page: Page, seed: Extraction) -> None:
    assert page.count() == expected_nodes(seed) == 183
    assert page.count("[kind = 'instrument']") == 56
    assert "Everything: 183 nodes" in page.page.inner_text("#status")
    page.shot("explorer.png")
    assert page.errors == []


def test_clicking_operative_paragraph_5_lists_its_17_instruments(
    page: Page, seed: Extraction
) -> None:
    page.click_node(f"{SYMBOL} op5")
    page.page.wait_for_selector(
        f"#panel article.paragraph[data-id$='{SYMBOL.replace('/', '-')}/op/5']"
    )
    items = page.page.locator("#panel ol.cites > li")
    assert items.count() == 17
    titles = [t.strip() for t in items.locator("a.link").all_inner_texts()]
    assert titles == [c.instrument.title for c in seed.citations_of("op5")]
    assert "Cites 17 instruments" in page.headings()
    crc = items.filter(has_text="Convention on the Rights of the Child").first.inner_text()
    assert "CRC · UNTS vol. 1577, No. 27531" in crc
    assert (
        page.page.locator("#panel blockquote.text").inner_text().startswith("Urges Member States")
    )
    page.shot("explorer-op5.png")
    assert page.errors == []


def test_search_finds_an_instrument_and_shows_who_cites_it(page: Page, service: str) -> None:
    page.page.fill("#q", "CRC")
    page.page.press("#q", "Enter")
    page.page.wait_for_selector("#panel article.instrument")
    panel = page.page.inner_text("#panel")
    assert "Convention on the Rights of the Child" in panel
    assert "vol. 1577, No. 27531" in panel
    assert "Cited in 3 paragraphs" in page.headings()
    citing = page.page.locator("#panel ol.cited-by > li a.link").all_inner_texts()
    assert citing == [f"{SYMBOL} pp2", f"{SYMBOL} op5", f"{SYMBOL} op50"]
    links = page.page.locator("#panel ul.links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "https://w3id.org/treatygraph/id/instrument/crc" in hrefs
    assert "UN Treaty Collection" in links.all_inner_texts()
    here = [h for h in hrefs if h and h.startswith("/id/")]  # its page, served by this app
    assert here == ["/id/instrument/crc"]
    page_here = httpx.get(
        f"{service}{here[0]}", headers={"Accept": "text/html"}, follow_redirects=True
    )
    assert (
        page_here.status_code == 200 and "Convention on the Rights of the Child" in page_here.text
    )
    page.page.locator("#panel ol.cited-by a.link").first.click()  # follow to the paragraph
    page.page.wait_for_selector("#panel article.paragraph")
    assert page.errors == []


def test_filters_hide_paragraph_parts_and_instrument_kinds(page: Page) -> None:
    everything = page.visible()
    preambular = page.count("[part = 'preambular']")
    page.page.uncheck("input[name=part][value=preambular]")
    assert page.visible() == everything - preambular
    page.page.uncheck("input[name=kind][value=ilo-convention]")
    assert page.visible() == everything - preambular - 9
    page.page.check("input[name=part][value=preambular]")
    page.page.check("input[name=kind][value=ilo-convention]")
    assert page.visible() == everything


def test_a_large_graph_starts_aggregated() -> None:
    """The level the page starts from: the most detailed that draws quickly."""
    view = network.build_view(open_store(shared_store(), read_only=True))
    assert _level(view, "auto", Limits())[0] == "full"
    assert _level(view, "auto", Limits(explore_nodes=100))[0] == "resolutions"
    assert _level(view, "auto", Limits(explore_nodes=100, explore_edges=50))[0] == "instruments"
    with pytest.raises(network.LimitExceeded, match="the full level has 183 nodes"):
        _level(view, "full", Limits(max_nodes=100))
    top = _level(view, "instruments", Limits(explore_instruments=10))[1]
    assert len(top) == 10 and view.node("untoc") in top  # the most cited are kept


def test_paragraphs_are_loaded_on_demand(browser: Browser, service: str) -> None:
    page = Page(browser, f"{service}/explore?level=resolutions")
    assert page.page.inner_text("#status").startswith("Resolutions and instruments: 58 nodes")
    assert page.count("[kind = 'paragraph']") == 0
    page.page.fill("#q", SYMBOL)
    page.page.press("#q", "Enter")
    page.page.wait_for_selector("#panel article.resolution")
    page.page.get_by_role("button", name="Show its paragraphs").click()
    page.page.wait_for_function("window.explorer.cy().nodes('[kind = \"paragraph\"]').length > 0")
    assert page.count("[kind = 'paragraph']") == 88
    assert page.count("[kind = 'footnote']") == 34
    page.shot("explorer-aggregated.png")
    assert page.errors == []
    page.page.close()


def test_the_address_names_a_level_and_a_node(browser: Browser, service: str) -> None:
    page = Page(browser, f"{service}/explore?level=instruments&node=crc")
    page.page.wait_for_selector("#panel article.instrument")
    assert page.page.inner_text("#status").startswith("Instruments only")
    assert page.count("[kind = 'resolution']") == 0
    assert page.page.evaluate("window.explorer.cy().$('node.focus').data('ref')") == "crc"
    assert page.errors == []
    page.page.close()
