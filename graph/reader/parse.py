"""Stage 2: parse a cleaned resolution into a :class:`~treatygraph.model.Document`.

Reads the UN header when there is one, splits the body into preambular and operative
paragraphs (with lettered sub-items), takes the footnote markers out of the prose, and lays
everything out in one normalised text: the paragraphs, separated by blank lines, then the
footnotes, one per line. Every span is an offset range into that text.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
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
from treatygraph.reader.bodies import body_of, session_of
from treatygraph.reader.clean import Cleaned, Line, clean, glued, join_lines

ENACTING = re.compile(r"^\s*The\s+([A-Z][A-Za-z ]+?),?\s*$")
OPERATIVE = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
SUB_ITEM = re.compile(r"^\s*\(([a-z]{1,2})\)\s+\S")
SYMBOL = re.compile(
    r"\b((?:A|S|E)(?:/[A-Z]+)*/RES/[A-Za-z0-9/().-]*[A-Za-z0-9)]"
    r"(?:\s\(\d{4}\)|\s[A-Z]\s\((?:ES-|S-)?[IVXLC]+\))?)"  # S/RES/2728 (2024), 2200 A (XXI)
)
ADOPTED = re.compile(
    r"(?:Resolution|Decision) adopted by the ([A-Z][A-Za-z ]+?) on (\d{1,2} \w+ \d{4})"
)
# The Security Council's header: "Resolution 2728 (2024)", "Adopted by the Security Council at
# its 9586th meeting, on 25 March 2024".
COUNCIL_TITLE = re.compile(r"^\s*Resolution\s+(\d{1,4}\s*\(\d{4}\))\s*$")
COUNCIL_ADOPTED = re.compile(
    r"Adopted by the (Security Council) at its \d+\w* meeting,? on (\d{1,2} \w+ \d{4})"
)
SESSION = re.compile(r"^\s*([A-Z][a-z]+(?:-[a-z]+)?) session\b")
AGENDA = re.compile(r"^\s*Agenda items?\s+(.+?)\s*$")
TITLE_LINE = re.compile(r"^\s*(?:[A-Z]+-)?\d{1,4}/\d{1,4}\.\s+(\S.*?)\s*$")
TITLE_ALONE = re.compile(r"^\s*(?:[A-Z]+-)?\d{1,4}/\d{1,4}\.()\s*$")  # "73/8." with the title below
MARKER_SENTINEL = "\ue000"
PARTICIPLE = re.compile(r"[A-Z][a-z]+(?:ing|ed)")
TRAILING_MARKER = re.compile(r"(?:(?<=[,;:.”)])\s*\d{1,3}/?|(?:\[\^\d{1,3}\])+)$")
# A footnote call written out: "[^3]" (Markdown, and what the PDF and HTML front ends write).
EXPLICIT_MARKER = re.compile(r"\[\^(\d{1,3})\]")
# A paragraph number or item letter alone on its line (pdftotext): joined to the next line.
LONE_NUMBER = re.compile(r"^\s*(?:\d{1,3}\.|\([a-z]{1,2}\))\s*$")
DIGIT = re.compile(r"\d")
DECIMAL = re.compile(r"\.\d")  # after a number: "8.7" is a decimal, not a marker
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
NOT_PARTICIPLES = frozenset({"United", "Limited", "Revised", "Beijing", "Nothing", "Wedding"})
# Words after which a number is part of the prose, never a footnote marker.
NUMBER_WORDS = frozenset(
    "no. nos. vol. vols. p. pp. para. paras. paragraph paragraphs article articles art. "
    "resolution resolutions decision decisions chapter chap. item items goal goals target "
    "targets annex principle principles rule rules page section sect. part step phase level "
    "number supplement session sessions".split()
)
MARKER = re.compile(
    # after a word; after a year and a space; glued to the end of a range of years
    r"(?:(?<=[A-Za-z)\]”’\",;:.])|(?<=\b(?:19|20)\d\d)(?= )|(?<=\d{4}[–-](?:19|20)\d\d))"
    r"(?P<space> ?)(?P<num>\d{1,3})(?P<slash>/)?"
    r"(?=(?P<after>  |\s*$|[ ,;:.)]))"
)
ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip


def ordinal(word: str) -> int | None:
    """English ordinal words as numbers.

    >>> ordinal("Seventy-seventh"), ordinal("tenth"), ordinal("session")
    (77, 10, None)
    """
    word = word.lower()
    if word in ORDINAL_UNITS:
        return ORDINAL_UNITS[word]
    tens, _, unit = word.partition("-")
    if tens in TENS and unit in ORDINAL_UNITS and ORDINAL_UNITS[unit] < 10:
        return TENS[tens] + ORDINAL_UNITS[unit]
    return None


@cache
def preamble_openers() -> frozenset[str]:
    text = package_resources.data().joinpath("preamble_openers.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


def read_header(lines: list[str]) -> dict[str, object]:
    """Symbol, title, body, session, agenda item and adoption date from a UN header.

    >>> h = read_header(["United Nations    A/RES/77/194", "Seventy-seventh session",
    ...     "Agenda item 67 (a)", "Resolution adopted by the General Assembly on 15 December 2022",
    ...     "77/194. Trafficking in women and girls"])
    >>> h["symbol"], h["session"], h["agenda_item"], h["adoption_date"], h["title"]
    ('A/RES/77/194', 77, '67 (a)', datetime.date(2022, 12, 15), 'Trafficking in women and girls')

    A line broken where the PDF broke it is read across the break:

    >>> h = read_header(["A/RES/73/8", "Resolution adopted by the General Assembly",
    ...     "on 1 November 2018", "73/8.", "Necessity of ending the", "embargo against Cuba",
    ...     "The General Assembly,"])
    >>> h["adoption_date"], h["title"]
    (datetime.date(2018, 11, 1), 'Necessity of ending the embargo against Cuba')
    """
    found: dict[str, object] = {}
    for i, line in enumerate(lines):
        if "symbol" not in found and (m := SYMBOL.search(line)):
            found["symbol"] = m.group(1)
        if m := ADOPTED.search(line) or COUNCIL_ADOPTED.search(line):
            found["body"] = m.group(1)
            found["adoption_date"] = datetime.strptime(m.group(2), "%d %B %Y").date()
        if (m := SESSION.match(line)) and (n := ordinal(m.group(1))):
            found["session"] = n
        if m := AGENDA.match(line):
            found["agenda_item"] = m.group(1)
        if "title" not in found and (m := COUNCIL_TITLE.match(line)):
            found["title"] = f"Resolution {m.group(1)}"
        if "title" not in found and (m := TITLE_LINE.match(line) or TITLE_ALONE.match(line)):
            title = _title_lines(m.group(1), lines[i + 1 :])
            if title:
                found["title"] = title
    if "adoption_date" not in found and (m := ADOPTED.search(" ".join(" ".join(lines).split()))):
        found["body"] = m.group(1)
        found["adoption_date"] = datetime.strptime(m.group(2), "%d %B %Y").date()
    symbol = str(found.get("symbol", ""))
    if symbol and "session" not in found and (session := session_of(symbol)) is not None:
        found["session"] = session
    if symbol and "body" not in found and (body := body_of(symbol)):
        found["body"] = body
    return found


def _title_lines(first: str, following: list[str]) -> str:
    """A title and the lines that continue it, up to a blank line or the enacting formula
    (a title printed below its number may stand after a blank line)."""
    parts: list[str] = [first] if first else []
    rest = iter(following)
    if not first:
        rest = iter(list(itertools.dropwhile(lambda ln: not ln.strip(), following)))
    for line in rest:
        if not line.strip() or ENACTING.match(line) or line.lstrip().startswith("["):
            break
        parts.append(line)
    return join_lines([p.strip() for p in parts])


def merge_meta(
    header: dict[str, object], meta: ResolutionMeta | None, file: str | None
) -> ResolutionMeta:
    """The header wins where it speaks; the metadata file fills the rest."""
    if meta is None and "symbol" not in header:
        raise fatal(
            "no UN header with a resolution symbol, and no metadata file beside the text "
            "(expected NAME.meta.yaml with symbol and title)",
            file=file,
        )
    base = meta or ResolutionMeta(symbol=str(header["symbol"]), title="")
    fields = {k: v for k, v in header.items() if v is not None}
    merged = replace(base, **fields)  # type: ignore[arg-type]
    if "symbol" in header:
        merged = replace(merged, source="header")
    if not merged.title:
        raise fatal("no title in the header or the metadata file", file=file)
    return merged


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
    words = title_words() if known_words is None else known_words
    cleaned = clean(
        raw_lines, file=file, symbol=info.symbol, known_words=words, title=info.title or None
    )
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
    for line in lines:
        stripped = line.text.strip()
        m = OPERATIVE.match(line.text)
        if m and int(m.group(1)) == next_op:
            blocks.append(_Block(ParagraphKind.OPERATIVE, next_op, [Line(line.number, m.group(2))]))
            next_op += 1
            continue
        previous = blocks[-1] if blocks else None
        closed = previous is None or _closes(previous.lines[-1].text)
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
        piece = _mark_line(line.text, expected, footnotes, slash, numbers)
        if i and not glued(lines[i - 1].text):
            pieces.append(" ")
        pieces.append(piece)
    return "".join(pieces), numbers


def _mark_line(
    text: str, expected: list[int], footnotes: set[int], slash: bool, numbers: list[int]
) -> str:
    if "[^" not in text:
        return _mark_plain(text, expected, footnotes, slash, numbers)
    # Calls written out ("[^3]"): each one a marker, the text between them read as usual.
    pieces = EXPLICIT_MARKER.split(text)
    written = [_mark_plain(pieces[0], expected, footnotes, slash, numbers)]
    for number, following in zip(pieces[1::2], pieces[2::2], strict=True):
        written.append(MARKER_SENTINEL)
        numbers.append(int(number))
        expected[0] = max(expected[0], int(number) + 1)
        written.append(_mark_plain(following, expected, footnotes, slash, numbers))
    return "".join(written)


def _mark_plain(
    text: str, expected: list[int], footnotes: set[int], slash: bool, numbers: list[int]
) -> str:
    if not DIGIT.search(text):
        return text  # a marker is a number: a line without a digit has none
    out: list[str] = []
    last = 0
    for m in MARKER.finditer(text):
        number = int(m.group("num"))
        if not _is_marker(text, m, number, expected[0], footnotes, slash):
            continue
        out.append(text[last : m.start()])
        out.append(MARKER_SENTINEL)
        numbers.append(number)
        expected[0] = number + 1
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _is_marker(
    text: str, m: re.Match[str], number: int, expected: int, footnotes: set[int], slash: bool
) -> bool:
    if slash != bool(m.group("slash")):
        return False
    if text[m.start() - 1].isdigit():  # "2015–2030 3 and", "2015–20303 and": after a year
        next_char = text[m.end() :].lstrip()[:1]
        glued = not m.group("space")  # to a range of years: may skip a call lost before it
        due = number in footnotes and expected <= number <= expected + (3 if glued else 0)
        return due and (not next_char or next_char.islower() or next_char in ",;:.")
    before = text[: m.start()].rstrip().rsplit(None, 1)
    word = before[-1].lstrip("([") if before else ""
    if word.lower() in NUMBER_WORDS or word.lower().rstrip(",") in MONTHS:
        return False
    if "/" in word and word.endswith("."):
        return False  # "A/AC.292/2025/INF/5/Rev.1": a document symbol goes on
    if m.group("space") and text.startswith(". ", m.end()):
        return False  # "mechanisms 17. We invite": a paragraph number run into the text
    if DECIMAL.match(text, m.end()):
        return False  # "Alliance 8.7": a decimal, not a marker
    # A marker glued to its word, or followed by two spaces or the line's end, is a strong
    # sign; "from 12 to 16" is not, unless the word before is a capitalised name.
    strong = not m.group("space") or m.group("after") != " "
    if not strong and not (word[:1].isupper() or word.endswith((",", ";", ":", "”", ")"))):
        return False
    in_sequence = number == expected
    skips_ahead = strong and number in footnotes and expected < number <= expected + 3
    if not (in_sequence or skips_ahead):
        return False
    if text[m.start() - 1] == "." and m.start() >= 2 and text[m.start() - 2].isdigit():
        return False  # a decimal such as 8.7
    following = text[m.end() :].split(None, 1)
    return not (following and following[0].lower().strip(",.") in MONTHS)


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


def parse_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):  # YAML reads 2020-01-01T10:00 as a datetime
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
