"""Service settings, read from ``TREATYGRAPH_*`` environment variables.

>>> s = Settings.from_env({"TREATYGRAPH_QUERY_TIMEOUT": "2.5", "TREATYGRAPH_SERVICE_ALLOW": "a b"})
>>> s.query_timeout, s.service_allow
(2.5, ('a', 'b'))
>>> Settings.from_env({"TREATYGRAPH_CACHE": "off"}).cache
False
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from treatygraph.rdf.iris import default_base
from treatygraph.store import default_spec

PREFIX = "TREATYGRAPH_"


def _default_workers() -> int:
    return max(2, min(os.cpu_count() or 2, 8))


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an operator can tune; each limit has a safe default."""

    store: str = dataclasses.field(default_factory=default_spec)  # path or sparql+http(s)://
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0  # seconds; the worker running a query past it is killed
    max_rows: int = 100_000  # result rows (or triples) before a result is refused
    max_body_bytes: int = 1_000_000  # request body, 413 past it
    max_depth: int = 64  # nesting of { ( [ in a query
    workers: int = dataclasses.field(default_factory=_default_workers)  # query subprocesses
    worker_memory_mb: int = 2048  # data-segment cap per worker (0: none)
    queue_timeout: float = 30.0  # seconds a request may wait for a free worker
    cache: bool = True  # keep answers for the embedded store until its next load
    cache_entries: int = 2048  # answers kept at most (0: no cache)
    cache_bytes: int = 64 * 1024 * 1024  # their bodies' bytes at most
    cache_entry_bytes: int = 1024 * 1024  # a larger answer is sent but not kept
    answers: str = "on"  # the build's lookup answers: on (in the store), off, or a file's path
    service_allow: tuple[str, ...] = ()  # SERVICE endpoints allowed; none by default
    queries_dir: Path = Path("queries")  # example queries (*.rq) shown on the query page
    # The base IRI of /sparql queries (their own BASE wins): the graph's base by default
    # (TREATYGRAPH_BASE, else https://w3id.org/treatygraph/id/), so <instrument/crc> is the CRC.
    query_base: str = dataclasses.field(default_factory=default_base)

    def __post_init__(self) -> None:
        try:
            ox.NamedNode(self.query_base)
        except ValueError:
            raise ValueError(
                f"{PREFIX}QUERY_BASE: {self.query_base!r} is not an absolute IRI"
            ) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `env` (default: os.environ); keyword overrides win."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(PREFIX + field.name.upper())
            if raw is not None and raw.strip():
                values[field.name] = _convert(field.name, raw.strip())
        return cls(**{**values, **overrides})


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


def _convert(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    if kind == "bool":
        if raw.lower() not in _BOOLEANS:
            raise ValueError(
                f"{PREFIX}{name.upper()}: {raw!r} is not one of {', '.join(_BOOLEANS)}"
            )
        return _BOOLEANS[raw.lower()]
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    if kind.startswith("tuple"):
        return tuple(raw.replace(",", " ").split())
    return raw
