"""Resolutions, decisions and documents cited in prose by number or symbol.

Every era's numbering: ``2453 A (XXIII)`` (sessions in Roman numerals, before 1976),
``37/90``, ``ES-11/1`` and ``S-27/2`` (emergency and special sessions); lists with dates
("its resolutions 47/19 of 24 November 1992, 48/16 of 3 November 1993 and 72/4 of
1 November 2017"); decisions ("decision 72/555"); the Security Council's "resolution
2334 (2016)"; the Human Rights Council's and the Economic and Social Council's; World Health
Assembly resolutions (``WHA71.3``); and document symbols (``A/AC.105/1137``, ``A/77/170``,
``S/PRST/2013/2``). Each gives the UN symbol it cites; a part letter ("50/70 Q",
"2200 A (XXI)") is read but not kept in the symbol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from treatygraph.reader.name_words import words

_DATE = r"\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}"
_GA = (
    r"(?:(?:ES|S)-\d{1,2}/\d{1,3}"  # emergency and special sessions
    r"|(?:19|20)\d\d/\d{1,3}"  # the Economic and Social Council's 2004/35
    r"|\d{1,2}/\d{1,3}(?:\s?[A-Z](?![\w/]))?"  # 37/90, 50/70 Q
    r"|\d{1,4}\s*(?:[A-Z]\s*)?\([IVXL]+\))"  # 2453 A (XXIII)
)
_BODY = r"(?:\d{1,4}\s*\(\d{4}\)|\d{1,4}/\d{1,3}|S/PRST/\d{4}/\d+)"
_LIST_SEP = r"(?:,\s*|,?\s+and\s+|,?\s+as\s+well\s+as\s+)"


def _listed(number: str) -> str:
    item = rf"{number}(?:{_DATE})?"
    return rf"{item}(?:{_LIST_SEP}{item})*"


GA_LIST = re.compile(
    r"(?P<lead>\b(?:General Assembly|its|Assembly|the|and|of)\s+)?"
    rf"\b(?P<what>resolutions?|decisions?)\s+(?P<list>{_listed(_GA)})"
)
GA_NUMBER = re.compile(_GA)
BODY_LIST = re.compile(
    r"\b(?P<body>Security Council|Human Rights Council|Economic and Social Council)\s+"
    r"(?P<what>resolutions?|decisions?|presidential statements?)\s+"
    rf"(?P<list>{_listed(_BODY)})"
)
SC_NUMBER = re.compile(r"(?P<n>\d{1,4})\s*\((?P<y>(?:19|20)\d\d)\)")
SC_YEAR = re.compile(r"\s*\(((?:19|20)\d\d)\)")
YEAR_NUMBER = re.compile(r"(?:19|20)\d\d/")
_SC = r"\d{1,4}\s*\((?:19|20)\d\d\)"
SC_LIST = re.compile(rf"\bresolutions?\s+(?P<list>{_listed(_SC)})")
WHA = re.compile(r"\b(?P<symbol>WHA\d{1,2}\.\d{1,2})\b")
DOCUMENT = re.compile(r"(?<![\w/.])(?P<symbol>[A-Z][A-Za-z]*(?:/[A-Za-z0-9.()-]*[A-Za-z0-9)])+)")
BODY_PREFIX = {
    ("Human Rights Council", "resolution"): "A/HRC/RES/",
    ("Human Rights Council", "decision"): "A/HRC/DEC/",
    ("Economic and Social Council", "resolution"): "E/RES/",
    ("Economic and Social Council", "decision"): "E/DEC/",
}


@dataclass(frozen=True, slots=True)
class Numbered:
    """A resolution, decision or document named by number: where, and its symbol."""

    start: int
    end: int
    symbol: str


def own_series(symbol: str) -> str:
    """The series whose resolutions "its resolution N/M" means in a resolution with this symbol.

    >>> own_series("A/HRC/RES/50/33"), own_series("E/RES/2004/35"), own_series("A/RES/77/194")
    ('A/HRC/', 'E/', 'A/')
    """
    return next((s for s in ("A/HRC/", "E/", "S/") if symbol.startswith(s)), "A/")


def ga_symbol(number: str, what: str = "resolution") -> str:
    """The symbol of a General Assembly resolution or decision number.

    >>> ga_symbol("73/195"), ga_symbol("2200 A (XXI)"), ga_symbol("ES-11/1")
    ('A/RES/73/195', 'A/RES/2200(XXI)', 'A/RES/ES-11/1')
    >>> ga_symbol("50/70 Q"), ga_symbol("72/555", "decision")
    ('A/RES/50/70', 'A/DEC/72/555')
    """
    series = "A/DEC/" if what.startswith("decision") else "A/RES/"
    m = re.fullmatch(r"(\d+)\s*(?:[A-Z]\s*)?\(([IVXL]+)\)", number.strip())
    if m:
        return f"{series}{m.group(1)}({m.group(2)})"
    return series + re.sub(r"\s?[A-Z]$", "", number.strip())


def find_numbered(text: str, offset: int, own: str = "A/") -> list[Numbered]:
    """Every resolution, decision and document symbol in a paragraph, in text order.
    ``own``: the series of the citing body ("A/", "A/HRC/", "E/"): "its resolution 5/1" in
    a Human Rights Council resolution is the Council's; "General Assembly resolution" is
    always the Assembly's."""
    found: list[Numbered] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, symbol: str) -> None:
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append(Numbered(offset + start, offset + end, symbol))

    for m in BODY_LIST.finditer(text):
        for n in re.finditer(r"S/PRST/\d{4}/\d+|\d{1,4}\s*\(\d{4}\)|\d{1,4}/\d{1,3}", m["list"]):
            at = m.start("list") + n.start()
            add(at, at + len(n.group()), _body_symbol(m["body"], m["what"], n.group()))
    if "resolution" in text or "decision" in text:
        for m in GA_LIST.finditer(text):
            if _after_proper_name(text, m):
                continue
            assembly = "Assembly" in (m["lead"] or "")
            for n in GA_NUMBER.finditer(m["list"]):
                at = m.start("list") + n.start()
                number = n.group()
                symbol = ga_symbol(number, m["what"])
                if YEAR_NUMBER.match(number):  # only the Council numbers by year
                    symbol = "E/" + symbol.removeprefix("A/")
                elif not assembly and "/" in number and own != "A/":
                    symbol = own + symbol.removeprefix("A/")
                add(at, at + len(number.rstrip()), symbol)
        for m in SC_LIST.finditer(text):
            for n in SC_NUMBER.finditer(m["list"]):
                at = m.start("list") + n.start()
                add(at, at + len(n.group()), f"S/RES/{n['n']}({n['y']})")
    for m in WHA.finditer(text):
        add(m.start(), m.end(), m["symbol"])
    for m in DOCUMENT.finditer(text):
        symbol = _document_symbol(m["symbol"])
        end = m.start() + len(symbol)
        year = SC_YEAR.match(text, end) if symbol.startswith("S/RES/") else None
        if year:  # "S/RES/2728 (2024)" is written without the space in a symbol
            symbol, end = f"{symbol}({year[1]})", year.end()
        if _is_document_symbol(symbol):
            add(m.start(), end, symbol)
    return sorted(found, key=lambda n: n.start)


def _body_symbol(body: str, what: str, number: str) -> str:
    if number.startswith("S/PRST/"):
        return number
    if body == "Security Council":
        sc = re.fullmatch(r"(\d+)\s*\((\d{4})\)", number)
        return f"S/RES/{sc.group(1)}({sc.group(2)})" if sc else f"S/RES/{number}"
    kind = "decision" if what.startswith("decision") else "resolution"
    return BODY_PREFIX[(body, kind)] + number


@cache
def _series() -> frozenset[str]:
    return words().series


def _is_document_symbol(symbol: str) -> bool:
    return symbol.split("/")[0] in _series() and bool(re.search(r"\d", symbol))


def _document_symbol(symbol: str) -> str:
    """The symbol without a closing parenthesis it does not open: "(A/77/170)"."""
    symbol = symbol.rstrip(".")
    while symbol.endswith(")") and symbol.count(")") > symbol.count("("):
        symbol = symbol[:-1]
    return symbol


def _after_proper_name(text: str, m: re.Match[str]) -> bool:
    """A bare "resolution 25/1" right after a capitalised name (a commission's) is not the
    General Assembly's."""
    if m["lead"]:
        return False
    before = text[: m.start()].rstrip().rsplit(None, 1)
    word = before[-1] if before else ""
    return word[:1].isupper() and not word.endswith(("ing", ","))
