"""The document model: small immutable nouns shared by every pipeline stage.

Offsets are character offsets into :attr:`Document.text`, the one normalised text of a
resolution (body paragraphs first, then footnotes), so that ``doc.text[s.start:s.end]`` is
always the quoted text of a span ``s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` into :attr:`Document.text`.

    >>> Span(3, 7).slice("0123456789")
    '3456'
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def as_list(self) -> list[int]:
        return [self.start, self.end]


class ParagraphKind(StrEnum):
    PREAMBULAR = "preambular"
    OPERATIVE = "operative"


class Via(StrEnum):
    """How a citation was found: through a footnote, by a name the authority data knows, by
    a reference phrase, by a document-local short form, or by the grammar of names and
    numbers (a record made from the text: ``Instrument.in_authority`` is false)."""

    FOOTNOTE = "footnote"
    TITLE = "title"
    ANAPHORA = "anaphora"
    SHORT_NAME = "short-name"
    GRAMMAR = "grammar"


@dataclass(frozen=True, slots=True)
class ResolutionMeta:
    """What identifies a resolution: from its UN header, or from the metadata file beside it."""

    symbol: str
    title: str
    body: str = "General Assembly"
    # A regular session as a number (77); one numbered apart as a string ("ES-11", "S-30").
    session: int | str | None = None
    adoption_date: date | None = None
    agenda_item: str | None = None
    source: str = "header"  # "header" or the metadata file's name
    synthetic: bool = False
    input_format: str = "text"  # what the file was: text, pdf, markdown or html

    @property
    def slug(self) -> str:
        """The symbol as one path segment: ``A/RES/77/194`` → ``A-RES-77-194``."""
        return symbol_slug(self.symbol)


def symbol_slug(symbol: str) -> str:
    """A UN document symbol as a path segment.

    >>> symbol_slug("A/RES/2200(XXI)"), symbol_slug("S/RES/2728 (2024)")
    ('A-RES-2200(XXI)', 'S-RES-2728(2024)')
    >>> symbol_slug("A/RES/ES-11/1"), symbol_slug("A/HRC/RES/50/33")
    ('A-RES-ES-11-1', 'A-HRC-RES-50-33')
    """
    return symbol.replace("/", "-").replace(" ", "")


@dataclass(frozen=True, slots=True)
class FootnoteMarker:
    """A footnote call in the body: footnote ``number`` attaches at ``offset`` (after the word
    it follows; the marker digits themselves are not part of the normalised text)."""

    number: int
    offset: int


@dataclass(frozen=True, slots=True)
class SubItem:
    """A lettered sub-item ``(a)``, ``(b)`` of a paragraph."""

    letter: str
    span: Span


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A preambular (``pp3``) or operative (``op5``) paragraph."""

    kind: ParagraphKind
    number: int
    span: Span
    text: str
    markers: tuple[FootnoteMarker, ...] = ()
    items: tuple[SubItem, ...] = ()

    @property
    def id(self) -> str:
        return paragraph_id(self.kind, self.number)


def paragraph_id(kind: ParagraphKind, number: int) -> str:
    """
    >>> paragraph_id(ParagraphKind.OPERATIVE, 5)
    'op5'
    """
    return ("pp" if kind is ParagraphKind.PREAMBULAR else "op") + str(number)


class ReferenceKind(StrEnum):
    UNTS = "unts"  # United Nations, Treaty Series, vol. V, No. N
    RESOLUTION = "resolution"  # Resolution 70/1; resolution 2200 A (XXI), annex
    SYMBOL = "symbol"  # A/77/170; CTOC/COP/2020/10, sect. I.A
    OFFICIAL_RECORDS = "official_records"  # Official Records of ..., Supplement No. 7 (E/2022/27)
    PUBLICATION = "publication"  # United Nations publication, Sales No. E.96.IV.13


@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliographic reference read from a footnote.

    ``continues`` names the earlier footnote an ``Ibid.`` continues; ``span`` is the part of
    the footnote text the reference was read from.
    """

    kind: ReferenceKind
    span: Span
    volume: int | None = None
    number: int | None = None
    page: int | None = None
    symbol: str | None = None
    pinpoint: str | None = None
    sales_number: str | None = None
    ibid: bool = False
    continues: int | None = None


@dataclass(frozen=True, slots=True)
class Footnote:
    number: int
    span: Span
    text: str
    references: tuple[Reference, ...] = ()
    continues: int | None = None  # the footnote an opening "Ibid." refers back to


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem in the input, named by place: file, line, paragraph or footnote."""

    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    where: str | None = None  # "op5", "fn 19", ...

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        if self.where:
            place = f"{place} ({self.where})" if place else self.where
        return f"{place}: {self.severity}: {self.message}" if place else self.message


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed resolution: metadata, one normalised text, paragraphs and footnotes."""

    meta: ResolutionMeta
    text: str
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Footnote, ...]
    source_file: str | None = None
    problems: tuple[Problem, ...] = ()

    def paragraph(self, pid: str) -> Paragraph:
        for p in self.paragraphs:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def footnote(self, number: int) -> Footnote:
        for f in self.footnotes:
            if f.number == number:
                return f
        raise KeyError(number)


@dataclass(frozen=True, slots=True, order=True)
class Unts:
    """A record in the United Nations Treaty Series: volume and registration number."""

    volume: int
    number: int | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument or document: a record of the authority data, or one made from what the
    text says (``in_authority`` false)."""

    id: str
    title: str
    kind: str
    short_title: str | None = None
    unts: tuple[Unts, ...] = ()
    ilo_code: str | None = None
    symbol: str | None = None
    parent: tuple[str, ...] = ()
    in_authority: bool = True
    adopting_body: str | None = None
    adoption_date: date | None = None
    adoption_place: str | None = None
    entry_into_force: date | None = None
    untc_id: str | None = None
    normlex_id: str | None = None
    wikidata: str | None = None
    sources: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A paragraph citing an instrument, with its evidence: the quoted span, the footnote
    that carries it (if any), how it was found, and the paragraph's intent verb."""

    paragraph: str
    instrument: Instrument
    via: Via
    span: Span
    quote: str
    footnote: int | None = None
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """The result of reading one resolution: the document and every citation in it."""

    document: Document
    citations: tuple[Citation, ...]
    problems: tuple[Problem, ...] = field(default=())

    def citations_of(self, pid: str) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if c.paragraph == pid)

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        """Every instrument cited, once, in order of first citation."""
        seen: dict[str, Instrument] = {}
        for c in self.citations:
            seen.setdefault(c.instrument.id, c.instrument)
        return tuple(seen.values())
