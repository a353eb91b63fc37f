"""Citation intent per citation, read from the clause that governs it.

A paragraph is cut into clauses where a main verb begins (the opening verb, and "and urges",
"; welcomes", ", reaffirming" later on); each clause's verb gives an intent
(``graph/data/intents.csv``, ``verb`` rows). Inside a clause, the verb's object may say more
("to consider ratifying or acceding to", "to implement"): the cues before a citation, read
together while no other citation stands between them, refine the verb's intent (``mix``
rows): "Urges States to consider ratifying X, and urges States parties to X to implement
it" urges ratification of the first X and implementation of the second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from treatygraph.reader.authority import read_data, read_rows

CLAUSE_START = re.compile(r"[,;:]\s+(?:and\s+)?(?=[a-z])")


@dataclass(frozen=True, slots=True)
class Rules:
    verbs: tuple[tuple[re.Pattern[str], str], ...]
    cues: tuple[tuple[re.Pattern[str], str], ...]
    mix: dict[str, str]
    verb_text: str  # every verb pattern's source, lower-cased: a clause's first word must be in it


@cache
def rules() -> Rules:
    rows = read_rows(read_data("intents.csv"))
    flags = re.IGNORECASE | re.DOTALL

    def patterns(scope: str) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(r["pattern"], flags), r["intent"]) for r in rows
                     if r["scope"] == scope)  # fmt: skip

    mix = {r["pattern"]: r["intent"] for r in rows if r["scope"] == "mix"}
    verb_text = " ".join(r["pattern"].lower() for r in rows if r["scope"] == "verb")
    return Rules(patterns("verb"), patterns("cue"), mix, verb_text)


def verb_intent(text: str) -> str | None:
    """The intent of a clause's opening verb, None when the clause opens with no known verb.

    >>> verb_intent("Urges Member States to consider ratifying"), verb_intent("the Convention")
    ('urges', None)
    """
    for pattern, intent in rules().verbs:
        if pattern.search(text):
            return intent
    return None


def intent_of(text: str) -> str:
    """The intent of a paragraph's first citation-free clause: its opening verb, refined by
    the cues in it.

    >>> intent_of("Urges Member States to consider ratifying or acceding to the Convention")
    'urges-ratification'
    >>> intent_of("Recalling the Convention"), intent_of("Takes note of the report")
    ('recalling', 'taking-note')
    """
    return intents(text, [(len(text), len(text))])[0]


def intents(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The intent of a citation at each span (offsets into ``text``, one paragraph); cue
    words inside a cited title ("Declaration on the Implementation of ...") are no cues."""
    clauses = _clauses(text)
    cues = sorted(
        (m.start(), cue)
        for pattern, cue in rules().cues
        for m in pattern.finditer(text)
        if not any(s <= m.start() < e for s, e in spans)
    )
    positions = [s for s, _ in spans]
    out: list[str] = []
    for at in positions:
        start, verb = next((s, v) for s, v in reversed(clauses) if s <= at)
        before = [c for c in cues if start <= c[0] < at]
        group = _last_group(before, [p for p in positions if start <= p < at])
        cue = "ratification" if "ratification" in group else ("implementation" if group else "")
        out.append(rules().mix.get(f"{verb}+{cue}", verb))
    return out


def _clauses(text: str) -> list[tuple[int, str]]:
    clauses = [(0, verb_intent(text) or "other")]
    known = rules().verb_text
    for m in CLAUSE_START.finditer(text):
        words = text[m.end() : m.end() + 40].lower().split(None, 2)
        if not any(w.strip(",;") in known for w in words[:2]):
            continue  # neither of the clause's first two words is in any verb pattern
        verb = verb_intent(text[m.end() :])
        if verb is not None:
            clauses.append((m.end(), verb))
    return clauses


def _last_group(cues: list[tuple[int, str]], citations: list[int]) -> set[str]:
    """The cues nearest before a citation, back to the first citation between two cues."""
    group: set[str] = set()
    for i in range(len(cues) - 1, -1, -1):
        if i < len(cues) - 1 and any(cues[i][0] < p < cues[i + 1][0] for p in citations):
            break
        group.add(cues[i][1])
    return group
