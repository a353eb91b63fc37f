"""The deterministic build: extractions in, ``dist/`` out.

``build`` writes every file into a temporary directory beside ``out_dir`` and then swaps it in
with one rename, so readers see either the previous ``dist/`` or the new one, and a build that
fails midway leaves the previous one untouched. Outputs hold no clock time: the same input
gives byte-identical files.

    graph.nt        canonical N-Triples (sorted)
    graph.ttl       Turtle
    graph.jsonld    compact JSON-LD, context inlined
    context.jsonld  the published JSON-LD context
    void.ttl        VoID + DCAT description: counts, file checksums, sources, licence, version
    ontology.ttl    the ontology the graph is written in
    shapes.ttl      the SHACL shapes it passes
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import pyshacl
import rdflib

from graph.ids import Ids, default_base, normalise_base, segment
from graph.model import Extraction, Instrument
from graph.rdf import (
    CONTEXT_FILE,
    ONTOLOGY_DIR,
    Sources,
    Triples,
    jsonld_chunks,
    ntriples_lines,
    software_version,
    to_ntriples,
    to_turtle,
    triples,
)
from graph.vocab import DCAT, DCTERMS, OWL, PREFIXES, PROV, RDF, RDFS, SPDX, TG, VOID, XSD

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "treatygraph.ttl"
LICENSE = "https://spdx.org/licenses/MIT"  # the project's licence (pyproject.toml)
AUTHORITY_FILES = ("authority.csv", "identifiers.csv")
MEDIA_TYPES = {
    "graph.nt": "application/n-triples",
    "graph.ttl": "text/turtle",
    "graph.jsonld": "application/ld+json",
}


_Add = Callable[[ox.NamedNode, str, ox.NamedNode | ox.Literal], None]


class BuildError(Exception):
    """The graph failed its SHACL shapes; nothing was written."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    out_dir: Path
    resolutions: int
    citations: int
    instruments: int
    triples: int
    files: dict[str, str]  # file name → SHA-256 of its bytes
    classes: dict[str, int] = field(default_factory=dict)  # class IRI → instances
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall time

    def __str__(self) -> str:
        return (
            f"{self.out_dir}: {self.resolutions} resolutions, {self.citations} citations, "
            f"{self.instruments} instruments, {self.triples} triples "
            f"in {sum(self.seconds.values()):.2f}s"
        )


def build(
    extractions: Iterable[Extraction],
    out_dir: Path,
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
    validate: bool = False,
) -> BuildReport:
    """Build the graph of ``extractions`` into ``out_dir``, replacing it atomically.

    ``sources`` maps source files to their SHA-256 (the authority data is added);
    ``instruments`` describes parents no paragraph cites (default: the authority data); with
    ``validate`` the graph must pass ``ontology/shapes.ttl`` or nothing is written.
    """
    clock = _Clock()
    extractions = list(extractions)
    base = normalise_base(base or default_base())
    checksums = {**authority_checksums(), **{str(k): v for k, v in (sources or {}).items()}}
    graph = triples(extractions, base=base, sources=checksums, instruments=instruments)
    clock.lap("rdf")
    if validate:
        conforms, text = shacl(graph)
        if not conforms:
            raise BuildError(text)
        clock.lap("shacl")
    files: dict[str, str] = {}
    stats = _Stats.of(graph)
    with _staging(Path(out_dir)) as stage:
        for name, chunks in _outputs(graph, stats, base, checksums, files):
            files[name] = _write(stage / name, chunks)
    clock.lap("write")
    return BuildReport(
        out_dir=Path(out_dir),
        resolutions=len(extractions),
        citations=sum(len(e.citations) for e in extractions),
        instruments=len({c.instrument.id for e in extractions for c in e.citations}),
        triples=len(graph),
        files=files,
        classes=dict(sorted(stats.classes.items())),
        seconds=clock.laps,
    )


def _outputs(
    graph: Triples,
    stats: _Stats,
    base: str,
    sources: Mapping[str, str],
    files: Mapping[str, str],
) -> Iterator[tuple[str, Iterable[str]]]:
    """Each output file in turn, as text chunks; void.ttl last, as it describes the others."""
    yield "graph.nt", ntriples_lines(graph)
    yield "graph.ttl", [to_turtle(graph)]
    yield "graph.jsonld", jsonld_chunks(graph)
    for path in (CONTEXT_FILE, ONTOLOGY_FILE, SHAPES_FILE):
        name = "ontology.ttl" if path == ONTOLOGY_FILE else path.name
        yield name, [path.read_text("utf-8")]
    description = Triples(sorted(set(void(stats, base, sources, files)), key=str))
    yield "void.ttl", [to_turtle(description)]


def _write(path: Path, chunks: Iterable[str]) -> str:
    """Write text chunks as UTF-8, a few thousand at a time; the SHA-256 of the bytes."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        batch: list[str] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= 4096:
                _flush(f, batch, digest)
        _flush(f, batch, digest)
    return digest.hexdigest()


def _flush(f: BinaryIO, batch: list[str], digest: hashlib._Hash) -> None:
    data = "".join(batch).encode("utf-8")
    f.write(data)
    digest.update(data)
    batch.clear()


def authority_checksums() -> dict[str, str]:
    """SHA-256 of the authority data files the extractor resolves against."""
    data = resources.files("graph").joinpath("data")
    return {
        f"graph/data/{name}": hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest()
        for name in AUTHORITY_FILES
        if data.joinpath(name).is_file()
    }


def shacl(graph: rdflib.Graph | Iterable[ox.Triple]) -> tuple[bool, str]:
    """Validate against ``ontology/shapes.ttl``: (conforms, report text)."""
    if not isinstance(graph, rdflib.Graph):
        graph = rdflib.Graph().parse(data=to_ntriples(graph), format="nt")
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), str(text)


def class_counts(graph: Iterable[ox.Triple]) -> dict[str, int]:
    """Instances of each class (by IRI), as VoID counts them."""
    return dict(sorted(_Stats.of(graph).classes.items()))


# --- VoID and DCAT -----------------------------------------------------------------------------


def void(
    graph: Iterable[ox.Triple] | _Stats,
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
    stats = graph if isinstance(graph, _Stats) else _Stats.of(graph)
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
class _Stats:
    """What VoID counts, gathered in one pass over the graph."""

    triples: int = 0
    subjects: set[str] = field(default_factory=set)
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    instances: dict[str, list[ox.NamedNode]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Iterable[ox.Triple]) -> _Stats:
        stats = cls()
        rdf_type = ox.NamedNode(f"{RDF}type")
        wanted = {f"{TG}Build", f"{TG}Resolution"}
        for t in graph:
            stats.triples += 1
            stats.subjects.add(str(t.subject))
            stats.properties[t.predicate.value] += 1
            if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
                stats.classes[t.object.value] += 1
                if t.object.value in wanted and isinstance(t.subject, ox.NamedNode):
                    stats.instances.setdefault(t.object.value, []).append(t.subject)
        return stats


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def _counts(stats: _Stats, base: str, ds: ox.NamedNode, add: _Add) -> None:
    entities = sum(1 for s in stats.subjects if s.startswith(f"<{base}"))
    add(ds, f"{VOID}triples", _integer(stats.triples))
    add(ds, f"{VOID}entities", _integer(entities))
    add(ds, f"{VOID}distinctSubjects", _integer(len(stats.subjects)))
    add(ds, f"{VOID}properties", _integer(len(stats.properties)))
    add(ds, f"{VOID}classes", _integer(len(stats.classes)))
    for example in stats.instances.get(f"{TG}Resolution", [])[:1]:
        add(ds, f"{VOID}exampleResource", example)


def _partitions(stats: _Stats, ids: Ids, ds: ox.NamedNode, add: _Add) -> None:
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


def _distribution(ids: Ids, ds: ox.NamedNode, name: str, sha: str, add: _Add) -> None:
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


# --- atomic replacement of the output directory ------------------------------------------------


class _Staging:
    """A temporary directory beside ``target`` that replaces it on success and vanishes on
    failure, leaving ``target`` as it was."""

    def __init__(self, target: Path) -> None:
        self.target = target.absolute()

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=self.target.parent))
        self.stage.chmod(0o755)  # mkdtemp's 0700 would survive the swap
        return self.stage

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            return
        try:
            _replace(self.stage, self.target)
        finally:
            shutil.rmtree(self.stage, ignore_errors=True)


def _staging(target: Path) -> _Staging:
    return _Staging(target)


def _replace(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``; ``new`` ends up holding the old tree (or nothing).
    Where the kernel can exchange two paths in one step, readers never see ``target`` missing;
    elsewhere there is an instant between two renames, and a failure puts the old tree back."""
    if not target.exists():
        os.rename(new, target)
        return
    if not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory")
    if _exchange(new, target):
        return
    old = new.with_name(new.name + ".old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, new)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.start, 4)
        self.start = now
