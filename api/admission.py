"""A gate for work that runs in the service's own process: at most `slots` requests at once.

Lookups (library queries) and traversals (the networkx view) run in this process, hold the
GIL and their working memory while they run; more of them at once only add memory and slow
the event loop for every other request. The others wait, holding no thread, for at most
`wait` seconds, then get the caller's "busy" error (a 503 with Retry-After). After a request
the allocator's free pages go back to the system, at most once a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from treatygraph.api import arenas as memory


class Gate:
    """`await gate.enter()` … `gate.leave()`: plain calls, not a context manager, so that an
    error raised by the guarded work keeps its own traceback (a frozen exception raised
    inside a context manager could not take one)."""

    def __init__(self, slots: int, wait: float, *, busy: Callable[[], Exception]) -> None:
        self.slots = max(1, slots)
        self.wait = max(0.0, wait)
        self._busy = busy
        self._free = asyncio.Semaphore(self.slots)
        self._trimmed = 0.0

    async def enter(self) -> None:
        """Take a slot, or raise the busy error after `wait` seconds."""
        if not self._free.locked():  # a free slot and no one waiting: take it now
            await self._free.acquire()
            return
        try:
            await asyncio.wait_for(self._free.acquire(), self.wait)
        except TimeoutError:
            raise self._busy() from None

    def leave(self) -> None:
        self._free.release()
        now = time.monotonic()
        if now - self._trimmed > 1.0:
            self._trimmed = now
            asyncio.get_running_loop().run_in_executor(None, memory.trim)
