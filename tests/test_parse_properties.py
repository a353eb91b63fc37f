"""Property tests: whatever the text, the reader returns a document whose offsets are
inside the text and whose quotes equal the text at those offsets, or our own error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graph
from graph.errors import TreatygraphError
from graph.model import Extraction, ResolutionMeta

SEED = (Path(__file__).resolve().parents[1] / "corpus/A-RES-77-194.txt").read_text("utf-8")
SEED_LINES = SEED.split("\n")
META = ResolutionMeta(symbol="A/RES/77/194", title="Trafficking in women and girls")
ODD = ["\u200f", "\u200b", "\x00", "\u0301", "\ufeff", "\u2028", "\r", "\t", "\f", "\ue000"]


def check(text: str) -> None:
    try:
        x = graph.extract(graph.parse(text, meta=META))
    except TreatygraphError as err:
        assert str(err)
        return
    assert_consistent(x)


def assert_consistent(x: Extraction) -> None:
    text = x.document.text
    for p in x.document.paragraphs:
        assert 0 <= p.span.start <= p.span.end <= len(text)
        assert p.span.slice(text) == p.text
        for m in p.markers:
            assert p.span.start <= m.offset <= p.span.end
    for f in x.document.footnotes:
        assert f.span.slice(text) == f.text
        for r in f.references:
            assert f.span.contains(r.span)
    for c in x.citations:
        assert 0 <= c.span.start <= c.span.end <= len(text)
        assert c.span.slice(text) == c.quote


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    check(text)


@FAST
@given(st.lists(st.sampled_from(SEED_LINES), max_size=300))
def test_shuffled_lines_of_the_seed(lines: list[str]) -> None:
    check("\n".join(lines))


@FAST
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)))
def test_truncated_seed(start: int, length: int) -> None:
    check(SEED[start : start + length])


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED) - 1), st.sampled_from(ODD)), min_size=1, max_size=40
    )
)
def test_seed_with_odd_characters(insertions: list[tuple[int, str]]) -> None:
    text = SEED
    for at, ch in sorted(insertions, reverse=True):
        text = text[:at] + ch + text[at:]
    check(text)


@FAST
@given(st.lists(st.integers(1, 40), max_size=12), st.text(max_size=200))
def test_random_footnote_blocks(numbers: list[int], body: str) -> None:
    block = "\n".join(f" {n}  Ibid., vol. {n * 7}, No. {n * 13}." for n in numbers)
    check(f"The General Assembly,\n Recalling {body},1\n____\n{block}\n 1. Decides {body}.\n")


def test_huge_paragraph() -> None:
    words = " ".join(["the Convention on the Rights of the Child"] * 5000)
    check(f"The General Assembly,\n\n Recalling {words},\n\n 1. Decides.\n")
