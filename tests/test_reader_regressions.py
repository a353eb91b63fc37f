"""Regressions found by the synthetic corpus: each case names the reading it once got wrong."""

from __future__ import annotations

import pytest

import treatygraph
from treatygraph.model import Extraction, ResolutionMeta

META = ResolutionMeta(symbol="A/RES/99/1", title="Made-up resolution")


def read(body: str, footnotes: str = "") -> Extraction:
    block = f"\n__________\n{footnotes}\n" if footnotes else ""
    return treatygraph.extract(
        treatygraph.parse(f"The General Assembly,\n\n{body}{block}", meta=META)
    )


def cited(x: Extraction, pid: str) -> dict[str, int | None]:
    return {c.instrument.id: c.footnote for c in x.citations_of(pid)}


def test_number_in_an_ilo_title_is_not_the_due_marker() -> None:
    x = read(
        " Recalling the Forced Labour Convention, 1930 (No. 1) and the Domestic Workers\n"
        "Convention, 2011 (No. 189),1\n\n 1. Decides.\n",
        " 1  United Nations, Treaty Series, vol. 2955, No. 51379.",
    )
    assert "(No. 1) and" in x.document.paragraph("pp1").text
    assert cited(x, "pp1") == {"c029": None, "c189": 1}


def test_decimal_is_not_a_marker() -> None:
    x = read(" Welcoming Alliance 8.7,1\n\n 1. Decides.\n", " 1  Resolution 70/1.")
    assert x.document.paragraph("pp1").markers[0].number == 1
    assert "Alliance 8.7" in x.document.paragraph("pp1").text


def test_footnote_ending_in_annex_closes_the_block_without_link_lines() -> None:
    x = read(
        " Welcoming the Political Declaration adopted at\n__________\n 1  Resolution 76/7, annex.\n"
        " its high-level meeting,1\n\n 1. Decides.\n"
    )
    assert [p.id for p in x.document.paragraphs] == ["pp1", "op1"]
    assert x.document.footnote(1).text == "Resolution 76/7, annex."


def test_qualified_anaphor_does_not_take_a_later_marker() -> None:
    x = read(
        " Recalling the Convention on the Rights of the Child and the Optional Protocol thereto\n"
        "on the sale of children, child prostitution and child pornography, and the Convention\n"
        "on the Conservation of Coastal Wetlands,1\n\n 1. Decides.\n",
        " 1  United Nations, Treaty Series, vol. 3001, No. 60001.",
    )
    assert cited(x, "pp1") == {"crc": None, "opsc": None, "unts-3001-60001": 1}


def test_continuation_after_a_page_break_is_not_a_new_paragraph() -> None:
    x = read(
        " Recalling the International Covenant on Economic,\n__________\n 1  Resolution 70/1.\n"
        "https://undocs.org/en/A/RES/70/1\n Social and Cultural Rights and the 2030 Agenda for\n"
        "Sustainable Development,1\n\n 1. Decides.\n"
    )
    assert [p.id for p in x.document.paragraphs] == ["pp1", "op1"]
    assert set(cited(x, "pp1")) == {"icescr", "agenda_2030"}


@pytest.mark.parametrize(
    "line",
    ["Achieving gender equality and the empowerment,", "Trafficking in Persons and Related,"],
)
def test_opener_like_word_on_an_unindented_line_continues_the_paragraph(line: str) -> None:
    x = read(
        f" Recalling the conclusions adopted by the Commission at its\nsixty-sixth session:\n{line}"
        "\nand the further work of the Commission on the matter, in accordance with its\n"
        "programme of work,\n\n Noting the report,\n\n 1. Decides.\n"
    )
    assert [p.id for p in x.document.paragraphs] == ["pp1", "pp2", "op1"]


def test_dated_list_of_resolutions() -> None:
    x = read(
        " Recalling its resolutions 62/140 of 18 December 2007 and 64/145 of 18 December 2009,\n\n"
        " 1. Decides.\n"
    )
    assert set(cited(x, "pp1")) == {"a-res-62-140", "a-res-64-145"}


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (" Recalling the Convention on the Protection of Coastal Wetlands,1\n\n 1. Decides.\n",
         "Convention on the Protection of Coastal Wetlands"),
        (" Recalling the Convention on the Rights of the Child, the International Covenant on"
         "\nCivil and Political Rights, and the Regional Convention on Coastal Wetlands,1\n\n"
         " 1. Decides.\n", "Regional Convention on Coastal Wetlands"),
    ],
)  # fmt: skip
def test_text_only_treaty_is_titled_by_its_own_name(body: str, title: str) -> None:
    x = read(body, " 1  United Nations, Treaty Series, vol. 3001, No. 60001.")
    made = next(c for c in x.citations_of("pp1") if c.instrument.id == "unts-3001-60001")
    assert (made.instrument.title, made.quote, made.instrument.in_authority) == (
        title,
        title,
        False,
    )


def test_text_only_treaty_named_again_without_its_footnote() -> None:
    x = read(
        " Recalling the Convention on the Protection of Coastal Wetlands,1\n\n"
        " 1. Urges States to consider ratifying the Convention on the Protection of Coastal\n"
        "Wetlands;\n",
        " 1  United Nations, Treaty Series, vol. 3001, No. 60001.",
    )
    assert cited(x, "op1") == {"unts-3001-60001": None}
