"""Query syntax errors in words: where (line, column, the line with a caret) and what was expected.

pyoxigraph (and the Oxigraph server) report a syntax error as the parser's raw expectation
list, ``error at 1:24: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' ...``,
which says neither which prefix is missing nor what a person should write. :func:`explain`
turns such a report into a sentence; an undeclared prefix is found by the lexer
(:mod:`treatygraph.store.scan`), since the parser names it only sometimes, and is given with the
``PREFIX`` line to add when its namespace is a well-known one.

>>> print(explain("SELECT ?p { ?p tg:cites ?i }", "error at 1:24: ..."))  # doctest: +ELLIPSIS
line 1, column 16: prefix 'tg:' is not declared; add PREFIX tg: <https://w3id.org/treatygraph/...
  SELECT ?p { ?p tg:cites ?i }
                 ^
>>> print(explain("ASK { ?s ?p ?o", 'error at 1:15: expected one of ",", "}", [_]'))
line 1, column 15: expected one of ',' '}' here
  ASK { ?s ?p ?o
                ^
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from treatygraph.rdf.vocab import PREFIXES

from .scan import FORMS, scan, tokens

# Namespaces suggested for an undeclared prefix: ours, and a few more a researcher meets.
WELL_KNOWN: Mapping[str, str] = {
    **PREFIXES,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}
_REPORT = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
# One item of the expectation list: a quoted token, a character class, or plain words.
_ITEM = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\[(?:\'(?:[^\'\\]|\\.)*\'|[^\]])*\]|[^,]+)\s*,?')
_SHOWN = 12  # expected items listed at most
# Character classes of the grammar, in words (the others, parts of a name, are left out).
_CLASSES = (("'0'..='9'", "a number"), ("'A' ..= 'Z'", "a name"))


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a query: 1-based line and column (in characters)."""

    line: int
    column: int


def explain(
    query: str,
    report: str,
    *,
    prefixes: Iterable[str] = (),
    shift: tuple[Position, int] | None = None,
) -> str:
    """`report` (a parser's error for `query`) in words. `prefixes`: those the query may use
    without declaring them; `shift`: where a prologue went into the query, and its length
    (the positions in `report` count it; it holds no line break)."""
    undeclared = first_undeclared_prefix(query, prefixes)
    if undeclared is not None:
        name, at = undeclared
        return _located(query, at, not_declared(name))
    if scan(query).form is None:
        return "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after any BASE and PREFIX)"
    m = _REPORT.search(report)
    if m is None:
        return report.strip()
    at = Position(int(m.group(1)), int(m.group(2)))
    if shift is not None and at.line == shift[0].line and at.column > shift[0].column:
        at = Position(at.line, max(shift[0].column, at.column - shift[1]))
    return _located(query, at, _expected(m.group(3)))


def not_declared(name: str) -> str:
    """What to say of an undeclared prefix, with the PREFIX line to add when it is known.

    >>> not_declared("foo")
    "prefix 'foo:' is not declared; add PREFIX foo: <...> with its namespace IRI"
    """
    iri = WELL_KNOWN.get(name)
    line = f"PREFIX {name}: <{iri}>" if iri else f"PREFIX {name}: <...> with its namespace IRI"
    return f"prefix '{name}:' is not declared; add {line}"


def first_undeclared_prefix(query: str, allowed: Iterable[str] = ()) -> tuple[str, Position] | None:
    """The first prefixed name whose prefix the query neither declares nor may take as given.

    >>> first_undeclared_prefix("PREFIX a: <http://a/>\\nASK { a:x b:y _:c }")
    ('b', Position(line=2, column=11))
    >>> first_undeclared_prefix("ASK { ?s ?p <http://a b> }") is None
    True
    """
    known = scan(query).declared | set(allowed) | {"_"}
    for kind, text, offset in tokens(query):
        if kind == "pname" and not query[:offset].endswith("<"):  # not in a broken <IRI>
            name = text.partition(":")[0]
            if name not in known and name.upper() not in FORMS | {"SERVICE"}:
                return name, position(query, offset)
    return None


def position(query: str, offset: int) -> Position:
    """The line and column of character `offset` of `query`."""
    line = query.count("\n", 0, offset) + 1
    return Position(line, offset - (query.rfind("\n", 0, offset) + 1) + 1)


def _located(query: str, at: Position, message: str) -> str:
    """`message` after its place, then the query's line with a caret under the column."""
    lines = query.splitlines() or [""]
    text = lines[min(at.line, len(lines)) - 1].replace("\t", " ")
    caret = " " * (min(at.column, len(text) + 1) - 1) + "^"
    return f"line {at.line}, column {at.column}: {message}\n  {text}\n  {caret}"


def _expected(raw: str) -> str:
    """The parser's expectation list in words.

    >>> _expected("one of ABS, AVG, [_]")
    'expected one of ABS AVG here'
    >>> _expected("The SELECT contains a variable that is unbound")
    'The SELECT contains a variable that is unbound'
    >>> _expected("IRI parsing failed")
    'not a valid IRI: an IRI in <...> has no spaces and none of <>"{}|^`\\\\'
    """
    items = [m.group(1).strip() for m in _ITEM.finditer(raw.removeprefix("one of ")) if m.group(1)]
    words: list[str] = []
    for item in items:
        if item == "IRI parsing failed":
            return 'not a valid IRI: an IRI in <...> has no spaces and none of <>"{}|^`\\'
        if item == "Prefix not found":
            return "a prefix that is not declared: add its PREFIX line"
        if " " in item and not item.startswith(("[", '"')):  # "The SELECT contains a ..."
            return item
        words.extend(_word(item))
    shown = list(dict.fromkeys(words))
    if not shown:
        return "the query cannot be read from here"
    more = " ..." if len(shown) > _SHOWN else ""
    return f"expected one of {' '.join(shown[:_SHOWN])}{more} here"


def _word(item: str) -> list[str]:
    if item.startswith('"'):
        token = item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return [token if token.isalnum() else f"'{token}'"]
    if item.startswith("["):
        return [words for pattern, words in _CLASSES if pattern in item]
    return [item]


__all__ = [
    "WELL_KNOWN",
    "Position",
    "explain",
    "first_undeclared_prefix",
    "not_declared",
    "position",
]
