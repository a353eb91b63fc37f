"""RDF of extractions under the treatygraph ontology (``ontology/treatygraph.ttl``).

Triples are made as pyoxigraph terms (IRIs validated in Rust, cheap to create), kept in a set
and sorted by their N-Triples form, so every output is canonical: the same input gives the same
bytes, whatever the order of the extractions. No blank nodes, no clock time. rdflib is only
used for the :class:`rdflib.Graph` view that :func:`to_graph` returns.

The mapping, node by node, is documented in ``ontology/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from graph.ids import Ids, body_key, default_base
from graph.model import (
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
from graph.vocab import (
    CITO,
    DCTERMS,
    ELI,
    OA,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TG,
    WD,
    XSD,
    citation_intent,
    instrument_classes,
    instrument_kind,
    via_concept,
)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
AUTHORITY_SOURCE = "authority.csv"
QUOTE_CONTEXT = 32  # characters of oa:prefix and oa:suffix around a quote

Node = ox.NamedNode
Term = ox.NamedNode | ox.Literal | ox.BlankNode
GraphLike = rdflib.Graph | Iterable[ox.Triple]
Sources = Mapping[str, str] | Mapping[Path, str]  # source file → SHA-256


def _n(iri: str) -> Node:
    return ox.NamedNode(iri)


# Predicates and classes, made once.
A = _n(f"{RDF}type")
LABEL = _n(f"{RDFS}label")
SEE_ALSO = _n(f"{RDFS}seeAlso")
TITLE = _n(f"{DCTERMS}title")
IDENTIFIER = _n(f"{DCTERMS}identifier")
IS_PART_OF = _n(f"{DCTERMS}isPartOf")
ELI_IS_PART_OF = _n(f"{ELI}is_part_of")
ELI_HAS_PART = _n(f"{ELI}has_part")
CITING = _n(f"{CITO}hasCitingEntity")
CITED = _n(f"{CITO}hasCitedEntity")
CHARACTERIZATION = _n(f"{CITO}hasCitationCharacterization")
CITO_CITATION = _n(f"{CITO}Citation")
CITO_CITES = f"{CITO}cites"
DERIVED = _n(f"{PROV}wasDerivedFrom")
GENERATED = _n(f"{PROV}wasGeneratedBy")
USED = _n(f"{PROV}used")
ASSOCIATED = _n(f"{PROV}wasAssociatedWith")
ACTIVITY = _n(f"{PROV}Activity")
SOFTWARE_AGENT = _n(f"{PROV}SoftwareAgent")
ENTITY = _n(f"{PROV}Entity")
NOTE = _n(f"{SKOS}note")
EXACT_MATCH = _n(f"{SKOS}exactMatch")
OA_SPECIFIC = _n(f"{OA}SpecificResource")
OA_QUOTE = _n(f"{OA}TextQuoteSelector")
OA_POSITION = _n(f"{OA}TextPositionSelector")
OA_SOURCE = _n(f"{OA}hasSource")
OA_SELECTOR = _n(f"{OA}hasSelector")
OA_EXACT = _n(f"{OA}exact")
OA_PREFIX = _n(f"{OA}prefix")
OA_SUFFIX = _n(f"{OA}suffix")
OA_START = _n(f"{OA}start")
OA_END = _n(f"{OA}end")
XSD_INTEGER = _n(f"{XSD}integer")
XSD_DATE = _n(f"{XSD}date")
XSD_BOOLEAN = _n(f"{XSD}boolean")


class _TG:
    """``tg:`` terms as nodes: ``T.cites`` is ``<…ontology#cites>``."""

    def __getattr__(self, name: str) -> Node:
        node = _n(TG + name)
        setattr(self, name, node)
        return node


T = _TG()


class Triples(list[ox.Triple]):
    """Triples already de-duplicated and in canonical order, as :func:`triples` returns them:
    the writers take them as they are instead of sorting again."""

    __slots__ = ()


@dataclass(slots=True)
class _Writer:
    """The triples of one graph, as a set: the same fact stated twice is one triple."""

    ids: Ids
    triples: set[ox.Triple] = field(default_factory=set)

    def add(self, s: Node, p: Node, o: Term) -> None:
        self.triples.add(ox.Triple(s, p, o))

    def iri(self, s: Node, p: Node, o: str | None) -> None:
        if o is not None:
            self.add(s, p, _n(o))

    def text(self, s: Node, p: Node, value: str | None) -> None:
        if value:
            self.add(s, p, ox.Literal(value))

    def integer(self, s: Node, p: Node, value: int | None) -> None:
        if value is not None:
            self.add(s, p, ox.Literal(str(value), datatype=XSD_INTEGER))

    def date(self, s: Node, p: Node, value: date | None) -> None:
        if value is not None:
            self.add(s, p, ox.Literal(value.isoformat(), datatype=XSD_DATE))

    def boolean(self, s: Node, p: Node, value: bool) -> None:
        self.add(s, p, ox.Literal("true" if value else "false", datatype=XSD_BOOLEAN))

    def types(self, s: Node, *classes: Node) -> None:
        for cls in classes:
            self.add(s, A, cls)

    def part(self, part: Node, whole: Node) -> None:
        """``part`` is part of ``whole``, in ELI both ways and in Dublin Core."""
        self.add(part, ELI_IS_PART_OF, whole)
        self.add(part, IS_PART_OF, whole)
        self.add(whole, ELI_HAS_PART, part)


# --- entry points ------------------------------------------------------------------------------


def triples(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> Triples:
    """The triples of ``extractions``, de-duplicated and in canonical (N-Triples) order.

    ``sources`` maps source file paths to their SHA-256; only file names reach the graph.
    ``instruments`` (default: the authority data) supplies the parents of cited instruments
    that no paragraph cites, so that every ``tg:supplements`` edge ends at a described node.
    """
    ordered = _by_symbol(extractions)
    w = _Writer(Ids(base or default_base()))
    checksums = {Path(path).name: sha for path, sha in (sources or {}).items()}
    build = _build(w, ordered, checksums)
    cited: dict[str, list[tuple[Instrument, str | None]]] = defaultdict(list)
    for extraction in ordered:
        source = _source_node(w, extraction.document, checksums)
        if source is not None:
            w.add(build, USED, source)
        _resolution(w, extraction, build, source)
        for citation in extraction.citations:
            cited[citation.instrument.id].append((citation.instrument, source and source.value))
    _add_parents(cited, instruments)
    for variants in cited.values():
        _instrument(w, variants, build, checksums, set(cited))
    return Triples(sorted(w.triples, key=str))


def to_graph(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> rdflib.Graph:
    """The graph of ``extractions`` as an :class:`rdflib.Graph` (for pySHACL and tests)."""
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    data = triples(extractions, base=base, sources=sources, instruments=instruments)
    graph.parse(data=to_ntriples(data), format="nt")
    return graph


def to_ntriples(graph: GraphLike) -> str:
    """Canonical N-Triples: one triple a line, sorted, no duplicates."""
    return "".join(ntriples_lines(graph))


def ntriples_lines(graph: GraphLike) -> Iterator[str]:
    """The lines of :func:`to_ntriples`, one at a time."""
    for t in _canonical(graph):
        yield f"{t} .\n"


def to_turtle(graph: GraphLike) -> str:
    """Turtle with the usual prefixes, subjects in canonical order, IRIs in full otherwise
    (a relative ``@base`` would also relativise the prefixes)."""
    data = ox.serialize(_canonical(graph), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    body = [line for line in data.decode("utf-8").splitlines() if not line.startswith("@prefix")]
    # The prefix lines are ours, in our order: the serializer's own order is not promised.
    head = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    return "\n".join([*head, "", *body]) + "\n"


def to_jsonld(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> str:
    """Compact JSON-LD under the published context (``ontology/context.jsonld``), inlined so
    that the file reads offline: one node object per subject, in canonical order."""
    return "".join(jsonld_chunks(graph, context=context))


def jsonld_chunks(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The text of :func:`to_jsonld` a node at a time: canonical order keeps each subject's
    triples together, so no node waits for the whole graph."""
    ctx = dict(context if context is not None else load_context())
    compactor = _Compactor(ctx)
    yield f'{{"@context": {json.dumps(ctx, ensure_ascii=False, indent=1)},\n"@graph": [\n'
    separator = ""
    for subject, group in groupby(_canonical(graph), key=lambda t: t.subject):
        entries: dict[str, list[Any]] = {}
        for t in group:
            key, value = compactor.entry(t.predicate.value, t.object)
            entries.setdefault(key, []).append(value)
        node = compactor.node(_subject_id(subject), entries)
        # One node a line: readable, and json's C encoder (no indent) is many times faster.
        yield separator + json.dumps(node, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@cache
def load_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text("utf-8"))
    return dict(data["@context"])


@cache
def software_version() -> str:
    """treatygraph's version: installed metadata, else ``pyproject.toml`` beside the code."""
    try:
        return metadata.version("treatygraph")
    except metadata.PackageNotFoundError:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        return str(project["project"]["version"])


# --- resolutions -------------------------------------------------------------------------------


def _by_symbol(extractions: Iterable[Extraction]) -> list[Extraction]:
    """Extractions in symbol order; two of one symbol would merge into one resolution."""
    ordered = sorted(extractions, key=lambda e: e.document.meta.symbol)
    for a, b in pairwise(ordered):
        if a.document.meta.symbol == b.document.meta.symbol:
            files = f"{a.document.source_file} and {b.document.source_file}"
            raise ValueError(f"two documents have the symbol {a.document.meta.symbol}: {files}")
    return ordered


def _text_sha(document: Document) -> str:
    return hashlib.sha256(document.text.encode("utf-8")).hexdigest()


def _build(w: _Writer, extractions: list[Extraction], checksums: Mapping[str, str]) -> Node:
    """The build activity, named by a digest of the version and the inputs (not the time)."""
    version = software_version()
    lines = [version, *sorted(f"{name}\t{sha}" for name, sha in checksums.items())]
    lines += [f"{e.document.meta.symbol}\t{_text_sha(e.document)}" for e in extractions]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
    build = _n(w.ids.build(digest))
    agent = _n(w.ids.agent())
    w.types(build, T.Build, ACTIVITY)
    w.text(build, LABEL, f"treatygraph {version} build {digest}")
    w.text(build, T.softwareVersion, version)
    w.add(build, ASSOCIATED, agent)
    w.types(agent, SOFTWARE_AGENT)
    w.text(agent, LABEL, "treatygraph")
    for name in sorted(checksums):
        w.add(build, USED, _source(w, name, checksums))
    return build


def _source(w: _Writer, name: str, checksums: Mapping[str, str]) -> Node:
    node = _n(w.ids.source(name))
    w.types(node, T.SourceFile, ENTITY)
    w.text(node, LABEL, name)
    w.text(node, T.sha256, checksums.get(name))
    return node


def _source_node(w: _Writer, document: Document, checksums: Mapping[str, str]) -> Node | None:
    if not document.source_file:
        return None
    return _source(w, Path(document.source_file).name, checksums)


def _resolution(w: _Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    meta = doc.meta
    res = _n(w.ids.resolution(meta.symbol))
    w.types(res, T.Resolution)
    w.text(res, LABEL, meta.symbol)
    w.text(res, T.symbol, meta.symbol)
    w.text(res, TITLE, meta.title)
    w.integer(res, T.session, meta.session)
    w.date(res, T.adoptionDate, meta.adoption_date)
    w.text(res, T.agendaItem, meta.agenda_item)
    w.text(res, T.metadataSource, meta.source)
    w.boolean(res, T.synthetic, meta.synthetic)
    w.text(res, T.textSha256, _text_sha(doc))
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


def _adopted_by(w: _Writer, subject: Node, text: str | None) -> None:
    if not text or not text.strip():
        return
    _, label = body_key(text)
    body = _n(w.ids.body(text))
    w.add(subject, T.adoptedBy, body)
    w.types(body, T.Body)
    w.text(body, LABEL, label)


def _paragraph(
    w: _Writer, doc: Document, res: Node, p: Paragraph, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = _n(w.ids.paragraph(symbol, p.id))
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
            fn = _n(w.ids.footnote(symbol, marker.number))
            w.add(node, T.hasFootnote, fn)
            w.integer(fn, T.markerOffset, marker.offset)
    for index, item in enumerate(p.items, 1):
        sub = _n(w.ids.sub_item(symbol, p.id, item.letter))
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
    w: _Writer, doc: Document, res: Node, f: Footnote, position: int, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    node = _n(w.ids.footnote(symbol, f.number))
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
        ref = _n(w.ids.reference(symbol, f.number, index))
        w.add(node, T.hasReference, ref)
        _reference(w, ref, reference, index)
        if reference.continues is not None and reference.continues in footnotes:
            w.iri(ref, T.continues, w.ids.footnote(symbol, reference.continues))


def _reference(w: _Writer, ref: Node, r: Reference, position: int) -> None:
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


def _unts(w: _Writer, volume: int, number: int | None, page: int | None) -> Node:
    node = _n(w.ids.unts(volume, number, page))
    w.types(node, T.UNTSRecord)
    label = f"UNTS vol. {volume}" + (f", No. {number}" if number is not None else "")
    w.text(node, LABEL, label)
    w.integer(node, T.untsVolume, volume)
    w.integer(node, T.untsNumber, number)
    w.integer(node, T.untsPage, page)
    return node


# --- citations ---------------------------------------------------------------------------------


def _citations(w: _Writer, extraction: Extraction, build: Node, source: Node | None) -> None:
    doc = extraction.document
    paragraphs = {p.id: p for p in doc.paragraphs}
    footnotes = {f.number for f in doc.footnotes}
    ordinals: Counter[str] = Counter()
    for c in extraction.citations:
        if c.paragraph not in paragraphs:
            raise ValueError(f"{doc.meta.symbol}: citation of unknown paragraph {c.paragraph}")
        ordinals[c.paragraph] += 1
        node = _n(w.ids.citation(doc.meta.symbol, c.paragraph, ordinals[c.paragraph]))
        _citation(w, doc, node, c, paragraphs[c.paragraph], footnotes)
        w.add(node, GENERATED, build)
        if source is not None:
            w.add(node, DERIVED, source)


def _citation(
    w: _Writer, doc: Document, node: Node, c: Citation, p: Paragraph, footnotes: set[int]
) -> None:
    symbol = doc.meta.symbol
    paragraph = _n(w.ids.paragraph(symbol, c.paragraph))
    instrument = _n(w.ids.instrument(c.instrument.id))
    w.types(node, T.Citation, CITO_CITATION)
    w.add(node, CITING, paragraph)
    w.add(node, CITED, instrument)
    w.add(node, T.foundBy, _n(via_concept(c.via.value)))
    if c.footnote is not None and c.footnote in footnotes:
        w.iri(node, T.viaFootnote, w.ids.footnote(symbol, c.footnote))
    w.add(paragraph, T.cites, instrument)
    intent = citation_intent(c.intent)
    w.iri(node, CHARACTERIZATION, intent.prop if intent else CITO_CITES)
    if intent is not None:
        w.iri(node, T.intent, intent.concept)
        if intent.key == "other" and c.intent != "other":
            w.text(node, T.intentKey, c.intent)
        if intent.prop != CITO_CITES:
            w.add(paragraph, _n(intent.prop), instrument)
    for item in p.items:
        if item.span.contains(c.span):
            w.iri(node, T.inSubItem, w.ids.sub_item(symbol, p.id, item.letter))
    _evidence(w, doc, node, c)


def _evidence(w: _Writer, doc: Document, citation: Node, c: Citation) -> None:
    """The quoted text as Web Annotation: a specific resource of the resolution with a quote
    selector (exact text, some context) and a position selector (offsets)."""
    target = _n(f"{citation.value}/evidence")
    quote = _n(f"{citation.value}/quote")
    position = _n(f"{citation.value}/position")
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


# --- instruments -------------------------------------------------------------------------------


def _add_parents(
    cited: dict[str, list[tuple[Instrument, str | None]]],
    instruments: Mapping[str, Instrument] | None,
) -> None:
    """Add the records of parents (and their parents) that no paragraph cites."""
    wanted = [p for variants in cited.values() for i, _ in variants for p in i.parent]
    records = instruments
    while wanted:
        parent = wanted.pop()
        if parent in cited:
            continue
        if records is None:
            from graph.authority import default_authority  # only when a parent is missing

            records = default_authority().instruments
        if parent in records:
            cited[parent].append((records[parent], None))
            wanted.extend(records[parent].parent)


def _instrument(
    w: _Writer,
    variants: list[tuple[Instrument, str | None]],
    build: Node,
    checksums: Mapping[str, str],
    known: set[str],
) -> None:
    """One node per instrument id. Resolutions may carry differing copies of a text-only
    record: an authority record wins, else the first in symbol order."""
    inst = next((i for i, _ in variants if i.in_authority), variants[0][0])
    node = _n(w.ids.instrument(inst.id))
    kind = instrument_kind(inst.kind)
    w.types(node, *(_n(TG + cls) for cls in instrument_classes(kind)))
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
    for source in sorted({s for _, s in variants if s and not inst.in_authority}):
        w.iri(node, DERIVED, source)


def _links(w: _Writer, node: Node, inst: Instrument) -> None:
    """Wikidata item and the depositary's pages, when the authority data has their ids."""
    if inst.wikidata and re.fullmatch(r"Q\d+", inst.wikidata):
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


# --- serialisation -----------------------------------------------------------------------------


def _canonical(graph: GraphLike) -> Triples:
    """Triples without duplicates, sorted by their N-Triples form."""
    if isinstance(graph, Triples):
        return graph
    if isinstance(graph, rdflib.Graph):
        data = graph.serialize(format="nt", encoding="utf-8")
        graph = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return Triples(sorted(set(graph), key=str))


def _subject_id(term: Term | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"unsupported subject {term!r}")


class _Compactor:
    """Writes triples as compact JSON-LD entries under a context: a property with a term is
    written by its term, its values bare when the term's type coercion says how to read them;
    anything else in expanded form, so that every triple reads back unchanged."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = {
            term: value
            for term, value in context.items()
            if isinstance(value, str) and value.endswith(("#", "/"))
        }
        self.by_namespace = {namespace: prefix for prefix, namespace in self.prefixes.items()}
        self.cache: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}
        for term in sorted(context):
            iri, coercion = self._definition(context[term])
            if term.startswith("@") or iri is None or iri in self.terms:
                continue
            self.terms[iri] = (term, coercion)
        self.id_key = next((t for t, v in context.items() if v == "@id"), "@id")
        self.type_key = next((t for t, v in context.items() if v == "@type"), "@type")

    def _definition(self, value: Any) -> tuple[str | None, str | None]:
        if isinstance(value, str):
            return (None, None) if value.startswith("@") else (self.expand(value), None)
        if isinstance(value, dict) and "@id" in value:
            coercion = value.get("@type")
            if coercion not in (None, "@id", "@vocab"):
                coercion = self.expand(coercion)
            return self.expand(value["@id"]), coercion
        return None, None

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return value

    def compact(self, iri: str) -> str:
        """A compact IRI (``tg:kind-convention``) where a namespace holds the whole local name
        (no further ``/`` or ``#``), else the IRI as it is; either reads back the same."""
        if iri in self.cache:
            return self.cache[iri]
        self.cache[iri] = result = self._compact(iri)
        return result

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        rest = iri[cut:]
        if prefix and rest and ":" not in rest:
            return f"{prefix}:{rest}"
        return iri

    def vocab(self, iri: str) -> str:
        """A class or property by its term, else as a compact IRI."""
        return self.terms[iri][0] if iri in self.terms else self.compact(iri)

    def entry(self, predicate: str, obj: Term | ox.Triple) -> tuple[str, Any]:
        if predicate == f"{RDF}type" and isinstance(obj, ox.NamedNode):
            return self.type_key, self.vocab(obj.value)
        key, coercion = self.terms.get(predicate, (self.compact(predicate), None))
        return key, self._value(obj, coercion)

    def _value(self, obj: Term | ox.Triple, coercion: str | None) -> Any:
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            ref = self.compact(obj.value) if isinstance(obj, ox.NamedNode) else f"_:{obj.value}"
            return ref if coercion == "@id" else {"@id": ref}
        if not isinstance(obj, ox.Literal):
            raise TypeError(f"unsupported object {obj!r}")
        datatype = obj.datatype.value
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if coercion is not None:
            if coercion == datatype:
                return obj.value
            return self._typed(obj.value, datatype)
        if datatype == f"{XSD}string":
            return obj.value
        native = _native(obj.value, datatype)
        return native if native is not None else self._typed(obj.value, datatype)

    def _typed(self, value: str, datatype: str) -> dict[str, str]:
        if datatype == f"{XSD}string":
            return {"@value": value}
        return {"@value": value, "@type": self.compact(datatype)}

    def node(self, subject: str, entries: dict[str, list[Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {self.id_key: self.compact(subject)}
        for key in sorted(entries, key=lambda k: (k != self.type_key, k)):
            values = entries[key]
            result[key] = values[0] if len(values) == 1 else values
        return result


def _native(lexical: str, datatype: str) -> int | bool | None:
    """A JSON number or boolean that reads back as exactly this literal, if there is one."""
    if datatype == f"{XSD}integer" and re.fullmatch(r"-?(0|[1-9][0-9]*)", lexical):
        return int(lexical)
    if datatype == f"{XSD}boolean" and lexical in ("true", "false"):
        return lexical == "true"
    return None
