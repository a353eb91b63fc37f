"""The vocabulary the RDF mapping writes: namespaces, instrument kinds and citation intents.

``ontology/treatygraph.ttl`` is the reference; these tables are its executable copy, and
``tests/test_ontology.py`` fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from treatygraph import resources
from treatygraph.rdf.iris import ONTOLOGY

TG = ONTOLOGY
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
ELI = "http://data.europa.eu/eli/ontology#"
CITO = "http://purl.org/spar/cito/"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
WD = "http://www.wikidata.org/entity/"

# Prefixes written in Turtle output and used in SPARQL examples.
PREFIXES = {
    "tg": TG,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "eli": ELI,
    "cito": CITO,
    "dcterms": DCTERMS,
    "prov": PROV,
    "skos": SKOS,
    "oa": OA,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "wd": WD,
}


@dataclass(frozen=True, slots=True)
class Kind:
    """An instrument kind: a SKOS concept and the OWL class an instrument of that kind gets."""

    key: str
    cls: str  # local name in the tg: namespace
    raw: tuple[str, ...]  # the authority data's `kind` strings that map here

    @property
    def concept(self) -> str:
        return f"{TG}kind-{self.key}"


KINDS = (
    Kind("convention", "Convention", ("convention",)),
    Kind("protocol", "Protocol", ("protocol",)),
    Kind("optional-protocol", "OptionalProtocol", ("optional protocol",)),
    Kind("ilo-convention", "ILOConvention", ("ILO convention",)),
    Kind("ilo-protocol", "ILOProtocol", ("ILO protocol",)),
    Kind("ilo-recommendation", "ILORecommendation", ("ILO recommendation",)),
    Kind(
        "declaration",
        "Declaration",
        ("declaration", "other (global compact)", "other (non-binding agenda)"),
    ),
    Kind(
        "un-resolution",
        "UNResolution",
        ("GA resolution", "other (COP resolution)", "other (functional commission resolution)"),
    ),
    Kind("report", "Report", ("report", "report (series)")),
    Kind(
        "un-document",
        "UNDocument",
        ("other (agreed conclusions)", "other (principles annexed to a report)"),
    ),
    Kind(
        "regional-instrument",
        "RegionalInstrument",
        (
            "other (regional agreement)",
            "other (regional action plan)",
            "other (EU Council plan)",
            "other (regional programme)",
        ),
    ),
    Kind(
        "initiative",
        "Initiative",
        (
            "other (initiative)",
            "other (global partnership)",
            "other (regional process)",
            "other (intergovernmental forum)",
            "other (trust fund established by GA resolution)",
            "other (observance established by GA resolution)",
        ),
    ),
    Kind("treaty", "Treaty", ("treaty",)),
    Kind("other", "OtherInstrument", ()),
)

# The tg: class hierarchy of instruments, child → parent; written out in full on each
# instrument so that `?i a tg:Convention` also finds ILO conventions without a reasoner.
INSTRUMENT_PARENTS = {
    "Treaty": "Instrument",
    "Convention": "Treaty",
    "Protocol": "Treaty",
    "OptionalProtocol": "Protocol",
    "ILOConvention": "Convention",
    "ILOProtocol": "Protocol",
    "ILORecommendation": "Instrument",
    "Declaration": "Instrument",
    "UNDocument": "Instrument",
    "UNResolution": "UNDocument",
    "Report": "UNDocument",
    "RegionalInstrument": "Instrument",
    "Initiative": "Instrument",
    "OtherInstrument": "Instrument",
}

_BY_RAW = {raw.casefold(): kind for kind in KINDS for raw in kind.raw}
_BY_KEY = {kind.key: kind for kind in KINDS}
# For kinds the table does not list yet, the first keyword found decides.
_KEYWORDS = (
    ("optional protocol", "optional-protocol"),
    ("protocol", "protocol"),
    ("convention", "convention"),
    ("declaration", "declaration"),
    ("resolution", "un-resolution"),
    ("report", "report"),
    ("regional", "regional-instrument"),
)


def instrument_kind(raw: str) -> Kind:
    """The kind of an instrument from the authority data's ``kind`` string.

    >>> instrument_kind("ILO convention").cls
    'ILOConvention'
    >>> instrument_kind("other (COP resolution)").key
    'un-resolution'
    >>> instrument_kind("other (Security Council resolution)").key
    'un-resolution'
    >>> instrument_kind("other (something new)").key
    'other'
    """
    text = " ".join(raw.split()).casefold()
    if text in _BY_RAW:
        return _BY_RAW[text]
    for word, key in _KEYWORDS:
        if word in text:
            return _BY_KEY[key]
    return _BY_KEY["other"]


def instrument_classes(kind: Kind) -> tuple[str, ...]:
    """The class of a kind and its tg: ancestors, most specific first.

    >>> instrument_classes(instrument_kind("ILO protocol"))
    ('ILOProtocol', 'Protocol', 'Treaty', 'Instrument')
    """
    chain = [kind.cls]
    while chain[-1] in INSTRUMENT_PARENTS:
        chain.append(INSTRUMENT_PARENTS[chain[-1]])
    return tuple(chain)


@dataclass(frozen=True, slots=True)
class Intent:
    """What a paragraph does with an instrument, from its verb: a SKOS concept and the
    property (CiTO's own where one fits, else a tg: subproperty of cito:cites) that links
    the paragraph to the instrument."""

    key: str
    prop: str  # full IRI of the paragraph → instrument property

    @property
    def concept(self) -> str:
        return f"{TG}intent-{self.key}"


INTENTS = (
    Intent("recalling", f"{CITO}citesAsAuthority"),
    Intent("reaffirming", f"{CITO}confirms"),
    Intent("welcoming", f"{CITO}agreesWith"),
    Intent("taking-note", f"{CITO}citesForInformation"),
    Intent("noting", f"{CITO}citesAsEvidence"),
    Intent("recognizing", f"{CITO}credits"),
    Intent("urges-ratification", f"{TG}urgesRatificationOf"),
    Intent("urges", f"{TG}urgesImplementationOf"),
    Intent("invites-states-parties", f"{TG}invitesStatesPartiesTo"),
    Intent("invites", f"{TG}invitesActionOn"),
    Intent("calls-upon", f"{TG}callsForActionUnder"),
    Intent("encourages", f"{TG}encouragesActionOn"),
    Intent("requests", f"{TG}requestsActionOn"),
    Intent("other", f"{CITO}cites"),
)
INTENT_BY_KEY = {intent.key: intent for intent in INTENTS}


def citation_intent(key: str | None) -> Intent | None:
    """The intent of a verb key; an unknown key is ``other`` (the key is kept as a literal).

    >>> citation_intent("urges-ratification").prop
    'https://w3id.org/treatygraph/ontology#urgesRatificationOf'
    >>> citation_intent("deplores").key
    'other'
    >>> citation_intent(None) is None
    True
    """
    if key is None:
        return None
    return INTENT_BY_KEY.get(key, INTENT_BY_KEY["other"])


def via_concept(via: str) -> str:
    """The SKOS concept of how a citation was found (``footnote``, ``title``, ``anaphora``,
    ``short-name``, ``grammar``)."""
    return f"{TG}via-{via}"


VIAS = ("footnote", "title", "anaphora", "short-name", "grammar")


# --- what the build materialises for queries in the standard vocabularies --------------------

# The parents of tg:cites that ontology/treatygraph.ttl declares (rdfs:subPropertyOf): the build
# writes each of them beside every tg:cites edge, so that `?p cito:cites ?i` finds the same
# pairs as `?p tg:cites ?i` without a reasoner. (A constant, not read from the TTL: it decides
# what a cached part of the graph holds; tests/test_vocabularies.py checks the two agree.)
CITES_PARENTS = (f"{CITO}cites", f"{DCTERMS}references", f"{ELI}cites")

# The named graph of the store that holds the ontology, the SHACL shapes and the concept schemes
# (the ontology's own IRI); the data stays in the default graph.
ONTOLOGY_GRAPH = TG.removesuffix("#")

# The SKOS concept schemes whose concepts get their labels written into the data graph.
CONCEPT_SCHEMES = (f"{TG}CitationIntents", f"{TG}DiscoveryMethods", f"{TG}InstrumentKinds")


@dataclass(frozen=True, slots=True)
class ConceptLabel:
    """A concept of one of the :data:`CONCEPT_SCHEMES` and its preferred label."""

    iri: str
    label: str
    language: str | None


@cache
def concept_labels() -> tuple[ConceptLabel, ...]:
    """Every concept of the ontology's schemes with its ``skos:prefLabel``, in IRI order, read
    from ``ontology/treatygraph.ttl`` (the reference).

    >>> [c.label for c in concept_labels() if c.iri.endswith("#intent-urges-ratification")]
    ['urges ratification']
    """
    path = resources.ontology() / "treatygraph.ttl"
    triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    schemes = {ox.NamedNode(s) for s in CONCEPT_SCHEMES}
    in_scheme = ox.NamedNode(f"{SKOS}inScheme")
    pref_label = ox.NamedNode(f"{SKOS}prefLabel")
    concepts = {
        t.subject.value
        for t in triples
        if t.predicate == in_scheme and t.object in schemes and isinstance(t.subject, ox.NamedNode)
    }
    labels = {
        t.subject.value: t.object
        for t in triples
        if t.predicate == pref_label
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value in concepts
        and isinstance(t.object, ox.Literal)
    }
    missing = sorted(concepts - labels.keys())
    if missing:
        raise ValueError(f"{path}: concepts without skos:prefLabel: {', '.join(missing)}")
    return tuple(
        ConceptLabel(iri, literal.value, literal.language)
        for iri, literal in sorted(labels.items())
    )
