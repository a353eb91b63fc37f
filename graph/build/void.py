"""The description of a build: VoID and DCAT (the dataset, its dumps and their checksums, the
vocabularies it uses), written beside the dumps in dist/."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from treatygraph.rdf.iris import Ids, default_base, normalise_base, segment
from treatygraph.rdf.parts import Counts
from treatygraph.rdf.terms import software_version
from treatygraph.rdf.vocab import (
    DCAT,
    DCTERMS,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SPDX,
    TG,
    VOID,
    XSD,
)

# --- VoID and DCAT -----------------------------------------------------------------------------

LICENSE = "https://spdx.org/licenses/MIT"  # the project's licence (pyproject.toml)
MEDIA_TYPES = {
    "graph.nt": "application/n-triples",
    "graph.ttl": "text/turtle",
    "graph.jsonld": "application/ld+json",
}
Add = Callable[[ox.NamedNode, str, ox.NamedNode | ox.Literal], None]


def void(
    graph: Iterable[ox.Triple] | Stats,
    base: str,
    sources: Mapping[str, str],
    files: Mapping[str, str],
) -> list[ox.Triple]:
    """The dataset's description: counts, partitions by class and property, the files written
    so far with their checksums, the source files, licence and version. No dates."""
    ids = Ids(base)
    ds = ox.NamedNode(ids.dataset())
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    add(ds, f"{RDF}type", ox.NamedNode(f"{VOID}Dataset"))
    add(ds, f"{RDF}type", ox.NamedNode(f"{DCAT}Dataset"))
    add(ds, f"{DCTERMS}title", ox.Literal("treatygraph"))
    add(ds, f"{DCTERMS}description", ox.Literal(_DESCRIPTION))
    add(ds, f"{DCTERMS}license", ox.NamedNode(LICENSE))
    add(ds, f"{DCAT}version", ox.Literal(software_version()))
    add(ds, f"{OWL}versionInfo", ox.Literal(software_version()))
    add(ds, f"{VOID}uriSpace", ox.Literal(base))
    for namespace in (TG, PREFIXES["eli"], PREFIXES["cito"], DCTERMS, PROV, PREFIXES["oa"]):
        add(ds, f"{VOID}vocabulary", ox.NamedNode(namespace))
    stats = graph if isinstance(graph, Stats) else Stats.of(graph, base)
    _counts(stats, base, ds, add)
    _partitions(stats, ids, ds, add)
    for name in sorted(files):
        _distribution(ids, ds, name, files[name], add)
    for name in sorted(sources):
        source = ox.NamedNode(ids.source(Path(name).name))
        add(ds, f"{DCTERMS}source", source)
        add(source, f"{RDFS}label", ox.Literal(Path(name).name))
        add(source, f"{TG}sha256", ox.Literal(sources[name]))
    for build_node in stats.instances.get(f"{TG}Build", []):
        add(ds, f"{PROV}wasGeneratedBy", build_node)
    return out


_DESCRIPTION = (
    "A knowledge graph of United Nations resolutions, their paragraphs and footnotes, and the "
    "treaties and other instruments they cite, with the evidence of each citation."
)


@dataclass(slots=True)
class Stats:
    """What VoID counts."""

    triples: int = 0
    subjects: int = 0
    entities: int = 0  # subjects under the base
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    instances: dict[str, list[ox.NamedNode]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Iterable[ox.Triple], base: str | None = None) -> Stats:
        """The counts of ``graph`` (in canonical order), in one pass."""
        stats = cls()
        subjects: set[str] = set()
        rdf_type = ox.NamedNode(f"{RDF}type")
        wanted = {f"{TG}Build", f"{TG}Resolution"}
        for t in graph:
            stats.triples += 1
            subjects.add(str(t.subject))
            stats.properties[t.predicate.value] += 1
            if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
                stats.classes[t.object.value] += 1
                if t.object.value in wanted and isinstance(t.subject, ox.NamedNode):
                    stats.instances.setdefault(t.object.value, []).append(t.subject)
        under = f"<{normalise_base(base or default_base())}"
        stats.subjects = len(subjects)
        stats.entities = sum(1 for s in subjects if s.startswith(under))
        return stats

    @classmethod
    def of_counts(cls, counts: Counts) -> Stats:
        """The counts an assembled graph keeps of itself."""
        instances = {f"{TG}Build": [ox.NamedNode(b) for b in counts.builds]}
        if counts.first_resolution:
            instances[f"{TG}Resolution"] = [ox.NamedNode(counts.first_resolution)]
        return cls(
            triples=counts.triples,
            subjects=counts.subjects,
            entities=counts.entities,
            properties=Counter(counts.properties),
            classes=Counter(counts.classes),
            instances=instances,
        )


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def _counts(stats: Stats, base: str, ds: ox.NamedNode, add: Add) -> None:
    add(ds, f"{VOID}triples", _integer(stats.triples))
    add(ds, f"{VOID}entities", _integer(stats.entities))
    add(ds, f"{VOID}distinctSubjects", _integer(stats.subjects))
    add(ds, f"{VOID}properties", _integer(len(stats.properties)))
    add(ds, f"{VOID}classes", _integer(len(stats.classes)))
    for example in stats.instances.get(f"{TG}Resolution", [])[:1]:
        add(ds, f"{VOID}exampleResource", example)


def _partitions(stats: Stats, ids: Ids, ds: ox.NamedNode, add: Add) -> None:
    for cls, count in sorted(stats.classes.items()):
        part = ox.NamedNode(f"{ids.dataset()}/class/{_key(cls)}")
        add(ds, f"{VOID}classPartition", part)
        add(part, f"{VOID}class", ox.NamedNode(cls))
        add(part, f"{VOID}entities", _integer(count))
    for prop, count in sorted(stats.properties.items()):
        part = ox.NamedNode(f"{ids.dataset()}/property/{_key(prop)}")
        add(ds, f"{VOID}propertyPartition", part)
        add(part, f"{VOID}property", ox.NamedNode(prop))
        add(part, f"{VOID}triples", _integer(count))


def _distribution(ids: Ids, ds: ox.NamedNode, name: str, sha: str, add: Add) -> None:
    dist = ox.NamedNode(f"{ids.dataset()}/{segment(name)}")
    checksum = ox.NamedNode(f"{dist.value}/checksum")
    add(ds, f"{DCAT}distribution", dist)
    add(dist, f"{RDF}type", ox.NamedNode(f"{DCAT}Distribution"))
    add(dist, f"{DCTERMS}title", ox.Literal(name))
    if name in MEDIA_TYPES:
        media = f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[name]}"
        add(dist, f"{DCAT}mediaType", ox.NamedNode(media))
        add(ds, f"{VOID}dataDump", dist)
    add(dist, f"{SPDX}checksum", checksum)
    add(checksum, f"{RDF}type", ox.NamedNode(f"{SPDX}Checksum"))
    add(checksum, f"{SPDX}algorithm", ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256"))
    add(checksum, f"{SPDX}checksumValue", ox.Literal(sha, datatype=ox.NamedNode(f"{XSD}hexBinary")))


def _key(iri: str) -> str:
    """A partition's path segment: the term as a compact IRI, ``tg-Resolution``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return segment(f"{prefix}-{iri[len(namespace) :]}")
    return segment(iri)
