"""Synthetic resolutions for scale tests and benchmarks: ``treatygraph synth``.

Each resolution is made from the seed and its index alone, in the layout of the seed corpus
(text extracted from a PDF: blank lines between lines, paragraph starts indented, footnote
markers spaced or glued, footnote blocks that break sentences, link lines, page furniture,
words hyphenated across lines), together with the truth planted in it: which paragraph cites
which instrument. Instruments are drawn with a Zipf-like spread from the authority data, plus
invented treaties known only by an invented UNTS volume and number, which the extractor makes
into text-only ``unts-<volume>-<number>`` records.

Every phrasing is one the extractor is meant to read. Where a layout would trip one of its
heuristics (see :func:`_may_break`, :func:`_indent`, :func:`_links_needed` and
:func:`_numbers_read_as_markers`), the
generator keeps clear of it, so any disagreement with the planted truth is a regression.

>>> one = generate(0, seed=1)
>>> one.name, one.planted.symbol
('A-RES-60-301', 'A/RES/60/301')
>>> "synthetic: true" in one.meta and one.text == generate(0, seed=1).text
True
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from treatygraph.errors import TreatygraphError
from treatygraph.model import symbol_slug
from treatygraph.synth.catalogue import (
    FIRST_NUMBER,
    GENERATOR,
    SESSIONS,
    Catalogue,
    Note,
    catalogue,
)
from treatygraph.synth.layout import Furniture, Line, paginate, paragraph_lines, render
from treatygraph.synth.prose import TITLES, Context, Draft, paragraphs

# --- one resolution, whole ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """The truth a synthetic resolution holds."""

    symbol: str
    cites: tuple[tuple[str, tuple[str, ...]], ...]  # every paragraph id → instrument ids
    intents: tuple[tuple[str, str], ...]  # citing paragraphs → the intent of their opening
    invented: tuple[tuple[str, str], ...]  # text-only treaty records → the title the text uses
    footnotes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": GENERATOR,
            "symbol": self.symbol,
            "cites": {pid: list(ids) for pid, ids in self.cites},
            "intents": dict(self.intents),
            "invented": dict(self.invented),
            "footnotes": self.footnotes,
        }


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One generated resolution: its file stem, text, metadata file and planted truth."""

    name: str
    text: str
    meta: str
    planted: Planted


def symbol_of(index: int) -> tuple[int, int]:
    """Session and number of the ``index``-th resolution: unique for every index.

    >>> symbol_of(0), symbol_of(19), symbol_of(20)
    ((60, 301), (79, 301), (60, 302))
    """
    return SESSIONS[index % len(SESSIONS)], FIRST_NUMBER + index // len(SESSIONS)


def generate(index: int, *, seed: int) -> Synthetic:
    """The ``index``-th synthetic resolution of ``seed``: text, metadata and planted truth."""
    if index < 0:
        raise ValueError(f"index must be >= 0, not {index}")
    rng = random.Random(f"{GENERATOR}:{seed}:{index}")
    cat = catalogue(seed)
    session, number = symbol_of(index)
    symbol = f"A/RES/{session}/{number}"
    title, topic = rng.choice(TITLES)
    drafts, notes = paragraphs(Context(rng, cat, session, topic))
    adopted = date(1945 + session, 12, rng.randint(10, 22))
    furniture = _furniture_of(symbol, title, adopted, rng)
    width = rng.randint(82, 92)
    lines: list[Line] = []
    operative = 0
    for d in drafts:
        operative += d.operative
        lines += paragraph_lines(d, operative, width, rng)
    text = render(paginate(lines, rng), notes, furniture, rng)
    meta = _meta(symbol, title, session, adopted, rng)
    return Synthetic(symbol_slug(symbol), text, meta, _planted(symbol, drafts, notes, cat))


def _furniture_of(symbol: str, title: str, adopted: date, rng: random.Random) -> Furniture:
    job = rng.randint(10000, 29999)
    issued = date.fromordinal(adopted.toordinal() + rng.randint(5, 30))
    yy = adopted.year % 100
    return Furniture(symbol, title, f"{yy:02d}-{job} (E) {issued:%d%m%y}", f"*{yy:02d}{job}*")


def _meta(symbol: str, title: str, session: int, adopted: date, rng: random.Random) -> str:
    item = f"{rng.randint(20, 140)}" + (" (a)" if rng.random() < 0.3 else "")
    return (
        f"# Synthetic resolution made by {GENERATOR}: not a United Nations text.\n"
        f"symbol: {symbol}\n"
        f"title: {json.dumps(title)}\n"
        "body: General Assembly\n"
        f"session: {session}\n"
        f"adoption_date: {adopted.isoformat()}\n"
        f"agenda_item: {json.dumps(item)}\n"
        "synthetic: true\n"
    )


def _planted(symbol: str, drafts: list[Draft], notes: list[Note], cat: Catalogue) -> Planted:
    ids: list[tuple[str, tuple[str, ...]]] = []
    counts = {False: 0, True: 0}
    for d in drafts:
        counts[d.operative] += 1
        ids.append((("op" if d.operative else "pp") + str(counts[d.operative]), d.cites))
    intents = tuple(
        (pid, d.intent) for (pid, c), d in zip(ids, drafts, strict=True) if c and d.intent
    )
    cited = dict.fromkeys(i for _, c in ids for i in c if i in cat.titles)
    invented = tuple((i, cat.titles[i]) for i in cited)
    return Planted(symbol, tuple(ids), intents, invented, len(notes))


# --- a corpus on disk --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SynthReport:
    """What :func:`synthesize` wrote."""

    out_dir: Path
    seed: int
    names: tuple[str, ...]
    paragraphs: int
    footnotes: int
    citations: int  # planted (paragraph, instrument) pairs
    instruments: int  # distinct instruments planted
    invented: int  # distinct text-only treaty records planted

    def __str__(self) -> str:
        return (
            f"{len(self.names)} synthetic resolutions (seed {self.seed}) in {self.out_dir}: "
            f"{self.paragraphs} paragraphs, {self.footnotes} footnotes, {self.citations} "
            f"citations of {self.instruments} distinct records ({self.invented} invented treaties)"
        )


def write(one: Synthetic, out_dir: Path) -> Path:
    """Write ``NAME.txt``, ``NAME.meta.yaml`` and ``NAME.planted.json``; the text's path."""
    path = out_dir / f"{one.name}.txt"
    path.write_text(one.text, encoding="utf-8", newline="\n")
    (out_dir / f"{one.name}.meta.yaml").write_text(one.meta, encoding="utf-8", newline="\n")
    planted = json.dumps(one.planted.as_dict(), indent=2, ensure_ascii=False) + "\n"
    (out_dir / f"{one.name}.planted.json").write_text(planted, encoding="utf-8", newline="\n")
    return path


def synthesize(n: int, *, seed: int, out_dir: Path) -> SynthReport:
    """Write ``n`` synthetic resolutions of ``seed`` into ``out_dir`` (created if need be)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    tally = _Tally()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            one = generate(i, seed=seed)
            write(one, out_dir)
            tally.add(one)
    except OSError as err:
        raise TreatygraphError(f"cannot write to {out_dir}: {err.strerror or err}") from err
    return tally.report(seed, out_dir)


@dataclass
class _Tally:
    """Counts over resolutions written one by one: a big corpus is never held in memory."""

    names: list[str] = field(default_factory=list)
    paragraphs: int = 0
    footnotes: int = 0
    citations: int = 0
    instruments: set[str] = field(default_factory=set)
    invented: set[str] = field(default_factory=set)

    def add(self, one: Synthetic) -> None:
        self.names.append(one.name)
        self.paragraphs += len(one.planted.cites)
        self.footnotes += one.planted.footnotes
        self.citations += sum(len(ids) for _, ids in one.planted.cites)
        self.instruments.update(i for _, ids in one.planted.cites for i in ids)
        self.invented.update(i for i, _ in one.planted.invented)

    def report(self, seed: int, out_dir: Path) -> SynthReport:
        counts = (self.paragraphs, self.footnotes, self.citations)
        distinct = (len(self.instruments), len(self.invented))
        return SynthReport(out_dir, seed, tuple(self.names), *counts, *distinct)


def read_planted(text_path: Path) -> dict[str, set[str]]:
    """The planted truth beside a synthetic text: paragraph id → instrument ids."""
    data = json.loads(text_path.with_name(text_path.stem + ".planted.json").read_text("utf-8"))
    return {pid: set(ids) for pid, ids in data["cites"].items()}


# --- the command -------------------------------------------------------------------------


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``treatygraph synth --resolutions N --seed S OUT_DIR``."""
    p = sub.add_parser("synth", help="write synthetic resolutions (marked synthetic) for tests")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="directory to write into")
    p.add_argument("--resolutions", "-n", type=_count, default=100, metavar="N",
                   help="how many resolutions (default 100)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    report = synthesize(args.resolutions, seed=args.seed, out_dir=args.out_dir)
    seconds = time.perf_counter() - start
    rate = len(report.names) / seconds if seconds > 0 else 0.0
    print(f"{report} — {seconds:.2f} s, {rate:.0f} resolutions/s")
    return 0


__all__ = [
    "Planted",
    "SynthReport",
    "Synthetic",
    "generate",
    "read_planted",
    "register",
    "synthesize",
    "write",
]
