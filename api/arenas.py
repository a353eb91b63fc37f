"""Keeping the service's resident memory near what it uses (glibc's allocator).

Requests run in a pool of threads (40 by default), and glibc gives every thread that
allocates its own arena, up to eight per core, each kept at its high-water mark. A library
query on a large graph needs a hundred megabytes or more for a moment, in whichever thread
runs it: on 1,000 resolutions under load the service grew past 1.6 GB and went on growing,
with two arenas it stays near 550 MB. So: two arenas, and free pages handed back after a
large query. Elsewhere than glibc both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 (glibc only)
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def bound_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` malloc arenas for threads to come; whether glibc took it."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> None:
    """Hand the allocator's free pages back to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
