"""The RDF mapping: IRIs, every model field, both views of a citation, canonical output,
round trips through Turtle and JSON-LD, and SPARQL questions over the result."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import treatygraph as graph
from treatygraph.model import (
    Citation,
    Document,
    Extraction,
    Footnote,
    FootnoteMarker,
    Instrument,
    Paragraph,
    ParagraphKind,
    Reference,
    ReferenceKind,
    ResolutionMeta,
    Span,
    SubItem,
    Unts,
    Via,
)
from treatygraph.rdf import mapping as rdf
from treatygraph.rdf import parts as rdf_parts
from treatygraph.rdf import statements as rdf_statements
from treatygraph.rdf import terms as rdf_terms
from treatygraph.rdf.vocab import (
    CITO,
    INTENTS,
    KINDS,
    TG,
    Intent,
    instrument_classes,
    instrument_kind,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "A-RES-77-194.txt"
QUERIES = ROOT / "queries"
BASE = "https://example.org/id/"
R1 = f"{BASE}resolution/A-RES-99-1"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ELI = "http://data.europa.eu/eli/ontology#"
DCT = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
INST = f"{BASE}instrument/"
BODY = f"{BASE}body/"

# --- a small hand-made corpus: two resolutions, a protocol and its parent, footnotes -------------

CRC = Instrument(
    "crc",
    "Convention on the Rights of the Child",
    "convention",
    short_title="CRC; Children's Convention",
    unts=(Unts(1577, 27531, 3),),
    adopting_body="United Nations General Assembly (resolution 44/25)",
    adoption_date=date(1989, 11, 20),
    adoption_place="New York",
    entry_into_force=date(1990, 9, 2),
    untc_id="IV-11",
    sources="adoption_date=AVL-CRC",
    notes="page not confirmed",
)
OPSC = Instrument(
    "opsc",
    "Optional Protocol to the Convention on the Rights of the Child on the sale of children",
    "optional protocol",
    unts=(Unts(2171, 27531),),
    parent=("crc",),
    adopting_body="United Nations General Assembly (resolution 54/263)",
    adoption_date=date(2000, 5, 25),
    entry_into_force=date(2002, 1, 18),
)
C029 = Instrument(
    "c029",
    "Forced Labour Convention, 1930 (No. 29)",
    "ILO convention",
    unts=(Unts(39, 612, 55),),
    ilo_code="C029",
    adopting_body="International Labour Conference, 14th session",
    adoption_date=date(1930, 6, 28),
    entry_into_force=date(1932, 5, 1),
    normlex_id="312174",
    wikidata="Q1140218",
)
PLAN = Instrument(
    "global_plan_of_action",
    "United Nations Global Plan of Action to Combat Trafficking in Persons",
    "GA resolution",
    symbol="A/RES/64/293",
    adopting_body="United Nations General Assembly (resolution 64/293)",
    adoption_date=date(2010, 7, 30),
)
ALLIANCE = Instrument(
    "alliance-8-7", "Alliance 8.7", "other (global partnership)", in_authority=False
)

Para = tuple[str, str, tuple[tuple[int, str], ...], tuple[str, ...]]  # id, text, markers, items


def make_document(
    meta: ResolutionMeta,
    paras: list[Para],
    notes: list[tuple[int, str, tuple[Reference, ...], int | None]],
    source: str | None,
) -> Document:
    """Paragraphs then footnotes, one a line; markers attach after a phrase; references span
    their footnote (their ``span`` argument is ignored)."""
    text, spans = "", {}
    for pid, body, _, _ in paras:
        spans[pid] = Span(len(text), len(text) + len(body))
        text += body + "\n"
    footnotes = []
    for number, body, refs, continues in notes:
        span = Span(len(text), len(text) + len(body))
        refs = tuple(replace(r, span=span) for r in refs)
        footnotes.append(Footnote(number, span, body, refs, continues))
        text += body + "\n"
    paragraphs = []
    for pid, body, markers, letters in paras:
        start = spans[pid].start
        kind = ParagraphKind.PREAMBULAR if pid.startswith("pp") else ParagraphKind.OPERATIVE
        marks = tuple(FootnoteMarker(n, start + body.index(p) + len(p)) for n, p in markers)
        cuts = [body.index(f"({letter})") for letter in letters] + [len(body)]
        items = tuple(
            SubItem(letter, Span(start + cuts[i], start + cuts[i + 1]))
            for i, letter in enumerate(letters)
        )
        paragraphs.append(Paragraph(kind, int(pid[2:]), spans[pid], body, marks, items))
    return Document(meta, text, tuple(paragraphs), tuple(footnotes), source_file=source)


def cite(
    doc: Document,
    pid: str,
    instrument: Instrument,
    quote: str,
    via: Via,
    intent: str | None,
    footnote: int | None = None,
) -> Citation:
    start = doc.text.index(quote, doc.paragraph(pid).span.start)
    return Citation(pid, instrument, via, Span(start, start + len(quote)), quote, footnote, intent)


def unts_ref(
    volume: int, number: int, ibid: bool = False, continues: int | None = None
) -> Reference:
    return Reference(ReferenceKind.UNTS, Span(0, 0), volume, number, ibid=ibid, continues=continues)


def first_resolution() -> Extraction:
    meta = ResolutionMeta(
        "A/RES/99/1", "Children and trafficking", session=99, adoption_date=date(2024, 12, 17)
    )
    doc = make_document(
        meta,
        [
            (
                "pp1",
                "Recalling the Convention on the Rights of the Child and the Optional Protocol "
                "thereto on the sale of children,",
                ((1, "Child"), (2, "children")),
                (),
            ),
            (
                "pp2",
                "Welcoming the United Nations Global Plan of Action to Combat Trafficking in "
                "Persons and Alliance 8.7,",
                (),
                (),
            ),
            (
                "op1",
                "Urges Member States to consider ratifying the Convention on the Rights of the "
                "Child and the Forced Labour Convention, 1930 (No. 29), and in particular: "
                "(a) to support the Optional Protocol thereto; (b) to act;",
                ((3, "(No. 29)"),),
                ("a", "b"),
            ),
            (
                "op2",
                "Invites States parties to the Convention on the Rights of the Child to report;",
                (),
                (),
            ),
        ],
        [
            (
                1,
                "United Nations, Treaty Series, vol. 1577, No. 27531.",
                (unts_ref(1577, 27531),),
                None,
            ),
            (2, "Ibid., vol. 2171, No. 27531.", (unts_ref(2171, 27531, True, 1),), 1),
            (3, "Ibid., vol. 39, No. 612.", (unts_ref(39, 612, True, 1),), 1),
        ],
        "corpus/A-RES-99-1.txt",
    )
    crc = "Convention on the Rights of the Child"
    citations = (
        cite(doc, "pp1", CRC, crc, Via.FOOTNOTE, "recalling", 1),
        cite(doc, "pp1", OPSC, "Optional Protocol thereto", Via.FOOTNOTE, "recalling", 2),
        cite(doc, "pp2", PLAN, PLAN.title, Via.TITLE, "welcoming"),
        cite(doc, "pp2", ALLIANCE, "Alliance 8.7", Via.TITLE, "welcoming"),
        cite(doc, "op1", CRC, crc, Via.TITLE, "urges-ratification"),
        cite(doc, "op1", C029, C029.title, Via.FOOTNOTE, "urges-ratification", 3),
        cite(doc, "op1", OPSC, "Optional Protocol thereto", Via.ANAPHORA, "supports"),
        cite(doc, "op2", CRC, crc, Via.TITLE, "invites-states-parties"),
    )
    return Extraction(doc, citations)


def second_resolution() -> Extraction:
    meta = ResolutionMeta("A/RES/99/2", "Forced labour", source="A-RES-99-2.meta.yaml")
    doc = make_document(
        meta,
        [
            (
                "op1",
                "Calls upon States to implement the Convention on the Rights of the Child.",
                (),
                (),
            )
        ],
        [],
        "corpus/A-RES-99-2.txt",
    )
    other = Instrument("alliance-8-7", "Alliance 8.7 (another text)", "other", in_authority=False)
    citations = (
        cite(doc, "op1", CRC, "Convention on the Rights of the Child", Via.TITLE, "calls-upon"),
        cite(doc, "op1", other, "Convention", Via.TITLE, None),
    )
    return Extraction(doc, citations)


SOURCES = {"corpus/A-RES-99-1.txt": "1" * 64, "corpus/A-RES-99-2.txt": "2" * 64}


@pytest.fixture(scope="module")
def corpus() -> list[Extraction]:
    return [first_resolution(), second_resolution()]


@pytest.fixture(scope="module")
def triples(corpus: list[Extraction]) -> set[tuple[str, str, str]]:
    """The graph as (subject, predicate, object) in N-Triples term syntax."""
    return {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in rdf.triples(corpus, base=BASE, sources=SOURCES)
    }


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, datatype: str | None = None) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype) if datatype else None))


def objects(triples: set[tuple[str, str, str]], s: str, p: str) -> set[str]:
    return {o for (s2, p2, o) in triples if s2 == iri(s) and p2 == iri(p)}


# --- IRIs and the mapping of every node kind --------------------------------------------------

EXPECTED = [
    # resolution
    (R1, RDF_TYPE, iri(TG + "Resolution")),
    (R1, TG + "symbol", lit("A/RES/99/1")),
    (R1, DCT + "title", lit("Children and trafficking")),
    (R1, TG + "session", lit("99", "integer")),
    (R1, TG + "adoptionDate", lit("2024-12-17", "date")),
    (R1, TG + "adoptedBy", iri(BODY + "general-assembly")),
    (R1, TG + "metadataSource", lit("header")),
    (R1, TG + "synthetic", lit("false", "boolean")),
    (R1, PROV + "wasDerivedFrom", iri(BASE + "source/A-RES-99-1.txt")),
    (R1, ELI + "has_part", iri(R1 + "/op/1")),
    (R1, ELI + "has_part", iri(R1 + "/fn/2")),
    # paragraphs and sub-items
    (R1 + "/pp/1", RDF_TYPE, iri(TG + "PreambularParagraph")),
    (R1 + "/pp/1", RDF_TYPE, iri(TG + "Paragraph")),
    (R1 + "/op/1", RDF_TYPE, iri(TG + "OperativeParagraph")),
    (R1 + "/op/1", TG + "localId", lit("op1")),
    (R1 + "/op/1", TG + "number", lit("1", "integer")),
    (R1 + "/op/1", TG + "position", lit("3", "integer")),
    (R1 + "/op/1", ELI + "is_part_of", iri(R1)),
    (R1 + "/op/1", DCT + "isPartOf", iri(R1)),
    (R1 + "/op/1", TG + "hasFootnote", iri(R1 + "/fn/3")),
    (R1 + "/op/1", ELI + "has_part", iri(R1 + "/op/1/a")),
    (R1 + "/op/1/a", RDF_TYPE, iri(TG + "SubItem")),
    (R1 + "/op/1/a", TG + "letter", lit("a")),
    (R1 + "/op/1/a", TG + "localId", lit("op1(a)")),
    (R1 + "/op/1/b", TG + "position", lit("2", "integer")),
    (R1 + "/op/1/b", ELI + "is_part_of", iri(R1 + "/op/1")),
    # footnotes and references
    (R1 + "/fn/2", RDF_TYPE, iri(TG + "Footnote")),
    (R1 + "/fn/2", TG + "footnoteNumber", lit("2", "integer")),
    (R1 + "/fn/2", TG + "continues", iri(R1 + "/fn/1")),
    (R1 + "/fn/2", TG + "hasReference", iri(R1 + "/fn/2/ref/1")),
    (R1 + "/fn/2/ref/1", TG + "referenceKind", lit("unts")),
    (R1 + "/fn/2/ref/1", TG + "volume", lit("2171", "integer")),
    (R1 + "/fn/2/ref/1", TG + "number", lit("27531", "integer")),
    (R1 + "/fn/2/ref/1", TG + "ibid", lit("true", "boolean")),
    (R1 + "/fn/2/ref/1", TG + "continues", iri(R1 + "/fn/1")),
    (R1 + "/fn/2/ref/1", TG + "untsRecord", iri(BASE + "unts/2171/27531")),
    # citations: the reified view
    (R1 + "/citation/pp1-2", RDF_TYPE, iri(TG + "Citation")),
    (R1 + "/citation/pp1-2", RDF_TYPE, iri(CITO + "Citation")),
    (R1 + "/citation/pp1-2", CITO + "hasCitingEntity", iri(R1 + "/pp/1")),
    (R1 + "/citation/pp1-2", CITO + "hasCitedEntity", iri(INST + "opsc")),
    (R1 + "/citation/pp1-2", TG + "viaFootnote", iri(R1 + "/fn/2")),
    (R1 + "/citation/pp1-2", TG + "foundBy", iri(TG + "via-footnote")),
    (R1 + "/citation/pp1-2", TG + "intent", iri(TG + "intent-recalling")),
    (R1 + "/citation/pp1-2", CITO + "hasCitationCharacterization", iri(CITO + "citesAsAuthority")),
    (R1 + "/citation/op1-3", TG + "inSubItem", iri(R1 + "/op/1/a")),
    (R1 + "/citation/op1-3", TG + "foundBy", iri(TG + "via-anaphora")),
    (R1 + "/citation/op1-3", TG + "intent", iri(TG + "intent-other")),
    (R1 + "/citation/op1-3", TG + "intentKey", lit("supports")),
    (R1 + "/citation/op1-1", TG + "evidence", iri(R1 + "/citation/op1-1/evidence")),
    (R1 + "/citation/op1-1/evidence", OA + "hasSource", iri(R1)),
    (R1 + "/citation/op1-1/evidence", OA + "hasSelector", iri(R1 + "/citation/op1-1/quote")),
    (R1 + "/citation/op1-1/quote", RDF_TYPE, iri(OA + "TextQuoteSelector")),
    (R1 + "/citation/op1-1/quote", OA + "exact", lit("Convention on the Rights of the Child")),
    (R1 + "/citation/op1-1/position", RDF_TYPE, iri(OA + "TextPositionSelector")),
    # citations: the direct view, with the intent's own edge
    (R1 + "/pp/1", TG + "cites", iri(INST + "crc")),
    (R1 + "/pp/1", CITO + "citesAsAuthority", iri(INST + "opsc")),
    (R1 + "/pp/2", CITO + "agreesWith", iri(INST + "global_plan_of_action")),
    (R1 + "/op/1", TG + "urgesRatificationOf", iri(INST + "c029")),
    (R1 + "/op/2", TG + "invitesStatesPartiesTo", iri(INST + "crc")),
    # instruments
    (INST + "opsc", TG + "supplements", iri(INST + "crc")),
    (INST + "opsc", RDF_TYPE, iri(TG + "OptionalProtocol")),
    (INST + "opsc", RDF_TYPE, iri(TG + "Protocol")),
    (INST + "opsc", RDF_TYPE, iri(TG + "Treaty")),
    (INST + "opsc", RDF_TYPE, iri(TG + "Instrument")),
    (INST + "opsc", TG + "kind", iri(TG + "kind-optional-protocol")),
    (INST + "opsc", TG + "kindText", lit("optional protocol")),
    (INST + "crc", DCT + "identifier", lit("crc")),
    (INST + "crc", TG + "shortTitle", lit("CRC")),
    (INST + "crc", TG + "shortTitle", lit("Children's Convention")),
    (INST + "crc", TG + "untsRecord", iri(BASE + "unts/1577/27531")),
    (INST + "crc", TG + "adoptionDate", lit("1989-11-20", "date")),
    (INST + "crc", TG + "entryIntoForce", lit("1990-09-02", "date")),
    (INST + "crc", TG + "adoptionPlace", lit("New York")),
    (INST + "crc", TG + "adoptedBy", iri(BODY + "general-assembly")),
    (INST + "crc", TG + "adoptingBodyText", lit(str(CRC.adopting_body))),
    (INST + "crc", TG + "untcId", lit("IV-11")),
    (INST + "crc", TG + "inAuthority", lit("true", "boolean")),
    (INST + "crc", TG + "sourceNotes", lit("adoption_date=AVL-CRC")),
    (INST + "crc", PROV + "wasDerivedFrom", iri(BASE + "source/authority.csv")),
    (INST + "c029", RDF_TYPE, iri(TG + "ILOConvention")),
    (INST + "c029", RDF_TYPE, iri(TG + "Convention")),
    (INST + "c029", TG + "iloCode", lit("C029")),
    (INST + "c029", TG + "normlexId", lit("312174")),
    (INST + "c029", SKOS + "exactMatch", iri("http://www.wikidata.org/entity/Q1140218")),
    (INST + "c029", TG + "adoptedBy", iri(BODY + "international-labour-conference")),
    (INST + "global_plan_of_action", TG + "symbol", lit("A/RES/64/293")),
    (INST + "global_plan_of_action", RDF_TYPE, iri(TG + "UNResolution")),
    (INST + "alliance-8-7", RDF_TYPE, iri(TG + "Initiative")),
    (INST + "alliance-8-7", TG + "inAuthority", lit("false", "boolean")),
    (INST + "alliance-8-7", PROV + "wasDerivedFrom", iri(BASE + "source/A-RES-99-1.txt")),
    # UNTS records, bodies, provenance
    (BASE + "unts/1577/27531", RDF_TYPE, iri(TG + "UNTSRecord")),
    (BASE + "unts/1577/27531", TG + "untsVolume", lit("1577", "integer")),
    (BASE + "unts/1577/27531", TG + "untsNumber", lit("27531", "integer")),
    (BASE + "unts/1577/27531", TG + "untsPage", lit("3", "integer")),
    (BODY + "general-assembly", RDFS + "label", lit("General Assembly")),
    (BASE + "source/A-RES-99-1.txt", TG + "sha256", lit("1" * 64)),
    (BASE + "source/A-RES-99-1.txt", RDF_TYPE, iri(TG + "SourceFile")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("s", "p", "o"),
    EXPECTED,
    ids=[f"{s[len(BASE) :]} {p.split('#')[-1].split('/')[-1]}" for s, p, _ in EXPECTED],
)
def test_triple(triples: set[tuple[str, str, str]], s: str, p: str, o: str) -> None:
    assert (iri(s), iri(p), o) in triples


def test_no_blank_nodes(triples: set[tuple[str, str, str]]) -> None:
    assert not [t for t in triples if any(term.startswith("_:") for term in t)]


def test_one_node_per_instrument_shared_by_resolutions(triples: set[tuple[str, str, str]]) -> None:
    crc = BASE + "instrument/crc"
    assert objects(triples, crc, DCT + "title") == {lit(CRC.title)}
    citing = {s for (s, p, o) in triples if p == iri(TG + "cites") and o == iri(crc)}
    paragraphs = [R1 + "/pp/1", R1 + "/op/1", R1 + "/op/2", BASE + "resolution/A-RES-99-2/op/1"]
    assert citing == {iri(p) for p in paragraphs}


def test_text_only_record_seen_twice_keeps_the_first_in_symbol_order(
    triples: set[tuple[str, str, str]],
) -> None:
    alliance = BASE + "instrument/alliance-8-7"
    assert objects(triples, alliance, DCT + "title") == {lit("Alliance 8.7")}
    assert objects(triples, alliance, PROV + "wasDerivedFrom") == {
        iri(BASE + "source/A-RES-99-1.txt"),
        iri(BASE + "source/A-RES-99-2.txt"),
    }


def test_citation_ordinals_count_within_each_paragraph(triples: set[tuple[str, str, str]]) -> None:
    citations = {s for (s, p, o) in triples if p == iri(RDF_TYPE) and o == iri(TG + "Citation")}
    expected = ["pp1-1", "pp1-2", "pp2-1", "pp2-2", "op1-1", "op1-2", "op1-3", "op2-1"]
    assert citations == {iri(f"{R1}/citation/{c}") for c in expected} | {
        iri(f"{BASE}resolution/A-RES-99-2/citation/op1-{n}") for n in (1, 2)
    }


def test_citation_without_intent_has_the_plain_characterisation(
    triples: set[tuple[str, str, str]],
) -> None:
    c = BASE + "resolution/A-RES-99-2/citation/op1-2"
    assert objects(triples, c, CITO + "hasCitationCharacterization") == {iri(CITO + "cites")}
    assert objects(triples, c, TG + "intent") == set()


@pytest.mark.parametrize("intent", INTENTS, ids=[i.key for i in INTENTS])
def test_intent_gives_concept_characterisation_and_edge(intent: Intent) -> None:
    ext = first_resolution()
    c0 = ext.citations[0]
    one = Extraction(
        ext.document, (Citation(c0.paragraph, CRC, c0.via, c0.span, c0.quote, 1, intent.key),)
    )
    got = {(str(t.subject), str(t.predicate), str(t.object)) for t in rdf.triples([one], base=BASE)}
    c, paragraph, crc = R1 + "/citation/pp1-1", R1 + "/pp/1", iri(BASE + "instrument/crc")
    assert (iri(c), iri(TG + "intent"), iri(intent.concept)) in got
    assert (iri(c), iri(CITO + "hasCitationCharacterization"), iri(intent.prop)) in got
    edges = {p for (s, p, o) in got if s == iri(paragraph) and o == crc}
    parents = {iri(CITO + "cites"), iri(ELI + "cites"), iri(DCT + "references")}
    expected = {iri(TG + "cites"), *parents, iri(intent.prop)}
    assert edges == expected


@pytest.mark.parametrize(
    ("kind", "classes"),
    [
        ("convention", ("Convention", "Treaty", "Instrument")),
        ("optional protocol", ("OptionalProtocol", "Protocol", "Treaty", "Instrument")),
        ("ILO convention", ("ILOConvention", "Convention", "Treaty", "Instrument")),
        ("ILO protocol", ("ILOProtocol", "Protocol", "Treaty", "Instrument")),
        ("ILO recommendation", ("ILORecommendation", "Instrument")),
        ("GA resolution", ("UNResolution", "UNDocument", "Instrument")),
        ("other (COP resolution)", ("UNResolution", "UNDocument", "Instrument")),
        ("report (series)", ("Report", "UNDocument", "Instrument")),
        ("other (agreed conclusions)", ("UNDocument", "Instrument")),
        ("other (global compact)", ("Declaration", "Instrument")),
        ("other (EU Council plan)", ("RegionalInstrument", "Instrument")),
        ("other (trust fund established by GA resolution)", ("Initiative", "Instrument")),
        ("other (Security Council resolution)", ("UNResolution", "UNDocument", "Instrument")),
        ("other (something else)", ("OtherInstrument", "Instrument")),
    ],
)
def test_kind_to_classes(kind: str, classes: tuple[str, ...]) -> None:
    assert instrument_classes(instrument_kind(kind)) == classes


def test_every_kind_class_chain_ends_at_instrument() -> None:
    for kind in KINDS:
        assert instrument_classes(kind)[-1] == "Instrument"


def test_evidence_offsets_select_the_quote(corpus: list[Extraction]) -> None:
    store = _store(rdf.triples(corpus, base=BASE))
    rows = store.query(
        """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX tg: <https://w3id.org/treatygraph/ontology#>
        SELECT ?c ?exact ?start ?end WHERE { ?c tg:evidence/oa:hasSelector ?q, ?p .
        ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    texts = {BASE + "resolution/" + e.document.meta.slug: e.document.text for e in corpus}
    count = 0
    for row in rows:
        text = texts[row["c"].value.split("/citation/")[0]]
        assert text[int(row["start"].value) : int(row["end"].value)] == row["exact"].value
        count += 1
    assert count == 10


def test_the_same_input_in_any_order_gives_the_same_bytes(corpus: list[Extraction]) -> None:
    forward = rdf.to_ntriples(rdf.triples(corpus, base=BASE, sources=SOURCES))
    backward = rdf.to_ntriples(rdf.triples(corpus[::-1], base=BASE, sources=SOURCES))
    assert forward == backward
    lines = forward.splitlines()
    assert lines == sorted(set(lines)) and forward.endswith(" .\n")


def test_part_counts_and_lines_are_those_of_its_own_lines(corpus: list[Extraction]) -> None:
    """The part's counts, taken from the terms kept with each line, are those the lines give;
    its bytes are its own lines less those naming the build, in order."""
    seed = graph.read(Path(__file__).resolve().parents[1] / "corpus/A-RES-77-194.txt")
    for extraction in [*corpus, seed]:
        part, data = rdf_parts.resolution_part(extraction, base=BASE)
        w = rdf_terms.Writer(rdf_terms.CachedIds(BASE), part.iri)
        build = rdf_terms.iri_node(w.ids.build(rdf_terms.PENDING))
        source = rdf_terms.iri_node(w.ids.source(part.source)) if part.source else None
        rdf_statements._resolution(w, extraction, build, source)
        lines = sorted(line for by_predicate in w.local.values() for line in by_predicate)
        stats = rdf_parts._line_stats(lines)
        assert rdf_parts._own_stats(w.local) == stats
        assert (part.triples, part.subjects) == (stats["triples"], stats["subjects"])
        assert (part.properties, part.classes) == (stats["properties"], stats["classes"])
        named = f" {rdf_terms.GENERATED} {build} .\n"
        assert data.decode("utf-8") == "".join(ln for ln in lines if not ln.endswith(named))
        assert len(part.generated) == sum(ln.endswith(named) for ln in lines) > 0


def test_ntriples_are_byte_identical_across_processes() -> None:
    """Hash randomisation changes set order between processes; the output must not change."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_rdf as t; "
        "from treatygraph.rdf import mapping as rdf;"
        "sys.stdout.write(rdf.to_ntriples(rdf.triples([t.first_resolution(), "
        "t.second_resolution()], base=t.BASE, sources=t.SOURCES)))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent)],
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(hashlib.sha256(done.stdout).hexdigest())
    assert len(outputs) == 1


def test_duplicate_symbols_are_refused() -> None:
    with pytest.raises(ValueError, match="A/RES/99/1"):
        rdf.triples([first_resolution(), first_resolution()], base=BASE)


def test_citation_of_an_unknown_paragraph_is_refused() -> None:
    ext = first_resolution()
    bad = Citation("op9", CRC, Via.TITLE, Span(0, 1), "R")
    with pytest.raises(ValueError, match="op9"):
        rdf.triples([Extraction(ext.document, (bad,))], base=BASE)


def test_base_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREATYGRAPH_BASE", "http://data.example/tg")
    subjects = {str(t.subject)[1:-1] for t in rdf.triples([second_resolution()])}
    minted = {s for s in subjects if not s.startswith(TG)}  # the ontology's concepts keep theirs
    assert {s for s in minted if not s.startswith("http://data.example/tg/")} == set()


def test_reused_terms_are_declared_in_the_ontology(corpus: list[Extraction]) -> None:
    ontology = rdflib.Graph().parse(rdf_terms.ONTOLOGY_DIR / "treatygraph.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    used = set()
    for t in rdf.triples(corpus, base=BASE):
        if t.predicate.value != RDF_TYPE:
            used.add(t.predicate.value)
        elif isinstance(t.object, ox.NamedNode):
            used.add(t.object.value)
    assert used - declared == set()


def test_concepts_written_exist_in_the_ontology(corpus: list[Extraction]) -> None:
    ontology = rdflib.Graph().parse(rdf_terms.ONTOLOGY_DIR / "treatygraph.ttl")
    declared = {str(s) for s in ontology.subjects(None, None)}
    values = {
        t.object.value
        for t in rdf.triples(corpus, base=BASE)
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(TG)
    }
    assert values - declared == set()


# --- round trips ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_nt(corpus: list[Extraction]) -> str:
    return rdf.to_ntriples(rdf.triples(corpus, base=BASE, sources=SOURCES))


def _load(data: str, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=fmt)


def test_turtle_round_trip_is_isomorphic_and_canonical(graph_nt: str) -> None:
    original = _load(graph_nt, "nt")
    turtle = rdf.to_turtle(original)
    reloaded = _load(turtle, "turtle")
    assert isomorphic(original, reloaded)
    assert rdf.to_ntriples(reloaded) == graph_nt
    assert rdf.to_ntriples(_load(rdf.to_ntriples(reloaded), "nt")) == graph_nt


@pytest.mark.parametrize("reader", ["rdflib", "oxigraph"])
def test_jsonld_round_trip(graph_nt: str, reader: str) -> None:
    text = rdf.to_jsonld(_load(graph_nt, "nt"))
    if reader == "rdflib":
        assert isomorphic(_load(text, "json-ld"), _load(graph_nt, "nt"))
    else:
        parsed = {str(q.triple) for q in ox.parse(text, format=ox.RdfFormat.JSON_LD)}
        assert parsed == {line[:-2] for line in graph_nt.splitlines()}


def test_jsonld_uses_the_published_context_terms(graph_nt: str) -> None:
    text = rdf.to_jsonld(_load(graph_nt, "nt"))
    assert '"cites": [' in text or '"cites": "' in text
    assert '"untsVolume": 1577' in text
    assert '"adoptionDate": "1989-11-20"' in text


def test_to_graph_gives_an_rdflib_view(corpus: list[Extraction], graph_nt: str) -> None:
    g = rdf.to_graph(corpus, base=BASE, sources=SOURCES)
    assert isinstance(g, rdflib.Graph) and isomorphic(g, _load(graph_nt, "nt"))


# --- SPARQL questions (queries/*.rq), on the hand-made corpus and on the seed ---------------


def _store(triples: list[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def ask(store: ox.Store, name: str, **bindings: str) -> list[dict[str, str | None]]:
    """Run ``queries/<name>.rq`` with some of its variables bound to string literals."""
    query = (QUERIES / f"{name}.rq").read_text("utf-8")
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): ox.Literal(v) for k, v in bindings.items()
    }
    solutions = store.query(query, substitutions=subs)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


def test_sparql_instruments_of_a_paragraph_with_unts(corpus: list[Extraction]) -> None:
    store = _store(rdf.triples(corpus, base=BASE))
    rows = ask(store, "paragraph-instruments-unts", symbol="A/RES/99/1", paragraphId="op1")
    got = {(r["instrumentId"], r["volume"], r["number"]) for r in rows}
    assert got == {("crc", "1577", "27531"), ("c029", "39", "612"), ("opsc", "2171", "27531")}


def test_sparql_paragraphs_citing_an_instrument(corpus: list[Extraction]) -> None:
    store = _store(rdf.triples(corpus, base=BASE))
    rows = ask(store, "paragraphs-citing-instrument", instrumentId="crc")
    got = [(r["symbol"], r["paragraphId"], r["intents"]) for r in rows]
    assert got == [
        ("A/RES/99/1", "pp1", "recalling"),
        ("A/RES/99/1", "op1", "urges-ratification"),
        ("A/RES/99/1", "op2", "invites-states-parties"),
        ("A/RES/99/2", "op1", "calls-upon"),
    ]


OUR_QUERIES = (
    "paragraph-instruments-unts",
    "paragraphs-citing-instrument",
    "ratification-urged",
    "protocols-and-parents",
    "citation-intents",
)


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.rq")))
def test_every_example_query_runs(corpus: list[Extraction], name: str) -> None:
    """Every example query parses and runs against the vocabulary; ours also answer."""
    store = _store(rdf.triples(corpus, base=BASE))
    result = store.query((QUERIES / f"{name}.rq").read_text("utf-8"))
    answers = [bool(result)] if isinstance(result, ox.QueryBoolean) else list(result)
    assert answers or name not in OUR_QUERIES


seed = pytest.mark.skipif(
    not (hasattr(graph, "read") and SEED.exists()), reason="needs graph.read and the seed corpus"
)


@pytest.fixture(scope="module")
def seed_extraction() -> Extraction:
    return graph.read(SEED)


@pytest.fixture(scope="module")
def seed_store(seed_extraction: Extraction) -> ox.Store:
    return _store(rdf.triples([seed_extraction]))


@seed
def test_seed_op5_instruments_with_unts_match_the_extractor(
    seed_extraction: Extraction, seed_store: ox.Store
) -> None:
    rows = ask(seed_store, "paragraph-instruments-unts", symbol="A/RES/77/194", paragraphId="op5")
    cited = seed_extraction.citations_of("op5")
    assert {r["instrumentId"] for r in rows} == {c.instrument.id for c in cited}
    assert len({c.instrument.id for c in cited}) == 17
    expected = {
        (c.instrument.id, str(u.volume), None if u.number is None else str(u.number))
        for c in cited
        for u in c.instrument.unts
    }
    got = {(r["instrumentId"], r["volume"], r["number"]) for r in rows if r["volume"]}
    assert got == expected


@seed
def test_seed_paragraphs_citing_cedaw(seed_store: ox.Store) -> None:
    rows = ask(seed_store, "paragraphs-citing-instrument", instrumentId="cedaw")
    assert [r["paragraphId"] for r in rows] == ["pp2", "op5", "op50"]


def _only_opsc() -> Extraction:
    ext = first_resolution()
    return Extraction(ext.document, (ext.citations[1],))  # pp1 cites OPSC alone


@pytest.mark.parametrize(
    ("records", "parent_title"),
    [
        ({"crc": CRC}, CRC.title),  # given records
        (None, "Convention on the Rights of the Child"),  # the authority data by default
        ({}, None),  # nowhere to be found: no edge to an undescribed node
    ],
    ids=["given", "authority", "unknown"],
)
def test_uncited_parent_is_described_or_left_out(
    records: dict[str, Instrument] | None, parent_title: str | None
) -> None:
    got = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in rdf.triples([_only_opsc()], base=BASE, instruments=records)
    }
    crc = INST + "crc"
    edge = (iri(INST + "opsc"), iri(TG + "supplements"), iri(crc))
    assert (edge in got) == (parent_title is not None)
    assert objects(got, crc, DCT + "title") == ({lit(parent_title)} if parent_title else set())
    assert not {t for t in got if t[1] == iri(CITO + "hasCitedEntity") and t[2] == iri(crc)}
