"""Resolutions, decisions and documents cited by number (graph/reader/numbers.py), and how
the finders share a paragraph (graph/reader/find.py): sentence in, symbols out."""

from __future__ import annotations

import pytest

from treatygraph.model import Footnote, ReferenceKind, Span
from treatygraph.reader.authority import default_authority
from treatygraph.reader.find import MentionKind, find_mentions, find_references
from treatygraph.reader.numbers import find_numbered

NUMBERS = [
    ("Recalling its resolutions 47/19 of 24 November 1992, 48/16 of 3 November 1993 and 72/4 "
     "of 1 November 2017,", ["A/RES/47/19", "A/RES/48/16", "A/RES/72/4"]),
    ("Recalling its resolution 2453 A (XXIII) of 20 December 1968,", ["A/RES/2453(XXIII)"]),
    ("Recalling resolution 169 (II),", ["A/RES/169(II)"]),
    ("Recalling its resolution 37/90 and its resolutions 50/70 Q and 51/45 B,",
     ["A/RES/37/90", "A/RES/50/70", "A/RES/51/45"]),
    ("Recalling its resolution ES-11/1 of 2 March 2022,", ["A/RES/ES-11/1"]),
    ("Recalling its resolution S-27/2,", ["A/RES/S-27/2"]),
    ("Recalling its decisions 77/512 of 7 December 2022 and 78/541,",
     ["A/DEC/77/512", "A/DEC/78/541"]),
    ("Recalling also its decision 72/555,", ["A/DEC/72/555"]),
    ("Recalling Security Council resolution 2334 (2016),", ["S/RES/2334(2016)"]),
    ("Recalling Security Council resolutions 1325 (2000), 1820 (2008) and 2467 (2019),",
     ["S/RES/1325(2000)", "S/RES/1820(2008)", "S/RES/2467(2019)"]),
    ("Recalling also resolution 2728 (2024),", ["S/RES/2728(2024)"]),
    ("Recalling Human Rights Council resolution 50/33,", ["A/HRC/RES/50/33"]),
    ("Recalling Economic and Social Council resolutions 2004/35 and 2006/27,",
     ["E/RES/2004/35", "E/RES/2006/27"]),
    ("Recalling the statement by its President (S/PRST/2013/2),", ["S/PRST/2013/2"]),
    ("Takes note of the report contained in document A/AC.105/1137,", ["A/AC.105/1137"]),
    ("Takes note of the report of the Special Rapporteur (A/77/170),", ["A/77/170"]),
    ("Recalling World Health Assembly resolution WHA71.3,", ["WHA71.3"]),
    ("Recalling the document S/RES/2728 (2024),", ["S/RES/2728(2024)"]),
    # not General Assembly resolutions, not symbols
    ("Recalling Commission on Narcotic Drugs resolution 60/1,", []),
    ("Welcoming the HIV/AIDS response,", []),
    ("Recalling the resolutions of the Conference,", []),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "symbols"), NUMBERS, ids=[s[:60] for s, _ in NUMBERS])
def test_numbers_read_from_a_sentence(sentence: str, symbols: list[str]) -> None:
    assert [n.symbol for n in find_numbered(sentence, 0)] == symbols


def test_a_number_span_is_the_number_as_written() -> None:
    sentence = "Recalling its resolution 2453 A (XXIII) of 20 December 1968,"
    (n,) = find_numbered(sentence, 10)
    assert sentence[n.start - 10 : n.end - 10] == "2453 A (XXIII)"


# sentence → (kind, text) of each mention kept, in order
MENTIONS = [
    ("Recalling the Convention on the Rights of the Child and the Optional Protocol thereto,",
     [("title", "Convention on the Rights of the Child"),
      ("anaphora", "the Optional Protocol thereto")]),
    ("Recalling the Additional Protocol to the Convention on the Rights of the Child on Play,",
     [("name", "Additional Protocol to the Convention on the Rights of the Child on Play")]),
    ("Recalling the Convention on Alpine Meadows and its resolution 70/1,",
     [("name", "Convention on Alpine Meadows"), ("resolution", "70/1")]),
    ("Recalling the Forced Labour Convention, 1930 (No. 29),",
     [("title", "Forced Labour Convention, 1930 (No. 29)")]),
    ("Recalling the Glacier Convention, 1930 (No. 290),",
     [("ilo", "Glacier Convention, 1930 (No. 290)")]),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "kept"), MENTIONS, ids=[s[:60] for s, _ in MENTIONS])
def test_the_finders_share_a_paragraph(sentence: str, kept: list[tuple[str, str]]) -> None:
    found = find_mentions(sentence, 0, default_authority(), short=frozenset())
    assert [(str(m.kind), sentence[m.span.start : m.span.end]) for m in found] == kept


def test_short_forms_are_read_only_where_nothing_longer_is() -> None:
    sentence = "Recalling the Antarctic Treaty and the Treaty,"
    found = find_mentions(sentence, 0, default_authority(), short=frozenset())
    assert [(m.kind, m.key) for m in found] == [
        (MentionKind.NAME, "antarctic treaty"),
        (MentionKind.SHORT, "treaty"),
    ]


@pytest.mark.parametrize(
    ("note", "symbol"),
    [
        ("Resolution S-27/2, annex.", "A/RES/S-27/2"),
        ("See resolution ES-10/14.", "A/RES/ES-10/14"),
        ("Resolution 2200 A (XXI), annex.", "A/RES/2200(XXI)"),
    ],
)
def test_footnotes_cite_resolutions_of_special_sessions(note: str, symbol: str) -> None:
    read = find_references(Footnote(1, Span(0, len(note)), note), None)
    assert [r.symbol for r in read.references] == [symbol]


@pytest.mark.parametrize(
    ("own", "sentence", "symbols"),
    [
        ("A/HRC/", "Recalling its resolutions 5/1 and 5/2 of 18 June 2007,",
         ["A/HRC/RES/5/1", "A/HRC/RES/5/2"]),
        ("A/HRC/", "Recalling General Assembly resolution 60/251,", ["A/RES/60/251"]),
        ("E/", "Recalling its resolution 2004/35,", ["E/RES/2004/35"]),
        ("S/", "Recalling its resolutions 1267 (1999), 1333 (2000) and 1390 (2002),",
         ["S/RES/1267(1999)", "S/RES/1333(2000)", "S/RES/1390(2002)"]),
        ("A/", "Recalling its resolutions 5/1 and 2200 A (XXI),",
         ["A/RES/5/1", "A/RES/2200(XXI)"]),
    ],
)  # fmt: skip
def test_its_resolutions_are_the_citing_bodys(own: str, sentence: str, symbols: list[str]) -> None:
    assert [n.symbol for n in find_numbered(sentence, 0, own)] == symbols


FOOTNOTES_IN_PROSE = [
    (
        "Including General Assembly resolution 60/180 and Security Council resolution 1645 "
        "(2005), Assembly resolution 65/7 and Council resolution 1947 (2010).",
        ["A/RES/60/180", "S/RES/1645(2005)", "A/RES/65/7", "S/RES/1947(2010)"],
    ),
    (
        "See, for example, resolutions 47/19 and 48/16 of the General Assembly.",
        ["A/RES/47/19", "A/RES/48/16"],
    ),
    ("Adopted by the Conference at its first session.", []),  # no number: nothing invented
    ("United Nations, Treaty Series, vol. 1577, No. 27531.", []),  # a UNTS reference instead
]


@pytest.mark.parametrize(
    ("note", "symbols"), FOOTNOTES_IN_PROSE, ids=[n[:50] for n, _ in FOOTNOTES_IN_PROSE]
)
def test_a_footnote_in_prose_cites_the_resolutions_it_names(note: str, symbols: list[str]) -> None:
    read = find_references(Footnote(1, Span(0, len(note)), note), None)
    found = [r.symbol for r in read.references if r.kind is ReferenceKind.RESOLUTION]
    assert found == symbols
