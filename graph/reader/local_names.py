"""Document-local short names: an instrument named in full once ("the Rome Statute of the
International Criminal Court") is cited again later in the same document by shorter forms
("the Rome Statute", "the Statute", "(New START Treaty)").

A short form is "the" with capitalised words ending in a head noun of the grammar, or a short
name the document gave in parentheses after the full name. It resolves to one instrument
named earlier in the same document, never by a guess:

1. the instruments whose forms fit (same modifiers and head: "Rome Statute"; or the head
   alone: "the Statute"), named earlier in the same paragraph: if exactly one, that one;
2. otherwise those named earlier in the document: if exactly one, that one;
3. otherwise (two conventions in play and nothing in the paragraph to choose): nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from treatygraph.model import Instrument
from treatygraph.reader.grammar import find_names
from treatygraph.reader.name_words import YEAR, words

_FORM = re.compile(
    r"\bthe\s+((?:(?:[A-Z][\w‑’'-]*|\d{4})\s+){0,3})([A-Z][a-z]+(?:\s+(?:of|for)\s+[A-Z][a-z]+)?)\b"
)


@dataclass(frozen=True, slots=True)
class ShortForm:
    """A short form in the text: where, and what it says (lower-cased words)."""

    start: int
    end: int
    form: str


def form_of(modifiers: str, head: str) -> str:
    """
    >>> form_of("Rome", "Statute"), form_of("", "Convention")
    ('rome statute', 'convention')
    """
    return " ".join(f"{modifiers} {head}".lower().split())


def find_short_forms(text: str, offset: int, aliases: frozenset[str]) -> list[ShortForm]:
    """Every "the [Modifiers] Head" and every alias the document gave, in ``text``."""
    heads = _head_names()
    found: list[ShortForm] = []
    attributive = words().attributive
    for m in _FORM.finditer(text):
        modifiers, head = m.group(1), m.group(2)
        following = text[m.end() :].split(None, 1)
        if head not in heads or (following and following[0].strip(",;.") in attributive):
            continue  # "the Charter bodies": an adjective, not a citation
        found.append(ShortForm(offset + m.start(), offset + m.end(), form_of(modifiers, head)))
    for alias in aliases:
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text):
            found.append(ShortForm(offset + m.start(), offset + m.end(), "=" + alias))
    return sorted(found, key=lambda f: (f.start, -f.end))


@cache
def _head_names() -> frozenset[str]:
    return frozenset(" ".join(h.words) for h in words().heads)


@dataclass
class LocalNames:
    """The short forms of the instruments a document has named so far."""

    forms: dict[str, list[str]] = field(default_factory=dict)  # form → instrument ids, in order
    instruments: dict[str, Instrument] = field(default_factory=dict)
    aliases: set[str] = field(default_factory=set)

    def introduce(self, instrument: Instrument, alias: str | None = None) -> None:
        """Register the short forms of an instrument the document just named."""
        if instrument.id in self.instruments and alias is None:
            return
        self.instruments[instrument.id] = instrument
        for form in short_forms(instrument.title):
            ids = self.forms.setdefault(form, [])
            if instrument.id not in ids:
                ids.append(instrument.id)
        if alias and len(alias) >= 3:
            self.aliases.add(alias)
            self.forms.setdefault("=" + alias, []).append(instrument.id)

    def rename(self, old: str, new: Instrument) -> None:
        """An instrument now known by another record (a footnote gave its UNTS reference)."""
        self.instruments[new.id] = new
        for ids in self.forms.values():
            ids[:] = list(dict.fromkeys(new.id if i == old else i for i in ids))

    def by_prefix(self, title: str) -> Instrument | None:
        """The one instrument named earlier whose title this one begins ("Charter of the
        Association" after "Charter of the Association of Southeast Asian Nations")."""
        found = {i.id: i for i in self.instruments.values() if i.title.startswith(title + " ")}
        return next(iter(found.values())) if len(found) == 1 else None

    def resolve(self, form: str, in_paragraph: list[str]) -> Instrument | None:
        """The one instrument a short form names: see the module's rules."""
        ids = self.forms.get(form, [])
        here = [i for i in dict.fromkeys(in_paragraph) if i in ids]
        if len(here) == 1:
            return self.instruments[here[0]]
        if not here and len(set(ids)) == 1:
            return self.instruments[ids[0]]
        return None


def short_forms(title: str) -> set[str]:
    """The shorter forms a title is cited by in the same document.

    >>> sorted(short_forms("Rome Statute of the International Criminal Court"))
    ['rome statute', 'statute']
    >>> sorted(short_forms("2025 Political Declaration on the Implementation of the Plan"))
    ['2025 political declaration', 'declaration', 'political declaration']
    """
    names = find_names(title, skip_first=False)
    if not names or names[0].start > 4:
        return set()
    name = names[0]
    modifiers = [w for w in name.modifiers.split() if w != "of"]
    forms = {form_of("", name.head)}
    if modifiers:
        forms.add(form_of(" ".join(modifiers), name.head))
        undated = [w for w in modifiers if not YEAR.fullmatch(w)]
        if undated:
            forms.add(form_of(" ".join(undated), name.head))
    return forms
