"""Layouts other than the seed's: made-up documents, each a specification of one habit of
PDF extraction the reader must survive."""

from __future__ import annotations

import datetime

import pytest

import treatygraph
from treatygraph.model import Document, ResolutionMeta

META = ResolutionMeta(symbol="A/RES/99/1", title="Made-up resolution")

WITH_HEADER = """\
United Nations                                                   A/RES/78/200
General Assembly                                                 Distr.: General
                                                                 22 December 2023
Seventy-eighth session
Agenda item 28
Resolution adopted by the General Assembly on 19 December 2023
[on the report of the Third Committee (A/78/481)]
78/200. Protecting migrant workers

The General Assembly,

Recalling the International Convention on the Protection of the Rights of All Migrant
Workers and Members of Their Families,1 and the Forced Labour Convention, 1930
(No. 29),2

Welcoming the work of the Organization for Security and Cooperat ion in Europe on
anti -trafficking and age-
appropriate measures,
___________________________________
1
United Nations, Treaty Series, vol. 2220, No. 39481.
2
Ibid., vol. 39, No. 612.
23-25921 (E) 050124
*2325921*
A/RES/78/200 Protecting migrant workers
2/4
1. Urges States to consider:
(a) ratifying the Convention on the Rights of the Child and the Optional Protocols
thereto;3
(b) implementing them fully;
2. Decides to remain seized of the matter.
_______
3
United Nations, Treaty Series, vols. 2171 and 2173, No. 27531; and ibid., vol. 2131,
No. 20378.
"""

SLASH_MARKERS = """\
The General Assembly,

 Recalling the Convention on the Rights of the Child 1/ and the Convention on the
Elimination of All Forms of Discrimination against Women,2/

 1. Calls upon States to implement them.
__________
1/ United Nations, Treaty Series, vol. 1577, No. 27531.
2/ Ibid., vol. 1249, No. 20378.
"""


@pytest.fixture(scope="module")
def header_doc() -> Document:
    return treatygraph.parse(WITH_HEADER, file="made-up.txt")


def test_header_is_read(header_doc: Document) -> None:
    meta = header_doc.meta
    assert (meta.symbol, meta.title, meta.session, meta.agenda_item, meta.body) == (
        "A/RES/78/200",
        "Protecting migrant workers",
        78,
        "28",
        "General Assembly",
    )
    assert meta.adoption_date == datetime.date(2023, 12, 19)
    assert meta.source == "header"


def test_header_layout_paragraphs(header_doc: Document) -> None:
    assert [p.id for p in header_doc.paragraphs] == ["pp1", "pp2", "op1", "op2"]
    assert [f.number for f in header_doc.footnotes] == [1, 2, 3]
    assert [[m.number for m in p.markers] for p in header_doc.paragraphs] == [[1, 2], [], [3], []]
    assert header_doc.problems == ()


@pytest.mark.parametrize(
    ("pid", "expected"),
    [
        ("pp2", "Welcoming the work of the Organization for Security and Cooperation in Europe on "
                "anti-trafficking and age-appropriate measures,"),
        ("op1", "Urges States to consider: (a) ratifying the Convention on the Rights of the Child "
                "and the Optional Protocols thereto; (b) implementing them fully;"),
    ],
)  # fmt: skip
def test_debris_is_cleaned(header_doc: Document, pid: str, expected: str) -> None:
    """Page furniture, link lines, spacing and hyphenation breaks leave no trace."""
    assert header_doc.paragraph(pid).text == expected


def test_sub_items(header_doc: Document) -> None:
    op1 = header_doc.paragraph("op1")
    items = [(i.letter, i.span.slice(header_doc.text)) for i in op1.items]
    assert items == [
        ("a", "(a) ratifying the Convention on the Rights of the Child and the Optional "
              "Protocols thereto;"),
        ("b", "(b) implementing them fully;"),
    ]  # fmt: skip


def test_several_volumes_and_a_second_ibid_in_one_footnote(header_doc: Document) -> None:
    x = treatygraph.extract(header_doc)
    note = x.document.footnote(3)
    pairs = [(r.volume, r.number, r.ibid) for r in note.references]
    assert pairs == [(2171, 27531, False), (2173, 27531, False), (2131, 20378, True)]
    assert {c.instrument.id for c in x.citations_of("op1")} == {"crc", "opsc", "opac", "op_cedaw"}


def test_footnote_numbers_on_their_own_line_resolve(header_doc: Document) -> None:
    x = treatygraph.extract(header_doc)
    assert {c.instrument.id: c.footnote for c in x.citations_of("pp1")} == {"icrmw": 1, "c029": 2}


def test_slash_markers() -> None:
    doc = treatygraph.parse(SLASH_MARKERS, meta=META)
    assert [m.number for m in doc.paragraph("pp1").markers] == [1, 2]
    assert doc.paragraph("pp1").text.startswith(
        "Recalling the Convention on the Rights of the Child and"
    )
    x = treatygraph.extract(doc)
    assert {c.instrument.id: c.footnote for c in x.citations_of("pp1")} == {"crc": 1, "cedaw": 2}


def test_offsets_point_into_one_text(header_doc: Document) -> None:
    for p in header_doc.paragraphs:
        assert header_doc.text[p.span.start : p.span.end] == p.text
    for f in header_doc.footnotes:
        assert header_doc.text[f.span.start : f.span.end] == f.text
    assert header_doc.footnote(3).text.startswith("United Nations, Treaty Series, vols. 2171")


def test_a_numbers_in_prose_are_not_markers() -> None:
    text = (
        "The General Assembly,\n\n Recalling its resolution 73/195 of 19 December 2018, held from"
        " 12 to 16 October 2020 in Alliance 8.7 (No. 29),\n\n 1. Decides.\n"
    )
    doc = treatygraph.parse(text, meta=META)
    assert doc.paragraph("pp1").markers == ()
    assert "from 12 to 16 October 2020" in doc.paragraph("pp1").text
