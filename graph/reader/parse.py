"""Stage 2: parse a cleaned resolution into a :class:`~treatygraph.model.Document`.

Reads the UN header when there is one, splits the body into preambular and operative
paragraphs (with lettered sub-items), takes the footnote markers out of the prose, and lays
everything out in one normalised text: the paragraphs, separated by blank lines, then the
footnotes, one per line. Every span is an offset range into that text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache

from treatygraph import resources as package_resources
from treatygraph.errors import fatal
from treatygraph.model import (
    Document,
    Footnote,
    FootnoteMarker,
    Paragraph,
    ParagraphKind,
    Problem,
    ResolutionMeta,
    Severity,
    Span,
    SubItem,
)
from treatygraph.reader.authority import title_words
from treatygraph.reader.clean import Cleaned, Line, clean, glued
from treatygraph.reader.header import (
    ENACTING,
    merge_meta,
    ordinal,
    parse_date,
    plenary_date,
    read_header,
)
from treatygraph.reader.markers import MARKER_SENTINEL, NUMBER_WORDS, mark_line
from treatygraph.reader.scrambled import unscramble_notes

# Names other modules import from here.
__all__ = [
    "MARKER_SENTINEL",
    "NUMBER_WORDS",
    "ordinal",
    "parse",
    "parse_date",
    "preamble_openers",
    "read_header",
]

OPERATIVE = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
SUB_ITEM = re.compile(r"^\s*\(([a-z]{1,2})\)\s+\S")
PARTICIPLE = re.compile(r"[A-Z][a-z]+(?:ing|ed)")
TRAILING_MARKER = re.compile(r"(?:(?<=[,;:.”)])\s*\d{1,3}/?|(?:\[\^\d{1,3}\])+)$")
# A paragraph number or item letter alone on its line (pdftotext): joined to the next line.
LONE_NUMBER = re.compile(r"^\s*(?:\d{1,3}\.|\([a-z]{1,2}\))\s*$")
NOT_PARTICIPLES = frozenset({"United", "Limited", "Revised", "Beijing", "Nothing", "Wedding"})


@cache
def preamble_openers() -> frozenset[str]:
    text = package_resources.data().joinpath("preamble_openers.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


@dataclass(slots=True)
class _Block:
    """A paragraph being gathered: its kind, number and raw lines."""

    kind: ParagraphKind
    number: int
    lines: list[Line]


def parse(
    text: str,
    *,
    meta: ResolutionMeta | None = None,
    file: str | None = None,
    known_words: Counter[str] | None = None,
) -> Document:
    """Parse the text of a resolution.

    >>> doc = parse(SAMPLE, meta=ResolutionMeta(symbol="A/RES/1/1", title="Example"))
    >>> [p.id for p in doc.paragraphs], [f.number for f in doc.footnotes]
    (['pp1', 'op1'], [1])
    >>> doc.paragraphs[0].text
    'Recalling the Convention on the Rights of the Child,'
    >>> doc.paragraphs[0].markers
    (FootnoteMarker(number=1, offset=52),)
    """
    if not text.strip():
        raise fatal("empty file: no text to read", file=file)
    if "\x00" in text:
        raise fatal(f"binary data: NUL byte at offset {text.index(chr(0))}", file=file)
    raw_lines = text.lstrip("\ufeff").replace(MARKER_SENTINEL, "").replace("\r\n", "\n").split("\n")
    raw_lines = _join_lone_numbers([ln.replace("\f", "") for ln in raw_lines])
    formula = _enacting_formula(raw_lines)
    header = read_header(raw_lines[: formula if formula is not None else 40])
    info = merge_meta(header, meta, file)
    if info.adoption_date is None and (adopted := plenary_date(raw_lines)) is not None:
        info = replace(info, adoption_date=adopted)
    words = title_words() if known_words is None else known_words
    title = info.title or None
    raw_lines = unscramble_notes(raw_lines, info.symbol, title)
    cleaned = clean(raw_lines, file=file, symbol=info.symbol, known_words=words, title=title)
    problems = list(cleaned.problems)
    start = next((i for i, ln in enumerate(cleaned.body) if ENACTING.match(ln.text)), None)
    if start is None:
        problems.append(
            Problem(Severity.WARNING, "no enacting formula ('The General Assembly,')", file=file)
        )
        start = 0 if meta is None else _after_title(cleaned.body, info.title)
    else:
        start += 1
    blocks = _blocks(list(cleaned.body[start:]), file)
    return _layout(info, blocks, cleaned, problems, file)


def _join_lone_numbers(lines: list[str]) -> list[str]:
    """A paragraph number ("1.") or item letter ("(a)") alone on its line, as pdftotext
    prints it, joined to the next line of text; the line count is kept (the text's line is
    left blank) so that line numbers still name the file's lines.

    >>> _join_lone_numbers(["1.", "Takes note of the report;", "(a)", "", "To act;"])
    ['1. Takes note of the report;', '', '(a) To act;', '', '']
    """
    if not any(LONE_NUMBER.match(ln) for ln in lines if len(ln) < 12):
        return lines
    out = list(lines)
    for i, line in enumerate(out):
        if len(line) >= 12 or not LONE_NUMBER.match(line):
            continue
        j = next((k for k in range(i + 1, min(i + 4, len(out))) if out[k].strip()), None)
        if j is None or LONE_NUMBER.match(out[j]):
            continue
        out[i] = f"{line.rstrip()} {out[j].strip()}"
        out[j] = ""
    return out


def _enacting_formula(raw_lines: list[str]) -> int | None:
    return next((i for i, ln in enumerate(raw_lines) if ENACTING.match(ln)), None)


def _after_title(body: tuple[Line, ...], title: str) -> int:
    for i, line in enumerate(body[:5]):
        if line.text.strip() == title.strip():
            return i + 1
    return 0


def _indentation_marks_paragraphs(lines: list[Line]) -> bool:
    indented = sum(1 for ln in lines if ln.text[:1].isspace())
    return 0 < indented < 0.5 * len(lines)


def _blocks(lines: list[Line], file: str | None) -> list[_Block]:
    """Split body lines into paragraphs: operative ones by their number, preambular ones by
    an indented (or opener-word) capitalised line after a line that closed a paragraph."""
    use_indent = _indentation_marks_paragraphs(lines)
    openers = preamble_openers()
    blocks: list[_Block] = []
    next_op = 1
    for index, line in enumerate(lines):
        if _is_heading(lines, index):
            continue
        stripped = line.text.strip()
        m = OPERATIVE.match(line.text)
        if m and int(m.group(1)) == next_op:
            blocks.append(_Block(ParagraphKind.OPERATIVE, next_op, [Line(line.number, m.group(2))]))
            next_op += 1
            continue
        previous = blocks[-1] if blocks else None
        closed = previous is None or (
            _closes(previous.lines[-1].text) and not _inside_quotation(previous.lines)
        )
        first = stripped.split(" ", 1)[0].rstrip(",")
        indented = line.text[:1].isspace() or not use_indent
        if next_op == 1 and closed and indented and _opens_preamble(first, openers):
            number = len(blocks) + 1
            blocks.append(_Block(ParagraphKind.PREAMBULAR, number, [line]))
        elif previous is not None:
            previous.lines.append(line)
        # Text before the first paragraph (a stray title line) is not part of any paragraph.
    if next_op == 1:
        raise fatal("no operative part: no paragraph numbered '1.' after the preamble", file=file)
    return blocks


def _is_heading(lines: list[Line], index: int) -> bool:
    """A section heading inside the text ("Peacebuilding Commission", "II. Follow-up"): a
    short capitalised line, no paragraph's end, between a line that closed a paragraph and
    a numbered paragraph.

    >>> body = [Line(1, "1. Decides to act;"), Line(2, "Peacebuilding Commission"),
    ...         Line(3, "2. Requests the Commission to report.")]
    >>> _is_heading(body, 1), _is_heading(body, 0)
    (True, False)
    """
    text = lines[index].text.strip()
    if not 0 < index < len(lines) - 1 or not text[:1].isupper() or len(text.split()) > 8:
        return False
    if _closes(text) or OPERATIVE.match(text) or SUB_ITEM.match(text):
        return False
    return _closes(lines[index - 1].text) and OPERATIVE.match(lines[index + 1].text) is not None


def _inside_quotation(lines: list[Line]) -> bool:
    """Whether a quotation opened in these lines is still open: a title quoted over a line
    break ("entitled “Declaration on … All States,", "Taking into … Countries”") goes on.

    >>> _inside_quotation([Line(1, "entitled “Declaration on the Benefit of All States,")])
    True
    """
    opened = sum(ln.text.count("“") for ln in lines)
    return opened > 0 and opened > sum(ln.text.count("”") for ln in lines)


def _opens_preamble(word: str, openers: frozenset[str]) -> bool:
    """Whether a word can open a preambular paragraph: a known opener, or a capitalised
    participle ("Recalling", "Alarmed"); "United Nations" is no participle.

    >>> _opens_preamble("Recalling", frozenset()), _opens_preamble("Social", frozenset())
    (True, False)
    """
    if word in openers:
        return True
    participle = PARTICIPLE.fullmatch(word) is not None
    return participle and word not in NOT_PARTICIPLES


def _closes(line: str) -> bool:
    """Whether a line ends a paragraph: it ends in , ; : or . (a trailing marker aside).

    >>> _closes("World Conference on Women,11  "), _closes("Persons and of the")
    (True, False)
    """
    text = TRAILING_MARKER.sub("", line.rstrip())
    return text.endswith((",", ";", ":", "."))


@dataclass(slots=True)
class _Writer:
    """Accumulates the normalised text, collapsing white space and placing markers."""

    out: list[str]
    length: int = 0
    pending_space: bool = False

    def write(self, piece: str, markers: list[int], placed: list[FootnoteMarker]) -> None:
        """Write ``piece`` with its runs of white space made one space (none at the start of
        a paragraph), placing a marker where each sentinel stands. Each run of text between
        sentinels goes out at once: its words joined by single spaces."""
        queue = iter(markers)
        for i, run in enumerate(piece.split(MARKER_SENTINEL)):
            if i:
                placed.append(FootnoteMarker(next(queue), self.length))
            if not run:
                continue
            words = run.split()  # runs of white space (what ``\s+`` matches)
            if run[0].isspace():
                self.pending_space = self.length > 0
            if words:
                if self.pending_space and not self._at_paragraph_start():
                    self._emit(" ")
                self._emit(" ".join(words))
                self.pending_space = run[-1].isspace()

    def _emit(self, s: str) -> None:
        self.out.append(s)
        self.length += len(s)

    def _at_paragraph_start(self) -> bool:
        return bool(self.out) and self.out[-1].endswith("\n")

    def newline(self, count: int = 1) -> None:
        if self.length:
            self._emit("\n" * count)
        self.pending_space = False


def _strip_markers(
    lines: list[Line], expected: list[int], footnotes: set[int], slash: bool
) -> tuple[str, list[int]]:
    """Join a paragraph's raw lines, replacing each footnote marker with a sentinel."""
    pieces: list[str] = []
    numbers: list[int] = []
    for i, line in enumerate(lines):
        piece = mark_line(line.text, expected, footnotes, slash, numbers)
        if i and not glued(lines[i - 1].text):
            pieces.append(" ")
        pieces.append(piece)
    return "".join(pieces), numbers


def _layout(
    info: ResolutionMeta,
    blocks: list[_Block],
    cleaned: Cleaned,
    problems: list[Problem],
    file: str | None,
) -> Document:
    writer = _Writer([])
    footnote_numbers = {n for n, _, _ in cleaned.footnotes}
    expected = [1]
    placed_spans: list[tuple[Span, tuple[FootnoteMarker, ...]]] = []
    for block in blocks:
        writer.newline(2)
        start = writer.length
        joined, numbers = _strip_markers(
            block.lines, expected, footnote_numbers, cleaned.slash_markers
        )
        placed: list[FootnoteMarker] = []
        writer.write(joined, numbers, placed)
        placed_spans.append((Span(start, writer.length), tuple(placed)))
    footnote_spans: list[Span] = []
    for i, (_number, _line, lines) in enumerate(cleaned.footnotes):
        writer.newline(2 if i == 0 else 1)
        start = writer.length
        writer.write(" ".join(ln.text for ln in lines), [], [])
        footnote_spans.append(Span(start, writer.length))
    full = "".join(writer.out)
    paragraphs = [
        Paragraph(b.kind, b.number, span, span.slice(full), markers, _sub_items(b, span, full))
        for b, (span, markers) in zip(blocks, placed_spans, strict=True)
    ]
    footnotes = [
        Footnote(number, span, span.slice(full))
        for (number, _line, _lines), span in zip(cleaned.footnotes, footnote_spans, strict=True)
    ]
    problems.extend(_marker_problems(paragraphs, blocks, cleaned, file))
    return Document(
        meta=info,
        text=full,
        paragraphs=tuple(paragraphs),
        footnotes=tuple(footnotes),
        source_file=file,
        problems=tuple(problems),
    )


def _sub_items(block: _Block, span: Span, full: str) -> tuple[SubItem, ...]:
    """Lettered sub-items that open a line, in sequence (a), (b), ..."""
    text = span.slice(full)
    expected = "a"
    starts: list[tuple[str, int]] = []
    search_from = 0
    for line in block.lines[1:]:
        m = SUB_ITEM.match(line.text)
        if not m or m.group(1) != expected:
            continue
        at = text.find(f"({expected}) ", search_from)
        if at < 0:
            continue
        starts.append((expected, at))
        search_from = at + 3
        expected = chr(ord(expected) + 1)
    items: list[SubItem] = []
    for i, (letter, at) in enumerate(starts):
        end = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(text)
        items.append(SubItem(letter, Span(span.start + at, span.start + end)))
    return tuple(items)


def _marker_problems(
    paragraphs: list[Paragraph], blocks: list[_Block], cleaned: Cleaned, file: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    have = {number for number, _, _ in cleaned.footnotes}
    called: set[int] = set()
    for p, block in zip(paragraphs, blocks, strict=True):
        for m in p.markers:
            called.add(m.number)
            if m.number not in have:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        f"footnote marker {m.number} has no footnote text",
                        file=file,
                        line=block.lines[0].number,
                        where=p.id,
                    )
                )
    for number, line, _lines in cleaned.footnotes:
        if number not in called:
            problems.append(
                Problem(
                    Severity.WARNING,
                    f"footnote {number} is never referenced in the text",
                    file=file,
                    line=line,
                    where=f"fn {number}",
                )
            )
    return problems


SAMPLE = """\
The General Assembly,

 Recalling the Convention on the Rights of the Child,1

 1. Urges States to implement it.
____________
 1 United Nations, Treaty Series, vol. 1577, No. 27531.
"""
