"""The grammar of instrument names (graph/reader/grammar.py): sentence in, names out.

Each row is a specification: the names a reader finds in a made-up sentence, with where each
ends. The sentences are our own; no real resolution's text is copied.
"""

from __future__ import annotations

import pytest

from treatygraph.reader.grammar import find_names, name_id, name_key

# sentence → the titles read, in order (the sentence's first word is its verb)
NAMES = [
    # a quoted title is never cut short
    ("Reaffirming its resolution 11/22, entitled “Declaration on the Sharing of Water for the "
     "Benefit and in the Interest of All States, Taking into Account the Needs of Farmers”, and",
     ["Declaration on the Sharing of Water for the Benefit and in the Interest of All States, "
      "Taking into Account the Needs of Farmers"]),
    # a place name joined by a spaced dash is one modifier of the name
    ("Welcoming the Lakeside – Hilltown Action Plan 2031–2035,",
     ["Lakeside – Hilltown Action Plan 2031–2035"]),
    # every head noun
    ("Recalling the Convention on the Protection of Alpine Meadows,",
     ["Convention on the Protection of Alpine Meadows"]),
    ("Recalling the Convention for the Safeguarding of River Deltas,",
     ["Convention for the Safeguarding of River Deltas"]),
    ("Recalling the Convention against Illicit Trade in Rare Orchids,",
     ["Convention against Illicit Trade in Rare Orchids"]),
    ("Recalling the Convention concerning Night Work of Lighthouse Keepers,",
     ["Convention concerning Night Work of Lighthouse Keepers"]),
    ("Recalling the Convention relating to the Status of Stateless Sailors,",
     ["Convention relating to the Status of Stateless Sailors"]),
    ("Recalling the International Convention for the Protection of Glaciers,",
     ["International Convention for the Protection of Glaciers"]),
    ("Recalling the Optional Protocol to the Convention on Alpine Meadows,",
     ["Optional Protocol to the Convention on Alpine Meadows"]),
    ("Recalling the Additional Protocol on Coastal Dunes,",
     ["Additional Protocol on Coastal Dunes"]),
    ("Recalling the International Covenant on Water and Sanitation,",
     ["International Covenant on Water and Sanitation"]),
    ("Recalling the Statute of the Permanent Tribunal for Fisheries,",
     ["Statute of the Permanent Tribunal for Fisheries"]),
    ("Recalling the Lisbon Statute of the Maritime Court,",
     ["Lisbon Statute of the Maritime Court"]),
    ("Recalling the Treaty on Open Rivers,", ["Treaty on Open Rivers"]),
    ("Recalling the Agreement on Fish Stocks in the Southern Seas,",
     ["Agreement on Fish Stocks in the Southern Seas"]),
    ("Recalling the Agreement for the Establishment of the Andean Seed Bank,",
     ["Agreement for the Establishment of the Andean Seed Bank"]),
    ("Recalling the Charter of the Organization of Island States,",
     ["Charter of the Organization of Island States"]),
    ("Recalling the Declaration on the Rights of Mountain Peoples,",
     ["Declaration on the Rights of Mountain Peoples"]),
    ("Recalling the Universal Declaration of Animal Welfare,",
     ["Universal Declaration of Animal Welfare"]),
    ("Recalling the Quito Programme of Action,", ["Quito Programme of Action"]),
    ("Recalling the Lima Declaration and Platform for Action,",
     ["Lima Declaration and Platform for Action"]),
    ("Recalling the Sendai Framework for Disaster Risk Reduction 2015–2030,",
     ["Sendai Framework for Disaster Risk Reduction 2015–2030"]),
    ("Recalling the Nairobi Agenda for Urban Resilience,", ["Nairobi Agenda for Urban Resilience"]),
    ("Recalling Agenda 21,", ["Agenda 21"]),
    ("Recalling the Pact for Future Generations,", ["Pact for Future Generations"]),
    ("Recalling the Global Compact on Safe Shipping,", ["Global Compact on Safe Shipping"]),
    ("Recalling the Guiding Principles on Internal Migration,",
     ["Guiding Principles on Internal Migration"]),
    ("Recalling the Riyadh Guidelines on Youth Justice,", ["Riyadh Guidelines on Youth Justice"]),
    ("Recalling the Standard Minimum Rules for the Treatment of Detainees,",
     ["Standard Minimum Rules for the Treatment of Detainees"]),
    ("Recalling the Global Strategy on Ocean Literacy,", ["Global Strategy on Ocean Literacy"]),
    ("Recalling the Paris Agreement and the Kyoto Protocol,",
     ["Paris Agreement", "Kyoto Protocol"]),
    # dates, places, numbers
    ("Recalling the Geneva Conventions of 12 August 1949,",
     ["Geneva Conventions of 12 August 1949"]),
    ("Recalling the Single Convention on Lichens, 1961,", ["Single Convention on Lichens, 1961"]),
    ("Recalling the Convention on Desert Wells of 1971,", ["Convention on Desert Wells of 1971"]),
    ("Recalling the Seafarers Convention, 1949 (No. 97),", ["Seafarers Convention, 1949 (No. 97)"]),
    ("Recalling the Tirana Statute of the Court of Birds, adopted at Tirana on 17 July 1998,",
     ["Tirana Statute of the Court of Birds"]),
    # where a name ends
    ("Recalling the Convention on Alpine Meadows and the Optional Protocol thereto,",
     ["Convention on Alpine Meadows"]),
    ("Recalling the Treaty on Open Rivers and other relevant instruments,",
     ["Treaty on Open Rivers"]),
    ("Recalling the Treaty on Open Rivers, the Convention on Alpine Meadows,",
     ["Treaty on Open Rivers", "Convention on Alpine Meadows"]),
    ("Recalling the International Covenant on Economic, Social and Cultural Rights,",
     ["International Covenant on Economic, Social and Cultural Rights"]),
    ("Recalling the Convention against Torture and Other Cruel Punishment,",
     ["Convention against Torture and Other Cruel Punishment"]),
    ("Noting that the Treaty on Open Rivers entered into force,", ["Treaty on Open Rivers"]),
    ("Recalling the Protocol to Protect Rivers, supplementing the Convention on Alpine Meadows,",
     ["Protocol to Protect Rivers, supplementing the Convention on Alpine Meadows"]),
    ("Recalling the Protocol Additional to the Geneva Conventions of 12 August 1949,",
     ["Protocol Additional to the Geneva Conventions of 12 August 1949"]),
    ("Recalling the Relationship Agreement between the United Nations and the Court of Birds,",
     ["Relationship Agreement between the United Nations and the Court of Birds"]),
    ("Recalling the Treaty for a Free Zone in Latin America and the Caribbean (Treaty of Quito),",
     ["Treaty for a Free Zone in Latin America and the Caribbean"]),
    ("Recalling the Treaty on Open Rivers and IAEA safeguards,", ["Treaty on Open Rivers"]),
    ("Recalling the Convention on Cluster Bombs with States Parties,",
     ["Convention on Cluster Bombs"]),
    ("Recalling the Council of Europe Convention on Action against Poaching,",
     ["Council of Europe Convention on Action against Poaching"]),
    ("Urges the Parties to the Bangkok Treaty on the Protocol to that Treaty,", ["Bangkok Treaty"]),
    ("Noting the Treaty on Space, including the Moon and Other Celestial Bodies,",
     ["Treaty on Space, including the Moon and Other Celestial Bodies"]),
    ("Noting the Treaty on Open Rivers, including the Optional Protocol thereto,",
     ["Treaty on Open Rivers"]),
    ("Noting the Instrument to Trace, in a Timely Manner, Illicit Arms (the Tracing Instrument),",
     ["Instrument to Trace, in a Timely Manner, Illicit Arms"]),
    ("Noting the meeting of the Parties to the Treaty, in 2022, 2023 and 2024,", []),
    ("Noting the Joint Statement of the Leaders on Avoiding Arms Races of 3 January 2022,",
     ["Joint Statement of the Leaders on Avoiding Arms Races of 3 January 2022"]),
    ("Noting the Memorandum on Security Assurances in Connection with Accession,",
     ["Memorandum on Security Assurances in Connection with Accession"]),
    ("Recalling the International Covenants on Human Rights and other instruments,",
     ["International Covenants on Human Rights"]),
    ("Recalling the Geneva Convention relative to the Protection of Civilians, of 12 August 1949,",
     ["Geneva Convention relative to the Protection of Civilians, of 12 August 1949"]),
    ("Recalling the Hague Convention (IV) respecting the Laws of War on Land and the Regulations,",
     ["Hague Convention (IV) respecting the Laws of War on Land"]),
    ("Recalling the Montreal Protocol on Substances that Deplete the Ozone Layer,",
     ["Montreal Protocol on Substances that Deplete the Ozone Layer"]),
    ("Recalling the International Health Regulations (2005),",
     ["International Health Regulations (2005)"]),
    ("Noting the treaties of Quito, Lima and Bogota establishing zones,",
     ["Treaty of Quito", "Treaty of Lima", "Treaty of Bogota"]),
    ("Recalling the Convention on Desert Wells and on Their Protection,",
     ["Convention on Desert Wells and on Their Protection"]),
    ("Bearing in mind the Final Document of the Tenth Special Session of the Assembly,",
     ["Final Document of the Tenth Special Session of the Assembly"]),
    ("Recalling the 2005 World Summit Outcome,", ["2005 World Summit Outcome"]),
    ("Noting the Joint Communiqué of the Meeting of Foreign Ministers,",
     ["Joint Communiqué of the Meeting of Foreign Ministers"]),
    ("Recalling the Declaration of the Indian Ocean as a Zone of Peace,",
     ["Declaration of the Indian Ocean as a Zone of Peace"]),
    ("Welcoming the Siem Reap–Angkor Action Plan 2025–2029,",
     ["Siem Reap–Angkor Action Plan 2025–2029"]),
    # not names
    ("Welcomes the Comprehensive Test-Ban Treaty Organization,", []),
    ("Recalling the Convention,", []),
    ("Recalling the Optional Protocol thereto,", []),
    ("Recalling the Political Declaration,", []),
    ("Recalling all relevant conventions and treaties,", []),
    ("Welcoming the meeting of States Parties to the Treaty in New York,", []),
    # a title in quotes names what it names (the seed's gold counts the Convention in pp4)
    ("Recalling resolution 79/1 entitled “The Pact for Future Generations”,",
     ["Pact for Future Generations"]),
    ("Recalling the Declaration of Commitment on HIV/AIDS,",
     ["Declaration of Commitment on HIV/AIDS"]),
    ("Recalling the Purposes and Principles of the Charter of the United Nations,",
     ["Charter of the United Nations"]),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "titles"), NAMES, ids=[s[:60] for s, _ in NAMES])
def test_names_read_from_a_sentence(sentence: str, titles: list[str]) -> None:
    assert [n.title for n in find_names(sentence)] == titles


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Recalling the Treaty on Open Rivers,", "treaty"),
        ("Recalling the Quito Programme of Action,", "programme of action"),
        ("Recalling the Lima Declaration and Platform for Action,", "declaration"),
        ("Recalling the International Covenant on Water,", "covenant"),
        ("Recalling the Lisbon Statute of the Maritime Court,", "statute"),
        ("Recalling the Nairobi Agenda for Urban Resilience,", "agenda"),
        ("Recalling the Guiding Principles on Internal Migration,", "principles"),
    ],
)
def test_kind_comes_from_the_head_noun(sentence: str, kind: str) -> None:
    assert [n.kind for n in find_names(sentence)] == [kind]


def test_adoption_place_and_date_are_read_and_the_quote_covers_them() -> None:
    sentence = (
        "Recalling the Tirana Statute of the Court of Birds, adopted at Tirana on 17 July 1998,"
    )
    (name,) = find_names(sentence)
    assert (name.adoption_place, name.adoption_date) == ("Tirana", "17 July 1998")
    assert sentence[name.start : name.end].endswith("on 17 July 1998")


@pytest.mark.parametrize(
    ("sentence", "alias"),
    [
        ("Noting the Treaty on Open Rivers (the River Treaty), which", "River Treaty"),
        ("Noting the Convention on Alpine Meadows (CAM), which", "CAM"),
        ("Noting the Conference to Review the Quito Programme of Action (the Review Conference),",
         None),
    ],
)  # fmt: skip
def test_a_short_name_in_parentheses_is_kept_as_the_alias(sentence: str, alias: str) -> None:
    (name,) = find_names(sentence)
    assert name.alias == alias


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("the Geneva Conventions of 12 August 1949", "Geneva Conventions"),
        ("Treaty on the Non‑Proliferation of Nuclear Weapons", "Treaty on the Non-Proliferation of "
         "Nuclear  Weapons"),
        ("Single Convention on Lichens, 1961", "the Single Convention on Lichens"),
        ("Treaty for a Free Zone (Treaty of Quito)", "Treaty for a Free Zone"),
        ("Geneva Convention on Civilians, of 12 August 1949", "Geneva Convention on Civilians"),
    ],
)  # fmt: skip
def test_the_same_name_written_differently_is_one_record(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert name_id(a) == name_id(b)


def test_long_names_get_a_short_deterministic_id() -> None:
    title = "Convention on the Prohibition of the Development, Production and Stockpiling of " * 2
    assert name_id(title) == name_id(title) and len(name_id(title)) <= 72
    assert name_id(title) != name_id(title + " Weapons")
