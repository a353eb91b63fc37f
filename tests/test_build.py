"""The build: every file written, byte-identical across builds, described by void.ttl, and
swapped in atomically so that a failing build leaves the previous dist/ untouched."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import treatygraph as graph
from treatygraph.build import dist as build_module
from treatygraph.build import folders as folders_module
from treatygraph.build.dist import BuildError, build
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
    Unts,
    Via,
)
from treatygraph.rdf import mapping as rdf
from treatygraph.rdf import terms as rdf_terms
from treatygraph.rdf.vocab import TG

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "A-RES-77-194.txt"
BASE = "https://example.org/id/"
FILES = {
    "graph.nt",
    "graph.ttl",
    "graph.jsonld",
    "context.jsonld",
    "void.ttl",
    "ontology.ttl",
    "shapes.ttl",
}
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"

CRC = Instrument(
    "crc",
    "Convention on the Rights of the Child",
    "convention",
    unts=(Unts(1577, 27531),),
    adopting_body="United Nations General Assembly (resolution 44/25)",
    adoption_date=date(1989, 11, 20),
    entry_into_force=date(1990, 9, 2),
)
OPSC = Instrument(
    "opsc",
    "Optional Protocol to the Convention on the Rights of the Child on the sale of children",
    "optional protocol",
    unts=(Unts(2171, 27531),),
    parent=("crc",),
)


def resolution(symbol: str = "A/RES/99/1", quote: str | None = None) -> Extraction:
    """One footnoted paragraph citing a convention and its protocol."""
    pp1 = "Recalling the Convention on the Rights of the Child and the Optional Protocol thereto,"
    fn1 = "United Nations, Treaty Series, vol. 1577, No. 27531."
    text = f"{pp1}\n{fn1}\n"
    fn_span = Span(len(pp1) + 1, len(pp1) + 1 + len(fn1))
    marker = FootnoteMarker(1, pp1.index("Child") + len("Child"))
    paragraph = Paragraph(ParagraphKind.PREAMBULAR, 1, Span(0, len(pp1)), pp1, (marker,))
    footnote = Footnote(1, fn_span, fn1, (Reference(ReferenceKind.UNTS, fn_span, 1577, 27531),))
    meta = ResolutionMeta(symbol, "Children", session=99, adoption_date=date(2024, 12, 17))
    doc = Document(meta, text, (paragraph,), (footnote,), source_file=f"{meta.slug}.txt")

    def cite(inst: Instrument, words: str, via: Via, fn: int | None = None) -> Citation:
        start = text.index(words)
        exact = words if quote is None else quote
        return Citation("pp1", inst, via, Span(start, start + len(words)), exact, fn, "recalling")

    crc = cite(CRC, "Convention on the Rights of the Child", Via.FOOTNOTE, 1)
    return Extraction(doc, (crc, cite(OPSC, "Optional Protocol thereto", Via.ANAPHORA)))


CORPUS = [resolution("A/RES/99/1"), resolution("A/RES/99/2")]
SOURCES = {"corpus/A-RES-99-1.txt": "1" * 64, "corpus/A-RES-99-2.txt": "2" * 64}


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def leftovers(out: Path) -> list[str]:
    """Staging directories a build may have left beside its output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    build(CORPUS, out, base=BASE, sources=SOURCES)
    return out


def test_build_writes_every_file(dist: Path) -> None:
    assert {p.name for p in dist.iterdir()} == FILES
    assert leftovers(dist) == []


def test_the_files_hold_the_graph(dist: Path) -> None:
    nt = (dist / "graph.nt").read_text("utf-8")
    assert nt == rdf.to_ntriples(rdf.triples(CORPUS, base=BASE, sources=_all_sources()))
    expected = rdflib.Graph().parse(data=nt, format="nt")
    for name, fmt in (("graph.ttl", "turtle"), ("graph.jsonld", "json-ld")):
        assert isomorphic(rdflib.Graph().parse(dist / name, format=fmt), expected), name
    assert (dist / "context.jsonld").read_bytes() == rdf_terms.CONTEXT_FILE.read_bytes()


def _all_sources() -> dict[str, str]:
    return {**build_module.authority_checksums(), **SOURCES}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "dist", tmp_path / "b" / "dist"
    build(CORPUS, first, base=BASE, sources=SOURCES)
    build(list(reversed(CORPUS)), second, base=BASE, sources=SOURCES)
    assert snapshot(first) == snapshot(second)


def test_no_clock_time_in_any_output(dist: Path) -> None:
    """Only the dates of the input appear; no time of day at all."""
    inputs = {"2024-12-17", "1989-11-20", "1990-09-02"}
    for name, data in snapshot(dist).items():
        text = data.decode("utf-8")
        assert "dateTime" not in text and not re.search(r"\d\d:\d\d:\d\d", text), name
        if name not in ("ontology.ttl", "shapes.ttl"):
            assert set(re.findall(r"\b\d{4}-\d\d-\d\d\b", text)) <= inputs, name


def test_report_figures(tmp_path: Path) -> None:
    report = build(CORPUS, tmp_path / "dist", base=BASE, sources=SOURCES)
    lines = (tmp_path / "dist" / "graph.nt").read_text("utf-8").splitlines()
    assert report.triples == len(lines)
    assert (report.resolutions, report.citations, report.instruments) == (2, 4, 2)
    assert report.classes[f"{TG}Resolution"] == 2
    assert report.classes[f"{TG}Citation"] == 4
    for name, sha in report.files.items():
        assert hashlib.sha256((tmp_path / "dist" / name).read_bytes()).hexdigest() == sha
    assert set(report.seconds) == {"rdf", "write"}


def test_void_describes_the_graph_and_its_files(dist: Path) -> None:
    store = ox.Store()
    store.load(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
    lines = (dist / "graph.nt").read_text("utf-8").splitlines()

    def one(query: str) -> str:
        solutions = store.query(f"PREFIX void: <{VOID}> PREFIX spdx: <{SPDX}> {query}")
        assert isinstance(solutions, ox.QuerySolutions)
        (row,) = list(solutions)
        value = row[0]
        assert value is not None
        return str(value.value)

    assert one(f"SELECT ?n WHERE {{ <{BASE}dataset> void:triples ?n }}") == str(len(lines))
    assert one(f"SELECT ?n WHERE {{ ?p void:class <{TG}Resolution> ; void:entities ?n }}") == "2"
    for name in FILES - {"void.ttl"}:
        sha = hashlib.sha256((dist / name).read_bytes()).hexdigest()
        dist_iri = f"{BASE}dataset/{name}"
        assert one(f"SELECT ?v WHERE {{ <{dist_iri}> spdx:checksum/spdx:checksumValue ?v }}") == sha
    source = f"{BASE}source/A-RES-99-1.txt"
    assert one(f"SELECT ?v WHERE {{ <{source}> <{TG}sha256> ?v }}") == "1" * 64


def test_a_failing_build_leaves_the_previous_dist_untouched(
    dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(dist)

    def fail(*_: object, **__: object) -> Iterator[str]:
        yield '{"@graph": ['
        raise RuntimeError("disk full, say")

    # graph.nt and graph.ttl are written by then, graph.jsonld half-written.
    monkeypatch.setattr(build_module, "jsonld_chunks", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        build([resolution("A/RES/99/3")], dist, base=BASE)
    assert snapshot(dist) == before
    assert leftovers(dist) == []


def test_a_failing_swap_leaves_the_previous_dist_untouched(
    dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(dist)

    def fail(a: Path, b: Path) -> bool:
        raise OSError("no rename for you")

    monkeypatch.setattr(folders_module, "_exchange", fail)
    with pytest.raises(OSError, match="no rename"):
        build([resolution("A/RES/99/3")], dist, base=BASE)
    assert snapshot(dist) == before
    assert leftovers(dist) == []


def test_swap_without_renameat2_still_replaces(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folders_module, "_exchange", lambda a, b: False)
    build([resolution("A/RES/99/3")], dist, base=BASE)
    assert "A/RES/99/3" in (dist / "graph.nt").read_text("utf-8")
    assert "A/RES/99/1" not in (dist / "graph.nt").read_text("utf-8")
    assert leftovers(dist) == []


def test_rebuild_replaces_and_keeps_permissions(dist: Path) -> None:
    build([resolution("A/RES/99/3")], dist, base=BASE)
    assert "A-RES-99-3" in (dist / "graph.nt").read_text("utf-8")
    assert dist.stat().st_mode & 0o755 == 0o755
    assert leftovers(dist) == []


def test_validation_failure_writes_nothing(dist: Path) -> None:
    before = snapshot(dist)
    with pytest.raises(BuildError, match="exact"):
        build([resolution(quote="")], dist, base=BASE, validate=True)
    assert snapshot(dist) == before


def test_validated_build_succeeds(tmp_path: Path) -> None:
    report = build(CORPUS, tmp_path / "dist", base=BASE, validate=True)
    assert "shacl" in report.seconds


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.write_text("not a directory")
    with pytest.raises(NotADirectoryError):
        build(CORPUS, out, base=BASE)
    assert out.read_text() == "not a directory"
    assert leftovers(out) == []


@pytest.mark.skipif(
    not (hasattr(graph, "read") and SEED.exists()), reason="needs graph.read and the seed corpus"
)
def test_seed_builds(tmp_path: Path) -> None:
    report = build([graph.read(SEED)], tmp_path / "dist")
    assert report.triples > 4000
    assert report.instruments == len(graph.read(SEED).instruments)
