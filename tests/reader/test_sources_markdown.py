"""Markdown from PDF converters: front matter as metadata, [^N] calls and calls glued to
words, [^N]: notes at the end, Markdown made plain; and all 49 resolutions of the 2025
session in ../shared/realdocs/ga-80 (skipped when that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

import treatygraph
from treatygraph.reader.sources.markdown import plain, read_markdown

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "layouts" / "made-up-converter.md"
GA80 = ROOT.parent / "shared" / "realdocs" / "ga-80"


def test_front_matter_is_metadata_and_the_header_title_wins_over_a_cut_one() -> None:
    meta = treatygraph.read(FIXTURE).document.meta
    assert (meta.symbol, str(meta.adoption_date), meta.session, meta.input_format) == (
        "A/RES/99/13", "2044-03-05", 99, "markdown"
    )  # fmt: skip
    assert meta.title == "Made-up resolution on converters and the Markdown they write"


def test_calls_bracketed_and_glued_are_matched_to_their_notes() -> None:
    doc = treatygraph.read(FIXTURE).document
    assert {p.id: [m.number for m in p.markers] for p in doc.paragraphs if p.markers} == {
        "pp1": [1, 2], "pp2": [3]
    }  # fmt: skip
    # a note's indented continuation line is part of it
    assert doc.footnote(1).text == "United Nations, Treaty Series, vol. 1577, No. 27531."


def test_markdown_is_removed_and_the_running_title_dropped() -> None:
    doc = treatygraph.read(FIXTURE).document
    assert doc.paragraph("pp1").text == (
        "Recalling the Convention on the Rights of the Child and the Paris Agreement,"
    )
    assert doc.paragraph("pp2").text == (
        "Recalling also its resolutions 47/19 of 24 November 1992 and 48/16 of 3 November "
        "1993, and the report of the Secretary-General,"
    )


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("## 80/1. A title", "80/1. A title"),
        ("*Recalling* the **Charter**", "Recalling the Charter"),
        ("***Noting*** the _Programme_ of __Action__", "Noting the Programme of Action"),
        ("the Secretary\\-General \\[see\\]", "the Secretary-General [see]"),
        ("> quoted", "quoted"),
        ("a [link](https://example.org) here", "a link here"),
        ("the Convention<sup>4</sup> and", "the Convention[^4] and"),
        ("the Convention[^4] and", "the Convention[^4] and"),
        ("---", ""),
    ],
)
def test_plain(line: str, text: str) -> None:
    assert plain(line) == text


def test_markdown_named_txt_is_read_as_markdown(tmp_path: Path) -> None:
    path = tmp_path / "resolution.txt"
    path.write_bytes(FIXTURE.read_bytes())
    doc = treatygraph.read(path).document
    assert (doc.meta.input_format, doc.meta.symbol, len(doc.footnotes)) == (
        "markdown", "A/RES/99/13", 3
    )  # fmt: skip


def test_no_front_matter_is_no_metadata() -> None:
    body, front = read_markdown("The General Assembly,\n", "x.md")
    assert (body.strip(), front) == ("The General Assembly,", None)


def ga80_files() -> list[Path]:
    if not GA80.is_dir():
        return []
    return sorted(GA80.glob("*.md"))


@pytest.mark.skipif(not GA80.is_dir(), reason="../shared/realdocs/ga-80 is absent")
@pytest.mark.parametrize("path", ga80_files(), ids=lambda p: p.stem)
def test_every_ga80_resolution_reads(path: Path) -> None:
    doc = treatygraph.read(path).document
    assert doc.meta.symbol == path.stem.replace("_", "/")
    assert doc.meta.session == 80 and doc.meta.adoption_date is not None
    assert any(p.id.startswith("op") for p in doc.paragraphs)
    notes = {f.number for f in doc.footnotes}
    called = [m.number for p in doc.paragraphs for m in p.markers]
    assert [n for n in called if n not in notes] == []
