"""The deterministic build: extractions in, ``dist/`` out.

``build`` writes every file into a temporary directory beside ``out_dir`` and then swaps it in
with one rename, so readers see either the previous ``dist/`` or the new one, and a build that
fails midway leaves the previous one untouched. A build killed outright (SIGKILL, the OOM
killer) cannot remove its temporary directory: each is held by a lock file beside it, and the
next build removes those whose lock no live build holds (:func:`scratch_folder`). Outputs hold
no clock time: the same input gives byte-identical files.

    graph.nt        canonical N-Triples (sorted), streamed from the parts of the graph
    graph.ttl       Turtle, written from graph.nt (left out above DUMPS_UP_TO triples)
    graph.jsonld    compact JSON-LD, context inlined (likewise)
    context.jsonld  the published JSON-LD context
    void.ttl        VoID + DCAT description: counts, file checksums, sources, licence, version
    ontology.ttl    the ontology the graph is written in
    shapes.ttl      the SHACL shapes it passes
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
import pyshacl
import rdflib

from treatygraph import resources as package_resources
from treatygraph.build.folders import Clock, staging
from treatygraph.build.void import Stats, void
from treatygraph.model import Extraction, Instrument
from treatygraph.rdf.iris import default_base, normalise_base
from treatygraph.rdf.mapping import jsonld_chunks, to_ntriples, write_turtle
from treatygraph.rdf.parts import Assembly, Part, Whole, resolution_part
from treatygraph.rdf.terms import CONTEXT_FILE, ONTOLOGY_DIR, Canonical, Sources
from treatygraph.rdf.vocab import (
    ONTOLOGY_GRAPH,
)

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "treatygraph.ttl"
AUTHORITY_FILES = ("authority.csv", "identifiers.csv")
# Above this many triples graph.ttl and graph.jsonld are left out (graph.nt is always written):
# each costs a pass in Python over every triple, a minute or so at ten million, for files
# nobody opens whole. See docs/stores.md.
DUMPS_UP_TO = 2_500_000
DERIVED_DUMPS = ("graph.ttl", "graph.jsonld")

Read = Callable[[Part, int, int], bytes]  # bytes start:end of a part's own lines


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
    skipped: tuple[str, ...] = ()  # dumps left out for the graph's size

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
    dumps: bool | None = None,
) -> BuildReport:
    """Build the graph of ``extractions`` into ``out_dir``, replacing it atomically.

    ``sources`` maps source files to their SHA-256 (the authority data is added);
    ``instruments`` describes parents no paragraph cites (default: the authority data); with
    ``validate`` the graph must pass ``ontology/shapes.ttl`` or nothing is written; ``dumps``
    writes graph.ttl and graph.jsonld (default: up to :data:`DUMPS_UP_TO` triples).
    """
    clock = Clock()
    assembly = Assembly(normalise_base(base or default_base()))
    lines: dict[str, bytes] = {}
    for extraction in extractions:
        part, data = resolution_part(extraction, base=assembly.base)
        assembly.add(part)
        lines[part.iri] = data
    checksums = with_authority(sources)
    whole = assembly.finish(checksums, instruments)
    clock.lap("rdf")
    return write(
        whole,
        out_dir,
        read=lambda part, start, end: lines[part.iri][start:end],
        sources=checksums,
        validate=validate,
        dumps=dumps,
        clock=clock,
    )


def store_graphs(out_dir: Path) -> dict[str, tuple[Path, ...]]:
    """The named graphs the store holds beside the data (its default graph, ``graph.nt``):
    the ontology with its concept schemes, and the shapes, in one graph named by the
    ontology's IRI, from the copies written into ``out_dir``."""
    return {ONTOLOGY_GRAPH: (Path(out_dir) / "ontology.ttl", Path(out_dir) / "shapes.ttl")}


def with_authority(sources: Sources | None) -> dict[str, str]:
    """Source files and their SHA-256, the authority data included."""
    return {**authority_checksums(), **{str(k): v for k, v in (sources or {}).items()}}


def write(
    whole: Whole,
    out_dir: Path,
    *,
    read: Read,
    sources: Mapping[str, str],
    validate: bool = False,
    dumps: bool | None = None,
    clock: Clock | None = None,
    before_swap: Callable[[Path], None] | None = None,
) -> BuildReport:
    """Write an assembled graph into ``out_dir``, replacing it atomically; the graph streams
    from ``read`` to the files and is never held whole. ``before_swap(stage)`` runs once every
    file is in the staging directory; if it raises, ``out_dir`` is left as it was."""
    clock = clock or Clock()
    files: dict[str, str] = {}
    counts = whole.counts()
    stats = Stats.of_counts(counts)
    if dumps is None:
        dumps = counts.triples <= DUMPS_UP_TO
    with staging(Path(out_dir)) as stage:
        nt = stage / "graph.nt"
        files["graph.nt"] = _write_bytes(nt, whole.lines(read))
        clock.lap("write")
        if validate:
            conforms, text = shacl(rdflib.Graph().parse(nt, format="nt"))
            if not conforms:
                raise BuildError(text)
            clock.lap("shacl")
        for name, writer in _outputs(nt, stats, whole.base, sources, files, dumps):
            files[name] = _write(stage / name, writer)
        if before_swap is not None:
            before_swap(stage)
        clock.lap("write")
    clock.lap("write")
    return BuildReport(
        out_dir=Path(out_dir),
        resolutions=len(whole.parts),
        citations=whole.citations,
        instruments=whole.cited,
        triples=counts.triples,
        files=files,
        classes=dict(sorted(counts.classes.items())),
        seconds=clock.laps,
        skipped=() if dumps else DERIVED_DUMPS,
    )


def _outputs(
    nt: Path,
    stats: Stats,
    base: str,
    sources: Mapping[str, str],
    files: Mapping[str, str],
    dumps: bool,
) -> Iterator[tuple[str, Callable[[_Hashing], None]]]:
    """The files after graph.nt, each as a function writing it; void.ttl last, as it describes
    the others."""
    if dumps:
        yield "graph.ttl", lambda out: write_turtle(Canonical.read(nt), out)
        yield "graph.jsonld", lambda out: out.text(jsonld_chunks(Canonical.read(nt)))
    for path in (CONTEXT_FILE, ONTOLOGY_FILE, SHAPES_FILE):
        name = "ontology.ttl" if path == ONTOLOGY_FILE else path.name
        yield name, lambda out, path=path: out.text([path.read_text("utf-8")])  # type: ignore[misc]
    description = sorted(set(void(stats, base, sources, files)), key=str)
    yield "void.ttl", lambda out: write_turtle(Canonical(description), out)


class _Hashing(io.RawIOBase):
    """A binary file that keeps the SHA-256 of what is written to it."""

    def __init__(self, f: BinaryIO) -> None:
        super().__init__()
        self.f = f
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.f.write(view)
        self.digest.update(view)
        return view.nbytes

    def text(self, chunks: Iterable[str]) -> None:
        """Write text chunks as UTF-8, a few thousand at a time."""
        batch: list[str] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= 4096:
                self.write("".join(batch).encode("utf-8"))
                batch.clear()
        self.write("".join(batch).encode("utf-8"))


def _write(path: Path, writer: Callable[[_Hashing], None]) -> str:
    """Write a file with ``writer``; the SHA-256 of its bytes."""
    with path.open("wb") as f:
        out = _Hashing(f)
        writer(out)
        return out.digest.hexdigest()


def _write_bytes(path: Path, chunks: Iterable[bytes]) -> str:
    """Write byte chunks; the SHA-256 of the whole."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for chunk in chunks:
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def authority_checksums() -> dict[str, str]:
    """SHA-256 of the authority data files the extractor resolves against."""
    data = package_resources.data()
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
    return dict(sorted(Stats.of(graph).classes.items()))
