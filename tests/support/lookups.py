"""Support for the lookup, page and linked-data tests: the seed resolution read by the real
pipeline, in a real embedded store, served by the real app under uvicorn.

The service is the real one (``treatygraph.api.app:app_from_env``), started by uvicorn.
"""

from __future__ import annotations

import atexit
import contextlib
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tests.conftest import ROOT
from tests.support import uvicorn_service

SEED = ROOT / "corpus" / "A-RES-77-194.txt"
BASE = "https://w3id.org/treatygraph/id/"
ARTIFACTS = ROOT / "test-artifacts"


def seed_store(directory: Path) -> str:
    """An embedded store holding the seed resolution's graph; its spec."""
    import treatygraph as graph
    from treatygraph.rdf import mapping as rdf
    from treatygraph.store import open_store

    nt = directory / "seed.nt"
    nt.write_text(rdf.to_ntriples(rdf.triples([graph.read(SEED)], base=BASE)), "utf-8")
    spec = directory / "store"
    open_store(spec, read_only=False).load(nt)
    return str(spec)


@contextlib.contextmanager
def serve(store: str) -> Iterator[str]:
    """The service on ``store`` in its own process, on a free loopback port; its URL."""
    with uvicorn_service(store, ready="/resolutions", base=BASE) as url:
        yield url


@cache
def shared_service() -> str:
    """One service on the seed graph for every test module that asks (started once, since
    it takes seconds); stopped when the test process ends."""
    directory = Path(tempfile.mkdtemp(prefix="tg-lookups-"))
    running = serve(seed_store(directory))
    url = running.__enter__()
    atexit.register(running.__exit__, None, None, None)
    return url
