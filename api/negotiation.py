"""HTTP content negotiation over a table of offers, by `Accept` with q-values.

>>> offers = (Offer("text/turtle", "turtle"), Offer("application/ld+json", "jsonld"))
>>> choose("application/ld+json;q=0.9, text/*;q=0.5", offers).name
'jsonld'
>>> choose("text/*", offers).name
'turtle'
>>> choose("image/png", offers) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Offer:
    """A media type the server can send, and the name of the serialisation behind it."""

    media_type: str
    name: str


@dataclass(frozen=True, slots=True)
class Range:
    """One media range of an Accept header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


@lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[Range, ...]:
    """Media ranges of `header`; malformed ranges are skipped, an empty header means */*."""
    ranges = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        ranges.append(Range(kind, sub, _quality(params)))
    return tuple(ranges) if ranges else (Range("*", "*", 1.0),)


def _quality(params: Iterable[str]) -> float:
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def quality(ranges: tuple[Range, ...], media_type: str) -> float:
    """The q the client gives `media_type`: that of the most specific range matching it."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: r.specificity).q


def choose(header: str | None, offers: Iterable[Offer]) -> Offer | None:
    """The offer the client likes best (table order breaks ties), None when nothing fits."""
    header = header or "*/*"
    if isinstance(offers, tuple) and len(header) <= _REMEMBERED:  # the same few headers return
        return _choose_from_table(header, offers)
    return _choose(header, offers)


_REMEMBERED = 256  # characters: longer headers are worked out each time (memory stays small)


@lru_cache(maxsize=512)
def _choose_from_table(header: str, offers: tuple[Offer, ...]) -> Offer | None:
    return _choose(header, offers)


def _choose(header: str, offers: Iterable[Offer]) -> Offer | None:
    ranges = parse_accept(header)
    best: Offer | None = None
    best_q = 0.0
    for offer in offers:
        q = quality(ranges, offer.media_type)
        if q > best_q:
            best, best_q = offer, q
    return best
