"""The statements of one extraction under the ontology: the resolution and its paragraphs and
footnotes, each citation (its two views: tg:cites and a Web Annotation), the parents in the
standard vocabularies, and the instruments with their UNTS records."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import cache

import pyoxigraph as ox

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
from treatygraph.rdf.iris import body_key
from treatygraph.rdf.terms import (
    ACTIVITY,
    ASSOCIATED,
    AUTHORITY_SOURCE,
    CHARACTERIZATION,
    CITED,
    CITING,
    CITO_CITATION,
    CITO_CITES,
    DERIVED,
    ENTITY,
    EXACT_MATCH,
    GENERATED,
    IDENTIFIER,
    LABEL,
    NOTE,
    OA_END,
    OA_EXACT,
    OA_POSITION,
    OA_PREFIX,
    OA_QUOTE,
    OA_SELECTOR,
    OA_SOURCE,
    OA_SPECIFIC,
    OA_START,
    OA_SUFFIX,
    PREF_LABEL,
    QUOTE_CONTEXT,
    SEE_ALSO,
    SOFTWARE_AGENT,
    TITLE,
    USED,
    Node,
    Reading,
    T,
    Writer,
    _literal,
    iri_node,
    software_version,
    text_digest,
)
from treatygraph.rdf.vocab import (
    CITES_PARENTS,
    TG,
    WD,
    citation_intent,
    concept_labels,
    instrument_classes,
    instrument_kind,
    via_concept,
)

# --- resolutions -------------------------------------------------------------------------------


def _build(w: Writer, digest: str, checksums: Mapping[str, str]) -> Node:
    """The build activity, named by ``digest``."""
    version = software_version()
    build = iri_node(w.ids.build(digest))
    agent = iri_node(w.ids.agent())
    w.types(build, T.Build, ACTIVITY)
    w.text(build, LABEL, f"treatygraph {version} build {digest}")
    w.text(build, T.softwareVersion, version)
    w.add(build, ASSOCIATED, agent)
    w.types(agent, SOFTWARE_AGENT)
    w.text(agent, LABEL, "treatygraph")
    for name in sorted(checksums):
        w.add(build, USED, _source(w, name, checksums))
    return build


def _source(w: Writer, name: str, checksums: Mapping[str, str]) -> Node:
    node = iri_node(w.ids.source(name))
    w.types(node, T.SourceFile, ENTITY)
    w.text(node, LABEL, name)
    w.text(node, T.sha256, checksums.get(name))
    return node


def _resolution(w: Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    meta = doc.meta
    res = iri_node(w.ids.resolution(meta.symbol))
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
    w.text(res, T.textSha256, text_digest(doc))
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


def _adopted_by(w: Writer, subject: Node, text: str | None) -> None:
    if not text or not text.strip():
        return
    _, label = body_key(text)
    body = iri_node(w.ids.body(text))
    w.add(subject, T.adoptedBy, body)
    w.types(body, T.Body)
    _labels(w, body, _literal(label))


def _paragraph(
    w: Writer, doc: Document, res: Node, p: Paragraph, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = iri_node(w.ids.paragraph(symbol, p.id))
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
            fn = iri_node(w.ids.footnote(symbol, marker.number))
            w.add(node, T.hasFootnote, fn)
            w.integer(fn, T.markerOffset, marker.offset)
    for index, item in enumerate(p.items, 1):
        sub = iri_node(w.ids.sub_item(symbol, p.id, item.letter))
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
    w: Writer, doc: Document, res: Node, f: Footnote, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = iri_node(w.ids.footnote(symbol, f.number))
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
        ref = iri_node(w.ids.reference(symbol, f.number, index))
        w.add(node, T.hasReference, ref)
        _reference(w, ref, reference, index)
        if reference.continues is not None and reference.continues in footnotes:
            w.iri(ref, T.continues, w.ids.footnote(symbol, reference.continues))


def _reference(w: Writer, ref: Node, r: Reference, position: int) -> None:
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


def _unts(w: Writer, volume: int, number: int | None, page: int | None) -> Node:
    node = iri_node(w.ids.unts(volume, number, page))
    w.types(node, T.UNTSRecord)
    label = f"UNTS vol. {volume}" + (f", No. {number}" if number is not None else "")
    w.text(node, LABEL, label)
    w.integer(node, T.untsVolume, volume)
    w.integer(node, T.untsNumber, number)
    w.integer(node, T.untsPage, page)
    return node


# --- citations ---------------------------------------------------------------------------------


def _citations(w: Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    paragraphs = {p.id: p for p in doc.paragraphs}
    footnotes = {f.number for f in doc.footnotes}
    ordinals: Counter[str] = Counter()
    for c in extraction.citations:
        if c.paragraph not in paragraphs:
            raise ValueError(f"{doc.meta.symbol}: citation of unknown paragraph {c.paragraph}")
        ordinals[c.paragraph] += 1
        node = iri_node(w.ids.citation(doc.meta.symbol, c.paragraph, ordinals[c.paragraph]))
        _citation(w, doc, node, c, paragraphs[c.paragraph], footnotes)
        w.add(node, GENERATED, build)
        if source is not None:
            w.add(node, DERIVED, source)


def _citation(
    w: Writer, doc: Document, node: Node, c: Citation, p: Paragraph, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    paragraph = iri_node(w.ids.paragraph(symbol, c.paragraph))
    instrument = iri_node(w.ids.instrument(c.instrument.id))
    w.types(node, T.Citation, CITO_CITATION)
    w.add(node, CITING, paragraph)
    w.add(node, CITED, instrument)
    w.add(node, T.foundBy, iri_node(via_concept(c.via.value)))
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
            w.add(paragraph, iri_node(intent.prop), instrument)
    for item in p.items:
        if item.span.contains(c.span):
            w.iri(node, T.inSubItem, w.ids.sub_item(symbol, p.id, item.letter))
    _evidence(w, doc, node, c)


def _evidence(w: Writer, doc: Document, citation: Node, c: Citation) -> None:
    """The quoted text as Web Annotation: a specific resource of the resolution with a quote
    selector (exact text, some context) and a position selector (offsets)."""
    iri = citation[1:-1]
    target = iri_node(f"{iri}/evidence")
    quote = iri_node(f"{iri}/quote")
    position = iri_node(f"{iri}/position")
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


_CITES_PARENTS = tuple(iri_node(p) for p in CITES_PARENTS)


def _cites_parents(w: Writer, paragraph: Node, instrument: Node) -> None:
    """Beside ``paragraph tg:cites instrument``, the same edge with each parent property the
    ontology declares (cito:cites, dcterms:references, eli:cites): a query in the standard
    vocabularies finds every citation without a reasoner."""
    for prop in _CITES_PARENTS:
        w.add(paragraph, prop, instrument)


def _labels(w: Writer, node: Node, label: str) -> None:
    """A concept's (or body's) label, as ``skos:prefLabel`` and as ``rdfs:label``."""
    w.add(node, PREF_LABEL, label)
    w.add(node, LABEL, label)


@cache
def _concept_lines() -> tuple[tuple[Node, str], ...]:
    labels = concept_labels()
    return tuple((iri_node(c.iri), str(ox.Literal(c.label, language=c.language))) for c in labels)


def _concepts(w: Writer) -> None:
    """The labels of every concept of the ontology's schemes (intents, ways of finding,
    instrument kinds), so that answers naming a concept can show its label from the data
    graph alone (the ontology itself is loaded into a named graph of its own)."""
    for node, label in _concept_lines():
        _labels(w, node, label)


# --- instruments -------------------------------------------------------------------------------


def _add_parents(
    readings: dict[str, Reading], instruments: Mapping[str, Instrument] | None
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
            readings[parent] = Reading(("", record), authority, set(record.parent), set())
            wanted.extend(record.parent)


def _instrument(
    w: Writer,
    reading: Reading,
    build: Node,
    checksums: Mapping[str, str],
    known: set[str],
) -> None:
    """One node per instrument id. Resolutions may carry differing copies of a text-only
    record: an authority record wins, else the first in symbol order."""
    inst = (reading.authority or reading.first)[1]
    node = iri_node(w.ids.instrument(inst.id))
    kind = instrument_kind(inst.kind)
    w.types(node, *(iri_node(TG + cls) for cls in instrument_classes(kind)))
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


def _links(w: Writer, node: Node, inst: Instrument) -> None:
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
