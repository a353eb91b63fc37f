"""Records made from what the text says (names, UNTS references, ILO codes, document
symbols) and the spans of text that title them, for instruments the authority data lacks."""

from __future__ import annotations

import re
from datetime import date, datetime

from treatygraph.model import Instrument, Span, Unts, symbol_slug
from treatygraph.reader.grammar import Name

SYMBOL_KINDS = (
    ("/RES/", "UN resolution"), ("/DEC/", "UN decision"), ("/PRST/", "presidential statement"),
    ("WHA", "World Health Assembly resolution"),
)  # fmt: skip
INSTRUMENT_WORDS = re.compile(
    r"\b(Convention|Protocol|Covenant|Agreement|Treaty|Charter|Declaration|Statute|Principles|"
    r"Guidelines|Rules|Plan|Programme|Strategy|Compact|Agenda|Recommendation)\b"
)
TITLE_WORD = re.compile(r"^(?:[A-Z][\w'’-]*|of|on|the|and|for|against|in|to|by|from|with|a|an)$")
NUMBERISH = re.compile(r"\(?(?:No\.|\d+\)?|\d{4})")


def name_record(name: Name) -> Instrument:
    """A record for a name the grammar read, its id from the normalised title."""
    return Instrument(
        id=name.id,
        title=name.title,
        kind=name.kind,
        short_title=name.alias,
        in_authority=False,
        adoption_place=name.adoption_place,
        adoption_date=written_date(name.adoption_date),
    )


def is_treaty(inst: Instrument) -> bool:
    """Whether an instrument can have protocols: a convention, covenant, treaty, ..."""
    kind = inst.kind.lower()
    return any(k in kind for k in ("convention", "covenant", "treaty", "agreement", "statute"))


def protocol_record(parent: Instrument, optional: bool, plural: bool) -> Instrument:
    """ "the Optional Protocol thereto" of an instrument whose protocols nobody listed: one
    record for what the text says, under its parent."""
    noun = ("Optional " if optional else "") + ("Protocols" if plural else "Protocol")
    return Instrument(
        id=f"{parent.id}--{noun.lower().replace(' ', '-')}",
        title=f"{noun} to the {parent.title}",
        kind="optional protocol" if optional else "protocol",
        parent=(parent.id,),
        in_authority=False,
    )


def symbol_record(symbol: str, title: str | None) -> Instrument:
    """A record for a resolution or document known by its symbol only."""
    kind = next((k for part, k in SYMBOL_KINDS if part in symbol), "UN document")
    return Instrument(
        id=symbol_slug(symbol).lower(), title=title or symbol, kind=kind, symbol=symbol,
        in_authority=False,
    )  # fmt: skip


def written_date(text: str | None) -> date | None:
    """ "17 July 1998" as a date; None when absent or not a date."""
    try:
        return datetime.strptime(text, "%d %B %Y").date() if text else None
    except ValueError:
        return None


def only_documents(records: list[Instrument]) -> bool:
    """Records a footnote made from document symbols alone: the documents an instrument the
    text names is published in, not the instrument (a UNTS reference or a known record is)."""
    return bool(records) and all(
        not r.in_authority and not r.unts and r.kind != "treaty" for r in records
    )


def unts_record(unts: Unts, title: str | None) -> Instrument:
    number = f"-{unts.number}" if unts.number is not None else ""
    label = f"United Nations, Treaty Series, vol. {unts.volume}" + (
        f", No. {unts.number}" if unts.number is not None else ""
    )
    return Instrument(
        id=f"unts-{unts.volume}{number}", title=title or label, kind="treaty", unts=(unts,),
        in_authority=False,
    )  # fmt: skip


def ilo_record(code: str, title: str) -> Instrument:
    kind = {"C": "ILO convention", "P": "ILO protocol", "R": "ILO recommendation"}[code[0]]
    return Instrument(
        id=code.lower(), title=title, kind=kind, ilo_code=code, short_title=code, in_authority=False
    )


def text_title(text: str, start: int, end: int) -> Span | None:
    """The capitalised name that ends at ``end`` (before a footnote marker), for records the
    authority lacks: back over title words, stopping at a list's ", the" or "and the" and at
    the paragraph's opening verb."""
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    segment = text[start:end]
    tokens = segment.split()  # the runs of \S
    first: int | None = None
    for i in range(len(tokens) - 1, 0, -1):  # token 0 is the paragraph's verb
        word, after = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
        if after == "the" and (word.endswith(",") or word == "and"):
            break
        if not (TITLE_WORD.match(word.rstrip(",")) or NUMBERISH.fullmatch(word.rstrip(","))):
            break
        first = i
    while first is not None and first < len(tokens) and not tokens[first][:1].isupper():
        first += 1
    if first is None or first >= len(tokens):
        return None
    span = Span(start + _token_start(segment, tokens, first), end)
    return span if INSTRUMENT_WORDS.search(span.slice(text)) else None


def _token_start(segment: str, tokens: list[str], index: int) -> int:
    """Where ``tokens[index]`` (of ``segment.split()``) begins: back from the end, over the
    tokens after it and the white space before each."""
    at = len(segment)
    for token in reversed(tokens[index:]):
        while segment[at - 1].isspace():
            at -= 1
        at -= len(token)
    return at


def clause_before(text: str, start: int, offset: int) -> Span:
    """The clause a loose footnote marker closes: back to a semicolon or the paragraph's
    start, from its first "the", at most about 150 characters."""
    while offset > start and text[offset - 1] in " ,;:":
        offset -= 1  # the marker may follow the clause's own closing punctuation
    clause_start = max(start, text.rfind(";", start, offset) + 1)
    clause = text[clause_start:offset]
    the = clause.find("the ")
    if the >= 0:
        clause_start += the
    if offset - clause_start > 150:
        comma = text.rfind(", ", clause_start, offset - 20)
        clause_start = comma + 2 if comma >= 0 else clause_start
    end = offset
    while end > clause_start and text[end - 1] in " ,;:":
        end -= 1
    return Span(clause_start, end)


def unknown_unts_of(named: list[Instrument], by_note: list[Instrument]) -> bool:
    """One known instrument named, and its footnote gives a UNTS record nobody knew."""
    return (
        len(named) == len(by_note) == 1
        and named[0].in_authority
        and not named[0].unts
        and not by_note[0].in_authority
        and bool(by_note[0].unts)
    )


def known_and_document(named: list[Instrument], by_note: list[Instrument]) -> bool:
    """A treaty the authority knows by its UNTS record, and a footnote giving a document
    (the review conference's report on it): two citations."""
    return only_documents(by_note) and all(i.in_authority and i.unts for i in named)
