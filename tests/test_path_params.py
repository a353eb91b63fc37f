"""Hostile path values: every path parameter of every route answers 4xx, never 5xx.

The routes are read from the app's own OpenAPI document (and its mounts), so a new route is
covered without a line here. The app runs in process (Starlette's TestClient) on the seed
graph. ``TREATYGRAPH_PROPERTY_EXAMPLES`` sets the examples per parameter (20 by default; ``make
reliability`` raises it).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount

from tests.support.lookups import seed_store
from treatygraph.api.params import header_url, refusal

EXAMPLES = int(os.environ.get("TREATYGRAPH_PROPERTY_EXAMPLES", "20"))
ACCEPTS = ("*/*", "text/html", "text/csv", "application/json")
# Values of the other parameters of a route while one is being tried (OpenAPI's example first).
FALLBACK = {"symbol": "A-RES-77-194", "id": "op5", "path": "instrument/crc"}


@dataclass(frozen=True)
class Target:
    """One path parameter of one route: the path template and the values of the others."""

    template: str
    parameter: str
    example: str  # a good value, %-encoded
    others: dict[str, str]

    def url(self, value: str) -> str:
        values = {**self.others, self.parameter: value}
        url = self.template
        for name, raw in values.items():
            url = url.replace("{" + name + "}", raw)
        return url

    def __str__(self) -> str:
        return f"{self.template} [{self.parameter}]"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    from treatygraph.api.app import create_app
    from treatygraph.api.settings import Settings

    store = seed_store(tmp_path_factory.mktemp("path-params"))
    return create_app(Settings(store=store, workers=1, query_timeout=5))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def targets(app: FastAPI) -> list[Target]:
    """Every path parameter of every route in the app's OpenAPI document, and of its mounts."""
    found: list[Target] = []
    for template, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        parameters = [p for p in operations["get"].get("parameters", []) if p["in"] == "path"]
        examples = {p["name"]: _example(p) for p in parameters}
        for name in examples:
            others = {k: v for k, v in examples.items() if k != name}
            found.append(Target(template, name, examples[name], others))
    for route in app.routes:
        if isinstance(route, Mount):
            found.append(Target(route.path + "/{path}", "path", "sparql.js", {}))
    return found


def _example(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    examples = parameter.get("examples") or schema.get("examples") or []
    if isinstance(examples, dict):
        examples = [e.get("value") for e in examples.values()]
    value = examples[0] if examples else FALLBACK.get(parameter["name"], "x")
    return quote(str(value), safe="/")


# --- what a hostile value is made of ----------------------------------------------------------

DIGITS = st.characters(categories=["Nd", "No", "Nl"], min_codepoint=0x80)  # not 0-9
# The zero of every other script's digits: ٠ (Arabic-Indic), ０ (fullwidth), ० (Devanagari) ...
ZEROS = [z for z in range(0x80, 0x110000) if unicodedata.digit(chr(z), None) == 0]
HOSTILE = st.characters(categories=["Nd", "No", "Cf", "Zs", "Zl", "Cc", "Lo", "Po", "Sm", "So"])
SURROGATE = st.characters(categories=["Cs"])


def _escaped(value: str) -> str:
    """A value as a URL path segment: UTF-8 (surrogates as their would-be bytes), %-encoded."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def values(example: str) -> st.SearchStrategy[str]:
    """Hostile values for a parameter whose good value is `example`: that value with a
    character put in or swapped (the likeliest to get past a route's own checks), hostile
    text, and very long values."""
    good = unquote(example) or "x"

    def mutate(char: str, at: int, swap: bool) -> str:
        at %= len(good)
        return good[:at] + char + good[at + swap :]

    def same_number(zero: int, at: int) -> str:
        """A digit of `good` written in another script: the same value, the same record."""
        digits = [i for i, c in enumerate(good) if c.isascii() and c.isdigit()]
        if not digits:
            return good
        i = digits[at % len(digits)]
        return good[:i] + chr(zero + int(good[i])) + good[i + 1 :]

    return st.one_of(
        st.builds(same_number, st.sampled_from(ZEROS), st.integers(0, 99)),
        st.builds(mutate, st.one_of(DIGITS, HOSTILE, SURROGATE), st.integers(0, 99), st.booleans()),
        st.text(st.one_of(HOSTILE, SURROGATE, st.sampled_from("op5/.%")), min_size=1, max_size=12),
        st.builds(
            lambda unit, n: unit * n,
            st.text(HOSTILE, min_size=1, max_size=3),
            st.integers(300, 3000),
        ),
    )


def test_the_routes_are_read_from_the_app(app: FastAPI) -> None:
    """The property below covers the lookups, linked data, exports and static files."""
    shown = {str(t) for t in targets(app)}
    for expected in (
        "/resolutions/{symbol}/paragraphs/{id}/citations [id]",
        "/unts/{volume}/{number} [number]",
        "/ilo/{code} [code]",
        "/id/{path} [path]",
        "/export/{name} [name]",
        "/static/{path} [path]",
    ):
        assert expected in shown, sorted(shown)


def test_no_path_value_gives_a_5xx(app: FastAPI, client: TestClient) -> None:
    failures = [f"{t}: {e}" for t in targets(app) if (e := _five_hundred(client, t))]
    assert not failures, "\n".join(failures)


def _five_hundred(client: TestClient, target: Target) -> str | None:
    """The falsifying example's message, or None when no value gave a 5xx."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(value=values(target.example), accept=st.sampled_from(ACCEPTS))
    def never_a_5xx(value: str, accept: str) -> None:
        url = target.url(_escaped(value))
        answer = client.get(url, headers={"Accept": accept})
        assert answer.status_code < 500, f"{url[:200]} -> {answer.status_code}: {answer.text[:300]}"

    try:
        never_a_5xx()
    except AssertionError as e:
        return str(e)
    return None


# --- the rule, value by value -----------------------------------------------------------------

REFUSED = {
    "/resolutions/A-RES-77-194/paragraphs/١/citations": ("id", "U+0661 ARABIC-INDIC DIGIT ONE"),
    "/resolutions/A-RES-77-194/paragraphs/op５": ("id", "U+FF15 FULLWIDTH DIGIT FIVE"),
    "/resolutions/A-RES-77-194/paragraphs/op5²": ("id", "U+00B2 SUPERSCRIPT TWO"),
    "/unts/１５７７/27531": ("volume", "U+FF11 FULLWIDTH DIGIT ONE"),
    "/unts/1577/٢٧٥٣١": ("number", "U+0662 ARABIC-INDIC DIGIT TWO"),
    "/ilo/C०२९": ("code", "U+0966 DEVANAGARI DIGIT ZERO"),
    "/instruments/cr\u200bc": ("id", "U+200B ZERO WIDTH SPACE"),
    "/instruments/crc\u00a0": ("id", "U+00A0 NO-BREAK SPACE"),
    "/resolutions/A-RES-77-194\u2028": ("symbol", "U+2028 LINE SEPARATOR"),
    "/id/instrument/crc\u202e": ("path", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "/export/turtle\u0000": ("name", "U+0000"),
}


@pytest.mark.parametrize("path", REFUSED)
def test_a_hostile_path_value_is_a_problem_naming_its_parameter(
    client: TestClient, path: str
) -> None:
    parameter, character = REFUSED[path]
    answer = client.get(quote(path, safe="/"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["parameter"] == parameter
    assert problem["detail"].startswith(f"{parameter}: ") and character in problem["detail"]


def test_a_browser_gets_the_refusal_as_a_page(client: TestClient) -> None:
    answer = client.get(quote("/resolutions/A-RES-77-194/paragraphs/٥", safe="/"),
                        headers={"Accept": "text/html"})  # fmt: skip
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "ARABIC-INDIC DIGIT FIVE" in answer.text


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("op5", True),
        ("A-RES-77-194", True),
        ("A RES 77 194", True),  # the space, and letters of any script, are the route's to judge
        ("Pacte_international_é", True),
        ("x" * 1000, True),
        ("x" * 1001, False),
        ("\u0665", False),
        ("\u2167", False),  # ROMAN NUMERAL EIGHT (Nl)
        ("a\u00adb", False),  # SOFT HYPHEN (Cf)
        ("\u3000", False),  # IDEOGRAPHIC SPACE (Zs)
        ("\ud800", False),
    ],
)
def test_which_values_a_path_parameter_may_hold(value: str, allowed: bool) -> None:
    assert (refusal(value) is None) is allowed


@pytest.mark.parametrize(
    ("url", "header"),
    [
        ("http://h/p/é?q=1", "http://h/p/%C3%A9?q=1"),
        ("http://h/p/a b", "http://h/p/a%20b"),
        ("http://h/p/a\r\nX-Evil: 1", "http://h/p/a%0D%0AX-Evil:%201"),
        ("http://h/p/<a>", "http://h/p/%3Ca%3E"),
        ("http://h/p/a%2Fb", "http://h/p/a%2Fb"),  # already encoded: kept
    ],
)
def test_a_url_in_a_header_is_percent_encoded(url: str, header: str) -> None:
    assert header_url(url) == header


def test_a_non_ascii_query_value_reaches_the_link_header_encoded(client: TestClient) -> None:
    answer = client.get("/resolutions?limit=1&x=%D9%A1%E2%80%8B")
    assert answer.status_code == 200
    assert "%D9%A1%E2%80%8B" in answer.headers["link"]
    answer.headers["link"].encode("ascii")  # no raw character a header cannot carry


def test_the_deepest_paths_are_4xx(client: TestClient) -> None:
    """Slashes inside `{symbol:path}` and `{path:path}`, traversal (static files are served
    through their links in an editable install: none leads out), and very long paths."""
    for path in (
        "/resolutions/%2E%2E/%2E%2E/etc/passwd",
        "/id/" + "a/" * 600,
        "/data/..%2F..%2Fx.ttl",
        "/resolutions/" + "A" * 5000 + "/paragraphs/1",
        "/static/..%2Fapp.py",
        "/static/%2E%2E/%2E%2E/pyproject.toml",
    ):
        answer = client.get(path)
        assert 400 <= answer.status_code < 500, (path[:80], answer.status_code)
