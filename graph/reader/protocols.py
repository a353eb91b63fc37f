"""What the authority data says about protocols, for anaphora ("the Optional Protocol
thereto on the sale of children, ..."): which records are protocols, and what each child's
title adds to its parent's."""

from __future__ import annotations

from functools import cache

from treatygraph.model import Instrument
from treatygraph.reader.authority import Authority


def is_protocol(inst: Instrument, optional: bool) -> bool:
    return inst.kind == "optional protocol" if optional else "protocol" in inst.kind


@cache
def child_topics(authority: Authority) -> tuple[str, ...]:
    """What each child's title adds to its parent's ("on the sale of children, ..."),
    lower-cased, longest first."""
    topics = {t.lower() for i in authority.instruments.values() if (t := topic_of(i, authority))}
    return tuple(sorted(topics, key=lambda t: (-len(t), t)))


def topic_of(kid: Instrument, authority: Authority) -> str | None:
    """What a child's title adds to its parent's: "on the sale of children, ..."."""
    for parent in kid.parent:
        if parent not in authority.instruments:
            continue
        _, sep, tail = kid.title.partition(authority.get(parent).title + " ")
        if sep and tail.startswith("on "):
            return tail
    if not kid.parent:
        return None
    _, sep, tail = kid.title.rpartition(" on ")
    return "on " + tail if sep else None
