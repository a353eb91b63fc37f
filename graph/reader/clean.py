"""Stage 1: clean the debris of PDF extraction, line by line.

Splits a raw text into body lines and footnote entries, dropping page furniture (job
numbers, barcodes, symbol lines, page numbers, ``https://undocs.org`` link lines) and
mending spacing breaks (``anti -trafficking``, ``Cooperat ion``). Every kept line keeps its
1-based line number in the source file, so that later stages can name the place of a
problem.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from treatygraph.model import Problem, Severity

SEPARATOR = re.compile(r"^\s*(?:_{5,}|-{10,}|—{5,})\s*$")
URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
# Page furniture of UN documents, one pattern per kind of line.
FURNITURE = (
    re.compile(r"^\s*\d{2}-\d{4,6}(?:\s*\([A-Z]\))?(?:\s+\d{6})?\s*$"),  # 19-22333 (E) 270120
    re.compile(r"^\s*\*\s?\d{7,}\s?\*\s*$"),  # *1922333*
    re.compile(r"^\s*\d{1,3}\s*/\s*\d{1,3}\s*$"),  # 2/9
    re.compile(r"^\s*(?:Please recycle|United Nations)\s*$", re.IGNORECASE),
    re.compile(r"^\s*[A-Z]{1,5}/(?:[A-Z0-9.()-]+/)*[A-Z0-9.()-]*[A-Z0-9()]\s*$"),  # A/RES/77/194
    re.compile(r"^\s*\[?\s*Page\s+\d+\s*\]?\s*$", re.IGNORECASE),
    re.compile(r"^\s*\d{6}\s*$"),  # 071118: the date stamp beside the job number
    re.compile(r"^\s*\d{1,3}/\d{1,3}\s+\d{2}-\d{4,6}\s*$"),  # 2/5 18-17962
    re.compile(r"^\s*\d{2}-\d{4,6}\s+\d{1,3}/\d{1,3}\s*$"),  # 18-17962 3/5
)
# Notes written out in the core's own form: "[^3]: United Nations, Treaty Series, ...".
EXPLICIT_NOTE = re.compile(r"^\s*\[\^(\d{1,3})\]:\s*(.*)$")
# The line that closes the text of a resolution, and the date under it: not body text.
PLENARY = re.compile(r"^\s*\d{1,4}(?:st|nd|rd|th)\s+plenary\s+meeting\s*$", re.IGNORECASE)
DATE_LINE = re.compile(r"^\s*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s*$")
# The heading of notes gathered at the end (the 1990s layout, after the plenary line).
NOTES_HEADING = re.compile(r"^\s*(?:Notes|NOTES|Footnotes)\s*:?\s*$")
MONTH_WORDS = frozenset(
    "january february march april may june july august september october november december".split()
)
UNRULED_LOOKAHEAD = 8  # lines: an unruled footnote sits this near the page furniture or the end
# A footnote entry: "1  United Nations ...", "1/ United Nations ...", or "1" alone on a line.
FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})(?:/|(?=\s)|$)\s*(.*)$")
SLASH_ENTRY = re.compile(r"^\s*\d{1,3}/\s+\S")  # "1/ United Nations ...": slash markers
# Abbreviations whose final period does not end a footnote.
ABBREVIATIONS = frozenset(
    "no nos vol vols p pp chap chaps sect sects para paras art arts e.g i.e cf ed eds "
    "suppl rev corr add".split()
)
SPACE_BEFORE_HYPHEN = re.compile(r"(?<=[A-Za-z]) -(?=[a-z])")
# "Nuclear- Weapon-Free", "confidence- building": a word broken at its hyphen and joined with
# a space by a converter; a suspended hyphen ("gender- and age-responsive") keeps its space.
SPACE_AFTER_HYPHEN = re.compile(r"(?<=[A-Za-z]{2})- (?!(?:and|or|nor|to|as|but)\b)(?=[A-Za-z]{2})")
WORD = re.compile(r"[A-Za-z]+")
GLUED = re.compile(r"[A-Za-z]-$")  # a line ending in a word broken at a hyphen
# "Cooperat ion", "Oute r", "o rder" (a one-letter fragment is no word unless "a" or "I"): a
# word and the next, the next looked at without taking it, so that every
# pair of neighbours is tried ("international cooperat ion": "cooperat ion" too).
BROKEN_WORD = re.compile(r"\b([A-Za-z]{2,}|[B-HJ-Zb-hj-z]) (?=([a-z]{2,}|[b-hj-z])\b)")
# Every kind of furniture line in one pattern: a line matches it if it matches any of them.
_ANY_FURNITURE = re.compile(
    "|".join(
        f"(?i:{p.pattern})" if p.flags & re.IGNORECASE else f"(?:{p.pattern})"
        for p in (URL_LINE, *FURNITURE)
    )
)


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based line in the source file
    text: str


@dataclass(slots=True)
class FootnoteEntry:
    number: int
    line: int
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The body lines in reading order, the footnote entries, and what was noticed."""

    body: tuple[Line, ...]
    footnotes: tuple[tuple[int, int, tuple[Line, ...]], ...]  # (number, first line, lines)
    slash_markers: bool
    problems: tuple[Problem, ...]


def is_furniture(text: str, symbol: str | None = None, title: str | None = None) -> bool:
    """Page headers and footers, and link lines; with the title, the running title.

    >>> is_furniture("19-22333 (E) 270120"), is_furniture("*1922333*"), is_furniture("2/9")
    (True, True, True)
    >>> is_furniture(" 5. Urges Member States")
    False
    >>> is_furniture("imposed by the United States", title="Embargo imposed by the United States")
    True
    """
    if _ANY_FURNITURE.match(text):  # URL_LINE or one of FURNITURE
        return True
    if symbol and symbol in text:
        rest = text.replace(symbol, "").strip()
        if not rest or is_running_title(rest, title):
            return True
        return len(rest) < 80 and not rest.endswith((",", ";"))
    return is_running_title(text, title)


def is_running_title(text: str, title: str | None) -> bool:
    """A line that is the title, or a piece of it of three words or more: the running title
    printed at the head of each page after the first."""
    if not title:
        return False
    words = text.split()
    if len(words) < 2 or text.rstrip().endswith((",", ";", ":")):
        return False
    line, whole = " ".join(words), " ".join(title.split())
    if len(words) == 2:  # two words only where a title broken over two lines ends or begins
        return whole.endswith(line) or whole.startswith(line)
    return line in whole


def footnote_finished(text: str) -> bool:
    """Whether a footnote's text so far reads as complete.

    >>> footnote_finished("Ibid., vol. 2237, No. 39574.")
    True
    >>> footnote_finished("Official Records, 2022, Supplement No.")
    False
    >>> footnote_finished("Report of the Conference (United")
    False
    """
    stripped = text.rstrip().rstrip("”’\"')]")
    if not stripped.endswith("."):
        return False
    last = stripped[:-1].rsplit(None, 1)[-1].lower() if stripped[:-1].strip() else ""
    return last.rstrip(".") not in ABBREVIATIONS


def mend_spacing(line: str, vocabulary: Counter[str]) -> str:
    """Close spacing breaks: a space before a hyphen, a space inside a word.

    >>> mend_spacing("anti -trafficking", Counter())
    'anti-trafficking'
    >>> mend_spacing("a Nuclear- Weapon-Free Zone, gender- and age-", Counter())
    'a Nuclear-Weapon-Free Zone, gender- and age-'
    >>> mend_spacing("Cooperat ion in Europe", Counter({"cooperation": 3, "cooperat": 1, "ion": 1}))
    'Cooperation in Europe'
    """
    return _Mender(vocabulary).mend(line)


class _Mender:
    """:func:`mend_spacing` with one vocabulary, for every line of a document: the words seen
    more than once are gathered once, so that a line of plain ASCII is found to hold no
    fragment (every word seen twice) with one set operation instead of a look-up a word."""

    __slots__ = ("frequent", "vocabulary")

    def __init__(self, vocabulary: Counter[str]) -> None:
        self.vocabulary = vocabulary
        self.frequent = frozenset(w for w, n in vocabulary.items() if n > 1)

    def mend(self, line: str) -> str:
        if " -" in line:
            line = SPACE_BEFORE_HYPHEN.sub("-", line)
        if "- " in line:
            line = SPACE_AFTER_HYPHEN.sub("-", line)
        # A broken word leaves a fragment seen nowhere else: a line without one is whole.
        if line.isascii():  # lower-casing the line lower-cases each word, and nothing else
            words = WORD.findall(line.lower())
            if self.frequent.issuperset(words) or not self._may_join(words):
                return line
        elif not any(self.vocabulary[w.lower()] <= 1 for w in WORD.findall(line)):
            return line
        out: list[str] = []
        done = 0  # the line up to here is written
        for m in BROKEN_WORD.finditer(line):
            left, right = m.group(1, 2)
            if m.start() < done or not _joins(left, right, self.vocabulary):
                continue
            out.append(line[done : m.start()] + left + right)
            done = m.end() + len(right)
        out.append(line[done:])
        return "".join(out)

    def _may_join(self, words: list[str]) -> bool:
        """Whether two neighbouring words (lower-cased), one of them a fragment seen at most
        once, make a word of the vocabulary: what :func:`_join` needs to join anything (the
        two words of a ``BROKEN_WORD`` match are neighbours among the line's words)."""
        frequent, vocabulary = self.frequent, self.vocabulary
        for i, word in enumerate(words):
            if word in frequent:
                continue
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            for whole in (before + word if before else "", word + after if after else ""):
                if len(whole) >= 5 and vocabulary[whole] >= 1:
                    return True
        return False


def _joins(left: str, right: str, vocabulary: Counter[str]) -> bool:
    """Whether two neighbouring words are one word broken by a space: one of them is seen
    at most once in the document, and together they make a word seen in it."""
    fragment_only_here = min(vocabulary[left.lower()], vocabulary[right.lower()]) <= 1
    return (
        fragment_only_here
        and len(left) + len(right) >= 5
        and (vocabulary[(left + right).lower()] >= 1)
    )


def vocabulary_of(lines: list[str]) -> Counter[str]:
    # One search of the lines joined: a line break is no letter, so no word spans two lines.
    return Counter(map(str.lower, WORD.findall("\n".join(lines))))


def clean(
    raw_lines: list[str],
    *,
    file: str | None = None,
    symbol: str | None = None,
    known_words: Counter[str] | None = None,
    title: str | None = None,
) -> Cleaned:
    """Separate body lines from footnote entries, dropping furniture and blank lines.

    Footnotes are read after a ``____`` rule, under a "Notes" heading, as ``[^N]: text``
    lines anywhere, or, without a rule, as a run of numbered lines at a page foot (just
    before the page furniture) or at the end. ``known_words`` adds words known to be whole
    (e.g. from instrument titles) to the document's own vocabulary, for mending words broken
    by a space; ``title`` lets the running title be dropped as furniture."""
    vocabulary = vocabulary_of(raw_lines)
    if known_words:
        # What ``vocabulary + known_words`` gives to every look-up here (that sum also drops
        # the words whose count is not positive, which read as 0 and mend nothing either).
        vocabulary.update(known_words)
    mender = _Mender(vocabulary)
    slash = any(SLASH_ENTRY.match(t) for t in raw_lines if "/" in t)
    body: list[Line] = []
    entries: list[FootnoteEntry] = []
    problems: list[Problem] = []
    in_block = False
    for index, raw in enumerate(raw_lines, start=1):
        text = raw.rstrip("\r")
        if not text.strip():
            continue
        if SEPARATOR.match(text) or (body and NOTES_HEADING.match(text)):
            in_block = True
            continue
        explicit = EXPLICIT_NOTE.match(text)
        if explicit:
            _add_explicit(entries, int(explicit.group(1)), index, explicit.group(2))
            in_block = False
            continue
        if PLENARY.match(text) or (DATE_LINE.match(text) and _after_plenary(raw_lines, index)):
            in_block = False
            continue
        if is_furniture(text, symbol, title):
            # Page furniture closes a footnote block, unless a footnote there still waits
            # for its text (pdftotext prints a number, the furniture, then the text).
            in_block = in_block and bool(entries) and not entries[-1].lines
            continue
        line = Line(index, mender.mend(text))
        if not in_block and _opens_unruled_notes(raw_lines, index, entries, symbol, title):
            in_block = True
        if in_block:
            placed = _place_in_footnotes(line, entries, slash, problems, file)
            if placed:
                continue
            in_block = False
        body.append(line)
    footnotes = tuple((e.number, e.line, tuple(e.lines)) for e in entries)
    return Cleaned(tuple(body), footnotes, slash, tuple(problems))


def _after_plenary(raw_lines: list[str], index: int) -> bool:
    """Whether the line before line ``index`` (1-based), blank lines aside, is the plenary
    line."""
    before = (ln for ln in reversed(raw_lines[: index - 1]) if ln.strip())
    return bool(PLENARY.match(next(before, "")))


def _add_explicit(entries: list[FootnoteEntry], number: int, line: int, text: str) -> None:
    entry = FootnoteEntry(number, line)
    if text.strip():
        entry.lines.append(Line(line, text.strip()))
    entries.append(entry)


def _opens_unruled_notes(
    raw_lines: list[str],
    index: int,
    entries: list[FootnoteEntry],
    symbol: str | None,
    title: str | None,
) -> bool:
    """Whether line ``index`` (1-based) opens footnotes printed without a rule: it reads
    ``N text`` with N the next footnote's number and text not a date ("13 November ..."),
    and only such lines and their continuations stand between it and the page furniture or
    the end of the text."""
    start = FOOTNOTE_START.match(raw_lines[index - 1])
    if not start or not start.group(2).strip():
        return False
    expected = entries[-1].number + 1 if entries else 1
    first_word = start.group(2).split(None, 1)[0].strip(",.").lower()
    if int(start.group(1)) != expected or first_word in MONTH_WORDS:
        return False
    if not start.group(2)[:1].isupper() and not start.group(2).startswith(("ibid", "e.g")):
        return False
    for ahead in raw_lines[index : index + UNRULED_LOOKAHEAD]:
        if not ahead.strip():
            continue
        if is_furniture(ahead, symbol, title):
            return True
        if SEPARATOR.match(ahead) or NOTES_HEADING.match(ahead):
            return False
        if re.match(r"^\s*\d{1,3}\.\s", ahead):  # an operative paragraph follows
            return False
    return len([a for a in raw_lines[index:] if a.strip()]) < UNRULED_LOOKAHEAD


def _place_in_footnotes(
    line: Line, entries: list[FootnoteEntry], slash: bool, problems: list[Problem], file: str | None
) -> bool:
    """Add ``line`` to the footnote block: a new entry, or the open entry's continuation."""
    expected = entries[-1].number + 1 if entries else 1
    start = FOOTNOTE_START.match(line.text)
    if start and (not slash or "/" in line.text.split()[0]):
        number = int(start.group(1))
        if expected <= number <= expected + 5:
            if number != expected:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        f"footnotes {expected}–{number - 1} are missing",
                        file=file,
                        line=line.number,
                    )
                )
            entry = FootnoteEntry(number, line.number)
            rest = start.group(2).strip()
            if rest:
                entry.lines.append(Line(line.number, rest))
            entries.append(entry)
            return True
    if entries and not footnote_finished(" ".join(x.text for x in entries[-1].lines)):
        entries[-1].lines.append(Line(line.number, line.text.strip()))
        return True
    return False


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines with single spaces; a line ending in a hyphen glued to a letter
    joins without a space (``age-`` + ``appropriate``), a suspended hyphen keeps it.

    >>> join_lines(["develop age-", "appropriate", "gender- ", "and age-responsive"])
    'develop age-appropriate gender- and age-responsive'
    """
    out = ""
    for i, raw in enumerate(lines):
        if i and out and not glued(lines[i - 1]):
            out += " "
        out += raw
    return " ".join(out.split())


def glued(previous_raw_line: str) -> bool:
    """A line that ends in a hyphen right after a letter continues the same word."""
    if not previous_raw_line.endswith(("-", "-\n")):  # what the pattern needs at its end
        return False
    return GLUED.search(previous_raw_line) is not None
