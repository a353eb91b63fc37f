"""The service's one cache of answers, for a store that cannot change without our knowing.

The embedded store only changes by a swap of its generation symlink, so an answer stays
true until that link moves: every request reads the link (one syscall), a new generation
empties the cache, and an answer is kept only when the link did not move while it was being
made. A remote store can change behind our back, so it gets no cache. Answers of queries
whose result may differ from one run to the next are never kept.

Two kinds of entries share the bound (least recently used first out, by count and by bytes):
whole HTTP responses, kept by the ASGI layer of `treatygraph.api.cache_middleware` for GET and
HEAD, and query
answers of ``POST /sparql`` (`treatygraph.api.routes.sparql`), whose query is in the body.

>>> cache = Cache(entries=2, max_bytes=100, max_entry=60, generation=lambda: "g1")
>>> g = cache.current()
>>> cache.put("a", b"A", 10, g), cache.put("big", b"B", 61, g)
(True, False)
>>> cache.get("a"), cache.get("b")
(b'A', None)
>>> cache.stats()["hits"], cache.stats()["misses"]
(1, 1)
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from treatygraph.api.settings import Settings
from treatygraph.store import SCHEMES, scan

VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE", "SERVICE", "SERVICE:"})


def volatile(query: str) -> bool:
    """Whether two runs of `query` on the same data may answer differently (or call out)."""
    return bool(scan(query).keywords & VOLATILE)


class Cache:
    """Least-recently-used entries, bounded in number and in bytes, dropped when the store's
    generation changes. Runs on the event loop only (no locks)."""

    def __init__(
        self,
        *,
        entries: int,
        max_bytes: int,
        max_entry: int,
        generation: Callable[[], str | None],
    ) -> None:
        self.max_entries = max(0, entries)
        self.max_bytes = max(0, max_bytes)
        self.max_entry = max(0, min(max_entry, max_bytes))
        self.enabled = bool(self.max_entries and self.max_entry)
        self._generation = generation
        self._seen: str | None = None
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = self.stores = self.evictions = self.invalidations = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> Cache:
        """The cache `settings` ask for; disabled for a remote store."""
        spec = str(settings.store)
        entries = settings.cache_entries if settings.cache else 0
        if spec.startswith(SCHEMES):
            entries = 0
        path = Path(spec)
        return cls(
            entries=entries,
            max_bytes=settings.cache_bytes,
            max_entry=settings.cache_entry_bytes,
            generation=lambda: _link(path),
        )

    def current(self) -> str | None:
        """The store's generation now; the cache is emptied when it moved since last seen."""
        generation = self._generation()
        if generation != self._seen:
            if self._items:
                self.invalidations += 1
            self._items.clear()
            self._bytes = 0
            self._seen = generation
        return generation

    def get(self, key: Hashable) -> Any | None:
        """The entry kept for `key` (counted as a hit), else None (a miss). Call `current()`
        first, in the same request."""
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, key: Hashable, value: Any, size: int, generation: str | None) -> bool:
        """Keep `value` (about `size` bytes), made from the store's `generation` as read by
        `current()` before it was made; refused when the store moved since, or too big."""
        if not self.enabled or size > self.max_entry:
            return False
        if self.current() != generation:  # a load swapped the store while this was made
            return False
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        self.stores += 1
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped
            self.evictions += 1
        return True

    def stats(self) -> dict[str, Any]:
        """Figures for `/stats`: what is kept and how often it served."""
        return {
            "enabled": self.enabled,
            "entries": len(self._items),
            "bytes": self._bytes,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
            "max_entry_bytes": self.max_entry,
            "hits": self.hits,
            "misses": self.misses,
            "stores": self.stores,
            "evictions": self.evictions,
            "invalidations": self.invalidations,
        }


def _link(path: Path) -> str | None:
    """Where the store's symlink points (None: no link, or a plain directory)."""
    try:
        return os.readlink(path)
    except OSError:
        return None
