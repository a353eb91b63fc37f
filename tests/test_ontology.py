"""The ontology: every term documented, the tables in code agree with the data in the TTL,
the generated HTML page and JSON-LD context are in step and complete."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.collection import Collection

from treatygraph.rdf import ontology_page as ontology_doc
from treatygraph.rdf.vocab import (
    CITO,
    INSTRUMENT_PARENTS,
    INTENTS,
    KINDS,
    TG,
    VIAS,
    Intent,
    Kind,
    instrument_kind,
)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
AUTHORITY = ROOT / "graph" / "data" / "authority.csv"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
T = rdflib.Namespace(TG)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def g() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "treatygraph.ttl", format="turtle")


def declared(g: rdflib.Graph, *types: URIRef) -> list[URIRef]:
    return sorted({s for t in types for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)})


def ours(g: rdflib.Graph, *types: URIRef) -> list[URIRef]:
    return [s for s in declared(g, *types) if str(s).startswith(TG)]


def test_ontology_header(g: rdflib.Graph) -> None:
    header = URIRef("https://w3id.org/treatygraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in g
    for prop in (OWL.versionInfo, OWL.versionIRI, DCT.title, DCT.description, DCT.license):
        assert g.value(header, prop) is not None, prop


def test_every_class_and_property_has_a_label_and_a_definition(g: rdflib.Graph) -> None:
    terms = ours(g, OWL.Class, *PROPERTY_TYPES)
    assert len(terms) > 60
    missing = [t for t in terms if not (g.value(t, RDFS.label) and g.value(t, SKOS.definition))]
    assert missing == []


def test_every_reused_term_has_a_label_and_says_how_it_is_used(g: rdflib.Graph) -> None:
    reused = [t for t in declared(g, OWL.Class, *PROPERTY_TYPES) if not str(t).startswith(TG)]
    assert [t for t in reused if not (g.value(t, RDFS.label) and g.value(t, RDFS.comment))] == []
    assert [t for t in reused if g.value(t, RDFS.isDefinedBy) is None] == []


def test_every_tg_term_mentioned_is_defined(g: rdflib.Graph) -> None:
    """A typo in the TTL mints a new term silently; every tg: IRI used must be declared."""
    used = {term for triple in g for term in triple if isinstance(term, URIRef)}
    mentioned = {t for t in used if str(t).startswith(TG)}
    assert {t for t in mentioned if (t, RDF.type, None) not in g} == set()


def test_no_term_is_both_an_object_and_a_datatype_property(g: rdflib.Graph) -> None:
    both = set(declared(g, OWL.ObjectProperty)) & set(declared(g, OWL.DatatypeProperty))
    assert both == set()


def test_concepts_have_labels_and_definitions_in_their_scheme(g: rdflib.Graph) -> None:
    concepts = declared(g, SKOS.Concept)
    assert len(concepts) == len(KINDS) + len(INTENTS) + len(VIAS)
    for c in concepts:
        assert g.value(c, SKOS.prefLabel) and g.value(c, SKOS.definition), c
        assert (g.value(c, SKOS.inScheme), RDF.type, SKOS.ConceptScheme) in g, c


# --- tables in code agree with the data in the TTL ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=[k.key for k in KINDS])
def test_kind_concept_matches_the_code(g: rdflib.Graph, kind: Kind) -> None:
    concept = URIRef(kind.concept)
    assert (concept, SKOS.inScheme, T.InstrumentKinds) in g
    assert g.value(concept, T.instrumentClass) == T[kind.cls]
    assert {str(a) for a in g.objects(concept, SKOS.altLabel)} == set(kind.raw)


def test_every_authority_kind_is_mapped_by_the_table() -> None:
    """No kind of the authority data may fall through to the keyword fallback."""
    with AUTHORITY.open(encoding="utf-8") as f:
        kinds = {row["kind"].strip() for row in csv.DictReader(f) if row.get("kind")}
    listed = {raw.casefold() for kind in KINDS for raw in kind.raw}
    assert {k for k in kinds if k.casefold() not in listed} == set()
    assert all(instrument_kind(k).key != "other" for k in kinds)


def test_instrument_class_tree_matches_the_code(g: rdflib.Graph) -> None:
    tree = {
        str(child)[len(TG) :]: str(parent)[len(TG) :]
        for child, parent in g.subject_objects(RDFS.subClassOf)
        if str(child).startswith(TG) and str(parent).startswith(TG)
    }
    instrument_part = {c: p for c, p in tree.items() if c in INSTRUMENT_PARENTS}
    assert instrument_part == INSTRUMENT_PARENTS


@pytest.mark.parametrize("intent", INTENTS, ids=[i.key for i in INTENTS])
def test_intent_concept_matches_the_code(g: rdflib.Graph, intent: Intent) -> None:
    concept = URIRef(intent.concept)
    assert (concept, SKOS.inScheme, T.CitationIntents) in g
    assert str(g.value(concept, SKOS.notation)) == intent.key
    assert g.value(concept, T.citoProperty) == URIRef(intent.prop)
    prop = URIRef(intent.prop)
    if intent.prop.startswith(CITO):
        assert g.value(concept, SKOS.closeMatch) == prop
        assert (prop, RDF.type, OWL.ObjectProperty) in g
    else:
        assert (prop, RDFS.subPropertyOf, T.cites) in g


def test_readme_documents_every_intent_and_kind() -> None:
    readme = (ONTOLOGY / "README.md").read_text("utf-8")
    for intent in INTENTS:
        local = intent.prop.replace(TG, "tg:").replace(CITO, "cito:")
        assert re.search(rf"\| `{re.escape(intent.key)}`.*\| `{re.escape(local)}`", readme)
    for kind in KINDS:
        assert f"`tg:{kind.cls}`" in readme and f"`tg:kind-{kind.key}`" in readme


def test_shapes_list_the_same_concepts_as_the_ontology() -> None:
    shapes = rdflib.Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")

    def allowed(path: URIRef) -> set[str]:
        (prop,) = [p for p in shapes.subjects(SH.path, path) if (p, SH["in"], None) in shapes]
        head = shapes.value(prop, SH["in"])
        assert head is not None
        return {str(i) for i in Collection(shapes, head)}

    assert allowed(T.kind) == {k.concept for k in KINDS}
    assert allowed(T.intent) == {i.concept for i in INTENTS}
    assert allowed(T.foundBy) == {f"{TG}via-{v}" for v in VIAS}
    characterisation = URIRef(CITO + "hasCitationCharacterization")
    assert allowed(characterisation) == {i.prop for i in INTENTS}


# --- generated files ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["treatygraph.html", "context.jsonld"])
def test_generated_file_is_in_step_with_the_ttl(name: str) -> None:
    generated = {path.name: text for path, text in ontology_doc.outputs().items()}
    committed = (ONTOLOGY / name).read_text("utf-8")
    assert committed == generated[name], "run: python -m treatygraph.rdf.ontology_page"


def test_generator_check_mode_agrees() -> None:
    assert ontology_doc.main(["--check"]) == 0


def test_html_lists_every_class_property_and_concept(g: rdflib.Graph) -> None:
    page = (ONTOLOGY / "treatygraph.html").read_text("utf-8")
    listed = set(re.findall(r'data-iri="([^"]+)"', page))
    terms = declared(g, OWL.Class, *PROPERTY_TYPES, SKOS.Concept, SKOS.ConceptScheme)
    assert {str(t) for t in terms} - listed == set()
    for term in ours(g, OWL.Class, *PROPERTY_TYPES):
        label = str(g.value(term, RDFS.label))
        assert label in page, term


def test_html_shows_reuse_of_each_term(g: rdflib.Graph) -> None:
    page = (ONTOLOGY / "treatygraph.html").read_text("utf-8")
    section = page[page.index('id="Resolution"') :]
    section = section[: section.index("</section>")]
    assert "eli:LegalResource" in section and "undo:Resolution" in section


def test_context_has_a_term_for_every_tg_class_and_property(g: rdflib.Graph) -> None:
    context = json.loads((ONTOLOGY / "context.jsonld").read_text("utf-8"))["@context"]
    for term in ours(g, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        name = str(term)[len(TG) :]
        definition = context[name]
        iri = definition["@id"] if isinstance(definition, dict) else definition
        assert iri == f"tg:{name}"
        coercion = definition.get("@type") if isinstance(definition, dict) else None
        if (term, RDF.type, OWL.ObjectProperty) in g:
            assert coercion == "@id", name
        elif (term, RDFS.range, rdflib.XSD.date) in g:
            assert coercion == "xsd:date", name
        else:
            assert coercion is None, name


def test_every_term_the_mapping_writes_is_declared() -> None:
    """`T` of the mapping lists the tg: terms it writes; each is a term of the ontology."""
    from treatygraph.rdf.terms import T as Terms

    g = rdflib.Graph().parse(ROOT / "ontology" / "treatygraph.ttl")
    declared = {s for s in g.subjects() if isinstance(s, URIRef)}
    written = {URIRef(str(v).strip("<>")) for k, v in vars(Terms).items() if not k.startswith("_")}
    assert written and not written - declared, sorted(written - declared)
