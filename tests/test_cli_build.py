"""`treatygraph build` as a user runs it: corpus folder → dist/ → embedded store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]


def build(corpus: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "treatygraph", "build", str(corpus), "--out", str(work / "dist"),
            "--store", str(work / "store"), "--cache", str(work / "cache"), *extra]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)


def store_count(work: Path) -> int:
    from treatygraph.store import open_store

    return open_store(work / "store", read_only=True).triple_count()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def test_build_writes_every_output_and_loads_the_store(corpus: Path, tmp_path: Path) -> None:
    done = build(corpus, tmp_path, "--validate")
    assert done.returncode == 0, done.stderr
    dist = tmp_path / "dist"
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "context.jsonld", "void.ttl"):
        assert (dist / name).stat().st_size > 0
    # the data (graph.nt) in the default graph, the ontology and shapes in a named graph
    loaded = ("graph.nt", "ontology.ttl", "shapes.ttl")
    triples = sum(len(list(ox.parse(path=str(dist / name)))) for name in loaded)
    assert store_count(tmp_path) == triples
    assert f"loaded {triples} triples" in done.stderr


def test_two_builds_are_byte_identical(corpus: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert build(corpus, first, "--no-cache").returncode == 0
    assert build(corpus, second).returncode == 0
    assert (first / "dist/graph.nt").read_bytes() == (second / "dist/graph.nt").read_bytes()
    again = build(corpus, second)
    assert "0 parsed, 1 cached" in again.stderr
    assert (first / "dist/graph.nt").read_bytes() == (second / "dist/graph.nt").read_bytes()


def test_a_failing_build_leaves_dist_and_store_as_they_were(corpus: Path, tmp_path: Path) -> None:
    assert build(corpus, tmp_path).returncode == 0
    before = (tmp_path / "dist/graph.nt").read_bytes()
    count = store_count(tmp_path)
    for text in corpus.glob("*.txt"):
        text.write_bytes(b"\x00\x01binary")
    done = build(corpus, tmp_path)
    assert done.returncode == 2
    assert "no resolution could be read" in done.stderr
    assert "binary data: NUL byte at offset 0" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "dist/graph.nt").read_bytes() == before
    assert store_count(tmp_path) == count


def test_one_bad_file_is_reported_and_the_others_are_built(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.txt").write_text("The General Assembly,\n Recalling nothing,\n")
    (corpus / "broken.meta.yaml").write_text("symbol: A/RES/1/1\ntitle: Broken\n")
    done = build(corpus, tmp_path)
    assert done.returncode == 0
    assert "failed: " in done.stderr and "broken.txt: error: no operative part" in done.stderr
    assert "read 2 files (1 parsed, 0 cached, 1 failed)" in done.stderr
    assert build(corpus, tmp_path, "--strict").returncode == 1


def test_not_a_folder(tmp_path: Path) -> None:
    done = build(tmp_path / "missing", tmp_path)
    assert done.returncode == 2
    assert "missing: error: not a corpus folder" in done.stderr
