"""The query library (queries/*.rq): every file loads and is documented, every example gives
its expected result on the seed corpus, parameters are validated and bound (never pasted),
and the command line runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.support.lookups import ROOT, seed_store
from treatygraph.named_queries import library as ql
from treatygraph.named_queries import params as qp
from treatygraph.store import open_store

LIBRARY = ql.load_library()


@pytest.fixture(scope="module")
def store_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_store(tmp_path_factory.mktemp("queries"))


@pytest.fixture(scope="module")
def runner(store_spec: str) -> ql.Runner:
    return ql.Runner(open_store(store_spec, read_only=True), LIBRARY)


def test_the_library_has_the_lookups_researchers_need() -> None:
    needed = {
        "citations",  # paragraph → instruments
        "cited-by",  # instrument → citing paragraphs
        "instruments",  # by kind
        "instruments-by-body",
        "unts",
        "ilo",
        "symbol",
        "most-cited",
        "preamble-and-operative",
        "protocols",
        "citations-by-intent",
    }
    assert needed <= set(LIBRARY.queries)


@pytest.mark.parametrize("query", list(LIBRARY), ids=lambda q: q.name)
def test_every_query_is_documented(query: ql.Query) -> None:
    assert query.summary and len(query.description) > 40
    assert all(p.description for p in query.params)
    assert query.columns and all(query.columns.values())


@pytest.mark.parametrize("query", list(LIBRARY), ids=lambda q: q.name)
def test_every_example_gives_its_expected_result(runner: ql.Runner, query: ql.Query) -> None:
    result = runner.run(query.name, query.example)
    assert isinstance(result, ql.Table)
    assert list(result.columns) == list(query.columns), "columns and their documentation differ"
    assert ql.mismatches(query, result) == []


@pytest.mark.parametrize("query", list(LIBRARY), ids=lambda q: q.name)
def test_every_parameter_binds_and_runs(runner: ql.Runner, query: ql.Query) -> None:
    """Optional parameters too, which the examples may leave out."""
    values = {p.name: query.example.get(p.name, p.type.example) for p in query.params}
    assert isinstance(runner.run(query.name, values), ql.Table)


def test_paragraph_5_cites_17_instruments_with_unts(runner: ql.Runner) -> None:
    rows = runner.table("citations", {"resolution": "A-RES-77-194", "paragraph": "5"}).records()
    assert len({r["instrument"] for r in rows}) == 17
    by_id = {r["instrument"]: r for r in rows}
    assert (by_id["crc"]["unts_volume"], by_id["crc"]["unts_number"]) == (1577, 27531)
    assert (by_id["c029"]["ilo_code"], by_id["c029"]["footnote"]) == ("C029", 21)


@pytest.mark.parametrize(
    ("type_name", "good", "bad"),
    [
        ("paragraph", {"5": "op5", "op5": "op5", "PP3": "pp3", "op05": "op5"},
         ["0", "-1", "abc", "op", "5a", "x" * 10_000, "\x00", "pp0"]),
        ("ilo_code", {"C029": "C029", "c29": "C029", "R 203": "R203"},
         ["X029", "C", "C0", "C12345", "29"]),
        ("integer", {"1577": "1577", " 42 ": "42"}, ["abc", "1.5", "", "9" * 20]),
        ("symbol", {"A/RES/77/194": "A/RES/77/194", "A-77-170": "A/77/170"},
         ["../etc/passwd", "A//RES", "/A", "A/RES/77/194/", "<x>", 'A" } DROP ALL #']),
        ("id", {"crc": "crc", "tip_protocol": "tip_protocol"}, ["", "a b", "../x", "é"]),
        ("kind", {"convention": "kind-convention", "ILO convention": "kind-ilo-convention"},
         ["pact", "x"]),
        ("intent", {"urges-ratification": "intent-urges-ratification"}, ["urge"]),
        ("iri", {"https://e.org/a": "https://e.org/a"}, ["not an iri", "file:///etc/passwd"]),
    ],
)  # fmt: skip
def test_parameter_types(type_name: str, good: dict[str, str], bad: list[str]) -> None:
    ids = ql.Ids(ql.default_base())
    kind = qp.TYPES[type_name]
    for raw, expected in good.items():
        assert kind.to_term(raw, ids).value.endswith(expected), raw
    for raw in bad:
        with pytest.raises(ValueError):
            kind.to_term(raw, ids)


def test_bad_values_are_refused_by_name() -> None:
    query = LIBRARY["citations"]
    with pytest.raises(ql.ParameterError) as caught:
        ql.bind(query, {"resolution": "A/RES/77/194", "paragraph": "0"})
    assert caught.value.parameter == "paragraph"
    with pytest.raises(ql.ParameterError) as caught:
        ql.bind(LIBRARY["footnotes"], {})
    assert caught.value.parameter == "resolution" and "required" in str(caught.value)
    with pytest.raises(ql.ParameterError) as caught:
        ql.bind(query, {"resolution": "A/RES/77/194", "colour": "red"})
    assert caught.value.parameter == "colour"


@pytest.mark.parametrize("name", ["citations", "paragraphs", "references"])
def test_a_resolution_left_out_means_every_resolution(runner: ql.Runner, name: str) -> None:
    """The seed has one resolution: all of them is that one."""
    assert not next(p for p in LIBRARY[name].params if p.name == "resolution").required
    everything = runner.table(name, {})
    one = runner.table(name, {"resolution": "A/RES/77/194"})
    assert everything.total == one.total > 0
    assert everything.rows == one.rows


def test_every_citation_is_listed_without_parameters(runner: ql.Runner) -> None:
    rows = runner.table("citations", {}).records()
    assert len({r["citation"] for r in rows}) == 80  # the seed's citations


def test_an_intent_left_out_means_every_intent(runner: ql.Runner) -> None:
    everything = runner.table("citations-by-intent", {}).total
    each = sum(runner.table("citations-by-intent", {"intent": k}).total for k in qp.INTENT_KEYS)
    assert everything == each > 0


def test_values_are_bound_as_terms_never_pasted(runner: ql.Runner) -> None:
    """A quote in a text value stays inside the literal: the query text never changes."""
    query = LIBRARY["paragraphs-citing-instrument"]
    text = query.text
    terms = ql.bind(query, {"instrumentId": "crc"})
    assert terms == {"instrumentId": ox.Literal("crc")} and query.text == text
    hostile = '" } } ; DROP ALL ; SELECT * { ?s ?p "'
    with pytest.raises(ql.ParameterError):
        ql.bind(query, {"instrumentId": hostile})
    string = qp.TYPES["string"].to_term(hostile, ql.Ids())
    assert isinstance(string, ox.Literal) and string.value == hostile.strip()


def test_paging_counts_every_row(runner: ql.Runner) -> None:
    whole = runner.table("paragraphs", {"resolution": "A/RES/77/194"})
    page = runner.table("paragraphs", {"resolution": "A/RES/77/194"}, offset=80, limit=5)
    assert (page.total, page.offset, len(page.rows)) == (88, 80, 5)
    assert page.rows == whole.rows[80:85]


def test_a_bad_file_is_refused_with_its_name_and_fault(tmp_path: Path) -> None:
    cases = {
        "no-header.rq": "SELECT * WHERE { ?s ?p ?o }",
        "bad-type.rq": "#+ summary: x\n#+ description: y\n#+ parameters: {a: {type: colour, "
        "description: z}}\n#+ example: {a: 1}\n#+ expected: {count: 0}\n#+ columns: {a: b}\n"
        "SELECT ?a WHERE { ?s ?p ?a }",
        "unbound.rq": "#+ summary: x\n#+ description: y\n#+ parameters: {a: {type: integer, "
        "description: z}}\n#+ example: {a: 1}\n#+ expected: {count: 0}\n#+ columns: {b: c}\n"
        "SELECT ?b WHERE { ?s ?p ?b }",
        "ask.rq": "#+ summary: x\n#+ description: y\n#+ example: {}\n#+ expected: {count: 0}\n"
        "ASK { ?s ?p ?o }",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ql.QueryFileError, match=name):
            ql.load_query(tmp_path / name)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treatygraph", "query", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_the_command_line_runs_a_query(store_spec: str) -> None:
    args = ["--resolution", "A/RES/77/194", "--paragraph", "op5", "--store", store_spec]
    done = cli("citations", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 17 and rows[2]["instrument"] == "crc"
    table = cli("unts", "--volume", "1577", "--number", "27531", "--store", store_spec)
    assert (
        "Convention on the Rights of the Child" in table.stdout
        and "(rows 1-1 of 1)" in table.stdout
    )


def test_the_command_line_lists_and_refuses(store_spec: str) -> None:
    listing = cli()
    assert listing.returncode == 0 and all(q.name in listing.stdout for q in LIBRARY)
    bad = cli("unts", "--volume", "abc", "--number", "1", "--store", store_spec)
    assert bad.returncode == 2 and "volume: not an integer" in bad.stderr
    unknown = cli("nope", "--store", store_spec)
    assert unknown.returncode == 2 and "no query named 'nope'" in unknown.stderr
