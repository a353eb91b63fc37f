"""Support for the network, export and explorer tests: the seed graph (read by the real
pipeline) in a real embedded store, and the service with the explorer mounted, under uvicorn.

The service is the real one (``treatygraph.api.app:app_from_env``), started by uvicorn.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT
from tests.support import uvicorn_service

SEED = ROOT / "corpus" / "A-RES-77-194.txt"
# A second, made-up resolution: it cites a protocol (opsc) and not its parent (crc).
EXTRA = (
    "The General Assembly,\n\n Recalling the Optional Protocol to the Convention on the Rights"
    " of the Child on the sale of children, child prostitution and child pornography,1\n\n"
    " 1. Urges States to act.\n_________\n 1 United Nations, Treaty Series, vol. 2171,"
    " No. 27531.\n"
)
EXTRA_SYMBOL = "A/RES/99/1"


def seed_ntriples(*, extra: bool = False) -> str:
    """The seed resolution (and, with `extra`, the made-up one) as canonical N-Triples."""
    import treatygraph as graph
    from treatygraph.model import ResolutionMeta
    from treatygraph.rdf import mapping as rdf

    extractions = [graph.read(SEED)]
    if extra:
        meta = ResolutionMeta(symbol=EXTRA_SYMBOL, title="Made-up resolution", session=99)
        extractions.append(graph.extract(graph.parse(EXTRA, meta=meta)))
    return rdf.to_ntriples(rdf.triples(extractions))


def load_store(directory: Path, ntriples: str) -> str:
    """An embedded store under `directory` holding `ntriples`; its spec."""
    from treatygraph.store import open_store

    source = directory / "graph.nt"
    source.write_text(ntriples, encoding="utf-8")
    spec = directory / "store"
    open_store(spec, read_only=False).load(source)
    return str(spec)


@functools.cache
def shared_store() -> str:
    """One store with both resolutions for every test module of this process."""
    directory = Path(tempfile.mkdtemp(prefix="treatygraph-network-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return load_store(directory, seed_ntriples(extra=True))


@functools.cache
def shared_service() -> str:
    """One service on :func:`shared_store` for every test module (starting one costs
    seconds); stopped when the process exits."""
    running = contextlib.ExitStack()
    url = running.enter_context(serve(shared_store()))
    atexit.register(running.close)
    return url


@contextlib.contextmanager
def serve(store: str, **env: object) -> Iterator[str]:
    """The service on `store` in its own process, on a free loopback port; its base URL.
    `env` sets ``TREATYGRAPH_*`` variables (``network_max_depth=2``)."""
    with uvicorn_service(store, ready="/export", **env) as url:
        yield url
