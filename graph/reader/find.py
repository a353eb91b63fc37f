"""Stage 3: find what a resolution cites.

Two kinds of evidence: *mentions* in the prose (an instrument's title or short title, an
ILO title with its number, a resolution number, an anaphor such as "the Optional Protocols
thereto") and *references* in footnotes (UNTS volume and number, ``Ibid.`` chains, document
symbols, resolutions, Official Records, sales numbers). Nothing is resolved here beyond
matching names against the authority aliases.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from treatygraph.model import Document, Footnote, Reference, ReferenceKind, Span
from treatygraph.reader.authority import Alias, Authority
from treatygraph.reader.grammar import Name, find_names
from treatygraph.reader.local_names import find_short_forms
from treatygraph.reader.numbers import find_numbered, ga_symbol

TOKEN = re.compile(r"\w+(?:[-.'’]\w+)*|[^\w\s]")
FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class MentionKind(StrEnum):
    TITLE = "title"  # an alias of an authority record
    ILO = "ilo"  # "... Convention, 1930 (No. 29)"
    RESOLUTION = "resolution"  # "its resolution 64/293"
    ANAPHORA = "anaphora"  # "the Protocols thereto", "those instruments"
    NAME = "name"  # a name the grammar reads: "Rome Statute of the International Criminal Court"
    SHORT = "short"  # a document-local short form: "the Statute", "the Rome Statute"


@dataclass(frozen=True, slots=True)
class Mention:
    kind: MentionKind
    span: Span
    key: str  # instrument id, ILO code, document symbol, or anaphor form
    qualifier_of: str | None = None  # anaphora: the child the qualifier names
    name: Name | None = None  # what the grammar read, for NAME mentions


# --- titles -----------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().translate(FOLD), m.start(), m.end()) for m in TOKEN.finditer(text)]


class Tokens:
    """A text's tokens, made once for every finder that reads it: the folded words, the same
    lower-cased, and (only when a title matched) each token's offsets.

    ``words[i]`` is ``_tokens(text)[i][0]``: the tokens are cut from the text as it is, then
    folded, so a dash folded to ``-`` never joins two words. A token holds no white space, so
    the tokens are folded (and lower-cased) in one call on the tokens joined by spaces, which
    gives what a call on each token would: FOLD maps a character to one other, and a space
    both ends a word and breaks the context of a final sigma in ``str.lower``.
    """

    __slots__ = ("_spans", "lower", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        found = TOKEN.findall(text)
        folded = " ".join(found).translate(FOLD) if found else ""
        self.words: list[str] = folded.split(" ") if found else []
        self.lower: list[str] = folded.lower().split(" ") if found else []
        self._spans: list[tuple[int, int]] | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Where tokens ``first`` to ``last`` (included) begin and end in the text."""
        if self._spans is None:
            self._spans = [m.span() for m in TOKEN.finditer(self.text)]
        return self._spans[first][0], self._spans[last][1]


@dataclass(frozen=True)
class TitleIndex:
    """Aliases by first token, longest first: a token-level scan finds every alias."""

    by_first: dict[str, tuple[tuple[tuple[str, ...], Alias], ...]]

    @classmethod
    def build(cls, aliases: tuple[Alias, ...]) -> TitleIndex:
        index: dict[str, list[tuple[tuple[str, ...], Alias]]] = defaultdict(list)
        for alias in aliases:
            words = tuple(t for t, _, _ in _tokens(alias.text))
            key = tuple(w if alias.case_sensitive else w.lower() for w in words)
            if key:
                index[key[0].lower()].append((key, alias))
        return cls({k: tuple(sorted(v, key=lambda x: -len(x[0]))) for k, v in index.items()})

    def find(self, text: str, offset: int = 0, tokens: Tokens | None = None) -> list[Mention]:
        """Every alias in ``text``; overlapping ones keep the longest (then leftmost).
        ``tokens``: the text's tokens, when another finder made them already."""
        if tokens is None:
            tokens = Tokens(text)
        words, lower, by_first = tokens.words, tokens.lower, self.by_first
        count = len(words)
        found: list[tuple[int, int, str]] = []
        for i in [i for i, w in enumerate(lower) if w in by_first]:
            for key, alias in by_first[lower[i]]:
                end = i + len(key)
                if end > count:
                    continue
                if tuple((words if alias.case_sensitive else lower)[i:end]) == key:
                    start, stop = tokens.span(i, end - 1)
                    found.append((start, stop, alias.instrument))
        return [
            Mention(MentionKind.TITLE, Span(offset + s, offset + e), inst)
            for s, e, inst in _longest_first(found)
        ]


def _longest_first(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    chosen: list[tuple[int, int, str]] = []
    for s, e, inst in sorted(found, key=lambda f: (-(f[1] - f[0]), f[0])):
        if all(e <= cs or s >= ce for cs, ce, _ in chosen):
            chosen.append((s, e, inst))
    return sorted(chosen)


@cache
def title_index(authority: Authority) -> TitleIndex:
    return TitleIndex.build(authority.aliases)


# --- ILO titles, resolution numbers, anaphora ---------------------------------------------

ILO_TITLE = re.compile(
    r"(?P<protocol>Protocol (?:of \d{4} )?to the )?"
    r"(?P<title>(?:\(?[A-Z][\w-]*\)?,? (?:(?:of|and|for|on|the|in|to) )*){1,8}?"
    r"(?P<type>Convention|Recommendation)(?: \(Revised\))?, \d{4}) \(No\. (?P<number>\d+)\)"
)
OPENING_VERB = re.compile(r"[A-Z][a-z]+(?:ing|s)\s+(?:also\s+|further\s+)?the\s+")
ANAPHORA = re.compile(
    r"\bthe\s+(?P<optional>Optional\s+)?(?P<noun>Protocols?)\s+thereto\b"
    r"|\b(?P<group>those|these|both|the above-mentioned|the aforementioned)\s+instruments\b",
    re.IGNORECASE,
)


def ilo_code(kind: str, number: str, protocol: bool) -> str:
    """
    >>> ilo_code("Convention", "29", True), ilo_code("Recommendation", "203", False)
    ('P029', 'R203')
    """
    letter = "P" if protocol else ("C" if kind == "Convention" else "R")
    return f"{letter}{int(number):03d}"


def find_ilo(text: str, offset: int) -> list[Mention]:
    if " (No. " not in text:  # what every ILO title ends with: most texts have none
        return []
    mentions = []
    for m in ILO_TITLE.finditer(text):
        code = ilo_code(m.group("type"), m.group("number"), bool(m.group("protocol")))
        lead = OPENING_VERB.match(text) if m.start() == 0 else None
        start = m.start() + (lead.end() if lead else 0)
        mentions.append(Mention(MentionKind.ILO, Span(offset + start, offset + m.end()), code))
    return mentions


def find_resolutions(text: str, offset: int, own: str = "A/") -> list[Mention]:
    """Resolutions, decisions and documents named by number or symbol in prose; ``own``: the
    citing body's series ("A/HRC/": "its resolution 5/1" is the Council's)."""
    return [
        Mention(MentionKind.RESOLUTION, Span(n.start, n.end), n.symbol)
        for n in find_numbered(text, offset, own)
    ]


def find_grammar_names(text: str, offset: int, skip_first: bool) -> list[Mention]:
    """Instrument names the grammar reads, whether or not the authority data knows them."""
    return [
        Mention(MentionKind.NAME, Span(n.start, n.end), n.key, name=n)
        for n in find_names(text, offset, skip_first=skip_first)
    ]


def find_short(text: str, offset: int, aliases: frozenset[str]) -> list[Mention]:
    return [
        Mention(MentionKind.SHORT, Span(f.start, f.end), f.form)
        for f in find_short_forms(text, offset, aliases)
    ]


def find_anaphora(text: str, offset: int) -> list[Mention]:
    mentions: list[Mention] = []
    if text.isascii():  # (where IGNORECASE matches only what lower-casing gives)
        lower = text.lower()
        if "thereto" not in lower and "instruments" not in lower:
            return mentions  # what every anaphor ends with: most texts have neither
    for m in ANAPHORA.finditer(text):
        if m.group("group"):
            form = "instruments"
        else:
            form = ("optional-" if m.group("optional") else "") + m.group("noun").lower()
        mentions.append(
            Mention(MentionKind.ANAPHORA, Span(offset + m.start(), offset + m.end()), form)
        )
    return mentions


def find_mentions(
    text: str,
    offset: int,
    authority: Authority,
    *,
    extra: TitleIndex | None = None,
    short: frozenset[str] | None = None,
    skip_first: bool = True,
    own: str = "A/",
) -> list[Mention]:
    """All mentions in one paragraph or footnote, in text order; a mention inside a longer one
    is part of it, not a mention of its own. Titles the authority (or ``extra``: records made
    from earlier text) knows come first; a name the grammar reads replaces them only where its
    head comes before them ("Additional Protocol to the <known Convention>"). ``short``: read
    document-local short forms too, with these aliases the document gave; ``own``: see
    :func:`find_resolutions`."""
    tokens = Tokens(text)
    titles = title_index(authority).find(text, offset, tokens)
    names = find_grammar_names(text, offset, skip_first)
    if extra is not None:
        made = [t for t in extra.find(text, offset, tokens) if not _within(t, names)]
        titles = _merge_titles(titles, made)
    names = [n for n in names if not any(_head_inside(n, t) for t in titles)]
    titles = [t for t in titles if not any(_protocol_over(n, t) for n in names)]
    others = find_ilo(text, offset) + find_resolutions(text, offset, own)
    others += find_anaphora(text, offset)
    kept = _Kept(titles)
    _keep(kept, others + names)
    if short is not None:  # short forms last: "the Antarctic Treaty" is a name's, not a form
        _keep(kept, find_short(text, offset, short))
    return sorted(kept.mentions, key=lambda x: x.span.start)


def _keep(kept: _Kept, others: list[Mention]) -> None:
    """Add mentions, longest first, where they neither lie inside nor overlap a kept one."""
    for m in sorted(others, key=lambda x: (-(x.span.end - x.span.start), x.span.start)):
        near = kept.near(m.span)
        inside = [k for k in near if k.span.contains(m.span) or m.span.contains(k.span)]
        if m.kind is MentionKind.ANAPHORA and any(k.kind is MentionKind.TITLE for k in inside):
            continue  # "the Protocols thereto" inside a quoted title
        if any(k.span.contains(m.span) for k in inside):
            continue
        if not any(_overlap(k.span, m.span) and not _names_around(m, k) for k in near):
            kept.add(m)


def _names_around(name: Mention, title: Mention) -> bool:
    """ "Final Document of the 2010 Review Conference of the Parties to the Treaty on the
    Non-Proliferation of Nuclear Weapons" cites the Treaty too: a name (not a protocol's)
    whose head comes before a title it contains is read around it."""
    return (
        name.kind is MentionKind.NAME
        and title.kind is MentionKind.TITLE
        and _heads_over(name, title)
        and name.name is not None
        and "protocol" not in name.name.kind
    )


def _protocol_over(name: Mention, title: Mention) -> bool:
    """ "the Protocol Additional to the Geneva Conventions" cites the Protocol, not the
    Conventions (as "Protocol to the X" in the seed's gold)."""
    return name.name is not None and "protocol" in name.name.kind and _heads_over(name, title)


def _within(title: Mention, names: list[Mention]) -> bool:
    """A title made from earlier text ("Rome Statute") inside a longer name read now."""
    return any(n.span.contains(title.span) and n.span != title.span for n in names)


def _head_inside(name: Mention, title: Mention) -> bool:
    """A grammar name whose head lies inside a title the authority knows reads no further
    than that title: the title is the better reading."""
    assert name.name is not None
    return title.span.start <= name.name.head_start < title.span.end


def _heads_over(name: Mention, title: Mention) -> bool:
    """A grammar name whose head comes before a title it contains names another instrument:
    "the Protocol Additional to the Geneva Conventions" is not the Geneva Conventions."""
    assert name.name is not None
    return (
        name.span.contains(title.span)
        and name.span != title.span
        and name.name.head_start < title.span.start
    )


class _Kept:
    """Mentions kept so far, ordered by start, so that those near a span are found by
    bisection: a paragraph with thousands of mentions is read in n log n, not n²."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions: list[Mention] = []
        self._starts: list[int] = []
        self._longest = 0
        for m in mentions:
            self.add(m)

    def add(self, m: Mention) -> None:
        at = bisect.bisect_right(self._starts, m.span.start)
        self._starts.insert(at, m.span.start)
        self.mentions.insert(at, m)
        self._longest = max(self._longest, m.span.end - m.span.start)

    def near(self, span: Span) -> list[Mention]:
        """Every kept mention that may overlap, contain or lie inside `span`."""
        lo = bisect.bisect_left(self._starts, span.start - self._longest)
        hi = bisect.bisect_right(self._starts, span.end)
        return self.mentions[lo:hi]


def _merge_titles(first: list[Mention], second: list[Mention]) -> list[Mention]:
    found = [(m.span.start, m.span.end, m.key) for m in first + second]
    return [Mention(MentionKind.TITLE, Span(s, e), key) for s, e, key in _longest_first(found)]


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


# --- footnote references ----------------------------------------------------------------

UNTS = re.compile(
    r"(?:United Nations,\s*Treaty Series,\s*|\b[Ii]bid\.,\s*)"
    r"vols?\.\s*(?P<vols>\d+(?:(?:,\s*|\s+and\s+)\d+)*)"
    r"(?:,\s*No\.\s*(?P<number>\d+))?(?:,\s*p\.\s*(?P<page>\d+))?"
)
OFFICIAL_RECORDS = re.compile(
    r"Official Records of the [^,]+,[^()]*?Supplement No\.\s*\d+[A-Z]?\s*\((?P<symbol>[^)]+)\)"
    r"(?:,\s*(?P<pinpoint>[^;]+?))?\.?\s*$"
)
RESOLUTION_REF = re.compile(
    r"^(?:See\s+(?:also\s+)?)?(?:General Assembly\s+)?[Rr]esolutions?\s+"
    r"(?P<number>(?:ES-|S-)?\d+/\d+|\d+\s*(?:[A-Z]\s*)?\([IVXL]+\))"
    r"(?:,\s*(?P<pinpoint>[^;]+?))?\.?\s*$"
)
SYMBOL = re.compile(
    r"(?<![\w/.])(?P<symbol>[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.()-]*[A-Za-z0-9)])+)"
    r"(?:,\s*(?P<pinpoint>(?:annex|sect\.|chap\.|para\.|paras\.|resolution|decision)[^;()]*))?"
    r"(?=[\s.,;)]|$)"
)
SALES = re.compile(r"Sales No\.\s*(?P<sales>[A-Z]\.\d{2}\.[IVXL]+\.[A-Z]?\d+)")
IBID = re.compile(r"^\s*(?:and\s+)?[Ii]bid\.")


def _segments(text: str) -> list[tuple[int, str]]:
    """Split a footnote at top-level semicolons, keeping each segment's offset."""
    out: list[tuple[int, str]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            out.append((start, text[start:i]))
            start = i + 1
    out.append((start, text[start:]))
    return out


def find_references(footnote: Footnote, previous: Footnote | None) -> Footnote:
    """Read the references of one footnote; ``previous`` is what an ``Ibid.`` continues."""
    refs: list[Reference] = []
    continues = previous.number if previous and IBID.match(footnote.text) else None
    for at, segment in _segments(footnote.text):
        base = footnote.span.start + at
        lead = len(segment) - len(segment.lstrip())
        segment_refs = _segment_references(segment.strip(), base + lead)
        ibid = IBID.match(segment) is not None
        if ibid and not segment_refs and previous is not None:
            # A bare "Ibid." repeats the previous footnote's references.
            span = Span(base + lead, base + len(segment.rstrip()))
            segment_refs = [replace(r, span=span) for r in previous.references]
        if ibid:
            source = previous.number if previous and at == 0 else footnote.number
            segment_refs = [replace(r, ibid=True, continues=source) for r in segment_refs]
        refs.extend(segment_refs)
    return replace(footnote, references=tuple(refs), continues=continues)


def _segment_references(segment: str, base: int) -> list[Reference]:
    if m := UNTS.search(segment):
        volumes = [int(v) for v in re.findall(r"\d+", m.group("vols"))]
        number = int(m.group("number")) if m.group("number") else None
        page = int(m.group("page")) if m.group("page") else None
        span = Span(base + m.start(), base + m.end())
        return [
            Reference(ReferenceKind.UNTS, span, volume=v, number=number, page=page) for v in volumes
        ]
    if m := OFFICIAL_RECORDS.search(segment):
        return [
            _ref(
                ReferenceKind.OFFICIAL_RECORDS,
                m,
                base,
                m.group("symbol").strip(),
                m.group("pinpoint"),
            )
        ]
    if m := RESOLUTION_REF.search(segment):
        symbol = ga_symbol(m.group("number"))
        part = re.search(r"\d+\s+([A-Z])\s*\(", m.group("number"))
        pinpoint = ", ".join(
            p for p in (part and f"part {part.group(1)}", m.group("pinpoint")) if p
        )
        return [_ref(ReferenceKind.RESOLUTION, m, base, symbol, pinpoint or None)]
    symbols = [s for s in SYMBOL.finditer(segment) if re.search(r"\d", s.group("symbol"))]
    if symbols:
        return [
            _ref(ReferenceKind.SYMBOL, s, base, s.group("symbol"), s.group("pinpoint"))
            for s in symbols
        ]
    if m := SALES.search(segment):
        span = Span(base + m.start(), base + m.end())
        return [Reference(ReferenceKind.PUBLICATION, span, sales_number=m.group("sales"))]
    # A footnote in prose ("Including General Assembly resolution 60/180 and Security Council
    # resolution 1645 (2005), ..."): the numbers the text names, read as in a paragraph.
    return [
        Reference(ReferenceKind.RESOLUTION, m.span, symbol=m.key)
        for m in find_resolutions(segment, base)
        if m.key.startswith(("A/RES/", "S/RES/", "E/RES/", "A/HRC/RES/", "A/DEC/"))
    ]


def _ref(
    kind: ReferenceKind, m: re.Match[str], base: int, symbol: str, pinpoint: str | None
) -> Reference:
    span = Span(base + m.start(), base + m.end())
    return Reference(kind, span, symbol=symbol, pinpoint=(pinpoint or "").strip(" .") or None)


def with_references(document: Document) -> Document:
    """The document with every footnote's references read."""
    footnotes: list[Footnote] = []
    previous: Footnote | None = None
    for f in document.footnotes:
        read = find_references(f, previous)
        footnotes.append(read)
        previous = read
    return replace(document, footnotes=tuple(footnotes))
