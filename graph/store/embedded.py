"""The embedded store: pyoxigraph (RocksDB) on disk, swapped atomically on each load.

Layout: ``data/store`` is a symlink to a generation directory ``data/store.<stamp>``. A load
bulk-loads a fresh generation and then replaces the symlink with ``os.replace`` (atomic), so
a failed load leaves the previous generation in place and served. Readers open the current
generation read-only and reopen when the symlink moves; the previous generation is kept so a
reader still holding it is not cut off.
"""

from __future__ import annotations

import gc
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar, cast

import pyoxigraph as ox

from .base import (
    Bindings,
    Boolean,
    Dataset,
    LoadError,
    NamedGraphFiles,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyStore,
    Solutions,
    StoreError,
    StoreUnavailable,
    Term,
    Triples,
)
from .binding import bind_values
from .syntax import explain

T = TypeVar("T")


class EmbeddedStore:
    """A pyoxigraph store under `path` (a symlink to the current generation)."""

    def __init__(self, path: Path, *, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._store: ox.Store | None = None
        self._generation: str | None = None

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
        """Run a query; `timeout` is checked between rows (workers enforce it hard)."""
        store = self._current()
        default_graph, named_graphs = _dataset_graphs(dataset)
        try:
            if bindings:
                sparql = bind_values(sparql, bindings)
            result = store.query(
                sparql,
                default_graph=default_graph,
                named_graphs=named_graphs,
                base_iri=base_iri,
                prefixes=dict(prefixes) if prefixes else None,
            )
        except (SyntaxError, ValueError) as e:
            raise QuerySyntaxError(explain(sparql, str(e), prefixes=prefixes or ())) from None
        except (OSError, RuntimeError) as e:
            raise StoreError(f"query failed: {e}") from None
        return _wrap(result, time.monotonic() + timeout)

    def load(
        self,
        path: Path,
        *,
        trusted: bool = False,
        graphs: NamedGraphFiles | None = None,
        prepare: Callable[[Path], None] | None = None,
    ) -> int:
        """Bulk-load `path` into a new generation, then swap it in; returns the triple count.

        `trusted`: the file is one treatygraph wrote (`graph.nt` of a build), whose every IRI
        was checked when it was made: it is parsed without checking them again (pyoxigraph's
        lenient mode). At ten million triples that took some 10 % less CPU time but raised the
        loader's peak memory by 130 to 300 MB (the parser runs further ahead of the writer), so
        the build does not ask for it on a 2 GB budget. Never for a file from elsewhere: a
        lenient parser takes an invalid IRI in instead of refusing it (a syntax error is still
        refused). `graphs` go into the same new generation, each into its named graph.

        `prepare(generation)` runs once the new generation is loaded and closed, before it is
        swapped in: what it writes into that directory is swapped in with the store (the
        build's lookup answers, treatygraph.build.answers); if it raises, nothing is."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.path} was opened read-only")
        stamp = time.strftime("%Y%m%dT%H%M%S")
        generation = self.path.with_name(f"{self.path.name}.{stamp}-{secrets.token_hex(3)}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            count = _bulk_load(generation, path, lenient=trusted, graphs=graphs or {})
            if prepare is not None:
                prepare(generation)
            previous = self._resolve()
            self._swap(generation)
        except (SyntaxError, OSError, ValueError, RuntimeError) as e:
            shutil.rmtree(generation, ignore_errors=True)
            raise LoadError(f"could not load {path}: {e}; the previous store is unchanged") from e
        self._prune(keep={generation, *([previous] if previous else [])})
        return count

    def triple_count(self) -> int:
        return len(self._current())

    def close(self) -> None:
        self._store = self._generation = None

    # --- generations ------------------------------------------------------------------------

    def _resolve(self) -> Path | None:
        """The current generation directory, with one syscall (this runs on every query)."""
        try:
            return self.path.parent / os.readlink(self.path)
        except FileNotFoundError:
            return None
        except OSError:  # not a symlink: a plain store directory made by other tools
            return self.path if self.path.is_dir() else None

    def _current(self) -> ox.Store:
        generation = self._resolve()
        if generation is None:
            raise StoreUnavailable(f"no store at {self.path}: load a graph first")
        if self._store is None or str(generation) != self._generation:
            try:
                self._store = ox.Store.read_only(str(generation))
            except OSError as e:
                raise StoreUnavailable(f"cannot open the store at {generation}: {e}") from None
            except RuntimeError as e:  # RocksDB's "Corruption: ...": damaged or foreign files
                raise StoreUnavailable(
                    f"the store at {generation} is damaged ({e}); rebuild it with "
                    "`treatygraph build`"
                ) from None
            self._generation = str(generation)
        return self._store

    def _swap(self, generation: Path) -> None:
        link = self.path.with_name(f".{self.path.name}.link-{secrets.token_hex(3)}")
        os.symlink(generation.name, link)
        try:
            if self.path.is_dir() and not self.path.is_symlink():
                # A plain directory cannot be replaced atomically: move it aside (one time).
                plain = self.path.with_name(f"{self.path.name}.{time.time_ns()}-plain")
                os.rename(self.path, plain)
            os.replace(link, self.path)
        except BaseException:
            link.unlink(missing_ok=True)
            raise

    def _prune(self, *, keep: set[Path]) -> None:
        """Remove older generations, and what a load killed midway left (a half-loaded
        generation, a temporary link)."""
        own = re.compile(re.escape(self.path.name) + r"\.(\d{8}T\d{6}-[0-9a-f]{6}|\d+-plain)")
        links = re.compile(r"\." + re.escape(self.path.name) + r"\.link-[0-9a-f]{6}")
        for old in self.path.parent.iterdir():
            if own.fullmatch(old.name) and old.is_dir() and old not in keep:
                shutil.rmtree(old, ignore_errors=True)
            elif links.fullmatch(old.name) and old.is_symlink():
                old.unlink(missing_ok=True)


def _bulk_load(
    generation: Path, source: Path, *, lenient: bool = False, graphs: NamedGraphFiles
) -> int:
    store = ox.Store(str(generation))
    store.bulk_load(path=str(source), lenient=lenient)
    for name, files in graphs.items():
        for file in files:
            store.bulk_load(path=str(file), to_graph=ox.NamedNode(name))
    store.flush()
    count = len(store)
    del store  # pyoxigraph has no close(): drop it so RocksDB releases its lock now
    gc.collect()
    return count


DefaultGraphs = list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
NamedGraphs = list[ox.NamedNode | ox.BlankNode]


def _dataset_graphs(dataset: Dataset | None) -> tuple[DefaultGraphs | None, NamedGraphs | None]:
    """pyoxigraph's dataset arguments; an explicit dataset holds only the graphs it names."""
    if dataset is None:
        return None, None
    try:
        default: DefaultGraphs = [ox.NamedNode(g) for g in dataset.default_graphs]
        named: NamedGraphs = [ox.NamedNode(g) for g in dataset.named_graphs]
        return default, named
    except ValueError as e:
        raise QuerySyntaxError(f"invalid graph IRI: {e}") from None


def _wrap(result: object, deadline: float) -> QueryResult:
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        rows = cast(Iterator[tuple[Term | None, ...]], _until(result, deadline))
        return Solutions(variables, rows)
    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    return Triples(_until(cast(Iterable[ox.Triple], result), deadline))


def _until(items: Iterable[T], deadline: float) -> Iterator[T]:
    try:
        for item in items:
            if time.monotonic() > deadline:
                raise QueryTimeout("the query ran past its time limit")
            yield item
    except (OSError, RuntimeError) as e:  # evaluation is lazy: errors surface while iterating
        raise StoreError(f"query failed: {e}") from None
