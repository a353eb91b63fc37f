"""The authority data: instrument records with sourced facts, and the indexes that resolve
citations against them (UNTS volume and number, ILO code, document symbol, sales number,
title). Reference data lives in ``graph/data/``, never in code.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from treatygraph import resources as package_resources
from treatygraph.model import Instrument, Unts

VOLUME = re.compile(r"\bvols?\.\s*(\d+)")
NUMBER = re.compile(r"\bNo\.\s*(\d+)")
PAGE = re.compile(r"\bp\.\s*(\d+)\b(?!\)?\s*not confirmed)")
ILO_NUMBER = re.compile(r"\(No\.\s*(\d+)\)")


def read_data(name: str, directory: Path | None = None) -> str:
    if directory is not None:
        return (directory / name).read_text("utf-8")
    return package_resources.data().joinpath(name).read_text("utf-8")


def read_rows(text: str) -> list[dict[str, str]]:
    """CSV rows as dicts; lines starting with ``#`` are comments."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return [
        {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO(body))
    ]


def parse_unts(field: str) -> Unts | None:
    """A UNTS reference as the authority data writes it.

    >>> parse_unts("vol. 2225, p. 209; registration No. 39574 (29 Sep 2003)")
    Unts(volume=2225, number=39574, page=209)
    >>> parse_unts("vol. 1249, No. 20378 (as cited); page (p. 13) not confirmed")
    Unts(volume=1249, number=20378, page=None)
    >>> parse_unts("vol. 39, p. 55 (registration No. not confirmed)")
    Unts(volume=39, number=None, page=55)
    """
    volume = VOLUME.search(field)
    if not volume:
        return None
    number = NUMBER.search(field)
    page = PAGE.search(field)
    return Unts(
        int(volume.group(1)),
        int(number.group(1)) if number else None,
        int(page.group(1)) if page else None,
    )


def merge_unts(as_cited: Unts | None, outside: Unts | None) -> tuple[Unts, ...]:
    """One record per volume: the footnote's pair, with the page an outside source adds."""
    if as_cited and outside and as_cited.volume == outside.volume:
        number = as_cited.number or outside.number
        return (Unts(as_cited.volume, number, outside.page),)
    return tuple(u for u in (as_cited, outside) if u is not None)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parents(value: str) -> tuple[str, ...]:
    return tuple(m for part in value.split(";") if (m := part.strip().split(" ")[0]))


def instrument_from_row(row: dict[str, str], symbol: str | None) -> Instrument:
    unts = merge_unts(
        parse_unts(row["unts_as_cited_in_footnote"]), parse_unts(row["unts_per_outside_source"])
    )
    short = row["short_name"].split(";")[0].strip() or None
    return Instrument(
        id=row["id"],
        title=row["canonical_title"],
        kind=row["kind"],
        short_title=short,
        unts=unts,
        ilo_code=row["ilo_number"] or None,
        symbol=symbol,
        parent=_parents(row["parent_instrument"]),
        in_authority=True,
        adopting_body=row["adopting_body"] or None,
        adoption_date=_date(row["adoption_date"]),
        adoption_place=row["adoption_place"] or None,
        entry_into_force=_date(row["entry_into_force"]),
        untc_id=row["untc_mtdsg"] or None,
        normlex_id=row["normlex_id"] or None,
        wikidata=row["wikidata_qid"] or None,
        sources=row["sources"] or None,
        notes=row["notes"] or None,
    )


@dataclass(frozen=True, slots=True)
class Alias:
    """A name an instrument goes by, as the token sequence the text must show."""

    text: str
    instrument: str
    case_sensitive: bool


@dataclass(frozen=True, eq=False)  # hashed by identity: one index per loaded authority
class Authority:
    """Instrument records and their indexes."""

    instruments: dict[str, Instrument]
    by_unts: dict[tuple[int, int | None], str]
    by_symbol: dict[str, tuple[str, ...]]
    by_ilo: dict[str, str]
    by_sales_number: dict[str, str]
    aliases: tuple[Alias, ...]
    children: dict[str, tuple[str, ...]]

    def get(self, instrument_id: str) -> Instrument:
        return self.instruments[instrument_id]


def _alias_texts(row: dict[str, str], expansions: dict[str, str]) -> set[str]:
    title = row["canonical_title"]
    names = {title, re.sub(r"\s*\([^()]*\)\s*$", "", title)}
    names |= {s.strip() for s in row["short_name"].split(";") if s.strip()}
    for short, long in expansions.items():
        names |= {re.sub(rf"\b{re.escape(short)}\b", long, n) for n in names}
    return names


def load_authority(directory: Path | None = None) -> Authority:
    """Read ``authority.csv``, ``identifiers.csv`` and ``abbreviations.csv``."""
    rows = read_rows(read_data("authority.csv", directory))
    extra = read_rows(read_data("identifiers.csv", directory))
    expansions = {
        r["abbreviation"]: r["expansion"]
        for r in read_rows(read_data("abbreviations.csv", directory))
    }
    symbols: dict[str, list[str]] = defaultdict(list)
    sales: dict[str, str] = {}
    alias_texts: dict[str, set[str]] = defaultdict(set)
    for r in extra:
        if r["scheme"] == "symbol":
            symbols[r["value"]].append(r["instrument"])
        elif r["scheme"] == "sales_number":
            sales[r["value"]] = r["instrument"]
        elif r["scheme"] == "alias":
            alias_texts[r["instrument"]].add(r["value"])
    own_symbol = {i: s for s, ids in symbols.items() for i in ids if len(ids) == 1}
    instruments = {r["id"]: instrument_from_row(r, own_symbol.get(r["id"])) for r in rows}
    for r in rows:
        alias_texts[r["id"]] |= _alias_texts(r, expansions)
    return Authority(
        instruments=instruments,
        by_unts=_unts_index(instruments),
        by_symbol={s: tuple(ids) for s, ids in symbols.items()},
        by_ilo={i.ilo_code: i.id for i in instruments.values() if i.ilo_code},
        by_sales_number=sales,
        aliases=_unique_aliases(alias_texts),
        children=_children(instruments),
    )


def _unts_index(instruments: dict[str, Instrument]) -> dict[tuple[int, int | None], str]:
    index: dict[tuple[int, int | None], str] = {}
    for inst in instruments.values():
        for u in inst.unts:
            index.setdefault((u.volume, u.number), inst.id)
    return index


def _children(instruments: dict[str, Instrument]) -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = defaultdict(list)
    for inst in instruments.values():
        for parent in inst.parent:
            children[parent].append(inst.id)
    return {k: tuple(v) for k, v in children.items()}


def _unique_aliases(alias_texts: dict[str, set[str]]) -> tuple[Alias, ...]:
    """Aliases that name exactly one instrument; short ones must match case."""
    owners: dict[str, set[str]] = defaultdict(set)
    for instrument, texts in alias_texts.items():
        for t in texts:
            owners[t.lower()].add(instrument)
    aliases = []
    for instrument, texts in sorted(alias_texts.items()):
        for t in sorted(texts):
            if len(owners[t.lower()]) == 1 and len(t) >= 3:
                aliases.append(Alias(t, instrument, case_sensitive=len(t.split()) < 4))
    return tuple(aliases)


@cache
def default_authority() -> Authority:
    return load_authority()


@cache
def title_words() -> Counter[str]:
    """Words of the authority titles: whole words to mend words a PDF broke with a space."""
    texts = [a.text for a in default_authority().aliases]
    return Counter(w.lower() for t in texts for w in re.findall(r"[A-Za-z]+", t))
