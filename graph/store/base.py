"""The store interface shared by the embedded and the remote implementation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | BlankNode | Literal | Triple
Bindings = Mapping[str, Term]
NamedGraphFiles = Mapping[str, Sequence[Path]]  # graph IRI → the RDF files it holds


class StoreError(Exception):
    """Base of every error a store raises on purpose."""


class QuerySyntaxError(StoreError):
    """The query is not valid SPARQL (the client's fault)."""


class StoreUnavailable(StoreError):
    """The store cannot answer now: missing, unreachable, slow or overloaded."""


class QueryTimeout(StoreUnavailable):
    """The query ran past its time limit."""


class ReadOnlyStore(StoreError):
    """A write was attempted on a store opened read-only."""


class LoadError(StoreError):
    """A load failed; the previous content is still in place and served."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """An explicit RDF dataset for one query (SPARQL protocol `default-graph-uri` etc.).

    The graphs are names of graphs *in the store*: nothing is ever fetched.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Solutions:
    """SELECT results: variables and lazily produced rows (None for unbound)."""

    variables: tuple[str, ...]
    rows: Iterator[Sequence[Term | None]]


@dataclass(frozen=True, slots=True)
class Boolean:
    """ASK result."""

    value: bool


@dataclass(frozen=True, slots=True)
class Triples:
    """CONSTRUCT / DESCRIBE results, produced lazily."""

    triples: Iterable[Triple]


QueryResult = Solutions | Boolean | Triples


class Store(Protocol):
    """What the service and the build need from a triple store."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        timeout: float,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query; variables in `bindings` are bound as RDF terms.

        A bound variable must be projected (``SELECT *`` or named): pyoxigraph's rule.
        `base_iri` resolves the query's relative IRIs (its own ``BASE`` wins); `prefixes`
        (name to namespace) may be used without a ``PREFIX`` line (its own lines win).
        A syntax error is a QuerySyntaxError whose message says where and what, in words.
        """
        ...

    def load(
        self, path: Path, *, trusted: bool = False, graphs: NamedGraphFiles | None = None
    ) -> int:
        """Replace the whole content by the RDF file at `path`, all or nothing; triple count
        (of every graph loaded).

        `trusted`: the file was written by treatygraph, its IRIs need no second check (a store
        may then parse it leniently, as the embedded one does; others ignore it).
        `graphs`: named graphs loaded with it, each from its files (the build's ontology
        graph); they are replaced in the same all-or-nothing step as the default graph."""
        ...

    def triple_count(self) -> int:
        """Triples in the default graph plus every named graph."""
        ...

    def close(self) -> None: ...


class ResultTooLarge(StoreError):
    """The result has more rows (or triples) than the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the result has more than {limit} rows; add LIMIT (and OFFSET to page through it)"
        )
        self.limit = limit
