"""The graph as parts: one resolution at a time as N-Triples lines (Part), folded into the
whole graph (Assembly, Whole) with the shared nodes (instruments, UNTS records, bodies) once."""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any

from treatygraph.model import (
    Extraction,
    Instrument,
)
from treatygraph.rdf.iris import default_base, normalise_base
from treatygraph.rdf.statements import (
    _add_parents,
    _build,
    _concepts,
    _instrument,
    _resolution,
    _source,
)
from treatygraph.rdf.terms import (
    GENERATED,
    PENDING,
    USED,
    A,
    CachedIds,
    Node,
    Reading,
    Sources,
    T,
    Writer,
    iri_node,
    software_version,
    text_digest,
)

# --- one resolution ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cited:
    """An instrument as one resolution cites it: its first reading, its first reading that is
    an authority record, and the parents any reading names."""

    id: str
    first: Instrument
    authority: Instrument | None
    parents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """One resolution's share of the graph, made without looking at any other resolution.

    Its own lines (``size`` bytes of sorted N-Triples, kept apart from this record) come in two
    pieces: the nodes under the resolution's IRI (``…/A-RES-77-194/…``), then, from byte
    ``split``, the resolution node itself; in canonical order each piece is one run, and no
    other part's piece falls inside it. The lines naming the build (``prov:wasGeneratedBy``)
    are left out, to be put back at ``generated`` (byte offset, subject as what follows
    ``<iri``: ``>`` or ``/citation/op5-1>``) once the build has its name. ``shared`` holds the
    lines about nodes other resolutions may describe as well."""

    symbol: str
    iri: str
    source: str | None  # the source file's name
    text_sha: str
    size: int
    split: int
    generated: tuple[tuple[int, str], ...]  # (byte offset, subject after "<iri")
    resort: bool  # the build's name could move a line: sort the pieces again once it is known
    shared: tuple[str, ...]
    cited: tuple[Cited, ...]
    citations: int
    triples: int  # own lines, those naming the build included
    subjects: int
    properties: tuple[tuple[str, int], ...]  # predicate IRI → own lines
    classes: tuple[tuple[str, int], ...]  # class IRI → own instances

    @property
    def keys(self) -> tuple[str, str]:
        """Where the two pieces fall in canonical order: every line of the first starts with
        the first key, every line of the second with the second."""
        return f"<{self.iri}/", f"<{self.iri}>"


def resolution_part(extraction: Extraction, *, base: str | None = None) -> tuple[Part, bytes]:
    """One resolution's part of the graph and its own lines (UTF-8 N-Triples, sorted)."""
    ids = CachedIds(base or default_base())
    doc = extraction.document
    iri = ids.resolution(doc.meta.symbol)
    w = Writer(ids, iri)
    build = iri_node(ids.build(PENDING))
    source_name = Path(doc.source_file).name if doc.source_file else None
    source = iri_node(ids.source(source_name)) if source_name else None
    _resolution(w, extraction, build, source)
    lines = sorted(chain.from_iterable(w.local.values()))
    tail = f" {GENERATED} {build} .\n"
    # The lines that name the build, by where they fall among the others.
    naming = [line for line in w.local.get(GENERATED, ()) if line.endswith(tail)]
    named = sorted(bisect_left(lines, line) for line in naming)
    resort = False
    for i in named:
        head = lines[i][: -len(build) - 3]  # "<subject> <prov:wasGeneratedBy> "
        near = lines[max(i - 1, 0) : i] + lines[i + 1 : i + 2]
        resort = resort or any(n.startswith(head) for n in near)
    kept: list[str] = []
    for start, end in zip([-1, *named], [*named, len(lines)], strict=True):
        kept += lines[start + 1 : end]  # the lines between two left out
    # In kept lines: where each left-out line goes back, and where the node's own lines begin.
    at = [i - n for n, i in enumerate(named)]
    split_index = bisect_left(kept, f"<{iri}>")
    data, offsets = _encode(kept, sorted({*at, split_index}))
    cut = len(iri) + 1  # a subject as what follows "<iri": ">" or "/citation/op5-1>"
    part = Part(
        symbol=doc.meta.symbol,
        iri=iri,
        source=source_name,
        text_sha=text_digest(doc),
        size=len(data),
        split=offsets[split_index],
        generated=tuple(
            (offsets[k], lines[i][cut : -len(tail)]) for k, i in zip(at, named, strict=True)
        ),
        resort=resort,
        shared=tuple(sorted(w.shared)),
        cited=_cited(extraction),
        citations=len(extraction.citations),
        **_own_stats(w.local),
    )
    return part, data


def _encode(lines: list[str], cuts: list[int]) -> tuple[bytes, dict[int, int]]:
    """The lines as UTF-8, and the byte offset of each line index in ``cuts``."""
    chunks: list[bytes] = []
    offsets: dict[int, int] = {}
    size = start = 0
    for cut in cuts:
        chunk = "".join(lines[start:cut]).encode("utf-8")
        chunks.append(chunk)
        size += len(chunk)
        offsets[cut] = size
        start = cut
    chunks.append("".join(lines[start:]).encode("utf-8"))
    return b"".join(chunks), offsets


def _own_stats(local: dict[Node, dict[str, Node]]) -> dict[str, Any]:
    """:func:`_line_stats` of a writer's own lines, kept by predicate with their subjects."""
    typed = [line[line.index(" ") + len(A) + 2 :] for line in local.get(A, ())]
    types = Counter(o[1 : o.index(">")] for o in typed if o[0] == "<")
    return {
        "triples": sum(map(len, local.values())),
        "subjects": len(set(chain.from_iterable(lines.values() for lines in local.values()))),
        "properties": tuple(sorted((p[1:-1], len(lines)) for p, lines in local.items())),
        "classes": tuple(sorted(types.items())),
    }


def _line_stats(lines: list[str]) -> dict[str, Any]:
    """Counts of sorted N-Triples lines: triples, subjects, triples by predicate, instances by
    class (``rdf:type`` with an IRI object)."""
    terms = [line.split(" ", 2) for line in lines]
    properties = Counter([t[1] for t in terms])
    types = Counter([t[2] for t in terms if t[1] == A and t[2][0] == "<"])
    return {
        "triples": len(lines),
        "subjects": len({t[0] for t in terms}),
        "properties": tuple(sorted((p[1:-1], n) for p, n in properties.items())),
        "classes": tuple(sorted((o[1 : o.index(">")], n) for o, n in types.items())),
    }


def _cited(extraction: Extraction) -> tuple[Cited, ...]:
    first: dict[str, Instrument] = {}
    authority: dict[str, Instrument] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    for citation in extraction.citations:
        inst = citation.instrument
        first.setdefault(inst.id, inst)
        if inst.in_authority:
            authority.setdefault(inst.id, inst)
        parents[inst.id].update(inst.parent)
    return tuple(
        Cited(key, inst, authority.get(key), tuple(sorted(parents[key])))
        for key, inst in first.items()
    )


# --- the whole graph ---------------------------------------------------------------------------


class DuplicateResolution(ValueError):
    """Two documents would be one resolution node."""


@dataclass
class Assembly:
    """Parts put together: duplicates refused, shared nodes described once, counts summed.

    Only the parts' records are kept (their lines stay wherever the caller keeps them), so
    memory grows with the number of resolutions and instruments, not of triples."""

    base: str = field(default_factory=default_base)
    parts: list[Part] = field(default_factory=list)
    shared: set[str] = field(default_factory=set)
    _readings: dict[str, Reading] = field(default_factory=dict)
    _symbols: dict[str, str | None] = field(default_factory=dict)
    _iris: dict[str, str] = field(default_factory=dict)
    _properties: Counter[str] = field(default_factory=Counter)  # of the parts' own lines
    _classes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.base = normalise_base(self.base)
        self.ids = CachedIds(self.base)

    def check(self, part: Part) -> None:
        """Raise :class:`DuplicateResolution` if ``part`` would merge with one added before."""
        if part.symbol in self._symbols:
            files = f"{self._symbols[part.symbol]} and {part.source}"
            raise DuplicateResolution(f"two documents have the symbol {part.symbol}: {files}")
        if part.iri in self._iris:
            raise DuplicateResolution(
                f"{part.symbol} and {self._iris[part.iri]} would both be <{part.iri}>"
            )

    def add(self, part: Part) -> None:
        self.check(part)
        self._symbols[part.symbol] = part.source
        self._iris[part.iri] = part.symbol
        self.shared.update(part.shared)
        source = self.ids.source(part.source) if part.source else None
        for c in part.cited:
            self._read(part.symbol, source, c)
        self._properties.update(dict(part.properties))
        self._classes.update(dict(part.classes))
        # Folded in: keep the record small (memory grows with resolutions, not triples).
        self.parts.append(replace(part, shared=(), cited=(), properties=(), classes=()))

    def _read(self, symbol: str, source: str | None, c: Cited) -> None:
        reading = self._readings.get(c.id)
        if reading is None:
            authority = (symbol, c.authority) if c.authority else None
            reading = Reading((symbol, c.first), authority, set(c.parents), set())
            self._readings[c.id] = reading
        else:
            if symbol < reading.first[0]:
                reading.first = (symbol, c.first)
            if c.authority and (reading.authority is None or symbol < reading.authority[0]):
                reading.authority = (symbol, c.authority)
            reading.parents.update(c.parents)
        if source:
            reading.sources.add(source)

    def finish(
        self, sources: Sources | None = None, instruments: Mapping[str, Instrument] | None = None
    ) -> Whole:
        """Name the build and describe the shared nodes; ``sources`` maps source files to their
        SHA-256, ``instruments`` supplies uncited parents (default: the authority data)."""
        checksums = {Path(path).name: sha for path, sha in (sources or {}).items()}
        ordered = sorted(self.parts, key=lambda p: p.symbol)
        digest = _digest(checksums, [(p.symbol, p.text_sha) for p in ordered])
        w = Writer(self.ids)
        build = _build(w, digest, checksums)
        for p in ordered:
            if p.source is not None:
                w.add(build, USED, _source(w, p.source, checksums))
        readings = dict(self._readings)
        _add_parents(readings, instruments)
        known = set(readings)
        for reading in readings.values():
            _instrument(w, reading, build, checksums, known)
        _concepts(w)
        shared = sorted(self.shared | w.shared)
        return Whole(
            self.base,
            build,
            ordered,
            shared,
            cited=len(self._readings),
            properties=Counter(self._properties),
            classes=Counter(self._classes),
        )


@dataclass(frozen=True, slots=True)
class Counts:
    """What VoID says of a graph: triples, subjects (those under the base are its entities),
    triples by predicate, instances by class, the build nodes and the first resolution."""

    triples: int
    subjects: int
    entities: int
    properties: dict[str, int]
    classes: dict[str, int]
    builds: tuple[str, ...]
    first_resolution: str | None


@dataclass(frozen=True)
class Whole:
    """The assembled graph, ready to write: parts in symbol order, shared lines sorted."""

    base: str
    build: Node
    parts: list[Part]
    shared: list[str]
    cited: int  # instruments cited (their uncited parents not counted)
    properties: Counter[str]  # predicate IRI → the parts' own lines
    classes: Counter[str]  # class IRI → the parts' own instances

    @property
    def triples(self) -> int:
        return sum(p.triples for p in self.parts) + len(self.shared)

    @property
    def citations(self) -> int:
        return sum(p.citations for p in self.parts)

    def lines(self, read: Callable[[Part, int, int], bytes]) -> Iterator[bytes]:
        """The graph as canonical N-Triples, a run at a time; ``read(part, start, end)`` gives
        bytes ``start:end`` of a part's own lines."""
        runs: list[tuple[str, Part, bool]] = []
        for p in self.parts:
            first, second = p.keys
            runs += [(first, p, False), (second, p, True)]
        runs.sort(key=lambda run: run[0])
        shared = self.shared
        i = 0
        for key, part, own in runs:
            j = bisect_left(shared, key, lo=i)
            if j > i:
                yield "".join(shared[i:j]).encode("utf-8")
                i = j
            yield self._piece(part, own, read)
        if i < len(shared):
            yield "".join(shared[i:]).encode("utf-8")

    def generated(self, part: Part) -> bytes:
        """The lines of ``part`` that name the build."""
        tail = f" {GENERATED} {self.build} .\n"
        return "".join(f"<{part.iri}{s}{tail}" for _, s in part.generated).encode("utf-8")

    def _piece(self, part: Part, own: bool, read: Callable[[Part, int, int], bytes]) -> bytes:
        start, end = (part.split, part.size) if own else (0, part.split)
        data = read(part, start, end) if end > start else b""
        inserts = [(at, s) for at, s in part.generated if (s == ">") == own]
        if not inserts:
            return data
        tail = f" {GENERATED} {self.build} .\n"
        chunks: list[bytes] = []
        cursor = start
        for at, subject in inserts:
            line = f"<{part.iri}{subject}{tail}".encode()
            chunks += [data[cursor - start : at - start], line]
            cursor = at
        chunks.append(data[cursor - start :])
        if part.resort:
            lines = b"".join(chunks).decode("utf-8").split("\n")[:-1]
            return "".join(f"{line}\n" for line in sorted(set(lines))).encode("utf-8")
        return b"".join(chunks)

    def counts(self) -> Counts:
        shared = _line_stats(self.shared)
        properties = self.properties + Counter(dict(shared["properties"]))
        classes = self.classes + Counter(dict(shared["classes"]))
        own = sum(p.subjects for p in self.parts)  # every one of them under the base
        under = f"<{self.base}"
        subjects = {line[: line.index(" ")] for line in self.shared}
        build_type = f" {A} {T.Build} .\n"
        builds = [line[1 : line.index(">")] for line in self.shared if line.endswith(build_type)]
        first = min((f"<{p.iri}>" for p in self.parts), default=None)
        return Counts(
            triples=self.triples,
            subjects=own + shared["subjects"],
            entities=own + sum(1 for s in subjects if s.startswith(under)),
            properties=dict(properties),
            classes=dict(classes),
            builds=tuple(builds),
            first_resolution=first[1:-1] if first else None,
        )


def _digest(checksums: Mapping[str, str], resolutions: Sequence[tuple[str, str]]) -> str:
    """The build's name: a digest of the version and the inputs (not the time)."""
    lines = [software_version(), *sorted(f"{name}\t{sha}" for name, sha in checksums.items())]
    lines += [f"{symbol}\t{sha}" for symbol, sha in resolutions]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
