"""Footnote calls in a paragraph's lines: which figures are calls, and which are prose.

A call is written out (``[^3]``), or a figure glued to a word (``Child,1``), after a space
where the sequence of calls wants it (``Development, 2 of``), ``1/`` in the 1990s layout, or
after a year (``2015–2030 3 and``, ``2015–20303 and``). Each call found is replaced by
:data:`MARKER_SENTINEL` and its number recorded.
"""

from __future__ import annotations

import re

MARKER_SENTINEL = "\ue000"
# A footnote call written out: "[^3]" (Markdown, and what the PDF and HTML front ends write).
EXPLICIT_MARKER = re.compile(r"\[\^(\d{1,3})\]")
DIGIT = re.compile(r"\d")
DECIMAL = re.compile(r"\.\d")  # after a number: "8.7" is a decimal, not a marker
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
# Words after which a number is part of the prose, never a footnote marker.
NUMBER_WORDS = frozenset(
    "no. nos. vol. vols. p. pp. para. paras. paragraph paragraphs article articles art. "
    "resolution resolutions decision decisions chapter chap. item items goal goals target "
    "targets annex principle principles rule rules page section sect. part step phase level "
    "number supplement session sessions".split()
)
MARKER = re.compile(
    # after a word; after a year and a space; glued to a year (a date's, or a range's end)
    r"(?:(?<=[A-Za-z)\]”’\",;:.])|(?<=\b(?:19|20)\d\d)(?= )|(?<=\d{4}[–-](?:19|20)\d\d)"
    r"|(?<= (?:19|20)\d\d)(?=\d))"
    r"(?P<space> ?)(?P<num>\d{1,3})(?P<slash>/)?"
    r"(?=(?P<after>  |\s*$|[ ,;:.)]))"
)


def mark_line(
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
    if text[m.start() - 1].isdigit():  # after a year: "2015–2030 3 and", "2015–20303 and"
        return _after_year(text, m, number, expected, footnotes)
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


def _after_year(
    text: str, m: re.Match[str], number: int, expected: int, footnotes: set[int]
) -> bool:
    """A call after a year: the one due after a space ("2015–2030 3 and"); glued, only to
    the end of a range ("2015–20303") or of a date ("25 November 20242"), where it may skip
    a call lost before it."""
    glued = not m.group("space")
    if glued:
        before_year = text[: m.start() - 4]
        last_word = before_year.rsplit(None, 1)[-1].lower() if before_year.strip() else ""
        if not (before_year.endswith(("–", "-")) or last_word in MONTHS):
            return False
    next_char = text[m.end() :].lstrip()[:1]
    due = number in footnotes and expected <= number <= expected + (3 if glued else 0)
    return due and (not next_char or next_char.islower() or next_char in ",;:.")
