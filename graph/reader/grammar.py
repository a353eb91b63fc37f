"""A grammar of instrument names, in the manner of eyecite's citation grammar: the reference
words live in ``graph/data/`` (``grammar-heads.csv``, ``grammar-words.csv``), the code only
reads a paragraph's tokens against them.

A name is ``[modifiers] HEAD [complement] [qualifiers]``:

- modifiers: capitalised words and years before the head, back to an article or a lowercase
  word ("United Nations Framework", "Rome", "1951", "Council of Europe");
- the head: an instrument noun of ``grammar-heads.csv`` ("Convention", "Programme of Action");
- the complement: lowercase connectors (of, on, the, and, for, against, to, in, relating,
  concerning, between, …) and capitalised words, years and parentheses, ending on a capitalised
  word, a number or ")"; it stops at a lowercase verb, "and the" / "and other" / "and its",
  and at a comma that starts a new item;
- qualifiers: ", 1961", "of 12 August 1949", ", adopted at Rome on 17 July 1998".

A head followed directly by another capitalised word names something else ("Treaty
Organization", "Agreement Work Programme") and is no name. A name made only of generic words
("the Optional Protocol", "the Political Declaration") is a short form, read by
:mod:`treatygraph.reader.local_names`, not a new instrument.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from treatygraph.reader.authority import read_data, read_rows

TOKEN = re.compile(r"[^\W\d_][\w'’‑-]*|\d+(?:[.:]\d+)*|[^\w\s]")
MONTHS = frozenset(
    "January February March April May June July August September October November December".split()
)
YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
ROMAN = re.compile(r"[IVXL]+")
FOLD = str.maketrans(
    {"’": "'", "‘": "'", "‑": "-", "‐": "-", "–": "-", "—": "-", "“": '"', "”": '"'}
)


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
    )


@dataclass(frozen=True, slots=True)
class Name:
    """An instrument name read by the grammar. ``start``/``end`` cover what the text says,
    qualifiers included (a footnote marker follows them); ``title`` is the name alone."""

    start: int
    end: int
    title: str
    kind: str
    head: str
    modifiers: str  # the words before the head, as written ("Rome", "2025 Political")
    head_start: int = 0  # where the head noun begins
    alias: str | None = None  # "(Treaty of Tlatelolco)", "(CEDAW)": a short name given
    adoption_place: str | None = None
    adoption_date: str | None = None  # "17 July 1998" as written

    @property
    def key(self) -> str:
        return name_key(self.title)

    @property
    def id(self) -> str:
        return name_id(self.title)


def is_capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and bool(YEAR.fullmatch(word)))


def name_key(title: str) -> str:
    """A title as the same name is written anywhere: folded, lower-cased, without a leading
    article, date qualifiers or parenthesised short names.

    >>> name_key("the Geneva Conventions of 12 August 1949")
    'geneva conventions'
    >>> name_key("Single Convention on Narcotic Drugs, 1961")
    'single convention on narcotic drugs'
    >>> name_key("Treaty on the Non‑Proliferation of Nuclear  Weapons")
    'treaty on the non-proliferation of nuclear weapons'
    """
    text = unicodedata.normalize("NFKC", title).translate(FOLD)
    text = re.sub(r"\s*\((?!No\.|Revised)[^()]*\)", "", text)
    text = re.sub(
        r"(?:,\s*(?:of\s+)?|\s+of\s+)(?:\d{1,2}\s+[A-Z][a-z]+\s+)?\d{4}$", "", text.strip()
    )
    text = re.sub(r"-\s+", "-", text)
    text = re.sub(r"^the\s+", "", " ".join(text.split()), flags=re.IGNORECASE)
    return text.lower().strip(" ,.")


def name_id(title: str) -> str:
    """A deterministic record id for a name the authority data lacks: its key as a slug,
    shortened with a hash when long.

    >>> name_id("the Rome Statute of the International Criminal Court")
    'rome-statute-of-the-international-criminal-court'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name_key(title)).strip("-")
    if len(slug) <= 72:
        return slug
    digest = hashlib.sha1(slug.encode()).hexdigest()[:8]
    return f"{slug[:60].rstrip('-')}-{digest}"


# --- reading ----------------------------------------------------------------------------


class _Reader:
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


def find_names(text: str, offset: int = 0, *, skip_first: bool = True) -> list[Name]:
    """Every instrument name in ``text``, in text order, none overlapping another.
    ``skip_first``: the text's first word is its paragraph's verb, never a modifier."""
    if not any(h.words[0] in text for h in words().heads):
        return []
    r = _Reader(text, skip_first)
    names: list[Name] = []
    i, quoted = r.first, _entitled_quotes(text)
    while i < len(r.tokens):
        head = r.head_at(i)
        if head is None:
            i += 1
            continue
        name, last = _read_name(r, i, head)
        if name is not None and not any(s <= name.start < e for s, e in quoted):
            names.append(_shifted(name, offset))
            i = last + 1
        else:
            i += len(head.words)
    return names


def _entitled_quotes(text: str) -> list[tuple[int, int]]:
    """Quoted titles after "entitled": a resolution's or an agenda item's, not citations."""
    return [(m.start(1), m.end(1)) for m in re.finditer(r"entitled\s+“([^”]*)”", text)]


def _read_name(r: _Reader, i: int, head: Head) -> tuple[Name | None, int]:
    after = i + len(head.words)
    if _heads_something_else(r, after):
        return None, after  # "Treaty Organization": the head is a modifier of something else
    start = i
    while r.is_modifier(start - 1) or _of_between_capitals(r, start - 1):
        start -= 1
    last, alias, place, date = _complement(r, after)
    if head.weak and r.word(after) == "of" and _names_stronger(r, after, last):
        return None, after
    title_end = _without_bare_head(r, after, last) if last >= after else after - 1
    modifiers = [r.word(k) for k in range(start, i)]
    complement = [r.word(k) for k in range(after, title_end + 1)]
    meaningful = [w for w in modifiers if w not in r.w.generic and not YEAR.fullmatch(w)]
    if not meaningful and not any(w[:1].isupper() or w.isdigit() for w in complement):
        return None, after
    end = max(title_end, date[1] if date else title_end)
    title_tokens = r.tokens[start : (alias[0] if alias else title_end + 1)]
    title = r.text[title_tokens[0][1] : title_tokens[-1][2]]
    name = Name(
        start=r.tokens[start][1],
        end=r.tokens[end][2],
        title=" ".join(title.split()),
        kind=head.kind,
        head=" ".join(head.words),
        modifiers=" ".join(modifiers),
        head_start=r.tokens[i][1],
        alias=_alias_text(r, alias),
        adoption_place=place,
        adoption_date=date[0] if date else None,
    )
    return name, end


def _without_bare_head(r: _Reader, after: int, last: int) -> int:
    """ "the Bangkok Treaty on the Protocol to that Treaty": a complement that ends on a bare
    head ("the Protocol") names another instrument by a short form; the name ends before."""
    k = last
    while k >= after and is_capitalised(r.word(k)) and r.word(k) in r.w.generic:
        k -= 1
    if k == last or not any(r.word(t) in r.w.heads_words for t in range(k + 1, last + 1)):
        return last if not _dangling_year(r, last) else last - 2
    if r.word(k) not in r.w.connectors:
        return last
    while k >= after and r.word(k) in r.w.connectors:
        k -= 1
    return k if k >= after else after - 1


def _dangling_year(r: _Reader, last: int) -> bool:
    """ "Declaration of the 1980": a year after "the" begins a name of its own."""
    return bool(YEAR.fullmatch(r.word(last))) and r.word(last - 1) == "the"


def _heads_something_else(r: _Reader, after: int) -> bool:
    """ "Treaty Organization", "Agreement Work Programme": a capitalised word right after the
    head (not a connector, a numeral, nor "Additional to")."""
    nxt = r.word(after)
    if not nxt[:1].isupper() or nxt in r.w.connectors or ROMAN.fullmatch(nxt):
        return False
    return not (nxt in r.w.generic and r.word(after + 1) in r.w.connectors)


def _alias_text(r: _Reader, alias: tuple[int, int] | None) -> str | None:
    """ "(the International Tracing Instrument)" gives "International Tracing Instrument"."""
    if alias is None:
        return None
    first = alias[0] + (2 if r.word(alias[0] + 1) == "the" else 1)
    return r.text[r.tokens[first][1] : r.tokens[alias[1] - 1][2]] if first < alias[1] else None


def _of_between_capitals(r: _Reader, i: int) -> bool:
    """ "Council of Europe Convention": "of" joining two capitalised modifiers."""
    return r.word(i) == "of" and r.is_modifier(i - 1) and r.is_modifier(i + 1)


def _names_stronger(r: _Reader, start: int, last: int) -> bool:
    for k in range(start, last + 1):
        head = r.head_at(k)
        if head is not None and not head.weak:
            return True
    return False


def _complement(
    r: _Reader, k: int
) -> tuple[int, tuple[int, int] | None, str | None, tuple[str, int] | None]:
    """Read the complement from token ``k``: the index of its last token (``k - 1`` when
    empty), a parenthesised short name, and an adoption place and date."""
    last, alias, between = k - 1, None, False
    place: str | None = None
    date: tuple[str, int] | None = None
    if r.word(k) in r.w.connectors and r.word(k) not in r.w.openers:
        return last, alias, place, date  # "the Treaty in New York": no complement
    while k < len(r.tokens):
        word = r.word(k)
        if word in {"and", "or"}:
            nxt = r.word(k + 1)
            if nxt == "the" and (between or _alias_follows(r, k + 2)):
                between = False
            elif nxt == "relating":
                pass
            elif not (nxt[:1].isupper() and nxt not in r.w.not_modifier) or _phrase_follows(
                r, k + 1
            ):
                break
            k += 1
            continue
        if word == "of" and (d := r.date_end(k + 1)) is not None:
            last, k = d, d + 1
            continue
        if word in {"–", "-"} and YEAR.fullmatch(r.word(k - 1)) and YEAR.fullmatch(r.word(k + 1)):
            last, k = k + 1, k + 2
            continue
        if word in r.w.continuation and r.word(k - 1) == ",":
            k += 1
            continue
        if word in r.w.adoption:
            qualifier = _adoption(r, k)
            if qualifier is not None:
                place, date = qualifier[0], (qualifier[1], qualifier[2])
            break
        if word in {"that", "which"} and _relative_clause(r, k, last):
            k += 1  # "... on Substances that Deplete the Ozone Layer"
            continue
        if word in r.w.weak and (r.word(k + 1) == "the" or r.word(k + 1) in r.w.not_modifier):
            break
        if word in r.w.connectors:
            between = between or word == "between"
            k += 1
            continue
        if word == "(":
            close = r.paren_end(k)
            if close is None:
                break
            inner = r.word(k + 1)
            numbered = inner.isdigit() or (ROMAN.fullmatch(inner) and r.word(k + 2) == ")")
            if not inner.startswith(("No", "Revised")) and not numbered:
                alias = (k, close) if alias is None else alias
            last, k = close, close + 1
            continue
        if word == ",":
            step = _after_comma(r, k)
            if step is None:
                qualifier = _adoption(r, k + 1)
                if qualifier is not None:
                    place, date = qualifier[0], (qualifier[1], qualifier[2])
                break
            last, k = step, step + 1
            continue
        numbered = word.isdigit() and r.word(k - 1) in {"Agenda", "No"}
        if not (is_capitalised(word) or ROMAN.fullmatch(word) or numbered):
            break
        last, k = k, k + 1
    return last, alias, place, date


def _relative_clause(r: _Reader, k: int, last: int) -> bool:
    """ "Substances that Deplete the Ozone Layer": "that" right after the name's last word,
    then a capitalised verb (not a head, not "States"); "to that Treaty" is no such clause."""
    nxt = r.word(k + 1)
    return (
        k == last + 1
        and nxt[:1].isupper()
        and nxt not in r.w.not_modifier
        and r.head_at(k + 1) is None
    )


def _phrase_follows(r: _Reader, k: int) -> bool:
    """ "... and IAEA safeguards": capitalised words that a lowercase noun follows begin a
    phrase of their own, not the rest of the name."""
    while is_capitalised(r.word(k)):
        k += 1
    nxt = r.word(k)
    return nxt[:1].islower() and nxt not in r.w.connectors


def _alias_follows(r: _Reader, k: int) -> bool:
    """ "... in Latin America and the Caribbean (Treaty of Tlatelolco)": capitalised words
    without a head, then the name's parenthesised short name."""
    while is_capitalised(r.word(k)) and r.head_at(k) is None:
        k += 1
    close = r.paren_end(k) if r.word(k) == "(" else None
    return close is not None and not is_capitalised(r.word(close + 1))


def _alias_or_end(r: _Reader, k: int) -> bool:
    """Capitalised words without a head (joined by "and") that end the sentence's phrase."""
    start = k
    while (is_capitalised(r.word(k)) and r.head_at(k) is None) or (
        r.word(k) == "and" and is_capitalised(r.word(k + 1))
    ):
        k += 1
    return k > start and not r.word(k)[:1].isalpha()


def _inserted_phrase(r: _Reader, k: int) -> int | None:
    """ "..., in a Timely and Reliable Manner, Illicit Small Arms": a phrase set off by commas
    inside a name (a connector, capitalised words, a comma, a capitalised word); the index of
    its closing comma."""
    j = k + 1
    if r.word(j) not in r.w.openers | {"in"}:
        return None
    j += 1 + (r.word(j + 1) in {"a", "the"})
    start = j
    while r.word(j)[:1].isupper() or (r.word(j) in {"and", "or"} and r.word(j + 1)[:1].isupper()):
        j += 1
    if j > start and r.word(j) == "," and r.word(j + 1)[:1].isupper() and r.head_at(j + 1) is None:
        return j
    return None


def _after_comma(r: _Reader, k: int) -> int | None:
    """Where a name goes on after the comma at ``k``: ", 1961" (and "(No. 97)"), ", Social
    and Cultural Rights" (a list inside the name), ", supplementing the ..."; None where the
    comma starts a new item."""
    nxt = r.word(k + 1)
    if nxt == "of" and (date := r.date_end(k + 2)) is not None:
        return date  # "..., of 12 August 1949"
    if YEAR.fullmatch(nxt):
        close = r.paren_end(k + 2) if r.word(k + 3) == "No" else None
        return close if close is not None else k + 1
    if nxt in r.w.continuation or (nxt == "and" and r.word(k + 2) == "relating"):
        return k  # the words after are read as the complement
    if nxt == "including" and r.word(k + 2) == "the" and _alias_or_end(r, k + 3):
        return k + 2  # "..., including the Moon and Other Celestial Bodies"
    inserted = _inserted_phrase(r, k)
    if inserted is not None:
        return inserted
    j = k + 1
    while is_capitalised(r.word(j)) and r.head_at(j) is None and r.word(j) not in MONTHS:
        j += 1
    if j > k + 1 and r.word(j) in {"and", "or", ","} and is_capitalised(r.word(j + 1)):
        return j - 1
    return None


def _adoption(r: _Reader, k: int) -> tuple[str | None, str, int] | None:
    """ "adopted at Rome on 17 July 1998", "done at Vienna on 23 May 1969": place, date and
    the date's last token."""
    if r.word(k) not in r.w.adoption:
        return None
    j = k + 1
    while r.word(j) in {"for", "signature"}:
        j += 1
    place = None
    if r.word(j) in {"at", "in"} and is_capitalised(r.word(j + 1)):
        place, j = r.word(j + 1), j + 2
    if r.word(j) != "on":
        return None
    end = r.date_end(j + 1)
    if end is None or end == j + 1:
        return None
    date = " ".join(r.word(t) for t in range(j + 1, end + 1))
    return place, date, end


def _shifted(name: Name, offset: int) -> Name:
    return Name(
        name.start + offset, name.end + offset, name.title, name.kind, name.head,
        name.modifiers, name.head_start + offset, name.alias, name.adoption_place,
        name.adoption_date,
    )  # fmt: skip
