"""The layout of a synthetic resolution as text extracted from a PDF: wrapped lines, spaced or
glued markers, pages, footnote blocks, link lines and page furniture."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from treatygraph.reader.parse import preamble_openers
from treatygraph.synth.catalogue import Note
from treatygraph.synth.prose import Draft

# --- layout ------------------------------------------------------------------------------

LINE_ENDING_MARKER = re.compile(r"(?<=[,;:.”)])\s*\d{1,3}\s*$")
CAPITALISED_ING = re.compile(r"[A-Z][a-z]+ing")
COMPOUND = re.compile(r"[A-Za-z]+-[A-Za-z]+[,;.]?")
Unit = tuple[str, int | None]  # a word, and the footnote whose marker is glued to it


@dataclass(frozen=True, slots=True)
class Line:
    """One body line as laid out, before indentation."""

    text: str
    notes: tuple[int, ...] = ()
    links: tuple[str, ...] = ()
    starts: bool = False  # a paragraph's first line
    ends: bool = False  # its last
    glued: bool = False  # ends in a compound broken at its hyphen: no space after it


def _marker(word: str, number: int, rng: random.Random) -> str:
    """A footnote marker after ``word``: spaced ("Crime 1  and") or glued ("thereto19")."""
    if word[-1].isdigit() or rng.random() < 0.5:
        return f"{word} {number} "
    return f"{word}{number}"


def _units(draft: Draft, rng: random.Random) -> list[Unit]:
    units: list[Unit] = []
    for piece in draft.pieces:
        *words, last = piece.text.split()
        units += [(w, None) for w in words]
        marked = last if piece.note is None else _marker(last, piece.note, rng)
        units.append((marked, piece.note))
    return units


def _closes(line: str) -> bool:
    """Whether the reader takes ``line`` to end a paragraph (a trailing marker aside)."""
    return LINE_ENDING_MARKER.sub("", line.rstrip()).endswith((",", ";", ":", "."))


def _may_break(line: str, word: str, preamble: bool) -> bool:
    """Whether a line may end before ``word``. The reader takes a line that starts with a
    number for a footnote or an operative paragraph, and in the preamble a line that starts
    with an opener word ("Trafficking", "Further") after a closing line for a new paragraph."""
    if word[:1].isdigit():
        return False
    first = word.rstrip(",;:.")
    opener = first in preamble_openers() or CAPITALISED_ING.fullmatch(first) is not None
    return not (preamble and opener and _closes(line))


def _wrap(
    units: list[Unit], width: int, preamble: bool, rng: random.Random
) -> list[tuple[list[Unit], bool]]:
    """Greedy wrapping; now and then a compound breaks at its hyphen ("capacity-" then
    "building"), a line the reader glues to the next (the flag)."""
    lines: list[tuple[list[Unit], bool]] = [([], False)]
    text = ""  # the current line so far
    for word, note in units:
        line = lines[-1][0]
        if not line or len(text) + 1 + len(word) <= width or not _may_break(text, word, preamble):
            line.append((word, note))
            text = f"{text} {word}" if text else word
            continue
        head, _, tail = word.partition("-")
        split = note is None and COMPOUND.fullmatch(word) is not None and rng.random() < 0.5
        if split and len(text) + len(head) + 2 <= width and _may_break(text, tail, preamble):
            line.append((head + "-", None))
            lines[-1] = (line, True)
            word = tail
        lines.append(([(word, note)], False))
        text = word
    return lines


def paragraph_lines(draft: Draft, number: int, width: int, rng: random.Random) -> list[Line]:
    units = _units(draft, rng)
    if draft.operative:
        units.insert(0, (f"{number}.", None))
    wrapped = _wrap(units, width, not draft.operative, rng)
    out = []
    for i, (line, glued) in enumerate(wrapped):
        text = " ".join(w for w, _ in line)
        notes = tuple(n for _, n in line if n is not None)
        links = tuple(s for s in draft.links if s[6:] in text)
        out.append(Line(text, notes, links, i == 0, i == len(wrapped) - 1, glued))
    return out


@dataclass(frozen=True, slots=True)
class Page:
    lines: tuple[Line, ...]
    notes: tuple[int, ...]  # the footnotes its lines call, printed at its foot


def paginate(lines: list[Line], rng: random.Random) -> list[Page]:
    pages: list[Page] = []
    current: list[Line] = []
    notes: list[int] = []
    budget = rng.randint(24, 34)  # lines on a page, footnotes included
    for line in lines:
        current.append(line)
        notes += line.notes
        if len(current) + len(notes) + (2 if notes else 0) >= budget:
            pages.append(Page(tuple(current), tuple(notes)))
            current, notes = [], []
            budget = rng.randint(24, 34)
    if current:
        pages.append(Page(tuple(current), tuple(notes)))
    return pages


@dataclass(frozen=True, slots=True)
class Furniture:
    """Page furniture: the running header and the job number and barcode of page one."""

    symbol: str
    title: str
    job: str
    barcode: str


def _indent(line: Line, previous: Line | None, after_break: bool, rng: random.Random) -> str:
    """One space (now and then two) before a paragraph's first line. A line that goes on
    with a paragraph on a new page is indented too, as PDF extraction leaves it, unless the
    line before it closes: the reader would take it for a new paragraph."""
    if line.starts:
        return "  " if rng.random() < 0.1 else " "
    if after_break and previous is not None and not _closes(previous.text):
        return " "
    return ""


def render(pages: list[Page], notes: list[Note], furniture: Furniture, rng: random.Random) -> str:
    out = [f"   {furniture.title} \n \n\n \n\n The General Assembly, \n\n"]
    previous: Line | None = None
    for k, page in enumerate(pages, start=1):
        for i, line in enumerate(page.lines):
            indent = _indent(line, previous, i == 0 and k > 1, rng)
            end = "" if line.glued else "  " if line.ends else " "  # as PDF extraction leaves
            out.append(f"{indent}{line.text}{end}\n\n")
            previous = line
        out.append(_foot(page, notes, furniture, (k, len(pages)), rng))
    return "".join(out).rstrip("\n") + "\n"


def _foot(
    page: Page, notes: list[Note], furniture: Furniture, where: tuple[int, int], rng: random.Random
) -> str:
    """A page's foot: the footnote block, link lines, page furniture."""
    out: list[str] = []
    if page.notes:
        texts = [
            f" {n}  {notes[n - 1].render(notes[n - 2] if n > 1 else None)} " for n in page.notes
        ]
        out.append("__________________ \n\n" + "\n\n".join(texts))
    symbols = [notes[n - 1].link for n in page.notes] + [s for ln in page.lines for s in ln.links]
    links = list(dict.fromkeys(s for s in symbols if s))
    if links and (rng.random() < 0.85 or _links_needed(page, notes)):
        out.append(
            ("\n\n" if page.notes else "") + "".join(f"https://undocs.org/en/{s}\n" for s in links)
        )
    elif page.notes:
        out.append("\n")
    k, total = where
    if k < total:
        out.append(_furniture(furniture, k, total, rng))
    return "".join(out)


def _links_needed(page: Page, notes: list[Note]) -> bool:
    """A block whose last footnote ends "annex." needs a line after it that is no body text:
    the cleaner reads "annex." as unfinished and would take the next body line into it."""
    return bool(page.notes) and notes[page.notes[-1] - 1].text.endswith("annex.")


def _furniture(f: Furniture, k: int, total: int, rng: random.Random) -> str:
    lines = [f.job, f.barcode] if k == 1 and rng.random() < 0.6 else []
    if rng.random() < 0.5:
        lines += [f"{f.symbol} {f.title}", f"{k + 1}/{total}"]
    return "".join(line + "\n" for line in lines)
