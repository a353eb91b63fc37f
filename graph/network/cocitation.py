"""Co-citation: instruments cited in the same paragraphs, counted once per view."""

from __future__ import annotations

import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from treatygraph.network.limits import PARTS

# --- co-citation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """Two instruments (by IRI, `a` before `b`) and how many paragraphs cite both."""

    a: str
    b: str
    paragraphs: int


@dataclass(frozen=True, slots=True)
class _Table:
    """The pairs of instruments cited together (by number), most often first: ``(-count,
    a, b)`` order; and for each instrument the positions of its pairs, in that order."""

    a: array[int]
    b: array[int]
    count: array[int]
    of: dict[int, array[int]]


class CoCitations:
    """How many paragraphs cite each pair of instruments, counted once per view (by
    :meth:`View.cocitations`) so that each request is a lookup.

    The instruments are numbered in IRI order, so that pairs of numbers sort as pairs of
    IRIs. Paragraphs citing the same instruments are counted together (per part), and the
    pair counts of each choice of parts are tabled on first use: three compact arrays most
    frequent first, and for each instrument the positions of its pairs. A selection of
    resolutions is counted from their own paragraphs, kept by resolution.
    """

    def __init__(self, g: nx.DiGraph) -> None:
        cited = {v for _, v, kind in g.edges(data="kind") if kind == "cites"}
        self.instruments: list[str] = sorted(cited)
        self.number = {iri: n for n, iri in enumerate(self.instruments)}
        self.kinds = [g.nodes[i].get("instrument_kind") for i in self.instruments]
        # Paragraphs citing two instruments or more: how many cite each set, per part; and
        # each resolution's (part, set).
        self._sets: dict[str, Counter[tuple[int, ...]]] = {part: Counter() for part in PARTS}
        self._resolutions: dict[str, list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        same: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per set of instruments
        for p, data in g.nodes(data=True):
            if data["kind"] != "paragraph":
                continue
            numbers = [self.number[i] for i, d in g.adj[p].items() if d["kind"] == "cites"]
            if len(numbers) < 2:
                continue
            key = tuple(sorted(numbers))
            key = same.setdefault(key, key)
            self._sets.setdefault(data["part"], Counter())[key] += 1
            self._resolutions[_resolution_of(g, p)].append((data["part"], key))
        self._tables: dict[frozenset[str], _Table] = {}
        self._lock = threading.Lock()

    def pairs(
        self,
        *,
        parts: Iterable[str] = PARTS,
        resolutions: Iterable[str] | None = None,
        instrument_kinds: Iterable[str] = (),
        focus: str | None = None,
        min_count: int = 1,
        limit: int | None = None,
    ) -> list[Pair]:
        """The pairs cited together by at least `min_count` paragraphs of the given parts
        (of `resolutions`, when given), most often first then by IRI; with `focus`, only
        the pairs it is part of; with `instrument_kinds`, only pairs of those kinds."""
        wanted = frozenset(instrument_kinds)
        chosen = frozenset(parts)
        if focus is not None and focus not in self.number:
            return []  # nothing cites it, or not an instrument
        one = None if focus is None else self.number[focus]
        found: Iterable[tuple[int, int, int]] = (
            self._tabled(chosen, one)
            if resolutions is None
            else self._counted(resolutions, chosen, one)
        )
        out: list[Pair] = []
        for a, b, count in found:
            if count < min_count:
                break
            if wanted and (self.kinds[a] not in wanted or self.kinds[b] not in wanted):
                continue
            out.append(Pair(self.instruments[a], self.instruments[b], count))
            if len(out) == limit:
                break
        return out

    def _tabled(self, parts: frozenset[str], focus: int | None) -> Iterator[tuple[int, int, int]]:
        table = self.table(parts)
        positions = range(len(table.count)) if focus is None else table.of.get(focus, ())
        for i in positions:
            yield table.a[i], table.b[i], table.count[i]

    def _counted(
        self, resolutions: Iterable[str], parts: frozenset[str], focus: int | None
    ) -> list[tuple[int, int, int]]:
        counts: Counter[tuple[int, int]] = Counter()
        for r in set(resolutions):
            for part, numbers in self._resolutions.get(r, ()):
                if part in parts:
                    counts.update(combinations(numbers, 2))
        found = [(a, b, n) for (a, b), n in counts.items() if focus is None or focus in (a, b)]
        found.sort(key=lambda t: (-t[2], t[0], t[1]))
        return found

    def table(self, parts: frozenset[str]) -> _Table:
        """The pair counts of paragraphs of these parts (tabled on first use)."""
        with self._lock:
            found = self._tables.get(parts)
            if found is None:
                sets: Counter[tuple[int, ...]] = Counter()
                for part in parts:
                    sets.update(self._sets.get(part, {}))
                found = self._tables[parts] = _tabulate(sets, len(self.instruments))
            return found


def _tabulate(sets: Mapping[tuple[int, ...], int], size: int) -> _Table:
    """Pair counts from the sets of instruments paragraphs cite (each with how many cite it).

    A pair ``a < b`` is the integer ``a * size + b``; sorting ``(top - count) * size² + pair``
    as plain integers puts them in ``(-count, a, b)`` order.
    """
    counts: Counter[int] = Counter()
    for numbers, paragraphs in sets.items():
        keys = (a * size + b for a, b in combinations(numbers, 2))
        if paragraphs == 1:
            counts.update(keys)
        else:
            for key in keys:
                counts[key] += paragraphs
    top = max(counts.values(), default=0)
    square = size * size
    order = sorted((top - n) * square + key for key, n in counts.items())
    del counts
    a, b, count = array("l"), array("l"), array("l")
    of: dict[int, list[int]] = defaultdict(list)
    for position, packed in enumerate(order):
        rest, key = divmod(packed, square)
        first, second = divmod(key, size)
        a.append(first)
        b.append(second)
        count.append(top - rest)
        of[first].append(position)
        of[second].append(position)
    return _Table(a, b, count, {n: array("l", positions) for n, positions in of.items()})


def _resolution_of(g: nx.DiGraph, node: str) -> str:
    for r in g.successors(node):
        if g.edges[node, r]["kind"] == "part_of":
            return str(r)
    raise KeyError(node)
