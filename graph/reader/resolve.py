"""Stage 4: resolve mentions and footnote references to instrument records.

Each paragraph is read in text order. A mention names candidates (a title, an ILO code, a
resolution number, an anaphor's antecedents); a footnote marker right after a mention
narrows or settles them with the footnote's references (UNTS volume and number, symbols).
A footnote whose marker follows no mention cites through the clause before the marker, and
names met inside footnote text (regional initiatives listed in a footnote) are cited too.
One instrument, one record: the same authority id, or the same identifier for records made
from the text alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from treatygraph.model import (
    Citation,
    Document,
    Footnote,
    FootnoteMarker,
    Instrument,
    Paragraph,
    Problem,
    Reference,
    ReferenceKind,
    Severity,
    Span,
    Unts,
    Via,
)
from treatygraph.reader.authority import Alias, Authority
from treatygraph.reader.find import Mention, MentionKind, TitleIndex, find_mentions
from treatygraph.reader.grammar import Name, name_key
from treatygraph.reader.intent import intents
from treatygraph.reader.local_names import LocalNames, form_of
from treatygraph.reader.numbers import own_series
from treatygraph.reader.protocols import child_topics, is_protocol, protocols_named, topic_of
from treatygraph.reader.text_records import (
    INSTRUMENT_WORDS,
    clause_before,
    ilo_record,
    is_treaty,
    known_and_document,
    name_record,
    only_documents,
    protocol_record,
    symbol_record,
    text_title,
    unknown_unts_of,
    unts_record,
)

ANAPHORA = MentionKind.ANAPHORA
ATTACH_GAP = re.compile(r"^[\s,;:.”’\")\]]{0,3}$")


@dataclass
class _Found:
    """A citation being assembled for one paragraph."""

    instrument: Instrument
    via: Via
    span: Span
    footnote: int | None = None


@dataclass
class _Paragraph:
    """What is known while one paragraph is read."""

    paragraph: Paragraph
    document: Document
    authority: Authority
    made: dict[str, Instrument]
    problems: list[Problem]
    titles: dict[int, TitleIndex | None]  # the index of made titles, by len(made)
    local: LocalNames  # the document's short forms so far
    by_name: dict[str, Instrument]  # grammar name key → the record it resolved to
    renamed: dict[str, Instrument]  # a name's record → the UNTS one a later footnote gave
    found: list[_Found] = field(default_factory=list)

    def add(self, found: _Found, alias: str | None = None) -> None:
        self.found.append(found)
        self.local.introduce(found.instrument, alias)

    def cited(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.found:
            seen.setdefault(f.instrument.id, None)
        return list(seen)


def resolve(
    document: Document, authority: Authority
) -> tuple[tuple[Citation, ...], tuple[Problem, ...]]:
    """Every citation of every paragraph, with the problems met on the way."""
    made: dict[str, Instrument] = {}
    problems: list[Problem] = []
    citations: list[Citation] = []
    titles: dict[int, TitleIndex | None] = {}
    local, by_name, renamed = LocalNames(), dict[str, Instrument](), dict[str, Instrument]()
    for paragraph in document.paragraphs:
        state = _Paragraph(
            paragraph, document, authority, made, problems, titles, local, by_name, renamed
        )
        _read_paragraph(state)
        spans = [_where(paragraph, f) for f in state.found]
        for f, intent in zip(state.found, intents(paragraph.text, spans), strict=True):
            quote = f.span.slice(document.text)
            citations.append(
                Citation(paragraph.id, f.instrument, f.via, f.span, quote, f.footnote, intent)
            )
    citations = [
        replace(c, instrument=renamed.get(c.instrument.id, c.instrument)) for c in citations
    ]
    return tuple(citations), tuple(problems)


def _where(paragraph: Paragraph, found: _Found) -> tuple[int, int]:
    """A citation's place in its paragraph's text: its span, or (a name read in a footnote)
    the footnote's marker."""
    start = paragraph.span.start
    if paragraph.span.contains(found.span):
        return found.span.start - start, found.span.end - start
    at = next((m.offset for m in paragraph.markers if m.number == found.footnote), None)
    at = paragraph.span.end if at is None else at
    return at - start, at - start


def _read_paragraph(state: _Paragraph) -> None:
    p = state.paragraph
    aliases = frozenset(state.local.aliases)
    own = own_series(state.document.meta.symbol)
    found = find_mentions(
        p.text, p.span.start, state.authority, extra=_made_titles(state), short=aliases, own=own
    )
    mentions = [_with_qualifier(state, m) for m in found]
    attached: dict[int, FootnoteMarker] = {}
    loose: list[FootnoteMarker] = []
    for marker in p.markers:
        owner = _mention_before(mentions, marker, state.document.text)
        if owner is not None:
            attached[owner] = marker
        else:
            loose.append(marker)
    events: list[tuple[int, int, int, Mention | FootnoteMarker]] = [
        (m.span.start, 0, i, m) for i, m in enumerate(mentions)
    ] + [(mk.offset, 1, i, mk) for i, mk in enumerate(loose)]
    for _, _, index, event in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(event, Mention):
            _read_mention(state, event, attached.get(index))
        else:
            _read_loose_marker(state, event)


def _mention_before(mentions: list[Mention], marker: FootnoteMarker, text: str) -> int | None:
    for i in range(len(mentions) - 1, -1, -1):
        m = mentions[i]
        if m.span.end <= marker.offset:
            return i if ATTACH_GAP.match(text[m.span.end : marker.offset]) else None
    return None


def _footnote(state: _Paragraph, number: int) -> Footnote | None:
    return next((f for f in state.document.footnotes if f.number == number), None)


def _read_mention(state: _Paragraph, mention: Mention, marker: FootnoteMarker | None) -> None:
    if mention.kind is MentionKind.SHORT:
        _read_short(state, mention)
        return
    local = _local(state, mention.name) if mention.name else None
    span, named = (mention.span, [local]) if local else _candidates(state, mention)
    via = Via.SHORT_NAME if local else _via(mention, named)
    footnote = _footnote(state, marker.number) if marker else None
    if footnote is not None:
        title = mention.name.title if mention.name else None
        if title is None and marker:
            title = _title_text(state, marker.offset)
        by_note = _from_references(state, footnote.references, title, named)
        if mention.name is not None and not local and only_documents(by_note):
            if len(by_note) == 1 and len(named) == 1 and not named[0].in_authority:
                named = [replace(named[0], symbol=named[0].symbol or by_note[0].symbol)]
            by_note = []  # "the X Programme of Action¹" with "¹ A/60/88, annex": where it is
        if mention.kind is MentionKind.TITLE and unknown_unts_of(named, by_note):
            by_note = named  # the authority record lacks the UNTS reference the footnote gives
        if by_note:
            missing = [i for i in named if i.id not in {n.id for n in by_note}]
            both = mention.kind is MentionKind.RESOLUTION or known_and_document(missing, by_note)
            for inst in missing if both else ():  # "resolution 72/4¹" with "¹ A/73/85"
                state.add(_Found(inst, _via(mention, [inst]), span))
            if missing and not both and mention.kind not in (ANAPHORA, MentionKind.NAME):
                _warn(
                    state,
                    f"footnote {footnote.number} cites {', '.join(i.id for i in by_note)}, "
                    f"the text names {', '.join(i.id for i in missing)}; the footnote is followed",
                )
            named, via = by_note, Via.FOOTNOTE
    made_title = mention.kind is MentionKind.TITLE and mention.key in state.made
    if (mention.name is not None or made_title) and len(named) == 1 and not local:
        key = mention.key if mention.name else name_key(state.made[mention.key].title)
        named = [_bind_name(state, key, named[0])]
    if not named:
        _warn(state, f"'{span.slice(state.document.text)}' cites nothing that could be resolved")
    before = state.document.text[state.paragraph.span.start : span.start]
    if len(named) == 1 and (kids := protocols_named(before, named[0], state.authority)):
        named = [k if k.in_authority else _made(state, k) for k in kids]  # "protocols to the X"
    alias = mention.name.alias if mention.name else None
    for inst in named:
        state.add(_Found(inst, via, span, footnote.number if footnote else None), alias)
    if footnote is not None:
        _cite_footnote_text(state, footnote)


def _bind_name(state: _Paragraph, key: str, record: Instrument) -> Instrument:
    """The record a name stands for in this document: the first one, unless a footnote now
    gives the UNTS record of a name first read without one (then every citation of it
    moves to the UNTS record)."""
    record = record if record.in_authority else _made(state, record)
    known = state.by_name.setdefault(key, record)
    if record.unts and not known.unts and not known.in_authority:
        state.renamed[known.id] = state.by_name[key] = record
        state.local.rename(known.id, record)
        return record
    return known


def _via(mention: Mention, named: list[Instrument]) -> Via:
    if mention.kind is MentionKind.ANAPHORA:
        return Via.ANAPHORA
    return Via.TITLE if all(i.in_authority for i in named) else Via.GRAMMAR


def _read_short(state: _Paragraph, mention: Mention) -> None:
    """A document-local short form: the one instrument it names, or nothing."""
    here = [f.instrument.id for f in state.found]
    inst = state.local.resolve(mention.key, here)
    if inst is not None:
        state.add(_Found(inst, Via.SHORT_NAME, mention.span))


def _read_loose_marker(state: _Paragraph, marker: FootnoteMarker) -> None:
    footnote = _footnote(state, marker.number)
    if footnote is None:
        return
    title = _text_title(state, marker.offset)
    span = title or clause_before(state.document.text, state.paragraph.span.start, marker.offset)
    _cite_footnote_text(state, footnote)  # names in the footnote keep their own spans
    cited = [f.instrument for f in state.found]
    title_text = title.slice(state.document.text) if title else None
    for inst in _from_references(state, footnote.references, title_text, cited):
        earlier = [f for f in state.found if f.instrument.id == inst.id]
        if earlier:
            earlier[-1].footnote, earlier[-1].via = footnote.number, Via.FOOTNOTE
        else:
            state.add(_Found(inst, Via.FOOTNOTE, span, footnote.number))


def _cite_footnote_text(state: _Paragraph, footnote: Footnote) -> None:
    """Names inside the footnote's own text: each a citation through the footnote."""
    read = [r.span for r in footnote.references]
    text, at = footnote.text, footnote.span.start
    for m in find_mentions(text, at, state.authority, skip_first=False):
        if m.kind in (MentionKind.ANAPHORA, MentionKind.RESOLUTION):
            continue  # the footnote's references already read its resolution numbers
        if any(r.start < m.span.end and m.span.start < r.end for r in read):
            continue  # a symbol the references read: the paragraph's words carry the quote
        _, named = _candidates(state, m)
        for inst in named:
            same = [f for f in state.found if f.instrument.id == inst.id]
            if same:
                same[-1].footnote = same[-1].footnote or footnote.number
                continue
            state.add(_Found(inst, Via.FOOTNOTE, m.span, footnote.number))


def _candidates(state: _Paragraph, mention: Mention) -> tuple[Span, list[Instrument]]:
    a = state.authority
    if mention.kind is MentionKind.TITLE:
        return mention.span, [a.instruments.get(mention.key) or state.made[mention.key]]
    if mention.kind is MentionKind.ILO:
        if mention.key in a.by_ilo:
            return mention.span, [a.get(a.by_ilo[mention.key])]
        title = mention.span.slice(state.document.text)
        return mention.span, [_made(state, ilo_record(mention.key, title))]
    if mention.kind is MentionKind.RESOLUTION:
        return mention.span, _by_symbol(state, mention.key, None)
    if mention.kind is MentionKind.NAME and mention.name is not None:
        return mention.span, [_by_name(state, mention.name)]
    return _antecedents(state, mention)


def _local(state: _Paragraph, name: Name) -> Instrument | None:
    """A name without a complement ("the Rome Statute", "River Treaty") that shortens one
    named earlier in the document, or the short name the document gave it in parentheses."""
    if state.by_name.get(name.key) is not None:
        return None
    here = [f.instrument.id for f in state.found]
    alias = state.local.resolve("=" + name.title, here)
    if alias is not None or name.title != " ".join(f"{name.modifiers} {name.head}".split()):
        return alias or state.local.by_prefix(name.title)
    return state.local.resolve(form_of(name.modifiers, name.head), here)


def _by_name(state: _Paragraph, name: Name) -> Instrument:
    """The record of a name the grammar read: the one this document (or a footnote's UNTS
    reference) gave it already, or one made from the name, its id from the normalised title."""
    known = state.by_name.get(name.key)
    if known is not None:
        return known
    return name_record(name)


def _antecedents(state: _Paragraph, mention: Mention) -> tuple[Span, list[Instrument]]:
    a = state.authority
    if mention.key == "instruments":
        return mention.span, [_record(state)(i) for i in state.cited()]
    optional = mention.key.startswith("optional-")
    plural = mention.key.endswith("s")
    for inst_id in reversed(state.cited()):
        kids = [a.get(k) for k in a.children.get(inst_id, ()) if is_protocol(a.get(k), optional)]
        record = _record(state)(inst_id)
        if not kids and is_treaty(record) and not record.in_authority:
            # the nearest treaty only the text knows: a record of its own protocol
            return mention.span, [_made(state, protocol_record(record, optional, plural))]
        if not kids:
            continue
        if plural or len(kids) == 1:
            return mention.span, kids
        return _qualified(state, mention.span, kids)
    return mention.span, []


def _record(state: _Paragraph) -> Callable[[str], Instrument]:
    return lambda i: state.authority.instruments.get(i) or state.made[i]


def _with_qualifier(state: _Paragraph, mention: Mention) -> Mention:
    """ "the Optional Protocol thereto on the sale of children, ...": the qualifier naming a
    child instrument belongs to the anaphor (and so does the footnote marker after it)."""
    if mention.kind is not MentionKind.ANAPHORA or mention.key == "instruments":
        return mention
    after = state.document.text[mention.span.end : state.paragraph.span.end].lower()
    for topic in child_topics(state.authority):
        if after.startswith(" " + topic):
            end = mention.span.end + 1 + len(topic)
            return replace(mention, span=Span(mention.span.start, end))
    return mention


def _qualified(
    state: _Paragraph, span: Span, kids: list[Instrument]
) -> tuple[Span, list[Instrument]]:
    """A singular anaphor among several children: the child its qualifier names."""
    said = span.slice(state.document.text).lower()
    for kid in kids:
        topic = topic_of(kid, state.authority)
        if topic and said.endswith(" " + topic.lower()):
            return span, [kid]
    return span, []


def _from_references(
    state: _Paragraph,
    refs: tuple[Reference, ...],
    title: str | None,
    named: list[Instrument] | None = None,
) -> list[Instrument]:
    """The instruments a footnote's references cite. A reference that fits several records
    (two Covenants annexed to one resolution) is narrowed by the name in the text."""
    found: dict[str, Instrument] = {}
    named_ids = {i.id for i in named or ()}
    for ref in refs:
        candidates = _resolve_reference(state, ref, title)
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.id in named_ids] or candidates
        for inst in candidates:
            found.setdefault(inst.id, inst)
    return list(found.values())


def _resolve_reference(state: _Paragraph, ref: Reference, title: str | None) -> list[Instrument]:
    a = state.authority
    if ref.kind is ReferenceKind.UNTS and ref.volume is not None:
        hit = a.by_unts.get((ref.volume, ref.number))
        if hit:
            return [a.get(hit)]
        unts = Unts(ref.volume, ref.number, ref.page)
        return [_made(state, unts_record(unts, title))]
    if ref.kind is ReferenceKind.PUBLICATION and ref.sales_number:
        hit = a.by_sales_number.get(ref.sales_number)
        return [a.get(hit)] if hit else []
    if ref.symbol:
        return _by_symbol(state, ref.symbol, title)
    return []


def _by_symbol(state: _Paragraph, symbol: str, title: str | None) -> list[Instrument]:
    a = state.authority
    while symbol.endswith(")") and symbol.count(")") > symbol.count("("):
        symbol = symbol[:-1]  # "(A/54/42)" read without its opening parenthesis
    ids = a.by_symbol.get(symbol)
    if ids:
        return [a.get(i) for i in ids]
    return [_made(state, symbol_record(symbol, title))]


def _made(state: _Paragraph, record: Instrument) -> Instrument:
    """One record per identifier for instruments the authority data lacks."""
    return state.made.setdefault(record.id, record)


def _text_title(state: _Paragraph, end: int) -> Span | None:
    return text_title(state.document.text, state.paragraph.span.start, end)


def _title_text(state: _Paragraph, end: int) -> str | None:
    span = _text_title(state, end)
    return span.slice(state.document.text) if span else None


def _made_titles(state: _Paragraph) -> TitleIndex | None:
    """Titles of records made from the text: named again later, they are found again.
    Records are only ever added to ``made``: its size tells whether the index is still good."""
    if len(state.made) in state.titles:
        return state.titles[len(state.made)]
    aliases = tuple(
        Alias(i.title, i.id, case_sensitive=False)
        for i in state.made.values()
        if len(i.title.split()) >= 3 and INSTRUMENT_WORDS.search(i.title) and not i.symbol
    )  # a document is found again by its symbol, not by words the text put before it
    index = state.titles[len(state.made)] = _index_of(aliases) if aliases else None
    return index


@lru_cache(maxsize=512)  # bounded: a reader process may read thousands of resolutions
def _index_of(aliases: tuple[Alias, ...]) -> TitleIndex:
    return TitleIndex.build(aliases)


def _warn(state: _Paragraph, message: str) -> None:
    state.problems.append(
        Problem(
            Severity.WARNING, message, file=state.document.source_file, where=state.paragraph.id
        )
    )
