"""The authority data (graph/data/authority.csv): well formed, every fact with its source, and
the facts we confirmed against public sources read back as they were confirmed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from treatygraph.build.dist import shacl
from treatygraph.model import (
    Citation,
    Document,
    Extraction,
    Paragraph,
    ParagraphKind,
    ResolutionMeta,
    Span,
    Unts,
    Via,
)
from treatygraph.rdf import mapping
from treatygraph.reader.authority import (
    load_authority,
    parse_unts,
    read_data,
    read_rows,
)

ROWS = read_rows(read_data("authority.csv"))
IDENTIFIERS = read_rows(read_data("identifiers.csv"))
LEGEND = set(re.findall(r"^\| `([^`]+)` \|", read_data("authority-notes.md"), re.MULTILINE))
AUTHORITY = load_authority()

# A reference row (added for what researchers meet, not read from the seed resolution) names
# every fact it states in `sources`, under these field names.
FACT_FIELDS = {
    "canonical_title": {"title"},
    "short_name": {"short_name"},
    "adopting_body": {"adopting_body"},
    "adoption_date": {"adoption_date"},
    "adoption_place": {"adoption_place"},
    "entry_into_force": {"entry_into_force"},
    "unts_per_outside_source": {"unts"},
    "parent_instrument": {"parent", "parent_instrument"},
    "ilo_number": {"ilo_number"},
    "wikidata_qid": {"wikidata_qid"},
    "untc_mtdsg": {"untc_mtdsg"},
    "normlex_id": {"normlex_id"},
}
REFERENCE_ROWS = [r for r in ROWS if not r["cited_in_resolution_as"]]
ILO_KIND = {"C": "ILO convention", "P": "ILO protocol", "R": "ILO recommendation"}


def source_groups(row: dict[str, str]) -> dict[str, set[str]]:
    """`title,adoption_date=KEY1; KEY2 | unts=KEY3` as {field: {keys}}."""
    groups: dict[str, set[str]] = {}
    for group in row["sources"].split(" | "):
        fields, _, keys = group.partition("=")
        for field in fields.split(","):
            groups.setdefault(field.strip(), set()).update(
                k.strip() for k in keys.split(";") if k.strip()
            )
    return groups


def test_ids_are_unique_slugs() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", i)] == []


def test_ilo_codes_are_well_formed_unique_and_agree_with_kind_and_title() -> None:
    codes = [r["ilo_number"] for r in ROWS if r["ilo_number"]]
    assert len(codes) == len(set(codes))
    for row in (r for r in ROWS if r["ilo_number"]):
        code = row["ilo_number"]
        assert re.fullmatch(r"[CPR][0-9]{3}", code), row["id"]
        assert row["kind"] == ILO_KIND[code[0]], row["id"]
        if code[0] in "CR":
            assert row["canonical_title"].endswith(f"(No. {int(code[1:])})"), row["id"]


@pytest.mark.parametrize("column", ["unts_as_cited_in_footnote", "unts_per_outside_source"])
def test_unts_references_are_plausible(column: str) -> None:
    for row in (r for r in ROWS if "vol." in r[column]):
        unts = parse_unts(row[column])
        assert unts is not None, row["id"]
        assert 1 <= unts.volume <= 3500, row["id"]
        assert unts.number is None or 1 <= unts.number <= 99_999, row["id"]
        assert unts.page is None or unts.page >= 1, row["id"]


def test_wikidata_ids_are_well_formed_and_loaded() -> None:
    for row in (r for r in ROWS if r["wikidata_qid"]):
        assert re.fullmatch(r"Q[1-9][0-9]*", row["wikidata_qid"]), row["id"]
        assert AUTHORITY.get(row["id"]).wikidata == row["wikidata_qid"]


def test_every_wikidata_id_has_a_source() -> None:
    elsewhere = {(r["instrument"], r["value"]) for r in IDENTIFIERS if r["scheme"] == "wikidata"}
    for row in (r for r in ROWS if r["wikidata_qid"]):
        named = source_groups(row).get("wikidata_qid")
        assert named or (row["id"], row["wikidata_qid"]) in elsewhere, row["id"]
    for r in (r for r in IDENTIFIERS if r["scheme"] == "wikidata"):
        assert r["source"] and r["value"] == AUTHORITY.get(r["instrument"]).wikidata


def test_parents_exist() -> None:
    for inst in AUTHORITY.instruments.values():
        assert set(inst.parent) <= AUTHORITY.instruments.keys(), inst.id


def test_dates_are_iso_and_in_order() -> None:
    for row in ROWS:
        adopted, in_force = row["adoption_date"], row["entry_into_force"]
        for value in (adopted, in_force):
            assert not value or date.fromisoformat(value), row["id"]
        if adopted and in_force:
            assert adopted <= in_force, row["id"]


@pytest.mark.parametrize("row", REFERENCE_ROWS, ids=lambda r: r["id"])
def test_every_fact_of_a_reference_row_has_a_source_in_the_legend(row: dict[str, str]) -> None:
    groups = source_groups(row)
    unsourced = [
        column for column, names in FACT_FIELDS.items() if row[column] and not names & groups.keys()
    ]
    assert unsourced == []
    assert {k for keys in groups.values() for k in keys} - LEGEND == set()


def test_every_title_names_its_instrument_alone() -> None:
    """A title shared by two rows would match neither: the loader drops ambiguous aliases."""
    own = {(a.instrument, a.text) for a in AUTHORITY.aliases}
    assert [r["id"] for r in ROWS if (r["id"], r["canonical_title"]) not in own] == []


CONFIRMED: list[tuple[str, str, object]] = [
    ("rome_statute", "unts", (Unts(2187, 38544),)),
    ("rome_statute", "adoption_date", date(1998, 7, 17)),
    ("vclt", "unts", (Unts(1155, 18232, 331),)),
    ("vcdr", "unts", (Unts(500, 7310, 95),)),
    ("att", "unts", (Unts(3013, 52373, 269),)),
    ("att", "untc_id", "XXVI-8"),
    ("opcat", "untc_id", "IV-9-b"),
    ("op_icescr", "unts", (Unts(2922, 14531, 29),)),
    ("genocide_convention", "unts", (Unts(78, 1021, 277),)),
    ("refugee_convention", "entry_into_force", date(1954, 4, 22)),
    ("cat", "adoption_date", date(1984, 12, 10)),
    ("unclos", "untc_id", "XXI-6"),
    ("unclos_part_xi", "parent", ("unclos",)),
    ("kyoto_protocol", "parent", ("unfccc",)),
    ("ap_i", "parent", ("gc_i", "gc_ii", "gc_iii", "gc_iv")),
    ("p155", "parent", ("c155",)),
    ("c001", "normlex_id", "312146"),
    ("c190", "normlex_id", "3999810"),
    ("r198", "normlex_id", "312535"),
    ("c087", "title", "Freedom of Association and Protection of the Right to Organise "
     "Convention, 1948 (No. 87)"),
    ("crc", "wikidata", "Q466087"),
    ("un_charter", "wikidata", "Q171328"),
    ("paris_agreement", "wikidata", "Q21707860"),
    ("kyoto_protocol", "wikidata", "Q47359"),
    ("unfccc", "wikidata", "Q208645"),
    ("rome_statute", "wikidata", "Q838958"),
    ("genocide_convention", "wikidata", "Q865344"),
    ("npt", "wikidata", "Q186444"),
    ("cwc", "wikidata", "Q547896"),
    ("udhr", "wikidata", "Q7813"),
    ("ap_iii", "wikidata", "Q2115269"),
    ("iccpr", "wikidata", "Q392119"),
    ("icescr", "wikidata", "Q457862"),
    ("nagoya_protocol", "parent", ("cbd",)),
    ("nagoya_protocol", "entry_into_force", date(2014, 10, 12)),
    ("fish_stocks_agreement", "unts", (Unts(2167, None, 3),)),
    ("bbnj_agreement", "untc_id", "XXI-10"),
    ("drd", "adoption_date", date(1986, 12, 4)),
    ("refugee_protocol", "unts", (Unts(606, None, 267),)),
    ("registration_convention", "entry_into_force", date(1976, 9, 15)),
    ("achpr", "adoption_date", date(1981, 6, 27)),
    ("p081", "parent", ("c081",)),
    ("p147", "adoption_date", date(1996, 10, 22)),
    ("c136", "title", "Benzene Convention, 1971 (No. 136)"),
    ("rome_statute", "kind", "treaty"),
    ("outer_space_treaty", "unts", (Unts(610, 8843),)),
    ("sendai_framework", "symbol", "A/RES/69/283"),
    ("icj_statute", "untc_id", "I-3"),
    ("icj_statute", "parent", ("un_charter",)),
    ("cartagena_protocol", "untc_id", "XXVII-8-a"),
    ("ctbt", "adoption_date", date(1996, 9, 10)),
    ("un_charter", "entry_into_force", date(1945, 10, 24)),
]  # fmt: skip


@pytest.mark.parametrize(("instrument", "field", "expected"), CONFIRMED)
def test_confirmed_facts(instrument: str, field: str, expected: object) -> None:
    assert getattr(AUTHORITY.get(instrument), field) == expected


def test_every_wikidata_id_is_pinned_as_a_confirmed_fact() -> None:
    """A Q-id is one typo from another item: each one in the data is also written out above."""
    pinned = {(i, v) for i, field, v in CONFIRMED if field == "wikidata"}
    in_data = {(r["id"], r["wikidata_qid"]) for r in ROWS if r["wikidata_qid"]}
    assert in_data == pinned


def test_loader_tolerates_files_without_the_identifier_columns(tmp_path: Path) -> None:
    (tmp_path / "authority.csv").write_text(
        "id,canonical_title,kind,sources\nx,Treaty on Something,treaty,title=KEY\n", "utf-8"
    )
    (tmp_path / "identifiers.csv").write_text("instrument,scheme,value,source\n", "utf-8")
    (tmp_path / "abbreviations.csv").write_text("abbreviation,expansion\n", "utf-8")
    inst = load_authority(tmp_path).get("x")
    assert (inst.title, inst.wikidata, inst.untc_id, inst.unts) == (
        "Treaty on Something",
        None,
        None,
        (),
    )


def citing_every_instrument() -> Extraction:
    """One preambular paragraph that names every authority instrument by its title."""
    instruments = sorted(AUTHORITY.instruments.values(), key=lambda i: i.id)
    text = "Recalling " + "; ".join(i.title for i in instruments) + ",\n"
    paragraph = Paragraph(ParagraphKind.PREAMBULAR, 1, Span(0, len(text) - 1), text[:-1], ())
    meta = ResolutionMeta("A/RES/99/2", "Everything", session=99, adoption_date=date(2024, 12, 17))
    doc = Document(meta, text, (paragraph,), (), source_file="A-RES-99-2.txt")
    citations, at = [], len("Recalling ")
    for inst in instruments:
        span = Span(at, at + len(inst.title))
        citations.append(Citation("pp1", inst, Via.TITLE, span, inst.title, None, "recalling"))
        at = span.end + 2
    return Extraction(doc, tuple(citations))


@pytest.mark.slow
def test_every_authority_instrument_maps_to_a_graph_the_shapes_accept() -> None:
    triples = mapping.triples([citing_every_instrument()], sources={"A-RES-99-2.txt": "a" * 64})
    conforms, report = shacl(triples)
    assert conforms, report[:2000]
    text = mapping.to_ntriples(triples)
    exact = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
    assert text.count(exact) == sum(1 for r in ROWS if r["wikidata_qid"])
    assert "<http://www.wikidata.org/entity/Q21707860>" in text


def test_a_row_with_an_unquoted_comma_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "authority.csv").write_text(
        "id,canonical_title,kind,sources\nx,Treaty on Something,treaty,title=KEY\n", "utf-8"
    )
    (tmp_path / "identifiers.csv").write_text(
        "instrument,scheme,value,source\nx,symbol,A/RES/1/1,KEY (resolution 1/1, annex)\n", "utf-8"
    )
    (tmp_path / "abbreviations.csv").write_text("abbreviation,expansion\n", "utf-8")
    with pytest.raises(ValueError, match=r"identifiers\.csv: data row 1 has more cells"):
        load_authority(tmp_path)
