"""docs/cookbook.md: every query in it runs on the seed graph and gives the answer written
beside it, so the cookbook fails here as soon as it falls behind the data. Also: a query in
the standard vocabularies finds exactly the citations the treatygraph property gives.

A recipe is a ```sparql block followed by a line ``Answer on the seed graph: …`` and a
Markdown table of the answer:

- ``17 rows, all shown.``: the table is the whole answer, in order;
- ``17 rows, the first 5 shown.``: the answer has 17 rows and opens with the table;
- ``12 rows, some shown.``: the answer has 12 rows, the table's among them;
- ``any number of rows …``: the query must run; the table shows its columns.

Cells are compared as text with the values of the answer (a literal's lexical form, an IRI
in full); a table's header must be the query's variables, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from treatygraph.build.pipeline import run_build
from treatygraph.store import Solutions, open_store

COOKBOOK = ROOT / "docs" / "cookbook.md"
_BLOCK = re.compile(r"^```sparql\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
_ANSWER = re.compile(
    r"Answer on the seed graph: (?:(?P<count>\d+) rows?, (?P<shown>all|the first \d+|some) "
    r"shown|(?P<any>any number of rows))"
)


@dataclass(frozen=True)
class Recipe:
    title: str
    line: int
    query: str
    count: int | None  # None: any number
    shown: str  # all, first, some, any
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _table(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The first Markdown table of ``text``: its header and its rows."""
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line[1:-1] if line.endswith("|") else line[1:])
        table.append(tuple(cell.strip().replace("\\|", "|") for cell in cells))
    header, _rule, *rows = table
    return header, tuple(tuple(cell.strip("`") for cell in row) for row in rows)


def recipes(path: Path = COOKBOOK) -> list[Recipe]:
    text = path.read_text("utf-8")
    found = []
    blocks = list(_BLOCK.finditer(text))
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        end = following.start() if following else len(text)
        after = text[block.end() : end]
        answer = _ANSWER.search(after)
        line = text.count("\n", 0, block.start()) + 1
        assert answer, f"{path.name}:{line}: a query without 'Answer on the seed graph: …'"
        title = re.findall(r"^## (.+)$", text[: block.start()], re.MULTILINE)[-1]
        columns, rows = _table(after[answer.end() :])
        shown = answer["shown"] or "any"
        found.append(
            Recipe(
                title=title,
                line=line,
                query=block.group(1),
                count=None if answer["any"] else int(answer["count"]),
                shown="first" if shown.startswith("the first") else shown,
                columns=columns,
                rows=rows,
            )
        )
    return found


RECIPES = recipes() if COOKBOOK.exists() else []


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed corpus built and loaded as the build does it (the ontology graph included)."""
    work = tmp_path_factory.mktemp("cookbook")
    run_build(ROOT / "corpus", out_dir=work / "dist", store=str(work / "store"), progress=False)
    return str(work / "store")


def answer(store: str, query: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    result = open_store(store, read_only=True).query(query, timeout=30)
    assert isinstance(result, Solutions)
    rows = [tuple("" if term is None else str(getattr(term, "value", term)) for term in row)
            for row in result.rows]  # fmt: skip
    return result.variables, rows


QUESTIONS = ("paragraph cite", "who cites", "ratify", "ilo", "protocols", "footnote",
             "exact text", "cited together", "how many", "wikidata")  # fmt: skip


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_cookbook_answers_the_common_questions(question: str) -> None:
    assert any(question in r.title.lower() for r in RECIPES), question


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: f"line {r.line}: {r.title}")
def test_every_recipe_gives_its_written_answer(store: str, recipe: Recipe) -> None:
    where = f"docs/cookbook.md:{recipe.line} ({recipe.title})"
    variables, rows = answer(store, recipe.query)
    assert variables == recipe.columns, f"{where}: the table's header is not the query's variables"
    if recipe.count is not None:
        assert len(rows) == recipe.count, f"{where}: {len(rows)} rows, the doc says {recipe.count}"
    if recipe.shown == "all":
        assert rows == list(recipe.rows), where
    elif recipe.shown == "first":
        assert rows[: len(recipe.rows)] == list(recipe.rows), where
    elif recipe.shown == "some":
        assert [row for row in recipe.rows if row not in rows] == [], where


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: f"line {r.line}: {r.title}")
def test_recipes_are_plain_queries(recipe: Recipe) -> None:
    """Written for people: no planner tricks, and every prefix declared in the query."""
    assert "#@bind" not in recipe.query and "1000000" not in recipe.query
    declared = set(re.findall(r"PREFIX (\w+):", recipe.query))
    body = re.sub(r'"[^"]*"|<[^>]*>|#.*', "", recipe.query.split("SELECT", 1)[-1])
    used = set(re.findall(r"\b([a-z]+):\w", body))
    assert used <= declared, f"undeclared prefixes: {sorted(used - declared)}"


@pytest.mark.parametrize(
    "parent",
    ["http://purl.org/spar/cito/cites", "http://data.europa.eu/eli/ontology#cites",
     "http://purl.org/dc/terms/references"],
)  # fmt: skip
def test_the_standard_vocabularies_give_the_same_pairs_as_tg_cites(store: str, parent: str) -> None:
    _, ours = answer(store, "SELECT ?p ?i { ?p <https://w3id.org/treatygraph/ontology#cites> ?i }")
    _, theirs = answer(store, f"SELECT ?p ?i {{ ?p <{parent}> ?i }}")
    assert ours and len(set(ours)) == len(ours)  # one row per paragraph and instrument
    assert sorted(theirs) == sorted(ours)


def test_concept_labels_come_back_with_the_answers(store: str) -> None:
    query = """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT DISTINCT ?concept ?label {
      { ?c tg:intent ?concept } UNION { ?c tg:foundBy ?concept } UNION { ?i tg:kind ?concept }
      OPTIONAL { ?concept skos:prefLabel ?label }
    }"""
    _, rows = answer(store, query)
    assert rows and [concept for concept, label in rows if not label] == []
