"""Text as people have it (pdftotext, pdftotext -layout, hand-typed), one made-up document a
layout in tests/fixtures/layouts: every paragraph found, every call matched to its note, no
page furniture left in the text."""

from __future__ import annotations

from pathlib import Path

import pytest

import treatygraph
from treatygraph.model import Document, Extraction

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
FURNITURE = ("44-0000", "*44", "2/2", "100344", "plenary meeting", "A/RES/99/8 ")


def calls(extraction: Extraction) -> dict[str, list[int]]:
    return {p.id: [m.number for m in p.markers] for p in extraction.document.paragraphs}


def notes(extraction: Extraction) -> dict[int, str]:
    return {f.number: f.text for f in extraction.document.footnotes}


# file, paragraph ids, calls by paragraph, footnote texts
CASES = [
    (
        "pdftotext-plain.txt",  # number alone before its text; furniture inside a list
        ["pp1", "pp2", "op1", "op2"],
        {"pp1": [1], "op1": [2]},
        {1: "United Nations, Treaty Series, vol. 1577, No. 27531.", 2: "A/99/85."},
    ),
    (
        "pdftotext-layout.txt",  # indented; notes at both page feet; running title
        ["pp1", "pp2", "pp3", "op1", "op2"],
        {"pp1": [1], "pp2": [2, 3], "pp3": [4]},
        {
            1: "United Nations, Treaty Series, vol. 999, No. 14668.",
            2: "See A/99/100, annex, and the reports listed in A/99/101.",
            3: "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
            4: "Ibid., vol. 2220, No. 39481.",
        },
    ),
    (
        "unruled-page-feet.txt",  # notes without a rule, before the page furniture
        ["pp1", "pp2", "op1", "op2"],
        {"pp1": [1, 2]},
        {
            1: "United Nations, Treaty Series, vol. 1577, No. 27531.",
            2: "Ibid., vol. 1249, No. 20378.",
        },
    ),
    (
        "unruled-notes-at-end.txt",  # notes without a rule, gathered after the plenary line
        ["pp1", "op1", "op2"],
        {"pp1": [1], "op1": [2]},
        {
            1: "United Nations, Treaty Series, vol. 993, No. 14531.",
            2: "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
        },
    ),
    (
        "pypdf.txt",  # what pypdf prints: calls glued to a range of years, "44-00014 2/2"
        ["pp1", "op1", "op2"],
        {"pp1": [1, 2]},
        {
            1: "Resolution 69/283, annex II.",
            2: "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
        },
    ),
    (
        "slash-notes.txt",  # the 1990s layout as text: 1/ calls, "Notes" after the plenary line
        ["pp1", "op1", "op2"],
        {"pp1": [1, 2]},
        {1: "Resolution 44/25, annex.", 2: "Resolution 34/180, annex."},
    ),
]


@pytest.mark.parametrize(("name", "ids", "by_paragraph", "texts"), CASES)
def test_layout_is_read(
    name: str, ids: list[str], by_paragraph: dict[str, list[int]], texts: dict[int, str]
) -> None:
    extraction = treatygraph.read(LAYOUTS / name)
    assert [p.id for p in extraction.document.paragraphs] == ids
    assert {k: v for k, v in calls(extraction).items() if v} == by_paragraph
    assert notes(extraction) == texts
    unmatched = ("has no footnote text", "never referenced")
    assert not [p for p in extraction.problems if p.message.endswith(unmatched)]


@pytest.mark.parametrize("name", [case[0] for case in CASES])
def test_no_furniture_in_paragraphs(name: str) -> None:
    for p in treatygraph.read(LAYOUTS / name).document.paragraphs:
        assert not any(bit in p.text for bit in FURNITURE), (p.id, p.text)


def test_list_of_resolutions_runs_over_the_page_break_whole() -> None:
    pp2 = treatygraph.read(LAYOUTS / "pdftotext-plain.txt").document.paragraph("pp2")
    assert pp2.text.endswith("51/17 of 12 November 1996 and 72/4 of 1 November 2017,")
    assert "neighbouring States" not in pp2.text  # the running title is gone


def test_header_read_across_line_breaks() -> None:
    meta = treatygraph.read(LAYOUTS / "pdftotext-plain.txt").document.meta
    assert (meta.symbol, meta.title, meta.session, str(meta.adoption_date), meta.agenda_item) == (
        "A/RES/99/8",
        "Cooperation on made-up matters between neighbouring States",
        99,
        "2044-03-04",
        "41",
    )


def test_plenary_line_is_not_part_of_the_last_paragraph() -> None:
    last = treatygraph.read(LAYOUTS / "pdftotext-layout.txt").document.paragraphs[-1]
    assert last.text == "Decides to remain seized of the matter."


@pytest.mark.parametrize(
    ("line", "opens"),
    [
        ("13 November 2012, 68/8 of 29 October 2013,", False),  # a date, not a note
        ("1 United Nations, Treaty Series, vol. 1577, No. 27531.", True),
    ],
)
def test_a_numbered_line_before_furniture_is_a_note_unless_a_date(line: str, opens: bool) -> None:
    text = (
        "The General Assembly,\n\nRecalling the Convention on the Rights of the Child,1 and "
        f"its resolutions 47/19 of\n{line}\n44-00005 (E) 100344\n\n1. Decides to act.\n"
    )
    from treatygraph.model import ResolutionMeta
    from treatygraph.reader.parse import parse

    doc = parse(text, meta=ResolutionMeta("A/RES/99/1", "Made-up"))
    assert bool(doc.footnotes) is opens


REALDOCS = Path(__file__).resolve().parents[2].parent / "shared" / "realdocs"


def pdftotext(tmp_path: Path, name: str, *options: str) -> Path:
    """The text pdftotext prints for a real PDF (poppler-utils), made at test time."""
    import shutil
    import subprocess

    pdf = REALDOCS / name
    if not pdf.exists():
        pytest.skip(f"{pdf} absent: the real documents are in the shared folder beside the repo")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext absent (Debian: apt-get install poppler-utils)")
    out = tmp_path / (pdf.stem + ".txt")
    subprocess.run(["pdftotext", *options, str(pdf), str(out)], check=True, timeout=60)
    return out


@pytest.mark.parametrize("options", [(), ("-layout",)], ids=["plain", "layout"])
def test_real_pdftotext_of_a_res_73_8(tmp_path: Path, options: tuple[str, ...]) -> None:
    doc = treatygraph.read(pdftotext(tmp_path, "A_RES_73_8-EN.pdf", *options)).document
    assert [p.id[:2] for p in doc.paragraphs].count("op") == 5
    recalling = doc.paragraph("pp6").text
    assert recalling.endswith("71/5 of 26 October 2016 and 72/4 of 1 November 2017,")
    assert "18-18418" not in recalling and "Necessity" not in recalling
    assert [(f.number, f.text) for f in doc.footnotes] == [(1, "A/73/85.")]
    assert [m.number for m in doc.paragraph("op1").markers] == [1]


def test_real_pdftotext_layout_of_a_res_73_6(tmp_path: Path) -> None:
    doc = treatygraph.read(pdftotext(tmp_path, "A_RES_73_6-EN.pdf", "-layout")).document
    assert [f.number for f in doc.footnotes] == [1, 2, 3, 4, 5, 6]
    assert {m.number for p in doc.paragraphs for m in p.markers} == {1, 2, 3, 4, 5, 6}
    assert doc.footnote(6).text.endswith("A/AC.105/1180 and A/AC.105/1181.")


@pytest.mark.parametrize(
    ("sentence", "calls"),
    [
        ("the Sendai Framework 2015–20303 and the Paris Agreement,4", [3, 4]),  # glued to a range
        ("the Sendai Framework 2015–2030 3 and the Paris Agreement 4 requires", [3, 4]),
        ("between 2015 and 2030 4 times more", []),  # no call is due there: 4 is not next
        ("a timetable for 2025–20285 and", [5]),  # a lost call before it (4) is skipped
        ("the report of 25 November 20243 and", [3]),  # glued to a date's year
        ("the report of 20243 pages", []),  # a number, not a year and a call: no date
    ],
)
def test_calls_after_years(sentence: str, calls: list[int]) -> None:
    from treatygraph.model import ResolutionMeta
    from treatygraph.reader.parse import parse

    notes = "".join(f"[^{n}]: Resolution {n}/1.\n" for n in range(1, 6))
    text = f"The General Assembly,\n\nRecalling A,[^1] B[^2] and {sentence},\n\n1. Acts.\n{notes}"
    doc = parse(text, meta=ResolutionMeta("A/RES/99/1", "Made-up"))
    assert [m.number for m in doc.paragraph("pp1").markers][2:] == calls


def test_footnotes_printed_apart_from_their_numbers_are_paired() -> None:
    from treatygraph.reader.scrambled import unscramble_notes

    lines = [
        "would be",
        "__________________",
        "",
        "Resolution 70/1.",
        "Resolution 69/283, annex II.",
        "4",
        "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
        "2",
        "3",
        "2/5",
        "A/RES/99/1",
        "consistent with the principles",
    ]
    out = unscramble_notes(lines, "A/RES/99/1", None)
    assert out[2:5] == [
        "2 Resolution 70/1.",
        "3 Resolution 69/283, annex II.",
        "4 See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.",
    ]
    assert out[5:11] == [""] * 6 and out[11] == "consistent with the principles"
    assert len(out) == len(lines)


def test_footnotes_each_after_its_number_are_left_as_they_are() -> None:
    from treatygraph.reader.scrambled import unscramble_notes

    lines = ["__________", "1", "See A/99/1.", "2", "Ibid.", "18-17962", "body"]
    assert unscramble_notes(lines, None, None) == lines


def test_real_plain_pdftotext_of_a_res_73_6_reads_like_the_pdf(tmp_path: Path) -> None:
    from_text = treatygraph.read(pdftotext(tmp_path, "A_RES_73_6-EN.pdf")).document
    from_pdf = treatygraph.read(REALDOCS / "A_RES_73_6-EN.pdf").document
    assert [p.id for p in from_text.paragraphs] == [p.id for p in from_pdf.paragraphs]
    assert [(f.number, f.text) for f in from_text.footnotes] == [
        (f.number, f.text) for f in from_pdf.footnotes
    ]

    # Each footnote's first call is found in the same paragraph; a later call back to an
    # earlier footnote after a space ("Sustainable Development Goals 2 for") is told apart
    # from the prose only by its type size, which the text has lost.
    def first_calls(doc: Document) -> dict[int, str]:
        found: dict[int, str] = {}
        for p in doc.paragraphs:
            for m in p.markers:
                found.setdefault(m.number, p.id)
        return found

    assert first_calls(from_text) == first_calls(from_pdf)


def test_a_section_heading_between_paragraphs_belongs_to_none() -> None:
    from treatygraph.model import ResolutionMeta
    from treatygraph.reader.parse import parse

    text = (
        "The General Assembly,\n\nRecalling the Charter,\n\nPeacebuilding Commission\n\n"
        "1. Decides to act;\n\nFollow-up\n\n2. Requests a report.\n"
    )
    doc = parse(text, meta=ResolutionMeta("A/RES/99/1", "Made-up"))
    assert [(p.id, p.text) for p in doc.paragraphs] == [
        ("pp1", "Recalling the Charter,"),
        ("op1", "Decides to act;"),
        ("op2", "Requests a report."),
    ]
