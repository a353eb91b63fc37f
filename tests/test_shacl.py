"""SHACL: the built graph conforms, and each shape rejects a graph broken on purpose, for the
reason it was broken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

import treatygraph as graph
from treatygraph.build.dist import SHAPES_FILE, shacl
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

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "A-RES-77-194.txt"
BASE = "https://example.org/id/"
RES = f"{BASE}resolution/A-RES-99-1"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
TG = rdflib.Namespace("https://w3id.org/treatygraph/ontology#")
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
CITO = rdflib.Namespace("http://purl.org/spar/cito/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

# --- a small resolution: a footnoted convention, its protocol, sub-items ----------------------

CRC = Instrument(
    "crc",
    "Convention on the Rights of the Child",
    "convention",
    unts=(Unts(1577, 27531),),
    adopting_body="United Nations General Assembly (resolution 44/25)",
    adoption_date=date(1989, 11, 20),
    entry_into_force=date(1990, 9, 2),
    untc_id="IV-11",
)
OPSC = Instrument(
    "opsc",
    "Optional Protocol to the Convention on the Rights of the Child on the sale of children",
    "optional protocol",
    unts=(Unts(2171, 27531),),
    parent=("crc",),
    adoption_date=date(2000, 5, 25),
    entry_into_force=date(2002, 1, 18),
)
C029 = Instrument(
    "c029", "Forced Labour Convention, 1930 (No. 29)", "ILO convention", ilo_code="C029"
)


def resolution() -> Extraction:
    pp1 = "Recalling the Convention on the Rights of the Child and the Optional Protocol thereto,"
    op1 = (
        "Urges States to ratify (a) the Optional Protocol thereto; (b) the Forced Labour Convention"
    )
    fn1 = "United Nations, Treaty Series, vol. 1577, No. 27531."
    fn2 = "Ibid., vol. 2171, No. 27531."
    text = "\n".join([pp1, op1, fn1, fn2]) + "\n"
    at = [0, len(pp1) + 1, len(pp1) + len(op1) + 2, len(pp1) + len(op1) + len(fn1) + 3]
    a, b = at[1] + op1.index("(a)"), at[1] + op1.index("(b)")
    marker = pp1.index("Child") + len("Child")
    paragraphs = (
        Paragraph(
            ParagraphKind.PREAMBULAR, 1, Span(0, len(pp1)), pp1, (FootnoteMarker(1, marker),)
        ),
        Paragraph(
            ParagraphKind.OPERATIVE, 1, Span(at[1], at[1] + len(op1)), op1, (),
            (SubItem("a", Span(a, b)), SubItem("b", Span(b, at[1] + len(op1)))),
        ),
    )  # fmt: skip
    span1, span2 = Span(at[2], at[2] + len(fn1)), Span(at[3], at[3] + len(fn2))
    footnotes = (
        Footnote(1, span1, fn1, (Reference(ReferenceKind.UNTS, span1, 1577, 27531),)),
        Footnote(2, span2, fn2, (Reference(ReferenceKind.UNTS, span2, 2171, 27531, ibid=True),), 1),
    )
    meta = ResolutionMeta("A/RES/99/1", "Children", session=99, adoption_date=date(2024, 12, 17))
    doc = Document(meta, text, paragraphs, footnotes, source_file="A-RES-99-1.txt")

    def cite(
        pid: str, inst: Instrument, quote: str, via: Via, intent: str, fn: int | None = None
    ) -> Citation:
        start = text.index(quote, doc.paragraph(pid).span.start)
        return Citation(pid, inst, via, Span(start, start + len(quote)), quote, fn, intent)

    return Extraction(
        doc,
        (
            cite("pp1", CRC, "Convention on the Rights of the Child", Via.FOOTNOTE, "recalling", 1),
            cite("pp1", OPSC, "Optional Protocol thereto", Via.ANAPHORA, "recalling"),
            cite("op1", OPSC, "Optional Protocol thereto", Via.ANAPHORA, "urges-ratification"),
            cite("op1", C029, "Forced Labour Convention", Via.TITLE, "urges-ratification"),
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def good() -> rdflib.Graph:
    return rdf.to_graph([resolution()], base=BASE, sources={"A-RES-99-1.txt": "a" * 64})


Violation = tuple[URIRef, URIRef | None, URIRef]  # component, path, focus node


def violations(data: rdflib.Graph) -> set[Violation]:
    import pyshacl

    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, rdflib.Graph)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        path = report.value(result, SH.resultPath)
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        assert isinstance(component, URIRef)
        # Graph-wide checks report their offender as the value, not the focus node.
        node = value if component == SH.SPARQLConstraintComponent else focus
        found.add((component, path if isinstance(path, URIRef) else None, URIRef(str(node))))
    assert bool(conforms) == (not found)
    return found


def test_the_built_graph_conforms(good: rdflib.Graph) -> None:
    assert violations(good) == set()
    conforms, text = shacl(good)
    assert conforms, text


def test_every_target_class_has_instances_in_the_built_graph(good: rdflib.Graph) -> None:
    """A shape whose class never occurs in the data would check nothing."""
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    targets = set(shapes.objects(None, SH.targetClass))
    assert {t for t in targets if (None, RDF.type, t) not in good} == set()


def citation(n: str) -> URIRef:
    return URIRef(f"{RES}/citation/{n}")


CRC_IRI = URIRef(f"{BASE}instrument/crc")
RECORD = URIRef(f"{BASE}unts/1577/27531")
PP1, OP1 = URIRef(f"{RES}/pp/1"), URIRef(f"{RES}/op/1")

Break = Callable[[rdflib.Graph], None]


def drop(s: URIRef, p: URIRef, o: URIRef | None = None) -> Break:
    def change(g: rdflib.Graph) -> None:
        g.remove((s, p, o))

    return change


def swap(s: URIRef, p: URIRef, value: rdflib.term.Node) -> Break:
    def change(g: rdflib.Graph) -> None:
        g.remove((s, p, None))
        g.add((s, p, value))

    return change


def add(s: URIRef, p: URIRef, value: rdflib.term.Node) -> Break:
    def change(g: rdflib.Graph) -> None:
        g.add((s, p, value))

    return change


def both(*changes: Break) -> Break:
    def change(g: rdflib.Graph) -> None:
        for c in changes:
            c(g)

    return change


QUOTE = URIRef(f"{citation('pp1-1')}/quote")
POSITION = URIRef(f"{citation('pp1-1')}/position")
EVIDENCE = URIRef(f"{citation('pp1-1')}/evidence")
BROKEN: dict[str, tuple[Break, Violation]] = {
    "citation without a cited entity": (
        drop(citation("pp1-1"), CITO.hasCitedEntity),
        (SH.MinCountConstraintComponent, CITO.hasCitedEntity, citation("pp1-1")),
    ),
    "citation of something that is not an instrument": (
        swap(citation("pp1-1"), CITO.hasCitedEntity, RECORD),
        (SH.ClassConstraintComponent, CITO.hasCitedEntity, citation("pp1-1")),
    ),
    "UNTS record without a volume": (
        drop(RECORD, TG.untsVolume),
        (SH.MinCountConstraintComponent, TG.untsVolume, RECORD),
    ),
    "UNTS record with two volumes": (
        add(RECORD, TG.untsVolume, Literal(1578)),
        (SH.MaxCountConstraintComponent, TG.untsVolume, RECORD),
    ),
    "paragraph outside any resolution": (
        both(drop(PP1, ELI.is_part_of), drop(PP1, DCT.isPartOf)),
        (SH.MinCountConstraintComponent, ELI.is_part_of, PP1),
    ),
    "paragraph part of a paragraph": (
        swap(PP1, ELI.is_part_of, OP1),
        (SH.ClassConstraintComponent, ELI.is_part_of, PP1),
    ),
    "paragraph both preambular and operative": (
        add(PP1, RDF.type, TG.OperativeParagraph),
        (SH.XoneConstraintComponent, None, PP1),
    ),
    "sub-item outside any paragraph": (
        drop(URIRef(f"{RES}/op/1/a"), ELI.is_part_of),
        (SH.MinCountConstraintComponent, ELI.is_part_of, URIRef(f"{RES}/op/1/a")),
    ),
    "selector without exact text": (
        drop(QUOTE, OA.exact),
        (SH.MinCountConstraintComponent, OA.exact, QUOTE),
    ),
    "selector with empty exact text": (
        swap(QUOTE, OA.exact, Literal("")),
        (SH.MinLengthConstraintComponent, OA.exact, QUOTE),
    ),
    "evidence without a quote selector": (
        drop(EVIDENCE, OA.hasSelector, QUOTE),
        (SH.QualifiedMinCountConstraintComponent, OA.hasSelector, EVIDENCE),
    ),
    "position ending before it starts": (
        swap(POSITION, OA.end, Literal(0)),
        (SH.LessThanOrEqualsConstraintComponent, OA.start, POSITION),
    ),
    "quote not as long as its offsets": (
        swap(QUOTE, OA.exact, Literal("Convention")),
        (SH.SPARQLConstraintComponent, None, EVIDENCE),
    ),
    "citation whose paragraph lacks the direct edge": (
        drop(PP1, TG.cites, CRC_IRI),
        (SH.SPARQLConstraintComponent, None, citation("pp1-1")),
    ),
    "paragraph citing without the standard parent edges": (
        drop(PP1, CITO.cites, CRC_IRI),
        (SH.SPARQLConstraintComponent, None, PP1),
    ),
    "concept the data names without its label": (
        drop(TG["kind-convention"], SKOS.prefLabel),
        (SH.SPARQLConstraintComponent, None, TG["kind-convention"]),
    ),
    "body without a preferred label": (
        drop(URIRef(f"{BASE}body/general-assembly"), SKOS.prefLabel),
        (SH.MinCountConstraintComponent, SKOS.prefLabel, URIRef(f"{BASE}body/general-assembly")),
    ),
    "intent outside the scheme": (
        swap(citation("pp1-1"), TG.intent, TG["intent-deplores"]),
        (SH.InConstraintComponent, TG.intent, citation("pp1-1")),
    ),
    "kind outside the scheme": (
        swap(CRC_IRI, TG.kind, TG.Convention),
        (SH.InConstraintComponent, TG.kind, CRC_IRI),
    ),
    "date as a plain string": (
        swap(CRC_IRI, TG.adoptionDate, Literal("1989-11-20")),
        (SH.DatatypeConstraintComponent, TG.adoptionDate, CRC_IRI),
    ),
    "date that is not a valid xsd:date": (
        swap(CRC_IRI, TG.entryIntoForce, Literal("2 September 1990", datatype=XSD.date)),
        (SH.DatatypeConstraintComponent, TG.entryIntoForce, CRC_IRI),
    ),
    "resolution date with a time": (
        swap(URIRef(RES), TG.adoptionDate, Literal("2024-12-17T10:00:00", datatype=XSD.dateTime)),
        (SH.DatatypeConstraintComponent, TG.adoptionDate, URIRef(RES)),
    ),
    "entry into force before adoption": (
        swap(CRC_IRI, TG.entryIntoForce, Literal(date(1980, 1, 1))),
        (SH.LessThanOrEqualsConstraintComponent, TG.adoptionDate, CRC_IRI),
    ),
    "ILO code of the wrong shape": (
        swap(URIRef(f"{BASE}instrument/c029"), TG.iloCode, Literal("No. 29")),
        (SH.PatternConstraintComponent, TG.iloCode, URIRef(f"{BASE}instrument/c029")),
    ),
    "footnote continuing something that is not a footnote": (
        swap(URIRef(f"{RES}/fn/2"), TG.continues, RECORD),
        (SH.ClassConstraintComponent, TG.continues, URIRef(f"{RES}/fn/2")),
    ),
    "resolution without a symbol": (
        drop(URIRef(RES), TG.symbol),
        (SH.MinCountConstraintComponent, TG.symbol, URIRef(RES)),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_shape_rejects_its_broken_graph(good: rdflib.Graph, case: str) -> None:
    breaking, expected = BROKEN[case]
    broken = rdflib.Graph()
    for triple in good:
        broken.add(triple)
    breaking(broken)
    found = violations(broken)
    assert expected in found, sorted(found)


def test_an_empty_quote_from_the_extractor_is_rejected() -> None:
    ext = resolution()
    bad = replace(ext.citations[0], quote="", span=Span(5, 5))
    found = violations(rdf.to_graph([Extraction(ext.document, (bad,))], base=BASE))
    quote = URIRef(f"{RES}/citation/pp1-1/quote")
    assert (SH.MinCountConstraintComponent, OA.exact, quote) in found


@pytest.mark.skipif(
    not (hasattr(graph, "read") and SEED.exists()), reason="needs graph.read and the seed corpus"
)
def test_the_seed_graph_has_no_violations() -> None:
    found = violations(rdf.to_graph([graph.read(SEED)]))
    assert found == set()
