"""The lookup queries are planned as lookups: Oxigraph's own explanation of each plan shows
no OPTIONAL evaluated as a hash join, the plan that reads the whole graph once per request.

Oxigraph plans from fixed estimates, not from the data (a pattern with a bound subject is
"10 rows", one with a bound object "10,000"), so the plan on the seed graph is the plan on a
graph of any size: this test on 5,000 triples guards the 15–30 ms lookups measured on three
million (docs/sparql.md, "Fast queries"). The old `citations.rq`, with its OPTIONALs of four
patterns after fourteen required ones, fails it: it took 1.3 s at 1,000 resolutions.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tests.conftest import OXIGRAPH
from tests.support.lookups import seed_store
from treatygraph.named_queries import library as ql
from treatygraph.rdf.iris import Ids, default_base
from treatygraph.store import bind_values

LIBRARY = ql.load_library()

# Queries about the whole graph (an aggregate over every citation, or a list of everything)
# are not lookups: they read what they must, and the service keeps their answers per build.
WHOLE_GRAPH = {
    "citation-intents": "counts every citation by intent",
    "most-cited": "ranks every instrument by its citations",
    "ratification-urged": "lists every citation that urges ratification",
    "protocols-and-parents": "lists every protocol of every instrument",
    "instruments": "its example lists a kind: every instrument of it, with counts",
    "symbol": "a symbol cited by thousands of footnotes gives thousands of rows",
    "kinds": "counts instruments by kind",
    "instruments-by-body": "lists every instrument of a body",
}
# Lookups whose example does not name the one resource they look up, with values that do.
LOOKUP_VALUES = {
    "instruments": {"instrument": "cedaw"},
    "citations-by-intent": {"intent": "urges-ratification", "resolution": "A/RES/77/194"},
    "resolutions": {"resolution": "A/RES/77/194"},
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    spec = seed_store(tmp_path_factory.mktemp("plans"))
    # the embedded store keeps generations behind a symlink; the command wants the folder
    return Path(spec).resolve()


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("children", []):
        yield from nodes(child)


def names(plan: dict[str, Any]) -> list[str]:
    return [str(n["name"]) for n in nodes(plan)]


def whole_graph_optionals(plan: dict[str, Any]) -> list[str]:
    """The OPTIONALs evaluated once, unbound, then joined by hash: unless their right side
    starts from the parameters' own VALUES block (a sub-select with a #@bind line), that
    evaluation reads the whole graph."""
    return [
        str(n["name"])
        for n in nodes(plan)
        if str(n["name"]).startswith("LeftJoin(HashBuild")
        and not any(m.startswith("StaticBindings") for m in names(n["children"][1]))
    ]


def explain(store: Path, sparql: str, folder: Path) -> dict[str, Any]:
    query = folder / "query.rq"
    query.write_text(sparql, encoding="utf-8")
    plan = folder / "plan.json"
    command = [str(OXIGRAPH), "query", "--location", str(store), "--query-file", str(query)]
    command += ["--results-format", "tsv", "--explain-file", str(plan)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    found: dict[str, Any] = json.loads(plan.read_text(encoding="utf-8"))["plan"]
    return found


def lookups() -> list[str]:
    return sorted(q.name for q in LIBRARY if q.name not in WHOLE_GRAPH or q.name in LOOKUP_VALUES)


@pytest.mark.parametrize("name", lookups())
def test_lookup_query_runs_every_optional_as_a_lookup_per_row(
    name: str, store_path: Path, tmp_path: Path
) -> None:
    query = LIBRARY[name]
    values = LOOKUP_VALUES.get(name, query.example)
    terms = ql.bind(query, values, base=default_base())
    plan = explain(store_path, bind_values(query.text, terms), tmp_path)
    hashed = whole_graph_optionals(plan)
    assert not hashed, f"{name}: OPTIONAL evaluated over the whole graph: {hashed}"
    assert any(n.startswith("ForLoopLeftJoin") for n in names(plan)) or not any(
        "OPTIONAL" in line.upper() for line in query.text.splitlines() if "#" not in line
    ), f"{name}: no OPTIONAL planned as a lookup"


def test_the_old_citations_query_is_caught(store_path: Path, tmp_path: Path) -> None:
    """The test can fail: the citations query as it was before 0.2 has hash-joined OPTIONALs."""
    old = LIBRARY["citations"].text
    start = old.index("SELECT")
    rewritten = old[:start] + OLD_CITATIONS_BODY
    terms = {"resolution": ox.NamedNode(Ids(default_base()).resolution("A/RES/77/194"))}
    plan = explain(store_path, bind_values(rewritten, terms), tmp_path)
    assert whole_graph_optionals(plan)


def test_whole_graph_queries_say_why() -> None:
    assert set(WHOLE_GRAPH) <= {q.name for q in LIBRARY}
    assert all(reason for reason in WHOLE_GRAPH.values())


OLD_CITATIONS_BODY = """SELECT ?resolution ?paragraph ?instrument ?unts_volume ?footnote ?intent_key
WHERE {
  ?p eli:is_part_of ?resolution ;
     tg:localId ?paragraph ;
     tg:position ?position .
  ?citation cito:hasCitingEntity ?p ;
            cito:hasCitedEntity ?i ;
            tg:foundBy ?found ;
            tg:evidence ?evidence .
  ?evidence oa:hasSelector ?position_selector, ?quote_selector .
  ?position_selector oa:start ?start ;
                     oa:end ?end .
  ?quote_selector oa:exact ?quote .
  ?i dcterms:identifier ?instrument ;
     dcterms:title ?title ;
     tg:kindText ?kind ;
     tg:inAuthority ?in_authority .
  OPTIONAL {
    ?i tg:untsRecord ?record
    OPTIONAL { ?record tg:untsVolume ?unts_volume }
    OPTIONAL { ?record tg:untsNumber ?unts_number }
  }
  OPTIONAL { ?citation tg:viaFootnote ?note OPTIONAL { ?note tg:footnoteNumber ?footnote } }
  OPTIONAL { ?citation tg:intentKey ?intent_key }
}
"""
