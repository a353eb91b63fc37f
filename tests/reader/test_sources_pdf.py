"""The official PDF: a made-up resolution written by tests/pdf_support.py, bad PDFs of every
kind, and the two real ones in ../shared/realdocs (skipped when that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

import treatygraph
from tests.pdf_support import make_pdf, resolution_pages
from treatygraph.errors import TreatygraphError
from treatygraph.reader.sources import Format, detect

ROOT = Path(__file__).resolve().parents[2]
REALDOCS = ROOT.parent / "shared" / "realdocs"


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    path = tmp_path / "A-RES-99-7.pdf"
    path.write_bytes(make_pdf(resolution_pages()))
    return path


def test_header_from_the_first_page(made_up: Path) -> None:
    meta = treatygraph.read(made_up).document.meta
    assert (meta.symbol, meta.title, meta.session, str(meta.adoption_date), meta.agenda_item) == (
        "A/RES/99/7",
        "Made-up resolution on treaties and the furniture of pages",
        99,
        "2044-03-03",
        "12",
    )
    assert meta.input_format == "pdf"


def test_body_without_furniture_and_list_joined_over_the_page(made_up: Path) -> None:
    doc = treatygraph.read(made_up).document
    assert [p.id for p in doc.paragraphs] == ["pp1", "op1", "op2"]
    assert doc.paragraph("pp1").text == (
        "Recalling the Convention on the Rights of the Child, and its resolutions 47/19 of "
        "24 November 1992, 48/16 of 3 November 1993 and 72/4 of 1 November 2017,"
    )


def test_small_raised_figures_are_calls_and_small_type_under_the_rule_notes(made_up: Path) -> None:
    doc = treatygraph.read(made_up).document
    assert {p.id: [m.number for m in p.markers] for p in doc.paragraphs} == {
        "pp1": [1], "op1": [2], "op2": []
    }  # fmt: skip
    assert [(f.number, f.text) for f in doc.footnotes] == [
        (1, "United Nations, Treaty Series, vol. 1577, No. 27531."),  # over the page break
        (2, "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex."),
    ]
    offset = doc.paragraph("pp1").markers[0].offset
    assert doc.text[:offset].endswith("Rights of the Child,")


def test_a_rule_drawn_as_a_line_still_tells_the_footnotes(tmp_path: Path) -> None:
    path = tmp_path / "drawn.pdf"
    path.write_bytes(make_pdf(resolution_pages(), drawn_rule=True))
    doc = treatygraph.read(path).document
    assert [p.id for p in doc.paragraphs] == ["pp1", "op1", "op2"]
    assert [f.text for f in doc.footnotes] == [
        "United Nations, Treaty Series, vol. 1577, No. 27531.",
        "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
    ]


def test_without_an_enacting_formula_the_text_is_still_read(tmp_path: Path) -> None:
    one, two = resolution_pages()
    path = tmp_path / "no-formula.pdf"
    path.write_bytes(make_pdf([[t for t in one if t.text != "The General Assembly,"], two]))
    extraction = treatygraph.read(path)
    assert [p.id for p in extraction.document.paragraphs] == ["pp1", "op1", "op2"]
    assert len(extraction.document.footnotes) == 2
    assert any("no enacting formula" in p.message for p in extraction.problems)


def test_a_pdf_named_txt_is_read_as_a_pdf(made_up: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "resolution.txt"
    renamed.write_bytes(made_up.read_bytes())
    assert detect(renamed.read_bytes(), renamed.name) is Format.PDF
    assert len(treatygraph.read(renamed).document.footnotes) == 2


BAD = [
    ("encrypted.pdf", lambda: make_pdf(resolution_pages(), encrypt=True), "encrypted"),
    ("scanned.pdf", lambda: make_pdf([[]]), "no text layer"),
    ("truncated.pdf", lambda: make_pdf(resolution_pages())[:900], "truncated"),
    ("not-a-pdf.pdf", lambda: b"<html>a web page saved as .pdf</html>", "not a PDF"),
    ("damaged.pdf", lambda: b"%PDF-1.4\n garbage \n%%EOF\n", "not a readable PDF"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD)
def test_bad_pdf_is_a_clear_error_naming_the_file(
    tmp_path: Path, name: str, content: object, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content())  # type: ignore[operator]
    with pytest.raises(TreatygraphError) as caught:
        treatygraph.read(path)
    assert str(caught.value).startswith(f"{path}: error: ")
    assert reason in str(caught.value)


def real(name: str) -> Path:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"{path} absent: the real documents are in the shared folder beside the repo")
    return path


def test_a_res_73_6_from_the_official_pdf() -> None:
    doc = treatygraph.read(real("A_RES_73_6-EN.pdf")).document
    kinds = [p.id[:2] for p in doc.paragraphs]
    assert (kinds.count("pp"), kinds.count("op")) == (25, 14)
    assert [f.number for f in doc.footnotes] == [1, 2, 3, 4, 5, 6]
    called = {m.number for p in doc.paragraphs for m in p.markers}
    assert called == {1, 2, 3, 4, 5, 6}
    # footnote 6 runs over a page break: one footnote, ending on the next page
    assert doc.footnote(6).text.endswith("A/AC.105/1180 and A/AC.105/1181.")
    assert doc.footnote(5).text == "United Nations, Treaty Series, vol. 610, No. 8843."
    assert not any("18-17962" in p.text or "A/RES/73/6" in p.text for p in doc.paragraphs)


def test_a_res_73_8_list_of_resolutions_is_whole_and_nothing_is_invented() -> None:
    extraction = treatygraph.read(real("A_RES_73_8-EN.pdf"))
    doc = extraction.document
    assert doc.meta.title == (
        "Necessity of ending the economic, commercial and financial embargo imposed by the "
        "United States of America against Cuba"
    )
    recalling = doc.paragraph("pp6").text
    assert "57/11 of 12 November 2002, 58/7 of 4 November 2003" in recalling
    assert recalling.endswith("71/5 of 26 October 2016 and 72/4 of 1 November 2017,")
    assert [(f.number, f.text) for f in doc.footnotes] == [(1, "A/73/85.")]
    assert [m.number for m in doc.paragraph("op1").markers] == [1]
    # resolutions, one report and the Charter of the United Nations: nothing else may be found
    kinds = {c.instrument.kind for c in extraction.citations}
    assert kinds == {"UN resolution", "UN document", "treaty"}
    treaties = {c.instrument.id for c in extraction.citations if c.instrument.kind == "treaty"}
    assert treaties == {"un_charter"}


def test_extract_of_a_bad_pdf_exits_2_naming_the_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "locked.pdf"
    path.write_bytes(make_pdf(resolution_pages(), encrypt=True))
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph", "extract", str(path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"{path}: error: the PDF is encrypted" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
