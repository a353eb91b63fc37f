"""The streaming build: parts made apart and put together give the canonical graph, whatever
the order and however the resolution IRIs nest; duplicates fail one file, not the build;
parts are reused by checksum; Turtle and JSON-LD are left out above a size."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.test_build import BASE, SOURCES, resolution
from treatygraph.build import dist as build_module
from treatygraph.build.corpus import map_corpus
from treatygraph.build.dist import build
from treatygraph.rdf import mapping as rdf
from treatygraph.rdf import parts as rdf_parts
from treatygraph.rdf import terms as rdf_terms
from treatygraph.rdf.iris import default_base

ROOT = Path(__file__).resolve().parents[1]

# Symbols whose IRIs are prefixes of one another: A-RES-99-1 < A-RES-99-1-2 < A-RES-99-10 …
NESTED = ["A/RES/99/1", "A/RES/99/10", "A/RES/99/100", "A/RES/99/1-2", "A/RES/99/1(X)", "B/1"]


def naive(symbols: list[str]) -> list[str]:
    """The graph as every part's lines and the shared lines, sorted and de-duplicated by hand."""
    assembly = rdf_parts.Assembly(BASE)
    lines: set[str] = set()
    for symbol in symbols:
        part, data = rdf_parts.resolution_part(resolution(symbol), base=BASE)
        assembly.add(part)
        lines.update(data.decode("utf-8").splitlines(keepends=True))
    whole = assembly.finish(build_module.with_authority(SOURCES))
    for part in whole.parts:
        lines.update(whole.generated(part).decode("utf-8").splitlines(keepends=True))
    lines.update(whole.shared)
    return sorted(lines)


def test_nested_iris_still_give_canonical_order(tmp_path: Path) -> None:
    build([resolution(s) for s in reversed(NESTED)], tmp_path / "dist", base=BASE,
          sources=SOURCES)  # fmt: skip
    written = (tmp_path / "dist" / "graph.nt").read_text("utf-8").splitlines(keepends=True)
    assert written == naive(NESTED)
    assert written == sorted(set(written))
    parsed = {str(q.triple) for q in ox.parse(path=str(tmp_path / "dist" / "graph.nt"))}
    assert len(parsed) == len(written)


def test_parts_name_the_build_in_place(tmp_path: Path) -> None:
    part, data = rdf_parts.resolution_part(resolution("A/RES/99/1"), base=BASE)
    assert rdf_terms.PENDING.encode() not in data  # the stand-in name never reaches a file
    assert {s for _, s in part.generated} == {">", "/citation/pp1-1>", "/citation/pp1-2>"}
    assert not part.resort
    graph = build([resolution("A/RES/99/1")], tmp_path / "dist", base=BASE)
    text = (tmp_path / "dist" / "graph.nt").read_text("utf-8")
    assert text.count("<http://www.w3.org/ns/prov#wasGeneratedBy>") == 3
    assert graph.triples == len(text.splitlines())


def test_a_part_that_must_be_sorted_again_is(tmp_path: Path) -> None:
    """Were a subject to name the build and something else by the same predicate, the build's
    real name could change the lines' order: such a part is sorted again when written."""
    part, data = rdf_parts.resolution_part(resolution("A/RES/99/1"), base=BASE)
    assembly = rdf_parts.Assembly(BASE)
    assembly.add(replace(part, resort=True))
    whole = assembly.finish()
    lines = b"".join(whole.lines(lambda p, start, end: data[start:end])).decode().splitlines()
    assert lines == sorted(set(lines))


def test_one_instrument_node_for_every_resolution_citing_it() -> None:
    triples = rdf.triples([resolution("A/RES/99/1"), resolution("A/RES/99/2")], base=BASE)
    cited = [t for t in triples if t.predicate.value == "http://purl.org/spar/cito/hasCitedEntity"]
    assert len(cited) == 4
    assert {t.object.value for t in cited} == {f"{BASE}instrument/crc", f"{BASE}instrument/opsc"}
    titles = [t for t in triples if t.subject.value == f"{BASE}instrument/crc"
              and t.predicate.value == "http://purl.org/dc/terms/title"]  # fmt: skip
    assert len(titles) == 1


def test_turtle_keeps_line_separators_inside_literals() -> None:
    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    odd = ox.Literal("one\u2028two\x85three\x0cfour")
    turtle = rdf.to_turtle(rdf_terms.Canonical([ox.Triple(s, p, odd)]))
    back = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    assert back == [ox.Triple(s, p, odd)]


def test_dumps_are_left_out_above_the_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "DUMPS_UP_TO", 10)
    report = build([resolution("A/RES/99/1")], tmp_path / "dist", base=BASE)
    assert report.skipped == ("graph.ttl", "graph.jsonld")
    names = {p.name for p in (tmp_path / "dist").iterdir()}
    assert "graph.nt" in names and not names & {"graph.ttl", "graph.jsonld"}
    void = (tmp_path / "dist" / "void.ttl").read_text("utf-8")
    assert "graph.nt" in void and "graph.ttl" not in void
    forced = build([resolution("A/RES/99/1")], tmp_path / "dist", base=BASE, dumps=True)
    assert forced.skipped == () and (tmp_path / "dist" / "graph.ttl").exists()


def test_parts_are_reused_by_checksum(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    files = sorted(corpus.glob("*.txt"))
    folder = tmp_path / "parts"
    first = list(map_corpus(files, base=default_base(), folder=folder, reuse=True, jobs=1))
    again = list(map_corpus(files, base=default_base(), folder=folder, reuse=True, jobs=1))
    assert [o.from_cache for o in first] == [False] and [o.from_cache for o in again] == [True]
    assert first[0].part == again[0].part
    other = list(map_corpus(files, base="http://example.org/other/", folder=folder, reuse=True,
                            jobs=1))  # fmt: skip
    assert not other[0].from_cache  # another base: another part


def test_a_second_file_with_the_same_symbol_fails_alone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "again").mkdir()
    for name in ("A-RES-77-194.txt", "A-RES-77-194.meta.yaml"):
        if (corpus / name).exists():
            shutil.copy(corpus / name, corpus / "again" / name)
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph", "build", str(corpus), "--out", str(tmp_path / "dist"),
         "--store", str(tmp_path / "store"), "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and "two documents have the symbol A/RES/77/194" in failed[0]
    assert "read 2 files (1 parsed, 0 cached, 1 failed)" in done.stderr
    assert not list(tmp_path.glob(".dist.parts-*"))  # the scratch folder is gone
