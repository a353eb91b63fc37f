"""The query library: named SPARQL lookups in ``queries/*.rq``, one file each.

A file opens with a ``#+`` YAML header (grlc style) and goes on with the query::

    #+ summary: Instruments a paragraph cites
    #+ description: One row per citation, in the order of the text.
    #+ parameters:
    #+   resolution: {type: resolution, description: the citing resolution}
    #+   paragraph: {type: paragraph, required: false, description: pp3, op5 or 5}
    #+ columns: {instrument: authority id, title: full title}
    #+ example: {resolution: A/RES/77/194, paragraph: op5}
    #+ expected: {count: 17, rows: [{instrument: cedaw}]}

The same file serves the HTTP API (``/queries/NAME``), the command line (``treatygraph query
NAME --param value``) and the tests, which run every example and compare it with ``expected``.

Parameters are validated by type and *bound* as RDF terms (pyoxigraph substitutions, or a
VALUES block on a remote store), never pasted into the query text. A parameter's variable must
be projected by the query (pyoxigraph requires it). An optional parameter left out stays
unbound, so it must only occur in triple patterns that every row matches anyway (then it acts
as a wildcard), never in a FILTER or an OPTIONAL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from treatygraph import resources
from treatygraph.errors import TreatygraphError
from treatygraph.named_queries.params import TYPES, ParamType
from treatygraph.rdf.iris import Ids, default_base
from treatygraph.rdf.vocab import XSD
from treatygraph.store import (
    QueryResult,
    ResultTooLarge,
    Solutions,
    Store,
    Triples,
)

DEFAULT_DIR = resources.queries()
HEADER_KEYS = frozenset(
    {"summary", "description", "parameters", "columns", "example", "expected", "tags"}
)
_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

Value = str | int | float | bool | None
Row = tuple[Value, ...]


class QueryFileError(TreatygraphError):
    """A ``.rq`` file that cannot serve: the message names the file and the field."""


class ParameterError(TreatygraphError):
    """A parameter value that does not fit its type; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.reason = message


class UnknownQuery(TreatygraphError):
    """No query of that name in the library."""


# --- query files --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    description: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Expected:
    """What the example gives on the seed corpus: an exact row (or triple) count, rows that
    must open the result in this order, and rows that must be somewhere in it. A row is
    compared on the columns it names only."""

    count: int | None = None
    rows: tuple[Mapping[str, Value], ...] = ()
    contains: tuple[Mapping[str, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    summary: str
    description: str
    text: str
    form: str  # SELECT or CONSTRUCT
    params: tuple[Param, ...]
    columns: Mapping[str, str]  # SELECT: column -> what it holds
    example: Mapping[str, str]
    expected: Expected
    tags: tuple[str, ...] = ()
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def is_table(self) -> bool:
        return self.form == "SELECT"


@dataclass(frozen=True, slots=True)
class Library:
    """Every query of a directory, by name, in name order."""

    queries: Mapping[str, Query]
    directory: Path

    def __getitem__(self, name: str) -> Query:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQuery(
                f"no query named {name[:60]!r}; the library has: {', '.join(self.queries)}"
            ) from None

    def __iter__(self) -> Iterator[Query]:
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)


def load_library(directory: Path | None = None) -> Library:
    """Load and check every ``*.rq`` file of ``directory`` (default: ``queries/``)."""
    directory = directory or DEFAULT_DIR
    queries = {q.name: q for q in map(load_query, sorted(directory.glob("*.rq")))}
    return Library(queries, directory)


def split_header(text: str) -> tuple[str, str]:
    """The YAML of the leading ``#+`` lines, and the rest of the file."""
    lines = text.splitlines(keepends=True)
    header = list(itertools.takewhile(lambda line: line.startswith("#+"), lines))
    yaml_text = "".join(line[3:] if line.startswith("#+ ") else line[2:] for line in header)
    return yaml_text, "".join(lines[len(header) :])


def load_query(path: Path) -> Query:
    """One query file, checked; QueryFileError names the file and what is wrong."""
    name = path.stem
    if not _NAME.fullmatch(name):
        raise QueryFileError(f"{path}: the file name must be lower-case words joined by '-'")
    header_text, body = split_header(path.read_text("utf-8"))
    try:
        header = yaml.safe_load(header_text)
    except yaml.YAMLError as err:
        raise QueryFileError(f"{path}: the #+ header is not YAML: {err}") from None
    try:
        return _query(name, header, body, path)
    except (KeyError, TypeError, ValueError) as err:
        raise QueryFileError(f"{path}: {err}") from None


def _query(name: str, header: Any, body: str, path: Path) -> Query:
    if not isinstance(header, dict):
        raise ValueError("the file must open with a #+ YAML mapping (summary, description, ...)")
    unknown = sorted(set(header) - HEADER_KEYS)
    if unknown:
        raise ValueError(f"unknown header fields: {', '.join(unknown)}")
    for key in ("summary", "description", "example", "expected"):
        if key not in header:
            raise ValueError(f"the header lacks '{key}'")
    form = _form(body)
    params = tuple(_param(n, spec) for n, spec in (header.get("parameters") or {}).items())
    columns = {str(k): str(v) for k, v in (header.get("columns") or {}).items()}
    if form == "SELECT" and not columns:
        raise ValueError("a SELECT query must document its 'columns'")
    example = {str(k): str(v) for k, v in (header["example"] or {}).items()}
    query = Query(
        name=name,
        summary=str(header["summary"]).strip(),
        description=str(header["description"]).strip(),
        text=body.strip() + "\n",
        form=form,
        params=params,
        columns=columns,
        example=example,
        expected=_expected(header["expected"]),
        tags=tuple(str(t) for t in header.get("tags") or ()),
        path=path,
    )
    _check_example(query)
    return query


def _form(body: str) -> str:
    for word in re.findall(r"(?im)^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body):
        form = str(word).upper()
        if form in ("SELECT", "CONSTRUCT"):
            return form
        raise ValueError(f"{form} queries are not served; use SELECT or CONSTRUCT")
    raise ValueError("no SELECT or CONSTRUCT query after the header")


def _param(name: str, spec: Any) -> Param:
    if not _VAR.fullmatch(str(name)):
        raise ValueError(f"parameter {name!r}: names are lower-case letters, digits and _")
    if not isinstance(spec, dict) or "type" not in spec or "description" not in spec:
        raise ValueError(f"parameter {name!r} needs a 'type' and a 'description'")
    if spec["type"] not in TYPES:
        raise ValueError(f"parameter {name!r}: unknown type {spec['type']!r}; one of {list(TYPES)}")
    required = bool(spec.get("required", True))
    return Param(str(name), TYPES[spec["type"]], str(spec["description"]), required)


def _expected(spec: Any) -> Expected:
    if not isinstance(spec, dict) or not set(spec) <= {"count", "rows", "contains"}:
        raise ValueError("'expected' is a mapping of count, rows and contains")
    rows = tuple(dict(r) for r in spec.get("rows") or ())
    contains = tuple(dict(r) for r in spec.get("contains") or ())
    count = spec.get("count")
    if count is None and not rows and not contains:
        raise ValueError("'expected' must give a count, rows or contains")
    return Expected(int(count) if count is not None else None, rows, contains)


def _check_example(query: Query) -> None:
    names = {p.name for p in query.params}
    extra = sorted(set(query.example) - names)
    if extra:
        raise ValueError(f"the example gives unknown parameters: {', '.join(extra)}")
    missing = [p.name for p in query.params if p.required and p.name not in query.example]
    if missing:
        raise ValueError(f"the example lacks required parameters: {', '.join(missing)}")
    for p in query.params:
        if not re.search(rf"\?{p.name}\b", query.text):
            raise ValueError(f"parameter {p.name!r} is not a variable of the query")
    for column in query.expected.rows + query.expected.contains:
        unknown = sorted(set(column) - set(query.columns))
        if unknown and query.is_table:
            raise ValueError(f"expected rows name unknown columns: {', '.join(unknown)}")


# --- binding and running ------------------------------------------------------------------


def bind(query: Query, values: Mapping[str, str], *, base: str | None = None) -> dict[str, Any]:
    """Each given parameter as an RDF term; ParameterError for an unknown, missing or bad one."""
    ids = Ids(base or default_base())
    for name in values:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise ParameterError(name[:60], f"not a parameter of {query.name} (it takes: {known})")
    terms: dict[str, Any] = {}
    for p in query.params:
        if p.name not in values:
            if p.required:
                raise ParameterError(p.name, f"is required: {p.type.description}")
            continue
        try:
            terms[p.name] = p.type.to_term(values[p.name], ids)
        except ValueError as err:
            raise ParameterError(p.name, str(err)) from None
    return terms


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of a SELECT: ``total`` rows in all, ``rows`` from ``offset`` on."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: int
    offset: int = 0

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Graph:
    """Triples of a CONSTRUCT, de-duplicated and in canonical (N-Triples) order."""

    triples: tuple[ox.Triple, ...]


@dataclass(frozen=True, slots=True)
class Runner:
    """Runs library queries on one store, under one IRI base and one set of limits."""

    store: Store
    library: Library
    base: str = field(default_factory=default_base)
    timeout: float = 10.0
    max_rows: int = 100_000

    def table(
        self, name: str, values: Mapping[str, str], *, offset: int = 0, limit: int | None = None
    ) -> Table:
        result = self.run(name, values, offset=offset, limit=limit)
        if not isinstance(result, Table):
            raise TypeError(f"{name} is not a SELECT query")
        return result

    def run(
        self, name: str, values: Mapping[str, str], *, offset: int = 0, limit: int | None = None
    ) -> Table | Graph:
        query = self.library[name]
        terms = bind(query, values, base=self.base)
        result = self.store.query(query.text, bindings=terms, timeout=self.timeout)
        return collect(result, offset=offset, limit=limit, max_rows=self.max_rows)


def collect(
    result: QueryResult, *, offset: int = 0, limit: int | None = None, max_rows: int
) -> Table | Graph:
    """A store's result as plain values: the page asked for, and the count of all rows."""
    if isinstance(result, Triples):
        triples = set(itertools.islice(result.triples, max_rows + 1))
        if len(triples) > max_rows:
            raise ResultTooLarge(max_rows)
        return Graph(tuple(sorted(triples, key=str)))
    if not isinstance(result, Solutions):
        raise TypeError("ASK queries are not served")
    page: list[Row] = []
    total = 0
    for total, row in enumerate(result.rows, 1):
        if total > max_rows:
            raise ResultTooLarge(max_rows)
        if total > offset and (limit is None or len(page) < limit):
            page.append(tuple(map(value, row)))
    return Table(result.variables, tuple(page), total, offset)


_NUMBERS: dict[str, Callable[[str], Value]] = {
    f"{XSD}{name}": int
    for name in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
_NUMBERS |= {f"{XSD}decimal": float, f"{XSD}double": float, f"{XSD}float": float}


def value(term: object) -> Value:
    """A term as a JSON value: IRIs and text as strings, numbers and booleans as such.

    >>> value(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))), value(None)
    (3, None)
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == f"{XSD}boolean":
            return term.value in ("true", "1")
        if datatype in _NUMBERS:
            try:
                return _NUMBERS[datatype](term.value)
            except ValueError:
                return term.value
        return term.value
    return str(term)


# --- expected results ---------------------------------------------------------------------


def mismatches(query: Query, result: Table | Graph) -> list[str]:
    """How ``result`` differs from what the query's header expects (empty: it agrees)."""
    exp = query.expected
    if isinstance(result, Graph):
        ok = exp.count is None or len(result.triples) == exp.count
        return [] if ok else [f"{len(result.triples)} triples, expected {exp.count}"]
    problems = []
    if exp.count is not None and result.total != exp.count:
        problems.append(f"{result.total} rows, expected {exp.count}")
    records = result.records()
    for i, want in enumerate(exp.rows):
        if i >= len(records) or not _matches(records[i], want):
            got = records[i] if i < len(records) else None
            problems.append(f"row {i + 1}: expected {want}, got {got}")
    for want in exp.contains:
        if not any(_matches(r, want) for r in records):
            problems.append(f"no row matches {want}")
    return problems


def _matches(record: Mapping[str, Value], want: Mapping[str, Value]) -> bool:
    return all(record.get(k) == v for k, v in want.items())
