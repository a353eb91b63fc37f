"""RDF of extractions under the treatygraph ontology (``ontology/treatygraph.ttl``).

The graph is made one resolution at a time, as N-Triples text: :func:`resolution_part` maps
one extraction to its *part* — the sorted lines about the nodes that belong to it alone (the
resolution, its paragraphs, footnotes, references and citations) and the few lines about nodes
that resolutions share (UNTS records, bodies) — without looking at any other resolution, so
parts can be made in parallel and cached. :class:`Assembly` then puts parts together: the
nodes shared by many resolutions (instruments, source files, the build) described once, the
build activity named by a digest of every input, and the whole graph written in canonical
order (sorted N-Triples, byte for byte the same for the same input, whatever the order of the
extractions) without ever holding it in memory; :func:`triples` is the same graph as
pyoxigraph triples, for small graphs and tests.

IRIs are checked by pyoxigraph as they are made and literals written by its serialiser, so
the text is what ``str(ox.Triple)`` gives. No blank nodes, no clock time. rdflib is only used
for the :class:`rdflib.Graph` view that :func:`to_graph` returns.

The mapping, node by node, is documented in ``ontology/README.md``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import metadata
from itertools import chain, groupby
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
import rdflib

from treatygraph import resources
from treatygraph.model import (
    Citation,
    Document,
    Extraction,
    Footnote,
    Instrument,
    Paragraph,
    ParagraphKind,
    Reference,
    ReferenceKind,
)
from treatygraph.rdf.iris import Ids, body_key, default_base, normalise_base
from treatygraph.rdf.vocab import (
    CITES_PARENTS,
    CITO,
    DCTERMS,
    ELI,
    OA,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TG,
    WD,
    XSD,
    citation_intent,
    concept_labels,
    instrument_classes,
    instrument_kind,
    via_concept,
)

ONTOLOGY_DIR = resources.ontology()
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
AUTHORITY_SOURCE = "authority.csv"
QUOTE_CONTEXT = 32  # characters of oa:prefix and oa:suffix around a quote

Node = str  # an IRI in N-Triples syntax, ``<…>``, checked by pyoxigraph
Term = ox.NamedNode | ox.Literal | ox.BlankNode
GraphLike = rdflib.Graph | Iterable[ox.Triple]
Sources = Mapping[str, str] | Mapping[Path, str]  # source file → SHA-256

# The build activity is named by a digest of every input, known only once every resolution has
# been read: a part names it by this stand-in digest and leaves those lines to the assembly.
PENDING = "0" * 16


def _n(iri: str) -> Node:
    """An IRI as an N-Triples term; pyoxigraph refuses an invalid one."""
    return str(ox.NamedNode(iri))


def _literal(value: str) -> str:
    return str(ox.Literal(value))


# Predicates and classes, made once.
A = _n(f"{RDF}type")
LABEL = _n(f"{RDFS}label")
SEE_ALSO = _n(f"{RDFS}seeAlso")
TITLE = _n(f"{DCTERMS}title")
IDENTIFIER = _n(f"{DCTERMS}identifier")
IS_PART_OF = _n(f"{DCTERMS}isPartOf")
ELI_IS_PART_OF = _n(f"{ELI}is_part_of")
ELI_HAS_PART = _n(f"{ELI}has_part")
CITING = _n(f"{CITO}hasCitingEntity")
CITED = _n(f"{CITO}hasCitedEntity")
CHARACTERIZATION = _n(f"{CITO}hasCitationCharacterization")
CITO_CITATION = _n(f"{CITO}Citation")
CITO_CITES = f"{CITO}cites"
DERIVED = _n(f"{PROV}wasDerivedFrom")
GENERATED = _n(f"{PROV}wasGeneratedBy")
USED = _n(f"{PROV}used")
ASSOCIATED = _n(f"{PROV}wasAssociatedWith")
ACTIVITY = _n(f"{PROV}Activity")
SOFTWARE_AGENT = _n(f"{PROV}SoftwareAgent")
ENTITY = _n(f"{PROV}Entity")
NOTE = _n(f"{SKOS}note")
PREF_LABEL = _n(f"{SKOS}prefLabel")
EXACT_MATCH = _n(f"{SKOS}exactMatch")
OA_SPECIFIC = _n(f"{OA}SpecificResource")
OA_QUOTE = _n(f"{OA}TextQuoteSelector")
OA_POSITION = _n(f"{OA}TextPositionSelector")
OA_SOURCE = _n(f"{OA}hasSource")
OA_SELECTOR = _n(f"{OA}hasSelector")
OA_EXACT = _n(f"{OA}exact")
OA_PREFIX = _n(f"{OA}prefix")
OA_SUFFIX = _n(f"{OA}suffix")
OA_START = _n(f"{OA}start")
OA_END = _n(f"{OA}end")
_INTEGER = f"^^<{XSD}integer>"
_DATE = f"^^<{XSD}date>"
_TRUE = f'"true"^^<{XSD}boolean>'
_FALSE = f'"false"^^<{XSD}boolean>'


class T:
    """The ``tg:`` terms the mapping writes, one constant each: a misspelt term is an error
    (mypy, or AttributeError), never a new IRI. Each is declared in ``ontology/treatygraph.ttl``
    (``tests/test_ontology.py`` checks it)."""

    Body = _n(TG + "Body")
    Build = _n(TG + "Build")
    Citation = _n(TG + "Citation")
    Footnote = _n(TG + "Footnote")
    OperativeParagraph = _n(TG + "OperativeParagraph")
    Paragraph = _n(TG + "Paragraph")
    PreambularParagraph = _n(TG + "PreambularParagraph")
    Reference = _n(TG + "Reference")
    Resolution = _n(TG + "Resolution")
    SourceFile = _n(TG + "SourceFile")
    SubItem = _n(TG + "SubItem")
    UNTSRecord = _n(TG + "UNTSRecord")
    adoptedBy = _n(TG + "adoptedBy")
    adoptingBodyText = _n(TG + "adoptingBodyText")
    adoptionDate = _n(TG + "adoptionDate")
    adoptionPlace = _n(TG + "adoptionPlace")
    agendaItem = _n(TG + "agendaItem")
    cites = _n(TG + "cites")
    continues = _n(TG + "continues")
    end = _n(TG + "end")
    entryIntoForce = _n(TG + "entryIntoForce")
    evidence = _n(TG + "evidence")
    footnoteNumber = _n(TG + "footnoteNumber")
    foundBy = _n(TG + "foundBy")
    hasFootnote = _n(TG + "hasFootnote")
    hasReference = _n(TG + "hasReference")
    ibid = _n(TG + "ibid")
    iloCode = _n(TG + "iloCode")
    inAuthority = _n(TG + "inAuthority")
    inSubItem = _n(TG + "inSubItem")
    intent = _n(TG + "intent")
    intentKey = _n(TG + "intentKey")
    kind = _n(TG + "kind")
    kindText = _n(TG + "kindText")
    letter = _n(TG + "letter")
    localId = _n(TG + "localId")
    markerOffset = _n(TG + "markerOffset")
    metadataSource = _n(TG + "metadataSource")
    normlexId = _n(TG + "normlexId")
    number = _n(TG + "number")
    page = _n(TG + "page")
    pinpoint = _n(TG + "pinpoint")
    position = _n(TG + "position")
    referenceKind = _n(TG + "referenceKind")
    salesNumber = _n(TG + "salesNumber")
    session = _n(TG + "session")
    sha256 = _n(TG + "sha256")
    shortTitle = _n(TG + "shortTitle")
    softwareVersion = _n(TG + "softwareVersion")
    sourceNotes = _n(TG + "sourceNotes")
    start = _n(TG + "start")
    supplements = _n(TG + "supplements")
    symbol = _n(TG + "symbol")
    synthetic = _n(TG + "synthetic")
    text = _n(TG + "text")
    textLength = _n(TG + "textLength")
    textSha256 = _n(TG + "textSha256")
    untcId = _n(TG + "untcId")
    untsNumber = _n(TG + "untsNumber")
    untsPage = _n(TG + "untsPage")
    untsRecord = _n(TG + "untsRecord")
    untsVolume = _n(TG + "untsVolume")
    viaFootnote = _n(TG + "viaFootnote")
    volume = _n(TG + "volume")


class Triples(list[ox.Triple]):
    """Triples already de-duplicated and in canonical order, as :func:`triples` returns them:
    the writers take them as they are instead of sorting again."""

    __slots__ = ()


class Canonical:
    """Triples already de-duplicated and in canonical order, produced lazily (e.g. read back
    from a sorted N-Triples file): the writers stream them instead of sorting."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    @classmethod
    def read(cls, path: Path) -> Canonical:
        """The triples of a canonical N-Triples file, as it is read."""
        quads = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        return cls(q.triple for q in quads)


@dataclass(frozen=True, slots=True)
class _Ids(Ids):
    """:class:`Ids` that remembers the IRIs it mints most often."""

    def resolution(self, symbol: str) -> str:
        return _resolution_iri(self.base, symbol)

    def instrument(self, instrument_id: str) -> str:
        return _instrument_iri(self.base, instrument_id)


@cache
def _resolution_iri(base: str, symbol: str) -> str:
    return Ids.resolution(Ids(base), symbol)


@cache
def _instrument_iri(base: str, instrument_id: str) -> str:
    return Ids.instrument(Ids(base), instrument_id)


class _Writer:
    """Lines of N-Triples as a set (the same fact stated twice is one line), in two piles: the
    lines about one resolution's own nodes (its IRI and every IRI under it) and the rest."""

    __slots__ = ("_own", "_under", "ids", "local", "shared")

    def __init__(self, ids: Ids, resolution: str | None = None) -> None:
        self.ids = ids
        # The own lines by predicate, each with its subject (for :func:`_own_stats`).
        self.local: dict[Node, dict[str, Node]] = {}
        self.shared: set[str] = set()
        self._own = f"<{resolution}>" if resolution else None
        self._under = f"<{resolution}/" if resolution else ""

    def add(self, s: Node, p: Node, o: str) -> None:
        line = f"{s} {p} {o} .\n"
        if self._own is not None and (s == self._own or s.startswith(self._under)):
            lines = self.local.get(p)
            if lines is None:
                lines = self.local[p] = {}
            lines[line] = s
        else:
            self.shared.add(line)

    def iri(self, s: Node, p: Node, o: str | None) -> None:
        if o is not None:
            self.add(s, p, _n(o))

    def text(self, s: Node, p: Node, value: str | None) -> None:
        if value:
            self.add(s, p, _literal(value))

    def integer(self, s: Node, p: Node, value: int | None) -> None:
        if value is not None:
            self.add(s, p, f'"{int(value)}"{_INTEGER}')

    def date(self, s: Node, p: Node, value: date | None) -> None:
        if value is not None:
            self.add(s, p, f'"{value.isoformat()}"{_DATE}')

    def boolean(self, s: Node, p: Node, value: bool) -> None:
        self.add(s, p, _TRUE if value else _FALSE)

    def types(self, s: Node, *classes: Node) -> None:
        for cls in classes:
            self.add(s, A, cls)

    def part(self, part: Node, whole: Node) -> None:
        """``part`` is part of ``whole``, in ELI both ways and in Dublin Core."""
        self.add(part, ELI_IS_PART_OF, whole)
        self.add(part, IS_PART_OF, whole)
        self.add(whole, ELI_HAS_PART, part)


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
    ids = _Ids(base or default_base())
    doc = extraction.document
    iri = ids.resolution(doc.meta.symbol)
    w = _Writer(ids, iri)
    build = _n(ids.build(PENDING))
    source_name = Path(doc.source_file).name if doc.source_file else None
    source = _n(ids.source(source_name)) if source_name else None
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
        text_sha=_text_sha(doc),
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


def _text_sha(document: Document) -> str:
    return hashlib.sha256(document.text.encode("utf-8")).hexdigest()


# --- the whole graph ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Reading:
    """What the resolutions citing one instrument say about it, in symbol order."""

    first: tuple[str, Instrument]
    authority: tuple[str, Instrument] | None
    parents: set[str]
    sources: set[str]  # IRIs of the citing resolutions' source files


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
    _readings: dict[str, _Reading] = field(default_factory=dict)
    _symbols: dict[str, str | None] = field(default_factory=dict)
    _iris: dict[str, str] = field(default_factory=dict)
    _properties: Counter[str] = field(default_factory=Counter)  # of the parts' own lines
    _classes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.base = normalise_base(self.base)
        self.ids = _Ids(self.base)

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
            reading = _Reading((symbol, c.first), authority, set(c.parents), set())
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
        w = _Writer(self.ids)
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


# --- entry points ------------------------------------------------------------------------------


def triples(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> Triples:
    """The triples of ``extractions``, de-duplicated and in canonical (N-Triples) order.

    ``sources`` maps source file paths to their SHA-256; only file names reach the graph.
    ``instruments`` (default: the authority data) supplies the parents of cited instruments
    that no paragraph cites, so that every ``tg:supplements`` edge ends at a described node.
    """
    assembly = Assembly(base or default_base())
    data: dict[str, bytes] = {}
    for extraction in extractions:
        part, lines = resolution_part(extraction, base=assembly.base)
        assembly.add(part)
        data[part.iri] = lines
    whole = assembly.finish(sources, instruments)
    text = b"".join(whole.lines(lambda p, start, end: data[p.iri][start:end]))
    quads = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    return Triples(q.triple for q in quads)


def to_graph(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> rdflib.Graph:
    """The graph of ``extractions`` as an :class:`rdflib.Graph` (for pySHACL and tests)."""
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    data = triples(extractions, base=base, sources=sources, instruments=instruments)
    graph.parse(data=to_ntriples(data), format="nt")
    return graph


def to_ntriples(graph: GraphLike) -> str:
    """Canonical N-Triples: one triple a line, sorted, no duplicates."""
    return "".join(ntriples_lines(graph))


def ntriples_lines(graph: GraphLike) -> Iterator[str]:
    """The lines of :func:`to_ntriples`, one at a time."""
    for t in _canonical(graph):
        yield f"{t} .\n"


def to_turtle(graph: GraphLike) -> str:
    """Turtle with the usual prefixes, subjects in canonical order, IRIs in full otherwise
    (a relative ``@base`` would also relativise the prefixes)."""
    out = io.BytesIO()
    write_turtle(graph, out)
    return out.getvalue().decode("utf-8")


def write_turtle(graph: GraphLike, out: IO[bytes] | io.RawIOBase) -> None:
    """:func:`to_turtle` into a binary file, a subject at a time (``graph`` may be a
    :class:`Canonical` stream of any length)."""
    # The prefix lines are ours, in our order: the serializer's own order is not promised.
    head = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    out.write(("\n".join(head) + "\n\n").encode("utf-8"))
    body = cast(IO[bytes], _NoPrefixes(out))
    ox.serialize(_canonical(graph), body, ox.RdfFormat.TURTLE, prefixes=PREFIXES)


class _NoPrefixes:
    """A binary writer that drops the ``@prefix`` lines the serializer opens with."""

    def __init__(self, out: IO[bytes] | io.RawIOBase) -> None:
        self.out = out
        self.pending = b""
        self.heading = True

    def write(self, data: bytes) -> int:
        if not self.heading:
            self.out.write(data)
            return len(data)
        self.pending += bytes(data)
        while self.heading:
            end = self.pending.find(b"\n")
            if self.pending.startswith(b"@prefix") and end >= 0:
                self.pending = self.pending[end + 1 :]
            elif len(self.pending) < len(b"@prefix") and b"@prefix".startswith(self.pending):
                return len(data)  # too short to tell yet
            elif self.pending.startswith(b"@prefix"):
                return len(data)  # a prefix line not complete yet
            else:
                self.heading = False
                self.out.write(self.pending)
                self.pending = b""
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def to_jsonld(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> str:
    """Compact JSON-LD under the published context (``ontology/context.jsonld``), inlined so
    that the file reads offline: one node object per subject, in canonical order."""
    return "".join(jsonld_chunks(graph, context=context))


def jsonld_chunks(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The text of :func:`to_jsonld` a node at a time: canonical order keeps each subject's
    triples together, so no node waits for the whole graph."""
    ctx = dict(context if context is not None else load_context())
    compactor = _Compactor(ctx)
    yield f'{{"@context": {json.dumps(ctx, ensure_ascii=False, indent=1)},\n"@graph": [\n'
    separator = ""
    for subject, group in groupby(_canonical(graph), key=lambda t: t.subject):
        entries: dict[str, list[Any]] = {}
        for t in group:
            key, value = compactor.entry(t.predicate.value, t.object)
            entries.setdefault(key, []).append(value)
        node = compactor.node(_subject_id(subject), entries)
        # One node a line: readable, and json's C encoder (no indent) is many times faster.
        yield separator + json.dumps(node, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@cache
def load_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text("utf-8"))
    return dict(data["@context"])


@cache
def software_version() -> str:
    """treatygraph's version, from the installed distribution's metadata."""
    return metadata.version("treatygraph")


# --- resolutions -------------------------------------------------------------------------------


def _build(w: _Writer, digest: str, checksums: Mapping[str, str]) -> Node:
    """The build activity, named by ``digest``."""
    version = software_version()
    build = _n(w.ids.build(digest))
    agent = _n(w.ids.agent())
    w.types(build, T.Build, ACTIVITY)
    w.text(build, LABEL, f"treatygraph {version} build {digest}")
    w.text(build, T.softwareVersion, version)
    w.add(build, ASSOCIATED, agent)
    w.types(agent, SOFTWARE_AGENT)
    w.text(agent, LABEL, "treatygraph")
    for name in sorted(checksums):
        w.add(build, USED, _source(w, name, checksums))
    return build


def _source(w: _Writer, name: str, checksums: Mapping[str, str]) -> Node:
    node = _n(w.ids.source(name))
    w.types(node, T.SourceFile, ENTITY)
    w.text(node, LABEL, name)
    w.text(node, T.sha256, checksums.get(name))
    return node


def _resolution(w: _Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    meta = doc.meta
    res = _n(w.ids.resolution(meta.symbol))
    w.types(res, T.Resolution)
    w.text(res, LABEL, meta.symbol)
    w.text(res, T.symbol, meta.symbol)
    w.text(res, TITLE, meta.title)
    # tg:session is a whole number (xsd:integer): a session numbered apart ("ES-11") is
    # told by the symbol and has no tg:session of its own.
    if isinstance(meta.session, int):
        w.integer(res, T.session, meta.session)
    w.date(res, T.adoptionDate, meta.adoption_date)
    w.text(res, T.agendaItem, meta.agenda_item)
    w.text(res, T.metadataSource, meta.source)
    w.boolean(res, T.synthetic, meta.synthetic)
    w.text(res, T.textSha256, _text_sha(doc))
    w.integer(res, T.textLength, len(doc.text))
    _adopted_by(w, res, meta.body)
    w.add(res, GENERATED, build)
    if source is not None:
        w.add(res, DERIVED, source)
    footnotes = {f.number for f in doc.footnotes}
    for position, paragraph in enumerate(doc.paragraphs, 1):
        _paragraph(w, doc, res, paragraph, position, footnotes)
    for position, footnote in enumerate(doc.footnotes, 1):
        _footnote(w, doc, res, footnote, position, footnotes)
    _citations(w, extraction, build, source)


def _adopted_by(w: _Writer, subject: Node, text: str | None) -> None:
    if not text or not text.strip():
        return
    _, label = body_key(text)
    body = _n(w.ids.body(text))
    w.add(subject, T.adoptedBy, body)
    w.types(body, T.Body)
    _labels(w, body, _literal(label))


def _paragraph(
    w: _Writer, doc: Document, res: Node, p: Paragraph, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = _n(w.ids.paragraph(symbol, p.id))
    kind = T.PreambularParagraph if p.kind is ParagraphKind.PREAMBULAR else T.OperativeParagraph
    w.types(node, T.Paragraph, kind)
    w.text(node, LABEL, f"{symbol} {p.id}")
    w.text(node, T.localId, p.id)
    w.integer(node, T.number, p.number)
    w.integer(node, T.position, position)
    w.text(node, T.text, p.text)
    w.integer(node, T.start, p.span.start)
    w.integer(node, T.end, p.span.end)
    w.part(node, res)
    for marker in p.markers:
        if marker.number in footnotes:
            fn = _n(w.ids.footnote(symbol, marker.number))
            w.add(node, T.hasFootnote, fn)
            w.integer(fn, T.markerOffset, marker.offset)
    for index, item in enumerate(p.items, 1):
        sub = _n(w.ids.sub_item(symbol, p.id, item.letter))
        w.types(sub, T.SubItem)
        w.text(sub, LABEL, f"{symbol} {p.id}({item.letter})")
        w.text(sub, T.localId, f"{p.id}({item.letter})")
        w.text(sub, T.letter, item.letter)
        w.integer(sub, T.position, index)
        w.text(sub, T.text, item.span.slice(doc.text))
        w.integer(sub, T.start, item.span.start)
        w.integer(sub, T.end, item.span.end)
        w.part(sub, node)


def _footnote(
    w: _Writer, doc: Document, res: Node, f: Footnote, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = _n(w.ids.footnote(symbol, f.number))
    w.types(node, T.Footnote)
    w.text(node, LABEL, f"{symbol} fn {f.number}")
    w.text(node, T.localId, f"fn{f.number}")
    w.integer(node, T.footnoteNumber, f.number)
    w.integer(node, T.position, position)
    w.text(node, T.text, f.text)
    w.integer(node, T.start, f.span.start)
    w.integer(node, T.end, f.span.end)
    w.part(node, res)
    if f.continues is not None and f.continues in footnotes:
        w.iri(node, T.continues, w.ids.footnote(symbol, f.continues))
    for index, reference in enumerate(f.references, 1):
        ref = _n(w.ids.reference(symbol, f.number, index))
        w.add(node, T.hasReference, ref)
        _reference(w, ref, reference, index)
        if reference.continues is not None and reference.continues in footnotes:
            w.iri(ref, T.continues, w.ids.footnote(symbol, reference.continues))


def _reference(w: _Writer, ref: Node, r: Reference, position: int) -> None:
    w.types(ref, T.Reference)
    w.text(ref, T.referenceKind, r.kind.value)
    w.integer(ref, T.position, position)
    w.integer(ref, T.start, r.span.start)
    w.integer(ref, T.end, r.span.end)
    w.integer(ref, T.volume, r.volume)
    w.integer(ref, T.number, r.number)
    w.integer(ref, T.page, r.page)
    w.text(ref, T.symbol, r.symbol)
    w.text(ref, T.pinpoint, r.pinpoint)
    w.text(ref, T.salesNumber, r.sales_number)
    w.boolean(ref, T.ibid, r.ibid)
    if r.kind is ReferenceKind.UNTS and r.volume is not None:
        # The page belongs to the instrument's record; a reference only names the entry.
        page = r.page if r.number is None else None
        w.add(ref, T.untsRecord, _unts(w, r.volume, r.number, page))


def _unts(w: _Writer, volume: int, number: int | None, page: int | None) -> Node:
    node = _n(w.ids.unts(volume, number, page))
    w.types(node, T.UNTSRecord)
    label = f"UNTS vol. {volume}" + (f", No. {number}" if number is not None else "")
    w.text(node, LABEL, label)
    w.integer(node, T.untsVolume, volume)
    w.integer(node, T.untsNumber, number)
    w.integer(node, T.untsPage, page)
    return node


# --- citations ---------------------------------------------------------------------------------


def _citations(w: _Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    paragraphs = {p.id: p for p in doc.paragraphs}
    footnotes = {f.number for f in doc.footnotes}
    ordinals: Counter[str] = Counter()
    for c in extraction.citations:
        if c.paragraph not in paragraphs:
            raise ValueError(f"{doc.meta.symbol}: citation of unknown paragraph {c.paragraph}")
        ordinals[c.paragraph] += 1
        node = _n(w.ids.citation(doc.meta.symbol, c.paragraph, ordinals[c.paragraph]))
        _citation(w, doc, node, c, paragraphs[c.paragraph], footnotes)
        w.add(node, GENERATED, build)
        if source is not None:
            w.add(node, DERIVED, source)


def _citation(
    w: _Writer, doc: Document, node: Node, c: Citation, p: Paragraph, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    paragraph = _n(w.ids.paragraph(symbol, c.paragraph))
    instrument = _n(w.ids.instrument(c.instrument.id))
    w.types(node, T.Citation, CITO_CITATION)
    w.add(node, CITING, paragraph)
    w.add(node, CITED, instrument)
    w.add(node, T.foundBy, _n(via_concept(c.via.value)))
    if c.footnote is not None and c.footnote in footnotes:
        w.iri(node, T.viaFootnote, w.ids.footnote(symbol, c.footnote))
    w.add(paragraph, T.cites, instrument)
    _cites_parents(w, paragraph, instrument)
    intent = citation_intent(c.intent)
    w.iri(node, CHARACTERIZATION, intent.prop if intent else CITO_CITES)
    if intent is not None:
        w.iri(node, T.intent, intent.concept)
        if intent.key == "other" and c.intent != "other":
            w.text(node, T.intentKey, c.intent)
        if intent.prop != CITO_CITES:
            w.add(paragraph, _n(intent.prop), instrument)
    for item in p.items:
        if item.span.contains(c.span):
            w.iri(node, T.inSubItem, w.ids.sub_item(symbol, p.id, item.letter))
    _evidence(w, doc, node, c)


def _evidence(w: _Writer, doc: Document, citation: Node, c: Citation) -> None:
    """The quoted text as Web Annotation: a specific resource of the resolution with a quote
    selector (exact text, some context) and a position selector (offsets)."""
    iri = citation[1:-1]
    target = _n(f"{iri}/evidence")
    quote = _n(f"{iri}/quote")
    position = _n(f"{iri}/position")
    w.add(citation, T.evidence, target)
    w.types(target, OA_SPECIFIC)
    w.iri(target, OA_SOURCE, w.ids.resolution(doc.meta.symbol))
    w.add(target, OA_SELECTOR, quote)
    w.add(target, OA_SELECTOR, position)
    w.types(quote, OA_QUOTE)
    w.text(quote, OA_EXACT, c.quote)
    w.text(quote, OA_PREFIX, doc.text[max(0, c.span.start - QUOTE_CONTEXT) : c.span.start])
    w.text(quote, OA_SUFFIX, doc.text[c.span.end : c.span.end + QUOTE_CONTEXT])
    w.types(position, OA_POSITION)
    w.integer(position, OA_START, c.span.start)
    w.integer(position, OA_END, c.span.end)


# --- statements for queries in the standard vocabularies --------------------------------------


_CITES_PARENTS = tuple(_n(p) for p in CITES_PARENTS)


def _cites_parents(w: _Writer, paragraph: Node, instrument: Node) -> None:
    """Beside ``paragraph tg:cites instrument``, the same edge with each parent property the
    ontology declares (cito:cites, dcterms:references, eli:cites): a query in the standard
    vocabularies finds every citation without a reasoner."""
    for prop in _CITES_PARENTS:
        w.add(paragraph, prop, instrument)


def _labels(w: _Writer, node: Node, label: str) -> None:
    """A concept's (or body's) label, as ``skos:prefLabel`` and as ``rdfs:label``."""
    w.add(node, PREF_LABEL, label)
    w.add(node, LABEL, label)


@cache
def _concept_lines() -> tuple[tuple[Node, str], ...]:
    labels = concept_labels()
    return tuple((_n(c.iri), str(ox.Literal(c.label, language=c.language))) for c in labels)


def _concepts(w: _Writer) -> None:
    """The labels of every concept of the ontology's schemes (intents, ways of finding,
    instrument kinds), so that answers naming a concept can show its label from the data
    graph alone (the ontology itself is loaded into a named graph of its own)."""
    for node, label in _concept_lines():
        _labels(w, node, label)


# --- instruments -------------------------------------------------------------------------------


def _add_parents(
    readings: dict[str, _Reading], instruments: Mapping[str, Instrument] | None
) -> None:
    """Add the records of parents (and their parents) that no paragraph cites."""
    wanted = [p for reading in readings.values() for p in sorted(reading.parents)]
    records = instruments
    while wanted:
        parent = wanted.pop()
        if parent in readings:
            continue
        if records is None:
            from treatygraph.reader.authority import (
                default_authority,  # only when a parent is missing
            )

            records = default_authority().instruments
        if parent in records:
            record = records[parent]
            authority = ("", record) if record.in_authority else None
            readings[parent] = _Reading(("", record), authority, set(record.parent), set())
            wanted.extend(record.parent)


def _instrument(
    w: _Writer,
    reading: _Reading,
    build: Node,
    checksums: Mapping[str, str],
    known: set[str],
) -> None:
    """One node per instrument id. Resolutions may carry differing copies of a text-only
    record: an authority record wins, else the first in symbol order."""
    inst = (reading.authority or reading.first)[1]
    node = _n(w.ids.instrument(inst.id))
    kind = instrument_kind(inst.kind)
    w.types(node, *(_n(TG + cls) for cls in instrument_classes(kind)))
    w.text(node, LABEL, inst.title)
    w.text(node, TITLE, inst.title)
    w.text(node, IDENTIFIER, inst.id)
    w.iri(node, T.kind, kind.concept)
    w.text(node, T.kindText, inst.kind)
    for name in (inst.short_title or "").split(";"):
        w.text(node, T.shortTitle, name.strip())
    for unts in inst.unts:
        w.add(node, T.untsRecord, _unts(w, unts.volume, unts.number, unts.page))
    w.text(node, T.symbol, inst.symbol)
    w.text(node, T.iloCode, inst.ilo_code)
    w.text(node, T.untcId, inst.untc_id)
    w.text(node, T.normlexId, inst.normlex_id)
    for parent in inst.parent:
        if parent in known:  # else no record to describe it: leave the edge out
            w.iri(node, T.supplements, w.ids.instrument(parent))
    w.boolean(node, T.inAuthority, inst.in_authority)
    _adopted_by(w, node, inst.adopting_body)
    w.text(node, T.adoptingBodyText, inst.adopting_body)
    w.date(node, T.adoptionDate, inst.adoption_date)
    w.text(node, T.adoptionPlace, inst.adoption_place)
    w.date(node, T.entryIntoForce, inst.entry_into_force)
    w.text(node, T.sourceNotes, inst.sources)
    w.text(node, NOTE, inst.notes)
    _links(w, node, inst)
    if inst.in_authority:
        authority = _source(w, AUTHORITY_SOURCE, checksums)
        w.add(node, DERIVED, authority)
        w.add(build, USED, authority)
    else:
        for source in sorted(reading.sources):
            w.iri(node, DERIVED, source)


def _links(w: _Writer, node: Node, inst: Instrument) -> None:
    """Wikidata item and the depositary's pages, when the authority data has their ids."""
    if inst.wikidata and re.fullmatch(r"Q[1-9][0-9]*", inst.wikidata):
        w.iri(node, EXACT_MATCH, WD + inst.wikidata)
    if inst.untc_id:
        w.iri(node, SEE_ALSO, untc_url(inst.untc_id))
    if inst.normlex_id and inst.normlex_id.isdigit():
        w.iri(node, SEE_ALSO, normlex_url(inst.normlex_id))


def untc_url(mtdsg: str) -> str | None:
    """The UN Treaty Collection page of an MTDSG chapter id.

    >>> untc_url("XVIII-12-a")
    'https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-12-a&chapter=18&clang=_en'
    """
    m = re.fullmatch(r"([IVXL]+)-[0-9]+(?:-[a-z])?", mtdsg)
    if not m:
        return None
    chapter = _roman(m.group(1))
    return (
        "https://treaties.un.org/Pages/ViewDetails.aspx"
        f"?src=TREATY&mtdsg_no={mtdsg}&chapter={chapter}&clang=_en"
    )


def normlex_url(normlex_id: str) -> str:
    """The NORMLEX page of an ILO instrument.

    >>> normlex_url("312174")[-30:]
    'P12100_INSTRUMENT_ID:312174:NO'
    """
    return (
        "https://webapps.ilo.org/dyn/normlex/en/f?p=NORMLEXPUB:12100:0::NO:12100:"
        f"P12100_INSTRUMENT_ID:{normlex_id}:NO"
    )


def _roman(numeral: str) -> int:
    """The value of a Roman numeral (MTDSG chapters go up to XXIX).

    >>> _roman("XVIII"), _roman("IV"), _roman("XL")
    (18, 4, 40)
    """
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[char]
        total += -value if following and values[following] > value else value
    return total


# --- serialisation -----------------------------------------------------------------------------


def _canonical(graph: GraphLike) -> Triples | Canonical:
    """Triples without duplicates, sorted by their N-Triples form."""
    if isinstance(graph, Triples | Canonical):
        return graph
    if isinstance(graph, rdflib.Graph):
        data = graph.serialize(format="nt", encoding="utf-8")
        graph = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return Triples(sorted(set(graph), key=str))


def _subject_id(term: Term | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"unsupported subject {term!r}")


class _Compactor:
    """Writes triples as compact JSON-LD entries under a context: a property with a term is
    written by its term, its values bare when the term's type coercion says how to read them;
    anything else in expanded form, so that every triple reads back unchanged."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = {
            term: value
            for term, value in context.items()
            if isinstance(value, str) and value.endswith(("#", "/"))
        }
        self.by_namespace = {namespace: prefix for prefix, namespace in self.prefixes.items()}
        self.cache: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}
        for term in sorted(context):
            iri, coercion = self._definition(context[term])
            if term.startswith("@") or iri is None or iri in self.terms:
                continue
            self.terms[iri] = (term, coercion)
        self.id_key = next((t for t, v in context.items() if v == "@id"), "@id")
        self.type_key = next((t for t, v in context.items() if v == "@type"), "@type")

    def _definition(self, value: Any) -> tuple[str | None, str | None]:
        if isinstance(value, str):
            return (None, None) if value.startswith("@") else (self.expand(value), None)
        if isinstance(value, dict) and "@id" in value:
            coercion = value.get("@type")
            if coercion not in (None, "@id", "@vocab"):
                coercion = self.expand(coercion)
            return self.expand(value["@id"]), coercion
        return None, None

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return value

    def compact(self, iri: str) -> str:
        """A compact IRI (``tg:kind-convention``) where a namespace holds the whole local name
        (no further ``/`` or ``#``), else the IRI as it is; either reads back the same."""
        if iri in self.cache:
            return self.cache[iri]
        self.cache[iri] = result = self._compact(iri)
        return result

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        rest = iri[cut:]
        if prefix and rest and ":" not in rest:
            return f"{prefix}:{rest}"
        return iri

    def vocab(self, iri: str) -> str:
        """A class or property by its term, else as a compact IRI."""
        return self.terms[iri][0] if iri in self.terms else self.compact(iri)

    def entry(self, predicate: str, obj: Term | ox.Triple) -> tuple[str, Any]:
        if predicate == f"{RDF}type" and isinstance(obj, ox.NamedNode):
            return self.type_key, self.vocab(obj.value)
        key, coercion = self.terms.get(predicate, (self.compact(predicate), None))
        return key, self._value(obj, coercion)

    def _value(self, obj: Term | ox.Triple, coercion: str | None) -> Any:
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            ref = self.compact(obj.value) if isinstance(obj, ox.NamedNode) else f"_:{obj.value}"
            return ref if coercion == "@id" else {"@id": ref}
        if not isinstance(obj, ox.Literal):
            raise TypeError(f"unsupported object {obj!r}")
        datatype = obj.datatype.value
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if coercion is not None:
            if coercion == datatype:
                return obj.value
            return self._typed(obj.value, datatype)
        if datatype == f"{XSD}string":
            return obj.value
        native = _native(obj.value, datatype)
        return native if native is not None else self._typed(obj.value, datatype)

    def _typed(self, value: str, datatype: str) -> dict[str, str]:
        if datatype == f"{XSD}string":
            return {"@value": value}
        return {"@value": value, "@type": self.compact(datatype)}

    def node(self, subject: str, entries: dict[str, list[Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {self.id_key: self.compact(subject)}
        for key in sorted(entries, key=lambda k: (k != self.type_key, k)):
            values = entries[key]
            result[key] = values[0] if len(values) == 1 else values
        return result


def _native(lexical: str, datatype: str) -> int | bool | None:
    """A JSON number or boolean that reads back as exactly this literal, if there is one."""
    if datatype == f"{XSD}integer" and re.fullmatch(r"-?(0|[1-9][0-9]*)", lexical):
        return int(lexical)
    if datatype == f"{XSD}boolean" and lexical in ("true", "false"):
        return lexical == "true"
    return None
