"""What a resolution symbol tells: the body that adopted it and the session.

One row a kind of symbol, from the most specific prefix to the least: the Human Rights
Council's ``A/HRC/RES/50/33`` before the General Assembly's ``A/RES/77/194``. A session is a
whole number for a regular session (``77``), and a string for one that is not numbered with
the regular ones: ``"ES-11"`` (emergency special), ``"S-30"`` (special). The Security Council
and ECOSOC number their resolutions by year, not by session: no session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Session = int | str

ROMAN = re.compile(r"^[IVXLC]+$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
SPECIAL_SESSION = re.compile(r"^(ES|S)-(\d{1,3})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SymbolKind:
    """A kind of resolution symbol: its pattern, the body, and where its session stands."""

    pattern: re.Pattern[str]
    body: str
    has_session: bool


GA, SC, HRC, ECOSOC = (
    "General Assembly",
    "Security Council",
    "Human Rights Council",
    "Economic and Social Council",
)
# 1946-1975 (A/RES/2200(XXI), A/RES/2200 A (XXI)): resolutions numbered on from session to
# session, the session in Roman figures after the number.
OLD_STYLE = r"^A/RES/\d{1,4}\s*(?:[A-Z]\s*)?\((?P<session>(?:ES-|S-)?[IVXLC]+)\)"
SYMBOL_KINDS = (
    SymbolKind(re.compile(r"^A/HRC/RES/(?P<session>(?:S-)?\d{1,3})/\d+"), HRC, True),
    SymbolKind(re.compile(r"^A/RES/(?P<session>(?:ES|S)-\d{1,3})/\d+"), GA, True),
    SymbolKind(re.compile(r"^A/RES/(?P<session>\d{1,3})/\d+"), GA, True),
    SymbolKind(re.compile(OLD_STYLE), GA, True),
    SymbolKind(re.compile(r"^S/RES/\d{1,4}(?:\s*\(\d{4}\))?$"), SC, False),
    SymbolKind(re.compile(r"^E/RES/\d{4}/\d+"), ECOSOC, False),
    SymbolKind(re.compile(r"^E/RES/\d{1,4}\s*(?:[A-Z]\s*)?\([IVXLC-]+\)"), ECOSOC, False),
)


def roman(text: str) -> int:
    """A Roman numeral as a number.

    >>> roman("XXI"), roman("XLIV"), roman("IX")
    (21, 44, 9)
    """
    total = 0
    for i, char in enumerate(text):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def kind_of(symbol: str) -> SymbolKind | None:
    """The kind of a resolution symbol, or None for a symbol of no known kind."""
    return next((k for k in SYMBOL_KINDS if k.pattern.match(symbol.strip())), None)


def body_of(symbol: str) -> str | None:
    """The body that adopts resolutions under a symbol.

    >>> body_of("S/RES/2728 (2024)"), body_of("A/HRC/RES/50/33"), body_of("E/RES/2004/35")
    ('Security Council', 'Human Rights Council', 'Economic and Social Council')
    >>> body_of("A/RES/ES-11/1"), body_of("A/77/170") is None
    ('General Assembly', True)
    """
    kind = kind_of(symbol)
    return kind.body if kind else None


def session_of(symbol: str) -> Session | None:
    """The session a symbol names, if its kind names one.

    >>> session_of("A/RES/77/194"), session_of("A/RES/ES-11/1"), session_of("A/RES/S-30/1")
    (77, 'ES-11', 'S-30')
    >>> session_of("A/RES/2200(XXI)"), session_of("A/RES/2200 A (XXI)")
    (21, 21)
    >>> session_of("A/HRC/RES/50/33"), session_of("S/RES/2728 (2024)") is None
    (50, True)
    """
    kind = kind_of(symbol)
    if kind is None or not kind.has_session:
        return None
    m = kind.pattern.match(symbol.strip())
    assert m is not None
    raw = m.group("session")
    if raw.isdigit():
        return int(raw)
    if ROMAN.match(raw):
        return roman(raw)
    prefix, _, number = raw.partition("-")
    return f"{prefix}-{roman(number) if ROMAN.match(number) else int(number)}"


def parse_session(value: object) -> Session | None:
    """A session as metadata gives it: ``77``, ``"77"``, ``"ES-11"``, ``"es-11"``, ``"S-30"``.

    >>> parse_session(77), parse_session("77"), parse_session("es-11"), parse_session(None)
    (77, 77, 'ES-11', None)
    >>> parse_session(2.7)
    Traceback (most recent call last):
    ValueError: session must be a positive whole number or ES-n / S-n, not 2.7
    """
    if value is None:
        return None
    text = str(value).strip()
    if not isinstance(value, bool) and text.isdigit() and len(text) <= 6 and int(text) > 0:
        return int(text)
    special = SPECIAL_SESSION.match(text)
    if not isinstance(value, bool | float) and special and int(special.group(2)) > 0:
        return f"{special.group(1).upper()}-{int(special.group(2))}"
    raise ValueError(f"session must be a positive whole number or ES-n / S-n, not {text[:20]}")
