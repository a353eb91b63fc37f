"""IRI minting: one method per kind of node (see ``docs/design.md``, "IRIs").

Every node of the graph gets an IRI made only from what identifies it (symbol, paragraph,
footnote number, authority id, UNTS volume and number), never from a counter shared across
documents or from the clock, so that two builds of the same input are byte-identical and the
graph has no blank nodes.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from treatygraph.model import symbol_slug

DEFAULT_BASE = "https://w3id.org/treatygraph/id/"
ONTOLOGY = "https://w3id.org/treatygraph/ontology#"
BASE_ENV = "TREATYGRAPH_BASE"

# Characters kept as they are in a path segment: RFC 3986 "unreserved" plus the parentheses
# of symbols like A/RES/2200(XXI). ':' is left out on purpose: a relative IRI whose first
# segment holds a colon would read as a scheme.
_SAFE = "-._~()"

# The principal organs of the United Nations: "United Nations General Assembly" and "General
# Assembly" name one body, so both get the slug of the short name.
PRINCIPAL_ORGANS = {
    "general-assembly": "General Assembly",
    "security-council": "Security Council",
    "economic-and-social-council": "Economic and Social Council",
    "trusteeship-council": "Trusteeship Council",
    "international-court-of-justice": "International Court of Justice",
    "secretariat": "Secretariat",
}

_PARAGRAPH_ID = re.compile(r"(pp|op)(\d+)")


def default_base() -> str:
    """The base of instance IRIs: ``$TREATYGRAPH_BASE`` if set, else :data:`DEFAULT_BASE`."""
    return normalise_base(os.environ.get(BASE_ENV) or DEFAULT_BASE)


def normalise_base(base: str) -> str:
    """A base ends in ``/`` or ``#`` so that paths append cleanly.

    >>> normalise_base("http://example.org/id")
    'http://example.org/id/'
    >>> normalise_base("http://example.org/id#")
    'http://example.org/id#'
    """
    if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", base):
        raise ValueError(f"base IRI must be absolute: {base!r}")
    return base if base.endswith(("/", "#")) else base + "/"


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; accents folded, punctuation dropped.

    >>> slug("United Nations General Assembly")
    'united-nations-general-assembly'
    >>> slug("  Conférence des Parties — 2020 ")
    'conference-des-parties-2020'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    result = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not result:
        raise ValueError(f"nothing to make a slug of in {text!r}")
    return result


def segment(text: str) -> str:
    """One IRI path segment: readable characters kept, everything else percent-encoded.

    >>> segment("A-RES-2200(XXI)")
    'A-RES-2200(XXI)'
    >>> segment("tip_protocol")
    'tip_protocol'
    >>> segment("a/b c:é")
    'a%2Fb%20c%3A%C3%A9'
    """
    if not text:
        raise ValueError("empty IRI segment")
    return quote(text, safe=_SAFE)


def body_name(text: str) -> str:
    """The name of a body: the text before any parenthesis, comma or semicolon.

    >>> body_name("International Labour Conference, 103rd session")
    'International Labour Conference'
    >>> body_name("United Nations General Assembly (resolution 55/25)")
    'United Nations General Assembly'
    """
    return re.split(r"[(,;]", text, maxsplit=1)[0].strip()


def body_key(text: str) -> tuple[str, str]:
    """The slug and label of the body a text names; principal organs under their short name.

    >>> body_key("United Nations General Assembly (resolution 44/25)")
    ('general-assembly', 'General Assembly')
    >>> body_key("Commission on the Status of Women, sixty-sixth session")
    ('commission-on-the-status-of-women', 'Commission on the Status of Women')
    """
    name = body_name(text) or text.strip()
    key = slug(name)
    short = key.removeprefix("united-nations-")
    if short in PRINCIPAL_ORGANS:
        return short, PRINCIPAL_ORGANS[short]
    return key, name


def split_paragraph_id(pid: str) -> tuple[str, int]:
    """The kind and number of a paragraph id.

    >>> split_paragraph_id("op5")
    ('op', 5)
    """
    m = _PARAGRAPH_ID.fullmatch(pid)
    if not m:
        raise ValueError(f"not a paragraph id: {pid!r}")
    return m.group(1), int(m.group(2))


@dataclass(frozen=True, slots=True)
class Ids:
    """Mints the IRIs of one graph under ``base``.

    >>> ids = Ids("https://example.org/id/")
    >>> ids.resolution("A/RES/77/194")
    'https://example.org/id/resolution/A-RES-77-194'
    >>> ids.paragraph("A/RES/77/194", "op5")
    'https://example.org/id/resolution/A-RES-77-194/op/5'
    >>> ids.sub_item("A/RES/77/194", "op5", "a")
    'https://example.org/id/resolution/A-RES-77-194/op/5/a'
    >>> ids.footnote("A/RES/77/194", 19)
    'https://example.org/id/resolution/A-RES-77-194/fn/19'
    >>> ids.citation("A/RES/77/194", "op5", 1)
    'https://example.org/id/resolution/A-RES-77-194/citation/op5-1'
    >>> ids.instrument("crc")
    'https://example.org/id/instrument/crc'
    >>> ids.unts(1577, 27531)
    'https://example.org/id/unts/1577/27531'
    >>> ids.unts(39, None, 55)
    'https://example.org/id/unts/39/p55'
    >>> ids.body("United Nations General Assembly (resolution 44/25)")
    'https://example.org/id/body/general-assembly'
    """

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalise_base(self.base))

    def resolution(self, symbol: str) -> str:
        return f"{self.base}resolution/{segment(symbol_slug(symbol))}"

    def paragraph(self, symbol: str, pid: str) -> str:
        kind, number = split_paragraph_id(pid)
        return f"{self.resolution(symbol)}/{kind}/{number}"

    def sub_item(self, symbol: str, pid: str, letter: str) -> str:
        return f"{self.paragraph(symbol, pid)}/{segment(letter)}"

    def footnote(self, symbol: str, number: int) -> str:
        return f"{self.resolution(symbol)}/fn/{number}"

    def reference(self, symbol: str, footnote: int, ordinal: int) -> str:
        """The ``ordinal``-th (from 1) reference read from a footnote."""
        return f"{self.footnote(symbol, footnote)}/ref/{ordinal}"

    def citation(self, symbol: str, pid: str, ordinal: int) -> str:
        """The ``ordinal``-th (from 1) citation of paragraph ``pid``."""
        return f"{self.resolution(symbol)}/citation/{pid}-{ordinal}"

    def instrument(self, instrument_id: str) -> str:
        return f"{self.base}instrument/{segment(instrument_id)}"

    def unts(self, volume: int, number: int | None = None, page: int | None = None) -> str:
        """A UNTS record: by volume and registration number, else by volume and page."""
        if number is not None:
            return f"{self.base}unts/{volume}/{number}"
        if page is not None:
            return f"{self.base}unts/{volume}/p{page}"
        return f"{self.base}unts/{volume}"

    def body(self, text: str) -> str:
        return f"{self.base}body/{body_key(text)[0]}"

    def source(self, name: str) -> str:
        """A source file, by its file name (never a machine's absolute path)."""
        return f"{self.base}source/{segment(name)}"

    def build(self, digest: str) -> str:
        return f"{self.base}build/{segment(digest)}"

    def agent(self) -> str:
        return f"{self.base}agent/treatygraph"

    def dataset(self) -> str:
        return f"{self.base}dataset"
