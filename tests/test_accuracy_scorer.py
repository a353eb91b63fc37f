"""The accuracy scorer (bench/accuracy.py) on small made-up gold and extractions: how it
matches a citation, what it counts, and how it refuses a bad gold file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import treatygraph
from tests.support.accuracy import acc

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "A-RES-77-194.txt"


Cited = acc.Cited

CRC = Cited("Convention on the Rights of the Child", "A", unts=((1577, 27531),))
CRPD = Cited("Convention on the Rights of Persons with Disabilities", "A", unts=((2515, 44910),))
AGENDA = Cited("Transforming our world: the 2030 Agenda for Sustainable Development", "B",
               symbols=("A/RES/70/1",))  # fmt: skip
RES = Cited("General Assembly resolution 54/237 C", "C", symbols=("A/RES/54/237 C",))
C029 = Cited("Forced Labour Convention, 1930 (No. 29)", "A", ilo="C029")


# --- matching rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "found", "same"),
    [
        ("Treaty on the Non-Proliferation of Nuclear Weapons",
         "the treaty on the non-proliferation of nuclear weapons", True),
        ("Transforming our world: the 2030 Agenda",
         "Transforming our world — the 2030 Agenda", True),
        ("“A world fit for children”", "A world fit for children", True),
        ("Treaty on the South-East Asia Nuclear-Weapon-Free Zone",
         "Treaty on the South-East Asia Nuclear-Weapon-Free Zone (Bangkok Treaty)", True),
        ("Convention on the Prohibition of Chemical Weapons",
         "Convention on the Prohibition of Chemical Weapons of 13 January 1993", True),
        ("Declaration on the Zone of Peace, Freedom and Neutrality",
         "Declaration on the Zone of Peace, Freedom and Neutrality, signed in Kuala Lumpur on "
         "27 November 1971", True),
        ("Protocol of 2014 to the Forced Labour Convention, 1930", "Protocol", False),
        ("Convention on the Rights of the Child",
         "Convention on the Rights of Persons with Disabilities", False),
        ("Protocol to the Treaty on a Nuclear-Weapon-Free Zone in Central Asia",
         "Treaty on a Nuclear-Weapon-Free Zone in Central Asia", False),
        ("Paris Agreement", "Paris Agreement on Climate", False),
    ],
)  # fmt: skip
def test_titles_match_across_case_articles_punctuation_and_short_names(
    gold: str, found: str, same: bool
) -> None:
    assert acc.same_title(Cited(gold, "A"), Cited(found, "A")) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("A/RES/54/237 C", "A/RES/54/237C", True),  # spaces
        ("a/res/47/19", "A/RES/47/19", True),  # case
        ("A/RES/54/237 C", "A/RES/54/237", True),  # the part letter left off
        ("A/RES/2453 A (XXIII)", "A/RES/2453(XXIII)", True),  # old style, letter left off
        ("NPT/CONF.2010/50 (Vol. I)", "NPT/CONF.2010/50", True),  # volume qualifier
        ("A/RES/S‑10/2", "A/RES/S-10/2", True),  # a non-breaking hyphen
        ("A/RES/54/237 B", "A/RES/54/237 C", False),  # two different parts
        ("A/RES/47/19", "A/RES/47/191", False),
        ("A/78/42", "A/78/42)", False),  # a stray bracket is the reader's defect
        ("A/RES/70/1", "A/70/1", False),
        ("A/79/552-S/2024/767", "A/79/552", True),  # one symbol of a joint document
        ("A/79/552-S/2024/767", "S/2024/767", True),
        ("A/79/552-S/2024/767", "A/79/553", False),
        ("S/RES/1325 (2000)", "S/RES/1325(2000)", True),
        ("S/RES/1325(2000)", "S/RES/1326(2000)", False),
    ],
)
def test_symbols_match_with_tolerance_but_not_across_documents(a: str, b: str, same: bool) -> None:
    assert acc.same_symbol(a, b) is same
    assert acc.same_symbol(b, a) is same


@pytest.mark.parametrize(
    ("gold", "found", "same"),
    [
        (CRC, Cited("UNTS vol. 1577, No. 27531", "A", unts=((1577, 27531),)), True),
        (CRC, Cited("UNTS vol. 1577", "A", unts=((1577, None),)), True),  # number not given
        (CRC, Cited("UNTS vol. 1577, No. 1", "A", unts=((1577, 1),)), False),
        (C029, Cited("C29", "A", ilo="c29"), True),
        (C029, Cited("C290", "A", ilo="C290"), False),
        (AGENDA, Cited("resolution 70/1", "C", symbols=("A/RES/70/1",)), True),
        (AGENDA, Cited("resolution 70/10", "C", symbols=("A/RES/70/10",)), False),
    ],
)
def test_identifiers_match_by_unts_ilo_code_or_symbol(
    gold: object, found: object, same: bool
) -> None:
    assert acc.same_identifier(gold, found) is same


# --- counting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "found", "found_tiers", "missed", "invented", "duplicates"),
    [
        # found by UNTS though the reader's title is only the reference
        ([CRC], [Cited("United Nations, Treaty Series, vol. 1577, No. 27531", "A",
                       unts=((1577, 27531),))], {"A": 1}, [], [], 0),
        # found by title alone (the document gave no footnote)
        ([CRC], [Cited("Convention on the Rights of the Child", "A")], {"A": 1}, [], [], 0),
        # a resolution found as "resolution 70/1" counts in the gold's tier (B), not the reader's
        ([AGENDA], [Cited("A/RES/70/1", "C", symbols=("A/RES/70/1",))], {"B": 1}, [], [], 0),
        # nothing found: every gold citation missed
        ([CRC, RES], [], {}, ["Convention on the Rights of the Child",
                              "General Assembly resolution 54/237 C"], [], 0),
        # an extra citation is invented, in the reader's tier
        ([], [Cited("Olympic Charter", "B")], {}, [], ["Olympic Charter"], 0),
        # one instrument as two records: counted once, the other a duplicate, not invented
        ([CRC], [Cited("vol. 1577", "A", unts=((1577, 27531),)),
                 Cited("Convention on the Rights of the Child", "A")], {"A": 1}, [], [], 1),
        # a wrong instrument is both a miss and an invention
        ([CRC], [CRPD], {}, ["Convention on the Rights of the Child"],
         ["Convention on the Rights of Persons with Disabilities"], 0),
        # identifiers win over titles: the record titled like CRC but carrying CRPD's UNTS pair
        ([CRC, CRPD], [Cited("Convention on the Rights of the Child", "A",
                             unts=((2515, 44910),)), CRC], {"A": 2}, [], [], 0),
    ],
)  # fmt: skip
def test_score_paragraph(
    gold: list[object],
    found: list[object],
    found_tiers: dict[str, int],
    missed: list[str],
    invented: list[str],
    duplicates: int,
) -> None:
    score = acc.score_paragraph("pp1", gold, found)
    assert dict(score.found) == found_tiers
    assert [m.title for m in score.missed] == missed
    assert [m.title for m in score.invented] == invented
    assert score.duplicates == duplicates


def test_precision_recall_f1_per_tier_and_overall() -> None:
    score = acc.Score(
        found=Counter({"A": 3, "C": 1}),
        missed=(acc.Miss("pp1", "A", "x"), acc.Miss("op1", "C", "y"), acc.Miss("op2", "C", "z")),
        invented=(acc.Miss("pp2", "A", "w"),),
    )
    assert score.counts("A") == (3, 1, 1)
    assert (score.precision("A"), score.recall("A"), score.f1("A")) == (0.75, 0.75, 0.75)
    assert (score.precision("C"), score.recall("C")) == (1.0, 1 / 3)
    assert (score.precision("B"), score.recall("B"), score.f1("B")) == (None, None, None)
    assert score.counts() == (4, 1, 3)
    total = score + score
    assert total.counts("A") == (6, 2, 2) and total.precision() == 0.8


def test_a_document_is_scored_paragraph_by_paragraph() -> None:
    gold = {"pp1": (CRC,), "op2": (AGENDA, RES)}
    found = {"pp1": (CRC,), "op1": (RES,), "op2": (AGENDA,)}  # RES read in the wrong paragraph
    score = acc.score_document(gold, found)
    assert score.counts() == (2, 1, 1)
    assert [(m.paragraph, m.title) for m in score.invented] == [("op1", RES.title)]
    assert [(m.paragraph, m.title) for m in score.missed] == [("op2", RES.title)]


@pytest.mark.parametrize(
    ("kind", "unts", "symbol", "tier"),
    [
        ("convention", False, None, "A"),
        ("optional protocol", False, None, "A"),
        ("ILO recommendation", False, None, "B"),
        ("treaty", True, None, "A"),
        ("other (global compact)", False, None, "B"),
        ("declaration", False, None, "B"),
        ("UN resolution", False, "A/RES/73/195", "C"),
        ("UN document", False, "A/77/170", "C"),
        ("other", True, None, "A"),  # a UNTS reference makes it a treaty
    ],
)
def test_tier_of_an_extracted_record(kind: str, unts: bool, symbol: str | None, tier: str) -> None:
    assert acc.tier_of(kind, has_unts=unts, symbol=symbol) == tier


def test_found_in_the_seed_gives_one_entry_per_instrument_and_paragraph() -> None:
    found = acc.found_in(treatygraph.read(SEED))
    assert len(found["op5"]) == 17 and {c.tier for c in found["op5"]} == {"A"}
    assert {c.tier for c in found["pp9"]} == {"B", "C"}  # the Global Compact, resolution 73/195
    cedaw = next(c for c in found["pp2"] if c.unts == ((1249, 20378),))
    assert cedaw.tier == "A" and cedaw.aliases == ("CEDAW",)


# --- gold files ---------------------------------------------------------------------------

GOOD = """\
symbol: A/RES/77/194
source: A-RES-77-194.txt
paragraphs: {preambular: 36, operative: 52}
footnotes: 34
instruments:
  crc: {title: Convention on the Rights of the Child, tier: A, unts: [1577, 27531]}
  agenda: {title: the 2030 Agenda, tier: B, symbol: A/RES/70/1}
cites:
  pp2: [crc]
  pp7: [agenda]
  pp9: [A/RES/73/195]
"""


def write(tmp_path: Path, text: str, name: str = "A-RES-77-194.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_gold_file_reads_and_a_bare_symbol_is_a_tier_c_citation(tmp_path: Path) -> None:
    gold = acc.load_gold(write(tmp_path, GOOD))
    assert (gold.preambular, gold.operative, gold.footnotes) == (36, 52, 34)
    assert gold.cites["pp2"][0].unts == ((1577, 27531),)
    (res,) = gold.cites["pp9"]
    assert (res.title, res.tier, res.symbols) == (
        "General Assembly resolution 73/195", "C", ("A/RES/73/195",)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("footnotes: 34", "footnotes: 34\nnotes: x"), "unknown keys: notes"),
        (("footnotes: 34\n", ""), "missing keys: footnotes"),
        (("tier: B", "tier: D"), "instruments.agenda: needs a title and a tier"),
        (("unts: [1577, 27531]", "unts: [1577]"), "instruments.crc: unts is [volume, number]"),
        (("unts: [1577, 27531]", "untz: 1"), "instruments.crc: unknown keys: untz"),
        (("pp7: [agenda]", "op53: [agenda]"), "cites.op53: beyond the 52 counted"),
        (("pp7: [agenda]", "p7: [agenda]"), "cites.p7: paragraph ids are"),
        (("pp7: [agenda]", "pp7: [agendas]"), "'agendas' is neither an instrument nor a symbol"),
        (("pp7: [agenda]", "pp7: [agenda, agenda]"), "cites.pp7: an entry is listed twice"),
        (("pp7: [agenda]", "pp7: []"), "cites.pp7: a non-empty list"),
        (("{preambular: 36, operative: 52}", "36"), "paragraphs: give"),
        (("operative: 52", "operative: many"), "operative: a count, not 'many'"),
        (("footnotes: 34", "footnotes: -1"), "footnotes: a count, not -1"),
        (("cites:", "cites: ["), "cannot read gold"),
    ],
)
def test_a_bad_gold_file_is_refused_by_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(acc.GoldError, match=re.escape(message)) as err:
        acc.load_gold(path)
    assert str(err.value).startswith(str(path))


# --- the whole run ------------------------------------------------------------------------


def test_run_scores_readable_documents_and_reports_unreadable_ones(tmp_path: Path) -> None:
    golds = tmp_path / "gold"
    golds.mkdir()
    write(golds, GOOD)
    write(golds, GOOD.replace("A-RES-77-194.txt", "missing.txt"), "A-RES-0-0.yaml")
    out = tmp_path / "accuracy.md"
    code = acc.main(["--gold", str(golds), "--docs", str(ROOT / "corpus"), "--markdown", str(out)])
    assert code == 0
    results = acc.run(acc.load_gold_dir(golds), ROOT / "corpus")
    seed = next(r for r in results if r.gold.name == "A-RES-77-194")
    assert seed.error is None and str(seed.structure) == "36/52/34" and seed.form == ".txt"
    found, invented, missed = seed.score.counts()
    assert (found, missed) == (3, 0)  # the three gold citations; the rest of the seed is extra
    assert invented > 0 and "Convention on the Rights of the Child" not in {
        m.title for m in seed.score.invented if m.paragraph == "pp2"
    }
    broken = next(r for r in results if r.gold.name == "A-RES-0-0")
    assert broken.error and "missing.txt" in broken.error and broken.structure is None
    assert broken.score.counts() == (0, 0, 3)
    lines = acc.report([broken]).splitlines()
    assert "A/RES/77/194 pp2 missed [A] Convention on the Rights of the Child" in lines
    text = out.read_text()
    assert "| A | " in text and "Documents the reader could not read" in text


def test_a_conversion_is_read_in_place_of_the_source(tmp_path: Path) -> None:
    (tmp_path / "A-RES-77-194.pdf.yaml").write_text(GOOD.replace(".txt", ".pdf"))
    (gold,) = acc.load_gold_dir(tmp_path)
    (result,) = acc.run([gold], ROOT / "corpus", suffix=".txt")
    assert result.path == ROOT / "corpus" / "A-RES-77-194.txt" and result.form == ".pdf as .txt"
    assert result.error is None and result.score.found == Counter({"A": 1, "B": 1, "C": 1})


def test_a_bad_gold_folder_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert acc.main(["--gold", str(tmp_path)]) == 2
    assert "no gold files" in capsys.readouterr().err
