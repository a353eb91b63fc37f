"""A small cache of answers, for a store that cannot change under it without our knowing.

The embedded store only changes by a swap of its generation symlink, so an answer stays
true until that link moves: each lookup reads the link (one syscall) and a new generation
empties the cache. A remote store can change behind our back, so it gets no cache.
Answers of queries whose result may differ from one run to the next are never kept.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

from api.wire import Answer
from graph.store import SCHEMES, scan

VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE", "SERVICE", "SERVICE:"})


class AnswerCache:
    """Least-recently-used answers, keyed by the request, dropped when the data changes."""

    def __init__(self, entries: int, max_body: int, generation: Callable[[], str | None]) -> None:
        self.entries = entries
        self.max_body = max_body
        self._generation = generation
        self._seen: str | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()

    @classmethod
    def for_store(cls, spec: str, entries: int, max_body: int = 256 * 1024) -> AnswerCache:
        if spec.startswith(SCHEMES):
            entries = 0
        path = Path(spec)
        return cls(entries, max_body, lambda: _link(path))

    def get(self, key: Hashable) -> Answer | None:
        if not self.entries:
            return None
        generation = self._generation()
        if generation != self._seen:
            self._answers.clear()
            self._seen = generation
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, query: str, answer: Answer) -> None:
        if not self.entries or answer.status != 200 or len(answer.body) > self.max_body:
            return
        if scan(query).keywords & VOLATILE:
            return
        self._answers[key] = answer
        if len(self._answers) > self.entries:
            self._answers.popitem(last=False)


def _link(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None
