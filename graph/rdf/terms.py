"""The RDF terms the mapping writes: the ontology namespace as explicit constants (T), the
standard vocabularies, literal helpers, and the canonical order of triples."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import rdflib

from treatygraph import resources
from treatygraph.model import (
    Document,
    Instrument,
)
from treatygraph.rdf.iris import Ids
from treatygraph.rdf.vocab import (
    CITO,
    DCTERMS,
    ELI,
    OA,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TG,
    XSD,
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


def iri_node(iri: str) -> Node:
    """An IRI as an N-Triples term; pyoxigraph refuses an invalid one."""
    return str(ox.NamedNode(iri))


def _literal(value: str) -> str:
    return str(ox.Literal(value))


# Predicates and classes, made once.
A = iri_node(f"{RDF}type")
LABEL = iri_node(f"{RDFS}label")
SEE_ALSO = iri_node(f"{RDFS}seeAlso")
TITLE = iri_node(f"{DCTERMS}title")
IDENTIFIER = iri_node(f"{DCTERMS}identifier")
IS_PART_OF = iri_node(f"{DCTERMS}isPartOf")
ELI_IS_PART_OF = iri_node(f"{ELI}is_part_of")
ELI_HAS_PART = iri_node(f"{ELI}has_part")
CITING = iri_node(f"{CITO}hasCitingEntity")
CITED = iri_node(f"{CITO}hasCitedEntity")
CHARACTERIZATION = iri_node(f"{CITO}hasCitationCharacterization")
CITO_CITATION = iri_node(f"{CITO}Citation")
CITO_CITES = f"{CITO}cites"
DERIVED = iri_node(f"{PROV}wasDerivedFrom")
GENERATED = iri_node(f"{PROV}wasGeneratedBy")
USED = iri_node(f"{PROV}used")
ASSOCIATED = iri_node(f"{PROV}wasAssociatedWith")
ACTIVITY = iri_node(f"{PROV}Activity")
SOFTWARE_AGENT = iri_node(f"{PROV}SoftwareAgent")
ENTITY = iri_node(f"{PROV}Entity")
NOTE = iri_node(f"{SKOS}note")
PREF_LABEL = iri_node(f"{SKOS}prefLabel")
EXACT_MATCH = iri_node(f"{SKOS}exactMatch")
OA_SPECIFIC = iri_node(f"{OA}SpecificResource")
OA_QUOTE = iri_node(f"{OA}TextQuoteSelector")
OA_POSITION = iri_node(f"{OA}TextPositionSelector")
OA_SOURCE = iri_node(f"{OA}hasSource")
OA_SELECTOR = iri_node(f"{OA}hasSelector")
OA_EXACT = iri_node(f"{OA}exact")
OA_PREFIX = iri_node(f"{OA}prefix")
OA_SUFFIX = iri_node(f"{OA}suffix")
OA_START = iri_node(f"{OA}start")
OA_END = iri_node(f"{OA}end")
_INTEGER = f"^^<{XSD}integer>"
_DATE = f"^^<{XSD}date>"
_TRUE = f'"true"^^<{XSD}boolean>'
_FALSE = f'"false"^^<{XSD}boolean>'


class T:
    """The ``tg:`` terms the mapping writes, one constant each: a misspelt term is an error
    (mypy, or AttributeError), never a new IRI. Each is declared in ``ontology/treatygraph.ttl``
    (``tests/test_ontology.py`` checks it)."""

    Body = iri_node(TG + "Body")
    Build = iri_node(TG + "Build")
    Citation = iri_node(TG + "Citation")
    Footnote = iri_node(TG + "Footnote")
    OperativeParagraph = iri_node(TG + "OperativeParagraph")
    Paragraph = iri_node(TG + "Paragraph")
    PreambularParagraph = iri_node(TG + "PreambularParagraph")
    Reference = iri_node(TG + "Reference")
    Resolution = iri_node(TG + "Resolution")
    SourceFile = iri_node(TG + "SourceFile")
    SubItem = iri_node(TG + "SubItem")
    UNTSRecord = iri_node(TG + "UNTSRecord")
    adoptedBy = iri_node(TG + "adoptedBy")
    adoptingBodyText = iri_node(TG + "adoptingBodyText")
    adoptionDate = iri_node(TG + "adoptionDate")
    adoptionPlace = iri_node(TG + "adoptionPlace")
    agendaItem = iri_node(TG + "agendaItem")
    cites = iri_node(TG + "cites")
    continues = iri_node(TG + "continues")
    end = iri_node(TG + "end")
    entryIntoForce = iri_node(TG + "entryIntoForce")
    evidence = iri_node(TG + "evidence")
    footnoteNumber = iri_node(TG + "footnoteNumber")
    foundBy = iri_node(TG + "foundBy")
    hasFootnote = iri_node(TG + "hasFootnote")
    hasReference = iri_node(TG + "hasReference")
    ibid = iri_node(TG + "ibid")
    iloCode = iri_node(TG + "iloCode")
    inAuthority = iri_node(TG + "inAuthority")
    inSubItem = iri_node(TG + "inSubItem")
    intent = iri_node(TG + "intent")
    intentKey = iri_node(TG + "intentKey")
    kind = iri_node(TG + "kind")
    kindText = iri_node(TG + "kindText")
    letter = iri_node(TG + "letter")
    localId = iri_node(TG + "localId")
    markerOffset = iri_node(TG + "markerOffset")
    metadataSource = iri_node(TG + "metadataSource")
    normlexId = iri_node(TG + "normlexId")
    number = iri_node(TG + "number")
    page = iri_node(TG + "page")
    pinpoint = iri_node(TG + "pinpoint")
    position = iri_node(TG + "position")
    referenceKind = iri_node(TG + "referenceKind")
    salesNumber = iri_node(TG + "salesNumber")
    session = iri_node(TG + "session")
    sha256 = iri_node(TG + "sha256")
    shortTitle = iri_node(TG + "shortTitle")
    softwareVersion = iri_node(TG + "softwareVersion")
    sourceNotes = iri_node(TG + "sourceNotes")
    start = iri_node(TG + "start")
    supplements = iri_node(TG + "supplements")
    symbol = iri_node(TG + "symbol")
    synthetic = iri_node(TG + "synthetic")
    text = iri_node(TG + "text")
    textLength = iri_node(TG + "textLength")
    textSha256 = iri_node(TG + "textSha256")
    untcId = iri_node(TG + "untcId")
    untsNumber = iri_node(TG + "untsNumber")
    untsPage = iri_node(TG + "untsPage")
    untsRecord = iri_node(TG + "untsRecord")
    untsVolume = iri_node(TG + "untsVolume")
    viaFootnote = iri_node(TG + "viaFootnote")
    volume = iri_node(TG + "volume")


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
class CachedIds(Ids):
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


class Writer:
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
            self.add(s, p, iri_node(o))

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


@cache
def software_version() -> str:
    """treatygraph's version, from the installed distribution's metadata."""
    return metadata.version("treatygraph")


def text_digest(document: Document) -> str:
    return hashlib.sha256(document.text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Reading:
    """What the resolutions citing one instrument say about it, in symbol order."""

    first: tuple[str, Instrument]
    authority: tuple[str, Instrument] | None
    parents: set[str]
    sources: set[str]  # IRIs of the citing resolutions' source files
