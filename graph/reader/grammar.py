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

The reference words and the token reader are in :mod:`treatygraph.reader.name_words`, the
complement in :mod:`treatygraph.reader.name_complement`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

from treatygraph.reader.name_complement import complement, without_bare_head
from treatygraph.reader.name_words import ROMAN, YEAR, Head, Reader, words

ACRONYM = re.compile(r"[A-Z][A-Z0-9-]*[A-Z0-9]")
__all__ = ["YEAR", "Name", "find_names", "name_id", "name_key", "words"]

FOLD = str.maketrans(
    {"’": "'", "‘": "'", "‑": "-", "‐": "-", "–": "-", "—": "-", "“": '"', "”": '"'}
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


def find_names(text: str, offset: int = 0, *, skip_first: bool = True) -> list[Name]:
    """Every instrument name in ``text``, in text order, none overlapping another.
    ``skip_first``: the text's first word is its paragraph's verb, never a modifier."""
    if not any(h.words[0] in text for h in words().heads) and "ies of " not in text:
        return []
    r = Reader(text, skip_first)
    names: list[Name] = []
    i = r.first
    while i < len(r.tokens):
        head = r.head_at(i)
        if head is None:
            i += 1
            continue
        name, last = _read_name(r, i, head)
        if name is not None:
            name, last = _whole_quotation(r, name, last)
            names.append(_shifted(name, offset))
            i = last + 1
        else:
            i += len(head.words)
    return sorted(names + _places(text, offset, names), key=lambda n: n.start)


def _whole_quotation(r: Reader, name: Name, last: int) -> tuple[Name, int]:
    """A name that opens a quotation ('entitled "Declaration on ... for the Benefit and in the
    Interest of All States, ..."') is the whole quotation: a quoted title is never cut short."""
    before = r.text[: name.start].rstrip()
    if not before.endswith(("“", '"')):
        return name, last
    close = r.text.find("”" if before.endswith("“") else '"', name.end)
    if close < 0 or close - name.start > MAX_QUOTED or "\n" in r.text[name.end : close]:
        return name, last
    end = len(r.text[:close].rstrip(" ,.;"))
    title = " ".join(r.text[name.start : end].split())
    while last + 1 < len(r.tokens) and r.tokens[last + 1][2] <= end:
        last += 1
    return replace(name, end=end, title=title), last


MAX_QUOTED = 400  # characters: longer quotations are prose, not a title


PLACES = re.compile(
    r"\b(?P<noun>[Tt]reaties|[Cc]onventions) of (?P<places>[A-Z][\w-]+(?:, [A-Z][\w-]+)*"
    r",? and [A-Z][\w-]+)"
)


def _places(text: str, offset: int, names: list[Name]) -> list[Name]:
    """ "the treaties of Tlatelolco, Rarotonga, Bangkok and Pelindaba": one name for each
    place ("Treaty of Tlatelolco"), where no name read already covers it."""
    out: list[Name] = []
    for m in PLACES.finditer(text):
        head = "Treaty" if m["noun"].lower() == "treaties" else "Convention"
        for place in re.finditer(r"[A-Z][\w-]+", m["places"]):
            start, end = m.start("places") + place.start(), m.start("places") + place.end()
            if any(n.start - offset < end and start < n.end - offset for n in names):
                continue
            title = f"{head} of {place.group()}"
            out.append(Name(start + offset, end + offset, title, head.lower(), head, "",
                            start + offset))  # fmt: skip
    return out


def _read_name(r: Reader, i: int, head: Head) -> tuple[Name | None, int]:
    after = i + len(head.words)
    if _heads_something_else(r, after):
        return None, after  # "Treaty Organization": the head is a modifier of something else
    start = i
    while r.is_modifier(start - 1) or _joins_capitals(r, start - 1):
        start -= 1
    last, alias, place, date = complement(r, after)
    if head.weak and r.word(after) == "of" and _names_stronger(r, after, last):
        return None, after
    title_end = without_bare_head(r, after, last) if last >= after else after - 1
    modifiers = [r.word(k) for k in range(start, i)]
    following = [r.word(k) for k in range(after, title_end + 1)]
    meaningful = [w for w in modifiers if w not in r.w.generic and not YEAR.fullmatch(w)]
    if not meaningful and not any(w[:1].isupper() or w.isdigit() for w in following):
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


def _heads_something_else(r: Reader, after: int) -> bool:
    """ "Treaty Organization", "Agreement Work Programme": a capitalised word right after the
    head (not a connector, a numeral, nor "Additional to")."""
    nxt = r.word(after)
    if not nxt[:1].isupper() or nxt in r.w.connectors or ROMAN.fullmatch(nxt):
        return False
    return not (nxt in r.w.generic and r.word(after + 1) in r.w.connectors)


def _alias_text(r: Reader, alias: tuple[int, int] | None) -> str | None:
    """ "(the International Tracing Instrument)" gives "International Tracing Instrument". A
    short name has a head ("(Treaty of Tlatelolco)") or is an acronym ("(UNCLOS)"); "(the Fourth
    Review Conference)" after a name names a meeting, not the instrument."""
    if alias is None:
        return None
    first = alias[0] + (2 if r.word(alias[0] + 1) == "the" else 1)
    inside = [r.word(k) for k in range(first, alias[1])]
    acronym = len(inside) == 1 and ACRONYM.fullmatch(inside[0]) is not None
    if not inside or not (acronym or any(w in r.w.heads_words for w in inside)):
        return None
    return r.text[r.tokens[first][1] : r.tokens[alias[1] - 1][2]]


def _joins_capitals(r: Reader, i: int) -> bool:
    """ "Council of Europe Convention", "Siem Reap – Angkor Action Plan": "of" or a spaced dash
    joining two capitalised modifiers."""
    joins = r.word(i) == "of" or r.word(i) in {"–", "—"}
    return joins and r.is_modifier(i - 1) and r.is_modifier(i + 1)


def _names_stronger(r: Reader, start: int, last: int) -> bool:
    for k in range(start, last + 1):
        head = r.head_at(k)
        if head is not None and not head.weak:
            return True
    return False


def _shifted(name: Name, offset: int) -> Name:
    return Name(
        name.start + offset, name.end + offset, name.title, name.kind, name.head,
        name.modifiers, name.head_start + offset, name.alias, name.adoption_place,
        name.adoption_date,
    )  # fmt: skip
