"""Triple stores: embedded pyoxigraph on disk (default) or a remote SPARQL 1.1 server.

>>> open_store("sparql+http://127.0.0.1:7878/query", read_only=True).endpoints.update
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import (
    Bindings,
    Boolean,
    Dataset,
    LoadError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyStore,
    ResultTooLarge,
    Solutions,
    Store,
    StoreError,
    StoreUnavailable,
    Term,
    Triples,
)
from .embedded import EmbeddedStore
from .remote import SCHEMES, RemoteStore, bind_values, parse_spec
from .results import FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format, serialize
from .scan import Scan, scan

DEFAULT_SPEC = "data/store"
ENV_VAR = "TREATYGRAPH_STORE"


def default_spec() -> str:
    """The store named by ``TREATYGRAPH_STORE``, else ``data/store``."""
    return os.environ.get(ENV_VAR) or DEFAULT_SPEC


def open_store(spec: str | Path, *, read_only: bool) -> EmbeddedStore | RemoteStore:
    """A remote store for ``sparql+http(s)://...``, else an embedded store at that path."""
    text = str(spec)
    if text.startswith(SCHEMES):
        return RemoteStore(parse_spec(text), read_only=read_only)
    if "://" in text:
        raise ValueError(f"unknown store {text!r}: give a directory or sparql+http(s)://host/...")
    return EmbeddedStore(Path(text), read_only=read_only)


__all__ = [
    "DEFAULT_SPEC",
    "FORMATS",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "SCHEMES",
    "Bindings",
    "Boolean",
    "Dataset",
    "EmbeddedStore",
    "Format",
    "LoadError",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "ReadOnlyStore",
    "RemoteStore",
    "ResultTooLarge",
    "Scan",
    "Solutions",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Term",
    "Triples",
    "bind_values",
    "default_spec",
    "open_store",
    "parse_spec",
    "scan",
    "serialize",
]
