"""A corpus folder of mixed formats: every kind of file found, one file a name, and one
graph built from them (SHACL-valid, every body and session mapped)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.pdf_support import make_pdf, resolution_pages
from treatygraph.build.corpus import corpus_files

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
ES_TEXT = (
    "The General Assembly,\n\n Recalling the Charter of the United Nations,\n\n"
    " 1. Demands that the aggression cease.\n"
)


def mixed_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a-res-99-7.pdf").write_bytes(make_pdf(resolution_pages()))
    (folder / "a-res-99-7.txt").write_text("the same resolution, printed from the PDF\n")
    shutil.copy(LAYOUTS / "made-up-converter.md", folder / "a-res-99-13.md")
    shutil.copy(LAYOUTS / "ares99-12.htm", folder / "ares99-12.htm")
    (folder / "es-11-1.txt").write_text(ES_TEXT)
    (folder / "es-11-1.meta.yaml").write_text(
        "symbol: A/RES/ES-11/1\ntitle: Aggression against a made-up State\nsession: ES-11\n"
    )
    return folder


def test_every_format_is_found_once_a_name(tmp_path: Path) -> None:
    files = corpus_files(mixed_corpus(tmp_path / "corpus"))
    assert [f.name for f in files] == ["a-res-99-13.md", "a-res-99-7.pdf", "ares99-12.htm",
                                       "es-11-1.txt"]  # fmt: skip


def test_one_graph_from_every_format(tmp_path: Path) -> None:
    from treatygraph.build.pipeline import run_build

    corpus = mixed_corpus(tmp_path / "corpus")
    report = run_build(
        corpus, out_dir=tmp_path / "dist", store=str(tmp_path / "store"), validate=True
    )
    assert report.corpus.failures == ()
    graph = (tmp_path / "dist" / "graph.nt").read_text("utf-8")
    for slug in ("A-RES-99-7", "A-RES-99-13", "A-RES-51-998", "A-RES-ES-11-1"):
        assert f"/resolution/{slug}> " in graph
    session = "<https://w3id.org/treatygraph/ontology#session>"
    assert f'A-RES-51-998> {session} "51"' in graph
    assert not any("A-RES-ES-11-1> " in ln and session in ln for ln in graph.splitlines())
