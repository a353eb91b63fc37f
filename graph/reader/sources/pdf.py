"""The official PDF: text, positions and font sizes read with PDFium (``pypdfium2``).

A UN resolution sets its body in one type size (10 pt), its footnotes in a smaller one under a
rule at the page foot, footnote calls as small raised figures, and page furniture (symbol
line, running title, page number, job number, bar code) in the top and bottom margins. This
module reads each page's characters with their font size, groups them into visual lines,
drops the margins, and writes the text the reader's core reads: the first page's header
lines, the body lines (a paragraph's first line indented, each call as ``[^N]``), then a rule
and one ``[^N]: text`` line per footnote, a footnote that runs over a page break made one.

PDFium's own text (``FPDFText_GetText``) is read once a page; only the font size is asked
for each character, and the position once a run of one size: about 40 pages a second on one
core.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from treatygraph.errors import ParseError, fatal
from treatygraph.reader.clean import join_lines

if TYPE_CHECKING:
    from pypdfium2 import PdfPage

TOP_MARGIN = 0.085  # of the page height: the symbol line and running title sit above it
BOTTOM_MARGIN = 0.066  # the page number, job number and bar code sit below it
SMALL = 0.8  # a run this much smaller than its line's type is a raised footnote call
FOOTNOTE_TYPE = 0.95  # lines in type this much smaller than the body's are footnote lines
INDENT = 8.0  # points: a line starting this far right of the text's left edge is indented
SAME_LINE = 2.5  # points: runs whose baselines differ by less share one visual line
RULE = re.compile(r"^\s*_{5,}\s*$")
CALL = re.compile(r"^\s*(\d{1,3})\s*$")
ENACTING = re.compile(r"^\s*The\s+[A-Z][A-Za-z ]+,\s*$")
MIN_TEXT_CHARS = 20  # a document with fewer characters of text is a scan (or empty)


@dataclass(frozen=True, slots=True)
class Run:
    """Characters of one font size on one visual line: text, size, left x and baseline y."""

    text: str
    size: float
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class VisualLine:
    runs: tuple[Run, ...]
    page: int

    @property
    def y(self) -> float:
        return max(self.runs, key=lambda r: (len(r.text.strip()), r.size)).y

    @property
    def x(self) -> float:
        return min(r.x for r in self.runs if r.text.strip())

    @property
    def size(self) -> float:
        """The type size of the line: the size of most of its characters."""
        weights: Counter[float] = Counter()
        for r in self.runs:
            weights[r.size] += len(r.text.strip())
        return weights.most_common(1)[0][0]

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs).strip()


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # from 0
    height: float
    lines: tuple[VisualLine, ...]


def read_pdf(path: Path, data: bytes) -> str:
    """The text of a PDF resolution in the core's layout; a PDF that cannot be read (not a
    PDF, truncated, encrypted, scanned without text) is an error naming the file."""
    pages = list(_pages(path, data))
    body_size = _body_size(pages, path)
    left = _left_edge(pages, body_size)
    header, body, notes = _split(pages, body_size, left)
    out = [*header, *body]
    if notes:
        out.append("_" * 18)
        out.extend(f"[^{n}]: {text}" for n, text in notes)
    return "\n".join(out) + "\n"


# --- reading the pages ---------------------------------------------------------------------


def _pages(path: Path, data: bytes) -> Iterator[Page]:
    import pypdfium2 as pdfium  # a heavy import: only when a PDF is read

    if b"%%EOF" not in data[-2048:]:
        raise fatal("the PDF is truncated (no %%EOF at its end): download it again", file=str(path))

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise _unreadable(path, str(err)) from None
    try:
        for index in range(len(document)):
            try:
                page = document[index]
            except pdfium.PdfiumError as err:  # a page that cannot be loaded
                raise fatal(f"page {index + 1} cannot be read: {err}", file=str(path)) from None
            try:
                yield _page(page, index)
            finally:
                page.close()
    finally:
        document.close()


def _unreadable(path: Path, reason: str) -> ParseError:
    text = reason.lower()
    if "password" in text or "security" in text:
        why = "the PDF is encrypted (password-protected): save an unprotected copy"
    elif "format" in text or "not found" in text or "file" in text:
        why = f"not a readable PDF (damaged or truncated): {reason}"
    else:
        why = f"cannot read the PDF: {reason}"
    return fatal(why, file=str(path))


def _page(page: PdfPage, index: int) -> Page:
    import pypdfium2.raw as raw

    height = float(page.get_height())
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        if count <= 0:
            return Page(index, height, ())
        buffer = (ctypes.c_ushort * (count + 1))()
        raw.FPDFText_GetText(handle, 0, count, buffer)
        text = bytes(buffer)[: 2 * count].decode("utf-16-le", "replace")
        sizes = [raw.FPDFText_GetFontSize(handle, i) for i in range(count)]
        x, y = ctypes.c_double(), ctypes.c_double()

        def origin(i: int) -> tuple[float, float]:
            raw.FPDFText_GetCharOrigin(handle, i, x, y)
            return x.value, y.value

        runs = list(_runs(text, sizes, origin))
    finally:
        textpage.close()
    return Page(index, height, tuple(_visual_lines(runs, index)))


Origin = Callable[[int], tuple[float, float]]


def _runs(text: str, sizes: list[float], at: Origin) -> Iterator[list[Run]]:
    """The runs of each line of PDFium's text, in its order."""
    start = 0
    for i, char in enumerate([*text, "\n"]):
        if char in "\r\n":
            line = _split_runs(text, sizes, at, start, i) if start < i else []
            if line:
                yield line
            start = i + 1


def _split_runs(text: str, sizes: list[float], at: Origin, start: int, end: int) -> list[Run]:
    """The runs of one size in ``text[start:end]``; white space takes the size of its run."""
    out: list[Run] = []
    run_start = start
    run_size: float | None = None
    for i in range(start, end + 1):
        if i < end:
            size = sizes[i]
            if text[i].isspace() or run_size is None or abs(size - run_size) < 0.2:
                if run_size is None and not text[i].isspace():
                    run_size = size
                continue
        if run_start < i and run_size is not None:
            first = next(j for j in range(run_start, i) if not text[j].isspace())
            x, y = at(first)
            out.append(Run(text[run_start:i], round(run_size, 1), x, y))
        run_start, run_size = i, (sizes[i] if i < end else None)
    return out


def _visual_lines(pdfium_lines: list[list[Run]], page: int) -> Iterator[VisualLine]:
    """PDFium breaks a line at a raised call; runs on one baseline are one visual line."""
    current: list[Run] = []
    baseline = 0.0
    for runs in pdfium_lines:
        line = VisualLine(tuple(runs), page)
        # A raised call stands a third of the type size above its line's baseline.
        near = max(SAME_LINE, 0.45 * max(r.size for r in (*current, *runs)))
        if current and abs(line.y - baseline) < near:
            current.extend(runs)
            continue
        if current:
            yield VisualLine(tuple(sorted(current, key=lambda r: r.x)), page)
        current, baseline = list(runs), line.y
    if current:
        yield VisualLine(tuple(sorted(current, key=lambda r: r.x)), page)


# --- the layout -----------------------------------------------------------------------------


def _body_size(pages: list[Page], path: Path) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            for run in line.runs:
                weights[run.size] += len(run.text.strip())
    if sum(weights.values()) < MIN_TEXT_CHARS:
        raise fatal(
            "the PDF has no text layer (a scan?): run OCR on it first, or give its text",
            file=str(path),
        )
    return weights.most_common(1)[0][0]


def _left_edge(pages: list[Page], body_size: float) -> float:
    """The left edge of the body text: where most body lines start."""
    starts: Counter[int] = Counter(
        round(line.x) for page in pages for line in page.lines if line.size == body_size
    )
    return float(starts.most_common(1)[0][0]) if starts else 0.0


def _split(
    pages: list[Page], body_size: float, left: float
) -> tuple[list[str], list[str], list[tuple[int, str]]]:
    """Header lines (first page, above the enacting formula), body lines and footnotes."""
    header: list[VisualLine] = []
    body: list[str] = []
    notes: list[tuple[int, list[str]]] = []
    # The header is what stands above the enacting formula on the first page; without the
    # formula there, no line is told apart as header (the core reads the first lines).
    in_header = bool(pages) and any(ENACTING.match(ln.plain) for ln in _content(pages[0]))
    for page in pages:
        lines = _content(page)
        notes_from = _notes_start(lines, body_size, notes)
        for index, line in enumerate(lines):
            plain = line.plain
            if RULE.match(plain):
                continue
            if in_header:
                if ENACTING.match(plain):
                    in_header = False
                else:
                    header.append(line)
                    continue
            if index >= notes_from and line.size < body_size * FOOTNOTE_TYPE:
                _add_note_line(line, notes)
            else:
                body.append(_body_line(line, left))
    footnotes = [(n, join_lines(lines)) for n, lines in notes]
    return [line.plain for line in header], body, footnotes


def _content(page: Page) -> list[VisualLine]:
    """A page's lines without its furniture: the bottom margin of every page, the top margin
    of every page after the first (the first page's top is the UN header)."""
    top = page.height * (1 - TOP_MARGIN)
    bottom = page.height * BOTTOM_MARGIN
    return [
        line for line in page.lines if not (line.y < bottom or (page.number > 0 and line.y > top))
    ]


def _notes_start(lines: list[VisualLine], body_size: float, notes: Sized) -> int:
    """Where a page's footnotes begin: under the rule; where the rule is drawn rather than
    typed, at the run of small-type lines that ends the page, if it opens with a footnote
    number (or goes on with the footnote of the page before)."""
    for index, line in enumerate(lines):
        if RULE.match(line.plain):
            return index + 1
    start = len(lines)
    while start > 0 and lines[start - 1].size < body_size * FOOTNOTE_TYPE:
        start -= 1
    if start == len(lines):
        return start
    first = next(r for r in lines[start].runs if r.text.strip())
    opens = CALL.match(first.text) is not None and first.size < lines[start].size * SMALL
    return start if opens or notes else len(lines)


def _add_note_line(line: VisualLine, notes: list[tuple[int, list[str]]]) -> None:
    """A footnote line: a new footnote when it opens with its number in small type, else the
    continuation of the open one (on this page or the page before)."""
    first = next(r for r in line.runs if r.text.strip())
    rest = "".join(r.text for r in line.runs if r is not first).strip()
    call = CALL.match(first.text)
    if call and first.size < line.size * SMALL:
        notes.append((int(call.group(1)), [rest] if rest else []))
    elif notes:
        notes[-1][1].append(line.plain)
    else:  # a footnote line with no number before it: keep it as the first footnote's
        notes.append((1, [line.plain]))


def _body_line(line: VisualLine, left: float) -> str:
    """A body line with each raised call as ``[^N]``; an indented line keeps an indent."""
    size = line.size
    parts: list[str] = []
    for run in line.runs:
        call = CALL.match(run.text)
        if call and run.size < size * SMALL and parts:
            parts[-1] = parts[-1].rstrip()
            parts.append(f"[^{call.group(1)}]" + (" " if run.text.endswith(" ") else ""))
        else:
            if parts and parts[-1].endswith("]") and not run.text[:1].isspace():
                parts.append(" ")
            parts.append(run.text)
    text = "".join(parts).strip()
    indent = " " if line.x > left + INDENT else ""
    return indent + " ".join(text.split())
