"""The HTML pages in headless Chromium (Debian's, driven by Playwright): a researcher reads a
resolution, follows a highlighted citation to the instrument, and from there to every
paragraph citing it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.lookups import ARTIFACTS, shared_service

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="module")
def url() -> str:
    return shared_service()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def foreign() -> list[str]:
    """Requests that leave the service's origin (there must be none: no CDN)."""
    return []


@pytest.fixture()
def page(browser: Browser, url: str, foreign: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "request", lambda r: None if r.url.startswith((url, "data:")) else foreign.append(r.url)
    )
    yield page
    context.close()


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def check_accessible_basics(page: Page) -> None:
    """lang, one h1, a main landmark, a skip link, named links, labelled form fields."""
    facts = page.evaluate(
        """() => ({
          lang: document.documentElement.lang,
          h1: document.querySelectorAll('h1').length,
          main: document.querySelectorAll('main').length,
          skip: document.querySelector('a.skip-link')?.getAttribute('href'),
          unnamed: [...document.querySelectorAll('a')].filter(a =>
              !(a.textContent.trim() || a.getAttribute('aria-label'))).length,
          unlabelled: [...document.querySelectorAll('input, select')].filter(i =>
              !(i.labels && i.labels.length)).length,
          overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        })"""
    )
    assert facts == {
        "lang": "en", "h1": 1, "main": 1, "skip": "#main", "unnamed": 0, "unlabelled": 0,
        "overflow": False,
    }  # fmt: skip


def test_read_a_resolution_and_follow_a_citation(page: Page, url: str, foreign: list[str]) -> None:
    page.goto(f"{url}/resolutions/A-RES-77-194#op5")
    assert page.title().startswith("A/RES/77/194")
    check_accessible_basics(page)
    op5 = page.locator("#op5")
    assert op5.locator("a.cite").count() + op5.locator("mark.cite").count() >= 15
    assert op5.locator("sup.fnref").count() == 11  # footnotes 19 to 29
    shoot(page, "resolution.png")
    op5.get_by_role("link", name="Convention on the Rights of the Child", exact=True).click()
    page.wait_for_url(f"{url}/instruments/crc")
    assert page.locator("h1").inner_text() == "Convention on the Rights of the Child"
    facts = page.locator("dl.facts").inner_text()
    assert "UNTS vol. 1577, No. 27531" in facts and "20 November 1989" in facts
    rows = page.locator("table.kwic tbody tr")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == [
        "pp2",
        "op5",
        "op50",
    ]
    check_accessible_basics(page)
    shoot(page, "instrument.png")
    rows.nth(2).get_by_role("link", name="op50").click()
    page.wait_for_url(f"{url}/resolutions/A-RES-77-194/paragraphs/op50")
    assert page.locator("h1").inner_text() == "Operative paragraph 50"
    shoot(page, "paragraph.png")
    assert foreign == []


def test_footnote_markers_and_back_links(page: Page, url: str) -> None:
    page.goto(f"{url}/resolutions/A-RES-77-194")
    page.locator("#op5 sup.fnref a", has_text="19").click()
    assert page.url.endswith("#fn19")
    note = page.locator("#fn19")
    assert "vols. 2171, 2173 and 2983, No. 27531" in note.inner_text()
    note.get_by_role("link", name="back to operative paragraph 5").click()
    assert page.url.endswith("#op5")


def test_keyboard_reaches_the_skip_link_first(page: Page, url: str) -> None:
    page.goto(f"{url}/instruments")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    check_accessible_basics(page)


def test_lookups_page_runs_a_query(page: Page, url: str) -> None:
    page.goto(f"{url}/queries/citations-by-intent")
    # the example, at work (issue 16: op4's implementation clause is not ratification)
    assert page.locator("table.results tbody tr").count() == 19
    page.get_by_label("intent").select_option("recalling")
    page.get_by_label("resolution").fill("A/RES/77/194")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert page.url.endswith("?intent=recalling&resolution=A%2FRES%2F77%2F194")
    assert page.locator("table.results tbody tr").count() == 15
    check_accessible_basics(page)
    shoot(page, "query.png")
    page.get_by_label("resolution").fill("A/RES/0/0/../x")
    page.get_by_role("button", name="Run").click()
    assert "not a document symbol" in page.get_by_role("alert").inner_text()


def test_pages_fit_a_phone(browser: Browser, url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ("/resolutions/A-RES-77-194", "/instruments/crc", "/data/instrument/crc.html"):
        page.goto(url + path)
        check_accessible_basics(page)
    shoot(page, "phone-resource.png")
    context.close()
