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
)
# A footnote entry: "1  United Nations ...", "1/ United Nations ...", or "1" alone on a line.
FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})(?:/|(?=\s)|$)\s*(.*)$")
SLASH_ENTRY = re.compile(r"^\s*\d{1,3}/\s+\S")  # "1/ United Nations ...": slash markers
# Abbreviations whose final period does not end a footnote.
ABBREVIATIONS = frozenset(
    "no nos vol vols p pp chap chaps sect sects para paras art arts e.g i.e cf ed eds "
    "suppl rev corr add".split()
)
SPACE_BEFORE_HYPHEN = re.compile(r"(?<=[A-Za-z]) -(?=[a-z])")
WORD = re.compile(r"[A-Za-z]+")
GLUED = re.compile(r"[A-Za-z]-$")  # a line ending in a word broken at a hyphen
BROKEN_WORD = re.compile(r"\b([A-Za-z]{2,}) ([a-z]{2,})\b")  # "Cooperat ion"
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


def is_furniture(text: str, symbol: str | None = None) -> bool:
    """Page headers and footers, and link lines.

    >>> is_furniture("19-22333 (E) 270120"), is_furniture("*1922333*"), is_furniture("2/9")
    (True, True, True)
    >>> is_furniture(" 5. Urges Member States")
    False
    """
    if _ANY_FURNITURE.match(text):  # URL_LINE or one of FURNITURE
        return True
    if symbol and symbol in text:
        rest = text.replace(symbol, "").strip()
        return len(rest) < 80 and not rest.endswith((",", ";"))
    return False


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
        # A broken word leaves a fragment seen nowhere else: a line without one is whole.
        if line.isascii():  # lower-casing the line lower-cases each word, and nothing else
            words = WORD.findall(line.lower())
            if self.frequent.issuperset(words) or not self._may_join(words):
                return line
        elif not any(self.vocabulary[w.lower()] <= 1 for w in WORD.findall(line)):
            return line
        vocabulary = self.vocabulary
        return BROKEN_WORD.sub(lambda m: _join(m, vocabulary), line)

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
                if len(whole) >= 6 and vocabulary[whole] >= 1:
                    return True
        return False


def _join(match: re.Match[str], vocabulary: Counter[str]) -> str:
    left, right = match.group(1, 2)
    fragment_only_here = min(vocabulary[left.lower()], vocabulary[right.lower()]) <= 1
    whole_is_known = len(left) + len(right) >= 6 and vocabulary[(left + right).lower()] >= 1
    return left + right if fragment_only_here and whole_is_known else match.group(0)


def vocabulary_of(lines: list[str]) -> Counter[str]:
    # One search of the lines joined: a line break is no letter, so no word spans two lines.
    return Counter(map(str.lower, WORD.findall("\n".join(lines))))


def clean(
    raw_lines: list[str],
    *,
    file: str | None = None,
    symbol: str | None = None,
    known_words: Counter[str] | None = None,
) -> Cleaned:
    """Separate body lines from footnote entries, dropping furniture and blank lines.

    ``known_words`` adds words known to be whole (e.g. from instrument titles) to the
    document's own vocabulary, for mending words broken by a space."""
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
        if SEPARATOR.match(text):
            in_block = True
            continue
        if is_furniture(text, symbol):
            in_block = False  # link lines and page furniture close a footnote block
            continue
        line = Line(index, mender.mend(text))
        if in_block:
            placed = _place_in_footnotes(line, entries, slash, problems, file)
            if placed:
                continue
            in_block = False
        body.append(line)
    footnotes = tuple((e.number, e.line, tuple(e.lines)) for e in entries)
    return Cleaned(tuple(body), footnotes, slash, tuple(problems))


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
