"""The reference words of the grammar of instrument names (``graph/data/grammar-heads.csv``,
``grammar-words.csv``) and the token reader the grammar walks a text with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from treatygraph.reader.authority import read_data, read_rows

TOKEN = re.compile(r"[^\W\d_][\w'’‑-]*(?:–[^\W\d_][\w'’‑-]*)*|\d+(?:[.:]\d+)*|[^\w\s]")
MONTHS = frozenset(
    "January February March April May June July August September October November December".split()
)
YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
ROMAN = re.compile(r"[IVXL]+")


@dataclass(frozen=True, slots=True)
class Head:
    words: tuple[str, ...]
    kind: str
    weak: bool


@dataclass(frozen=True, slots=True)
class Words:
    """The grammar's reference words."""

    heads: tuple[Head, ...]  # longest first
    by_first: dict[str, tuple[Head, ...]]  # the heads by their first word, longest first
    connectors: frozenset[str]
    heads_words: frozenset[str]  # every word of every head
    openers: frozenset[str]
    weak: frozenset[str]
    generic: frozenset[str]
    adoption: frozenset[str]
    continuation: frozenset[str]
    not_modifier: frozenset[str]
    series: frozenset[str]
    attributive: frozenset[str]


@cache
def words() -> Words:
    heads = [
        Head(tuple(r["head"].split()), r["kind"], r["strength"] == "weak")
        for r in read_rows(read_data("grammar-heads.csv"))
    ]
    lists: dict[str, set[str]] = {}
    for r in read_rows(read_data("grammar-words.csv")):
        lists.setdefault(r["list"], set()).add(r["word"])

    def listed(name: str) -> frozenset[str]:
        return frozenset(lists.get(name, ()))

    longest_first = tuple(sorted(heads, key=lambda h: -len(h.words)))
    by_first: dict[str, list[Head]] = {}
    for head in longest_first:
        by_first.setdefault(head.words[0], []).append(head)
    return Words(
        heads=longest_first,
        by_first={word: tuple(hs) for word, hs in by_first.items()},
        connectors=listed("connector"),
        heads_words=frozenset(w for h in heads for w in h.words),
        openers=listed("opener"),
        weak=listed("weak"),
        generic=listed("generic"),
        adoption=listed("adoption"),
        continuation=listed("continuation"),
        not_modifier=listed("not-modifier"),
        series=listed("series"),
        attributive=listed("attributive"),
    )


def is_capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and bool(YEAR.fullmatch(word)))


class Reader:
    """One text's tokens and the cursor logic of the grammar."""

    def __init__(self, text: str, skip_first: bool) -> None:
        self.text = text
        self.tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
        self.first = 1 if skip_first else 0
        self.w = words()

    def word(self, i: int) -> str:
        return self.tokens[i][0] if 0 <= i < len(self.tokens) else ""

    def head_at(self, i: int) -> Head | None:
        for head in self.w.by_first.get(self.word(i), ()):
            if tuple(self.word(i + k) for k in range(len(head.words))) == head.words:
                return head
        return None

    def is_modifier(self, i: int) -> bool:
        word = self.word(i)
        if i < self.first or word in self.w.not_modifier:
            return False
        return word[:1].isupper() or bool(YEAR.fullmatch(word))

    def date_end(self, i: int) -> int | None:
        """The last token of a date at ``i`` ("12 August 1949", "1961"), if one is there."""
        if YEAR.fullmatch(self.word(i)):
            return i
        if (
            self.word(i).isdigit()
            and self.word(i + 1) in MONTHS
            and YEAR.fullmatch(self.word(i + 2))
        ):
            return i + 2
        return None

    def paren_end(self, i: int) -> int | None:
        """The ")" closing a parenthesis at ``i`` whose content is capitalised or numbered."""
        first = self.word(i + 2) if self.word(i + 1) == "the" else self.word(i + 1)
        if self.word(i) != "(" or not (is_capitalised(first) or first.isdigit()):
            return None
        for j in range(i + 1, min(i + 12, len(self.tokens))):
            if self.word(j) == ")":
                return j
            if self.word(j) in {"(", ";"}:
                return None
        return None
