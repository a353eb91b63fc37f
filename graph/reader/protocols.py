"""What the authority data says about protocols, for anaphora ("the Optional Protocol
thereto on the sale of children, ..."): which records are protocols, and what each child's
title adds to its parent's."""

from __future__ import annotations

import re
from functools import cache

from treatygraph.model import Instrument
from treatygraph.reader.authority import Authority
from treatygraph.reader.text_records import is_treaty, protocol_record

# "the protocols to the X", "..., to the Y and to the Z": what comes before a treaty's name
# when the protocols are cited, not the treaty (a capitalised "Protocol to the X" is a name).
PROTOCOLS_TO = re.compile(
    r"\b(?P<noun>protocols?)\s+to\s+(?:the\s+)?(?:[^;]{0,200}?(?:,|\band)\s+to\s+(?:the\s+)?)?$"
)


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


def protocols_named(before: str, parent: Instrument, authority: Authority) -> list[Instrument]:
    """The protocols "the protocols to the <parent>" cites: those the authority data lists
    under the parent, else one record of what the text says; none when the words before the
    parent's name say nothing of protocols."""
    m = PROTOCOLS_TO.search(before[-300:])
    if m is None or not is_treaty(parent):
        return []
    plural = m["noun"] == "protocols"
    kids = [authority.get(k) for k in authority.children.get(parent.id, ())]
    kids = [k for k in kids if is_protocol(k, False)]
    if kids and (plural or len(kids) == 1):
        return kids
    return [protocol_record(parent, optional=False, plural=plural)]
