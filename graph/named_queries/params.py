"""The typed parameters of named queries: each value checked and turned into an RDF term
(an IRI, a literal of the right datatype) before it is bound, never formatted into SPARQL."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from treatygraph.rdf.iris import Ids
from treatygraph.rdf.vocab import INTENTS, KINDS, TG, XSD

# --- parameter types ----------------------------------------------------------------------

MAX_LENGTH = 200  # characters of any parameter value: ids and symbols are far shorter


@dataclass(frozen=True, slots=True)
class ParamType:
    """How a text value becomes an RDF term; ``to_term`` raises ValueError with the reason."""

    name: str
    description: str
    example: str
    to_term: Callable[[str, Ids], ox.NamedNode | ox.Literal]
    choices: tuple[str, ...] = ()  # the only values allowed, when there is a short list


_PARAGRAPH = re.compile(r"(?i)(pp|op)?0*(\d{1,4})")
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9/.()\- ]*")
_INSTRUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_ILO = re.compile(r"(?i)([CPR])\s*0*(\d{1,3})")
_INTEGER = re.compile(r"[+-]?\d{1,12}")
KIND_KEYS = tuple(k.key for k in KINDS)
INTENT_KEYS = tuple(i.key for i in INTENTS)


def check_text(value: str) -> str:
    """A value trimmed, bounded in length and free of control characters.

    >>> check_text("  op5 ")
    'op5'
    >>> check_text("a\\x00b")
    Traceback (most recent call last):
    ValueError: contains a control character (U+0000)
    """
    if len(value) > MAX_LENGTH:
        raise ValueError(f"too long ({len(value)} characters; at most {MAX_LENGTH})")
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValueError(f"contains a control character (U+{ord(char):04X})")
    value = value.strip()
    if not value:
        raise ValueError("is empty")
    return value


def paragraph_id(value: str) -> str:
    """A paragraph id: ``pp3``, ``op5``, or a bare number for an operative paragraph.

    >>> paragraph_id("5"), paragraph_id("OP05"), paragraph_id("pp3")
    ('op5', 'op5', 'pp3')
    >>> paragraph_id("0")
    Traceback (most recent call last):
    ValueError: paragraph numbers start at 1
    """
    m = _PARAGRAPH.fullmatch(check_text(value))
    if not m:
        raise ValueError(f"not a paragraph id: {value[:40]!r} (give op5, 5 or pp3)")
    number = int(m.group(2))
    if number == 0:
        raise ValueError("paragraph numbers start at 1")
    return f"{(m.group(1) or 'op').lower()}{number}"


def document_symbol(value: str) -> str:
    """A UN document symbol, with slashes (``A/RES/77/194``) or dashes (``A-RES-77-194``).

    >>> document_symbol(" A/RES/77/194 ")
    'A/RES/77/194'
    >>> document_symbol("../etc/passwd")
    Traceback (most recent call last):
    ValueError: not a document symbol: '../etc/passwd'
    """
    text = " ".join(check_text(value).split())
    if not _SYMBOL.fullmatch(text) or ".." in text or "//" in text or text.endswith("/"):
        raise ValueError(f"not a document symbol: {text[:40]!r}")
    return text


def slashed_symbol(value: str) -> str:
    """A symbol as the graph writes it: with slashes; a symbol given with dashes only has
    them read as slashes (which misreads the rare symbol with a dash of its own, such as
    A/RES/ES-11/1: give those with slashes).

    >>> slashed_symbol("A-77-170"), slashed_symbol("A/RES/ES-11/1")
    ('A/77/170', 'A/RES/ES-11/1')
    """
    text = document_symbol(value)
    return text if "/" in text else text.replace("-", "/")


def instrument_id(value: str) -> str:
    """An instrument's authority id.

    >>> instrument_id("tip_protocol")
    'tip_protocol'
    """
    text = check_text(value)
    if not _INSTRUMENT.fullmatch(text) or len(text) > 100:
        raise ValueError(f"not an instrument id: {text[:40]!r} (e.g. crc, cedaw, c029)")
    return text


def ilo_code(value: str) -> str:
    """An ILO instrument code, letter and three digits.

    >>> ilo_code("c29"), ilo_code("P029"), ilo_code("R 203")
    ('C029', 'P029', 'R203')
    """
    m = _ILO.fullmatch(check_text(value))
    if not m or int(m.group(2)) == 0:
        raise ValueError(f"not an ILO code: {value[:40]!r} (C029, P029 or R203)")
    return f"{m.group(1).upper()}{int(m.group(2)):03d}"


def integer(value: str) -> int:
    text = check_text(value)
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"not an integer: {text[:40]!r}")
    return int(text)


def _iri(value: str, _: Ids) -> ox.NamedNode:
    text = check_text(value)
    if not re.match(r"(?i)(https?|urn):", text):
        raise ValueError(f"not an absolute http(s) or urn IRI: {text[:40]!r}")
    return ox.NamedNode(text)  # pyoxigraph validates the IRI syntax


def _choice(keys: Sequence[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = check_text(value).lower().replace("_", "-").replace(" ", "-")
        if text not in keys:
            raise ValueError(f"unknown {what} {value[:40]!r}; one of: {', '.join(keys)}")
        return text

    return check


_kind_key = _choice(KIND_KEYS, "kind")
_intent_key = _choice(INTENT_KEYS, "intent")


def _integer_term(value: str, _: Ids) -> ox.Literal:
    return ox.Literal(str(integer(value)), datatype=ox.NamedNode(f"{XSD}integer"))


def _body(value: str, ids: Ids) -> ox.NamedNode:
    text = check_text(value)
    try:
        return ox.NamedNode(ids.body(text))
    except ValueError:
        raise ValueError(f"not a body name or slug: {text[:40]!r}") from None


TYPES: dict[str, ParamType] = {
    t.name: t
    for t in (
        ParamType(
            "resolution",
            "a resolution by its symbol, with slashes or dashes",
            "A/RES/77/194",
            lambda v, ids: ox.NamedNode(ids.resolution(document_symbol(v))),
        ),
        ParamType(
            "paragraph",
            "a paragraph id: op5 (or 5) for operative paragraph 5, pp3 for preambular 3",
            "op5",
            lambda v, _: ox.Literal(paragraph_id(v)),
        ),
        ParamType(
            "instrument",
            "an instrument by its authority id",
            "crc",
            lambda v, ids: ox.NamedNode(ids.instrument(instrument_id(v))),
        ),
        ParamType(
            "symbol",
            "a UN document symbol with slashes (A/77/170); without any slash, dashes read as "
            "slashes (A-77-170)",
            "A/77/170",
            lambda v, _: ox.Literal(slashed_symbol(v)),
        ),
        ParamType(
            "id",
            "an instrument's authority id, as text",
            "crc",
            lambda v, _: ox.Literal(instrument_id(v)),
        ),
        ParamType("integer", "a whole number", "1577", _integer_term),
        ParamType(
            "ilo_code",
            "an ILO code: C029, P029, R203",
            "C029",
            lambda v, _: ox.Literal(ilo_code(v)),
        ),
        ParamType(
            "kind",
            "an instrument kind (convention, ilo-convention, declaration, ...)",
            "convention",
            lambda v, _: ox.NamedNode(f"{TG}kind-{_kind_key(v)}"),
            KIND_KEYS,
        ),
        ParamType(
            "intent",
            "an intent (urges-ratification, recalling, welcoming, ...)",
            "urges-ratification",
            lambda v, _: ox.NamedNode(f"{TG}intent-{_intent_key(v)}"),
            INTENT_KEYS,
        ),
        ParamType("body", "an adopting body, by name or slug", "general-assembly", _body),
        ParamType("iri", "an absolute IRI", "https://w3id.org/treatygraph/id/instrument/crc", _iri),
        ParamType("string", "any text", "trafficking", lambda v, _: ox.Literal(check_text(v))),
    )
}
