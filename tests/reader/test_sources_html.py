"""The UN's older web pages (1990s, ares51-66.htm style): a made-up page in that style."""

from __future__ import annotations

from pathlib import Path

import pytest

import treatygraph
from treatygraph.reader.sources.detect import Format, detect
from treatygraph.reader.sources.html import html_to_text

PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "ares99-12.htm"


def test_header_of_the_page() -> None:
    meta = treatygraph.read(PAGE).document.meta
    assert (meta.symbol, meta.title, meta.session, meta.input_format) == (
        "A/RES/51/998", "Made-up resolution of the 1990s", 51, "html"
    )  # fmt: skip
    assert str(meta.adoption_date) == "1996-12-12"  # the date under the plenary line


def test_slash_calls_and_notes_after_the_plenary_line() -> None:
    doc = treatygraph.read(PAGE).document
    assert [p.id for p in doc.paragraphs] == ["pp1", "pp2", "op1", "op2"]
    assert {p.id: [m.number for m in p.markers] for p in doc.paragraphs if p.markers} == {
        "pp1": [1, 2], "pp2": [3]
    }  # fmt: skip
    assert [(f.number, f.text) for f in doc.footnotes] == [
        (1, "Resolution 44/25, annex."),
        (2, "Resolution 34/180, annex."),
        (3, "A/CONF.157/24 (Part I), chap. III."),
    ]
    assert doc.paragraphs[-1].text == "Decides to remain seized of the matter."


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a <i>b</i> c</p><p>d</p>", "a b c\n\nd\n"),
        ("<p>x<br>y</p>", "x\ny\n"),
        ("<p>the Convention <sup>12</sup>,</p>", "the Convention[^12],\n"),
        ("<script>var x;</script><p>&amp; &eacute;</p>", "& é\n"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_a_page_of_the_1990s_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "ares51-1.htm"
    page = PAGE.read_text("utf-8").replace("Made-up resolution", "Made-up r\u00e9solution")
    path.write_bytes(page.replace("\u00a0", " ").encode("cp1252"))
    meta = treatygraph.read(path).document.meta
    assert meta.title == "Made-up r\u00e9solution of the 1990s"


def test_html_named_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(PAGE.read_bytes())
    assert detect(path.read_bytes(), path.name) is Format.HTML
    assert treatygraph.read(path).document.meta.input_format == "html"
