"""Where bound parameters go: a VALUES block after each `#@bind` line, else at the opening of
the WHERE group; the block holds terms serialised by pyoxigraph, never pasted text."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.store import bind_values, open_store
from treatygraph.store.scan import scan

A = ox.NamedNode("http://e/a")
BLOCK = "VALUES (?s) { (<http://e/a>) }"

PLACEMENTS = [
    # (query, expected text after binding ?s to <http://e/a>)
    ("SELECT * WHERE { ?s ?p ?o }", f"SELECT * WHERE {{ {BLOCK} ?s ?p ?o }}"),
    (
        "SELECT * WHERE { { SELECT ?s WHERE {\n#@bind\n?s ?p ?o } LIMIT 9 } ?s ?q ?r }",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{\n#@bind\n {BLOCK}?s ?p ?o }} LIMIT 9 }}"
        " ?s ?q ?r }",
    ),
    (
        "SELECT * WHERE {\n#@bind: outer\n?s ?p ?o { SELECT ?s WHERE {\n"
        "#@bind: inner\n?s ?q ?r } } }",
        f"SELECT * WHERE {{\n#@bind: outer\n {BLOCK}?s ?p ?o {{ SELECT ?s WHERE {{\n"
        f"#@bind: inner\n {BLOCK}?s ?q ?r }} }} }}",
    ),
    # a marker inside a string is text, not a marker
    (
        'SELECT * WHERE { ?s ?p "#@bind" }',
        f'SELECT * WHERE {{ {BLOCK} ?s ?p "#@bind" }}',
    ),
]


@pytest.mark.parametrize(("query", "expected"), PLACEMENTS)
def test_values_block_goes_where_the_query_says(query: str, expected: str) -> None:
    assert bind_values(query, {"s": A}) == expected


def test_every_marker_is_a_bind_point() -> None:
    query = "SELECT * WHERE {\n#@bind\n?s ?p ?o {\n#@bind\n?s ?q ?r } }"
    shape = scan(query)
    assert len(shape.bind_points) == 2
    assert shape.where_open == shape.bind_points[0]


def test_bound_marked_query_gives_the_rows_of_the_bound_resource(tmp_path: Path) -> None:
    """Bound inside a sub-select, the parameter restricts the rows as substitution would."""
    path = tmp_path / "store"
    store = open_store(path, read_only=False)
    data = path.parent / "d.nt"
    data.write_text(
        "<http://e/a> <http://e/p> <http://e/x> .\n<http://e/b> <http://e/p> <http://e/y> .\n",
        encoding="utf-8",
    )
    store.load(data)
    query = "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE {\n#@bind\n?s <http://e/p> ?o } LIMIT 9 } }"
    rows = list(store.query(query, bindings={"s": A}, timeout=5).rows)  # type: ignore[union-attr]
    assert [tuple(str(t) for t in r) for r in rows] == [("<http://e/a>", "<http://e/x>")]


def test_only_iris_and_literals_are_bound() -> None:
    with pytest.raises(ValueError, match="only IRIs and literals"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": ox.BlankNode("b")})
    with pytest.raises(ValueError, match="not a variable name"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s } DROP ALL {": A})
