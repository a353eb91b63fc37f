"""From made-up resolutions to citations (graph/reader/resolve.py): records for names the
authority data lacks, document-local short names, numbers of every era, how each citation
was found, and its intent read from the clause that governs it."""

from __future__ import annotations

from pathlib import Path

import pytest

import treatygraph
from treatygraph.model import Extraction, ResolutionMeta, Via
from treatygraph.reader.grammar import name_id

META = ResolutionMeta(symbol="A/RES/99/1", title="Made-up resolution")
SEED = Path(__file__).resolve().parents[1] / "corpus" / "A-RES-77-194.txt"


def read(
    body: str, footnotes: str = "", operative: str = "Decides to remain seized."
) -> Extraction:
    block = f"\n__________\n{footnotes}\n" if footnotes else ""
    text = f"The General Assembly,\n\n{body}\n\n 1. {operative}\n{block}"
    return treatygraph.extract(treatygraph.parse(text, meta=META))


def cites(x: Extraction, pid: str) -> set[str]:
    return {c.instrument.id for c in x.citations_of(pid)}


def how(x: Extraction, pid: str) -> list[tuple[str, str, str]]:
    return [(c.instrument.id, str(c.via), c.quote) for c in x.citations_of(pid)]


# --- names the authority data lacks ---------------------------------------------------------


def test_a_name_nobody_knows_gets_a_record_of_its_own() -> None:
    x = read(" Recalling the Convention on the Protection of Alpine Meadows,")
    (c,) = x.citations_of("pp1")
    assert (c.instrument.id, c.instrument.title, c.instrument.kind) == (
        "convention-on-the-protection-of-alpine-meadows",
        "Convention on the Protection of Alpine Meadows",
        "convention",
    )
    assert (c.instrument.in_authority, c.via) == (False, Via.GRAMMAR)


def test_the_same_name_in_two_documents_is_the_same_record() -> None:
    a = read(" Recalling the Treaty on Open Rivers,")
    b = read(" Welcoming the entry into force of the Treaty on Open Rivers of 1997,")
    assert cites(a, "pp1") == cites(b, "pp1") == {"treaty-on-open-rivers"}


def test_a_footnote_gives_the_name_its_unts_record_for_the_whole_document() -> None:
    x = read(
        " Recalling the Treaty on Open Rivers,1\n\n Noting the Treaty on Open Rivers,",
        " 1  United Nations, Treaty Series, vol. 3001, No. 60001.",
    )
    assert cites(x, "pp1") == cites(x, "pp2") == {"unts-3001-60001"}
    assert x.citations_of("pp1")[0].instrument.title == "Treaty on Open Rivers"


def test_a_footnote_that_only_gives_the_publishing_document_keeps_the_name() -> None:
    x = read(" Recalling the Quito Programme of Action on Glaciers,1", " 1  A/60/88, annex.")
    (c,) = x.citations_of("pp1")
    assert (c.instrument.id, c.via, c.footnote) == ("quito-programme-of-action-on-glaciers",
                                                     Via.GRAMMAR, 1)  # fmt: skip


def test_adoption_place_and_date_go_into_the_record() -> None:
    x = read(
        " Recalling the Tirana Statute of the Court of Birds, adopted at Tirana on 17 July 1998,"
    )
    (c,) = x.citations_of("pp1")
    assert (c.instrument.adoption_place, str(c.instrument.adoption_date)) == (
        "Tirana",
        "1998-07-17",
    )


def test_a_resolution_that_names_no_instrument_cites_none() -> None:
    x = read(" Recalling that all States should cooperate in good faith under international law,")
    assert x.citations == ()


# --- document-local short names ---------------------------------------------------------------

TIRANA = "tirana-statute-of-the-court-of-birds"
ISLANDS = "charter-of-the-association-of-island-states"

SHORT = [
    # body → {paragraph: cited ids}
    (" Recalling the Tirana Statute of the Court of Birds,\n\n"
     " Noting that the Tirana Statute entered into force,\n\n"
     " Noting also the States parties to the Statute,",
     {"pp2": {TIRANA}, "pp3": {TIRANA}}),
    (" Recalling the Convention on Alpine Meadows,\n\n Noting that States parties to the Convention"
     " met,", {"pp2": {"convention-on-alpine-meadows"}}),
    # two conventions in play, nothing in the paragraph to choose: no guess
    (" Recalling the Convention on Alpine Meadows and the Convention on Desert Wells,\n\n"
     " Noting the work under the Convention,", {"pp2": set()}),
    # ... but the paragraph names one of them: that one
    (" Recalling the Convention on Alpine Meadows and the Convention on Desert Wells,\n\n"
     " Noting the Convention on Desert Wells and the bodies of the Convention,",
     {"pp2": {"convention-on-desert-wells"}}),
    # a short name the text gave in parentheses
    (" Recalling the Treaty on Open Rivers (River Treaty),\n\n Welcoming the River Treaty review,",
     {"pp2": {"treaty-on-open-rivers"}}),
    # a name cut short of one named earlier is that one
    (" Recalling the Charter of the Association of Island States,\n\n Noting the bodies"
     " established under the Charter of the Association,", {"pp2": {ISLANDS}}),
    # "the Charter bodies": an adjective, not a citation
    (" Recalling the Charter of the Association of Island States,\n\n Noting the Charter"
     " bodies,", {"pp2": set()}),
    # "the Statute" before any statute was named: nothing
    (" Noting the Statute,\n\n Recalling the Tirana Statute of the Court of Birds,",
     {"pp1": set()}),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), SHORT, ids=range(len(SHORT)))
def test_short_names_cite_one_instrument_named_earlier(
    body: str, expected: dict[str, set[str]]
) -> None:
    x = read(body)
    assert {pid: cites(x, pid) for pid in expected} == expected


def test_a_short_name_says_how_it_was_found() -> None:
    x = read(
        " Recalling the Tirana Statute of the Court of Birds,\n\n Noting the Statute and the"
        " Tirana Statute,"
    )
    assert how(x, "pp2") == [
        ("tirana-statute-of-the-court-of-birds", "short-name", "the Statute"),
        ("tirana-statute-of-the-court-of-birds", "short-name", "Tirana Statute"),
    ]


# --- bodies of a convention, states parties ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        " Recalling the decisions of the Conference of the Parties to the Treaty on Open Rivers,",
        " Noting that the States parties to the Treaty on Open Rivers met in 2020,",
        " Welcoming the work of the secretariat of the Treaty on Open Rivers,",
    ],
)
def test_a_body_or_the_parties_of_a_treaty_cite_the_treaty(body: str) -> None:
    assert cites(read(body), "pp1") == {"treaty-on-open-rivers"}


# --- resolutions of every era ---------------------------------------------------------------


def test_a_dated_list_of_resolutions_cites_each() -> None:
    x = read(
        " Recalling its resolutions 47/19 of 24 November 1992, 48/16 of 3 November 1993 and"
        " 72/4 of 1 November 2017, its resolution 2453 A (XXIII) and its decision 72/555,"
    )
    assert cites(x, "pp1") == {
        "a-res-47-19", "a-res-48-16", "a-res-72-4", "a-res-2453(xxiii)", "a-dec-72-555",
    }  # fmt: skip
    kinds = {c.instrument.id: c.instrument.kind for c in x.citations_of("pp1")}
    assert (kinds["a-res-47-19"], kinds["a-dec-72-555"]) == ("UN resolution", "UN decision")


def test_other_bodies_resolutions_and_statements() -> None:
    x = read(
        " Recalling Security Council resolution 2334 (2016), Human Rights Council resolution"
        " 50/33, the statement by the President of the Security Council (S/PRST/2013/2) and"
        " World Health Assembly resolution WHA71.3,"
    )
    assert cites(x, "pp1") == {
        "s-res-2334(2016)", "a-hrc-res-50-33", "s-prst-2013-2", "wha71.3",
    }  # fmt: skip


# --- intent per citation ----------------------------------------------------------------------

INTENTS = [
    ("Urges States to consider ratifying the Treaty on Open Rivers, and urges States parties"
     " to the Convention on Alpine Meadows to implement it,",
     {"treaty-on-open-rivers": "urges-ratification", "convention-on-alpine-meadows": "urges"}),
    ("Urges States to consider signing and ratifying, and States parties to implement, the"
     " Treaty on Open Rivers,", {"treaty-on-open-rivers": "urges-ratification"}),
    ("Recalls the Treaty on Open Rivers, and welcomes the Convention on Alpine Meadows;",
     {"treaty-on-open-rivers": "recalling", "convention-on-alpine-meadows": "welcoming"}),
    ("Calls upon States to ratify the Treaty on Open Rivers,",
     {"treaty-on-open-rivers": "calls-upon"}),
    ("Urges States to implement the Political Declaration on the Implementation of the Quito"
     " Programme of Action,",
     {name_id("Political Declaration on the Implementation of the Quito Programme of Action"):
      "urges"}),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), INTENTS, ids=range(len(INTENTS)))
def test_intent_is_read_from_the_clause_that_governs_each_citation(
    body: str, expected: dict[str, str]
) -> None:
    x = read(" Noting the matter,", operative=body)
    assert {c.instrument.id: c.intent for c in x.citations_of("op1")} == expected


def test_seed_op4_urges_implementation_of_those_instruments_not_ratification() -> None:
    x = treatygraph.read(SEED)
    op4 = x.document.paragraph("op4")
    clause = op4.text.index("and urges States parties to those instruments")
    named = {c.intent for c in x.citations_of("op4") if c.via is not Via.ANAPHORA}
    implement = {c.intent for c in x.citations_of("op4") if c.span.start - op4.span.start > clause}
    assert named == {"urges-ratification"}
    assert implement == {"urges"}


def test_counting_by_how_found_is_a_filter() -> None:
    x = treatygraph.read(SEED)
    found = {str(c.via) for c in x.citations}
    assert found <= {v.value for v in Via}
    assert {"footnote", "title", "anaphora"} <= found


def test_a_resolution_number_and_the_report_its_footnote_gives_are_both_cited() -> None:
    x = read(
        " Noting the report of the Secretary-General on the implementation of resolution 72/4,1",
        " 1  A/73/85.",
    )
    assert {(c.instrument.id, str(c.via)) for c in x.citations_of("pp1")} == {
        ("a-res-72-4", "grammar"),
        ("a-73-85", "footnote"),
    }
    assert x.problems == ()


@pytest.mark.parametrize(
    ("phrase", "record", "kind"),
    [
        ("the Optional Protocol thereto", "--optional-protocol", "optional protocol"),
        ("the Protocols thereto", "--protocols", "protocol"),
    ],
)
def test_protocols_thereto_of_an_instrument_nobody_listed_get_a_record_under_it(
    phrase: str, record: str, kind: str
) -> None:
    x = read(f" Recalling the Convention on Alpine Meadows and {phrase},")
    (_, protocol) = x.citations_of("pp1")
    assert protocol.instrument.id == "convention-on-alpine-meadows" + record
    assert (protocol.instrument.kind, protocol.instrument.parent) == (
        kind,
        ("convention-on-alpine-meadows",),
    )
    assert protocol.via is Via.ANAPHORA and x.problems == ()


def test_a_name_first_read_without_its_footnote_moves_to_the_unts_record_given_later() -> None:
    x = read(
        " Recalling the Treaty on Open Rivers (River Treaty),\n\n Noting the Treaty on Open"
        " Rivers,1\n\n Welcoming the Treaty on Open Rivers (River Treaty) and the River Treaty,",
        " 1  United Nations, Treaty Series, vol. 3001, No. 60001.",
    )
    assert cites(x, "pp1") == cites(x, "pp2") == cites(x, "pp3") == {"unts-3001-60001"}
    assert x.citations_of("pp1")[0].instrument.unts[0].volume == 3001


def test_a_known_instrument_keeps_its_record_when_its_footnote_gives_an_unknown_unts() -> None:
    # The seed's authority data gives the Global Plan of Action no UNTS reference.
    x = read(
        " Recalling the United Nations Global Plan of Action to Combat Trafficking in Persons,1",
        " 1  United Nations, Treaty Series, vol. 3001, No. 60001.",
    )
    (c,) = x.citations_of("pp1")
    assert (c.instrument.id, c.via, c.footnote) == ("global_plan_of_action", Via.FOOTNOTE, 1)


def test_a_name_whose_footnote_gives_the_adopting_resolution_carries_its_symbol() -> None:
    x = read(" Recalling the Headquarters Agreement,1", " 1  See resolution 169 (II).")
    (c,) = x.citations_of("pp1")
    assert (c.instrument.id, c.instrument.symbol, c.footnote) == (
        "headquarters-agreement",
        "A/RES/169(II)",
        1,
    )


def test_a_known_treaty_and_the_document_its_footnote_gives_are_both_cited() -> None:
    # crc is known by its UNTS record; the footnote gives a committee's report on it.
    x = read(" Noting the work under the Convention on the Rights of the Child,1", " 1  A/79/41.")
    assert {(c.instrument.id, str(c.via)) for c in x.citations_of("pp1")} == {
        ("crc", "title"),
        ("a-79-41", "footnote"),
    }
    assert x.problems == ()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" Recalling the Final Document of the Review Conference of the Parties to the"
         " Convention on the Rights of the Child,",
         {name_id("Final Document of the Review Conference of the Parties to the Convention on"
                  " the Rights of the Child"), "crc"}),
        (" Recalling the Additional Protocol to the Convention on the Rights of the Child on Play,",
         {name_id("Additional Protocol to the Convention on the Rights of the Child on Play")}),
    ],
)  # fmt: skip
def test_a_treaty_named_inside_another_name_is_cited_unless_that_is_its_protocol(
    body: str, expected: set[str]
) -> None:
    assert cites(read(body), "pp1") == expected


def test_the_protocols_to_a_treaty_are_cited_not_the_treaty() -> None:
    x = read(
        " Welcoming the ratification of the protocols to the Treaty on Open Rivers, to the"
        " Convention on Alpine Meadows and to the Treaty on Desert Wells,"
    )
    assert cites(x, "pp1") == {
        "treaty-on-open-rivers--protocols",
        "convention-on-alpine-meadows--protocols",
        "treaty-on-desert-wells--protocols",
    }
