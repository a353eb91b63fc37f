"""The seed resolution against its hand-written expected reading (tests/golden/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import treatygraph as graph
from treatygraph.model import Extraction, ParagraphKind, ReferenceKind

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "A-RES-77-194.txt"
GOLDEN: dict[str, Any] = yaml.safe_load((ROOT / "tests/golden/A-RES-77-194.yaml").read_text())


@pytest.fixture(scope="module")
def seed() -> Extraction:
    return graph.read(SEED)


def cited(extraction: Extraction, pid: str) -> set[str]:
    return {c.instrument.id for c in extraction.citations_of(pid)}


def test_structure(seed: Extraction) -> None:
    kinds = [p.kind for p in seed.document.paragraphs]
    assert kinds.count(ParagraphKind.PREAMBULAR) == GOLDEN["paragraphs"]["preambular"]
    assert kinds.count(ParagraphKind.OPERATIVE) == GOLDEN["paragraphs"]["operative"]
    assert [f.number for f in seed.document.footnotes] == list(range(1, GOLDEN["footnotes"] + 1))
    ids = [p.id for p in seed.document.paragraphs]
    assert ids[:2] == ["pp1", "pp2"] and ids[-1] == "op52" and ids[36] == "op1"


def test_every_marker_has_its_footnote_once(seed: Extraction) -> None:
    markers = [m.number for p in seed.document.paragraphs for m in p.markers]
    assert markers == list(range(1, 35))
    assert seed.problems == ()


@pytest.mark.parametrize("pid", [p.id for p in graph.read(SEED).document.paragraphs])
def test_paragraph_cites(seed: Extraction, pid: str) -> None:
    assert cited(seed, pid) == set(GOLDEN["cites"].get(pid, []))


@pytest.mark.parametrize(
    ("pid", "instrument", "via", "footnote", "quote"),
    [(pid, i, *ev) for pid, rows in GOLDEN["evidence"].items() for i, ev in rows.items()],
)
def test_citation_evidence(
    seed: Extraction, pid: str, instrument: str, via: str, footnote: int | None, quote: str
) -> None:
    matches = [c for c in seed.citations_of(pid) if c.instrument.id == instrument]
    assert (str(matches[0].via), matches[0].footnote, matches[0].quote) == (via, footnote, quote)


def test_operative_paragraph_5_cites_17_instruments(seed: Extraction) -> None:
    assert len(cited(seed, "op5")) == 17


@pytest.mark.parametrize(("instrument", "pairs"), GOLDEN["unts"].items())
def test_unts(seed: Extraction, instrument: str, pairs: list[list[int]]) -> None:
    inst = next(i for i in seed.instruments if i.id == instrument)
    assert [[u.volume, u.number] for u in inst.unts] == pairs


@pytest.mark.parametrize(("child", "parent"), GOLDEN["parents"].items())
def test_parents(seed: Extraction, child: str, parent: str) -> None:
    inst = next(i for i in seed.instruments if i.id == child)
    assert parent in inst.parent


@pytest.mark.parametrize(("number", "expected"), GOLDEN["references"].items())
def test_footnote_references(seed: Extraction, number: int, expected: dict[str, Any]) -> None:
    note = seed.document.footnote(number)
    unts = [[r.volume, r.number] for r in note.references if r.kind is ReferenceKind.UNTS]
    symbols = [r.symbol for r in note.references if r.symbol]
    assert unts == expected.get("unts", [])
    assert symbols == expected.get("symbols", [])
    if "pinpoint" in expected:
        assert {r.pinpoint for r in note.references} == {expected["pinpoint"]}
    if "sales_number" in expected:
        assert [r.sales_number for r in note.references] == [expected["sales_number"]]
    assert note.continues == expected.get("continues")


def test_quotes_are_the_text_at_their_spans(seed: Extraction) -> None:
    text = seed.document.text
    for c in seed.citations:
        assert c.span.slice(text) == c.quote
    for p in seed.document.paragraphs:
        assert p.span.slice(text) == p.text
        for c in seed.citations_of(p.id):
            in_footnote = any(f.span.contains(c.span) for f in seed.document.footnotes)
            assert p.span.contains(c.span) or in_footnote


def test_one_record_per_instrument(seed: Extraction) -> None:
    by_id: dict[str, object] = {}
    for c in seed.citations:
        assert by_id.setdefault(c.instrument.id, c.instrument) is c.instrument
    opsc = [c for c in seed.citations if c.instrument.id == "opsc"]
    assert {c.footnote for c in opsc} == {7, 19}


def test_text_only_records_are_flagged(seed: Extraction) -> None:
    made = {i.id: i for i in seed.instruments if not i.in_authority}
    assert set(made) == {"a-res-73-195"}
    assert made["a-res-73-195"].symbol == "A/RES/73/195"
