"""The whole build: read the corpus, write the graph to ``dist/``, load it into the store.

Each step is all or nothing: ``dist/`` is replaced atomically, the store loads into a new
generation swapped in at the end, so a failing build leaves what was there served.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from graph.build import BuildError, authority_checksums, build
from graph.corpus import CorpusRead, corpus_files, file_checksum, read_corpus
from graph.errors import TreatygraphError
from graph.ids import default_base, normalise_base
from graph.store import StoreError, open_store

STAMP = "build-stamp.json"  # beside dist/graph.nt: what the last build was made from


@dataclass(frozen=True)
class PipelineReport:
    corpus: CorpusRead
    triples: int
    loaded: int
    out_dir: Path
    store: str
    seconds: dict[str, float]

    def lines(self) -> list[str]:
        c = self.corpus
        return [
            f"read {len(c.files)} files ({c.parsed} parsed, {c.cached} cached, "
            f"{len(c.failures)} failed) in {c.seconds:.2f}s ({c.rate:.0f}/s)",
            f"wrote {self.triples} triples to {self.out_dir}/ in {self.seconds['graph']:.2f}s",
            f"loaded {self.loaded} triples into {self.store} in {self.seconds['load']:.2f}s",
        ]


def _stamp(corpus_dir: Path, base: str) -> dict[str, object]:
    files = {str(p): file_checksum(p) for p in corpus_files(corpus_dir)}
    return {"base": base, "corpus": files, "authority": authority_checksums()}


def needs_build(corpus_dir: Path, *, out_dir: Path, store: str, base: str | None = None) -> bool:
    """Whether the store is missing or was built from another corpus, data or base."""
    base = normalise_base(base) if base else _default_base()
    stamp_file = out_dir / STAMP
    try:
        recorded = json.loads(stamp_file.read_text("utf-8"))
    except (OSError, ValueError):
        return True
    if recorded != _stamp(corpus_dir, base):
        return True
    try:
        return open_store(store, read_only=True).triple_count() == 0
    except StoreError:
        return True


def _default_base() -> str:
    return normalise_base(default_base())


def run_build(
    corpus_dir: Path,
    *,
    out_dir: Path,
    store: str,
    base: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    validate: bool = False,
    progress: bool | None = None,
) -> PipelineReport:
    """Read, build and load; raises :class:`TreatygraphError` when nothing could be built."""
    base = normalise_base(base) if base else _default_base()
    corpus = read_corpus(corpus_dir, jobs=jobs, cache_dir=cache_dir, progress=progress)
    if not corpus.extractions:
        lines = [f"failed: {f}" for f in corpus.failures]
        raise TreatygraphError(
            "\n".join(
                [*lines, f"{corpus_dir}: no resolution could be read ({len(lines)} failed); "
                 "the previous graph and store are left as they were"]
            )
        )  # fmt: skip
    started = time.perf_counter()
    try:
        report = build(
            corpus.extractions, out_dir, base=base, sources=corpus.checksums, validate=validate
        )
    except BuildError as err:
        raise TreatygraphError(
            f"the graph fails its SHACL shapes; nothing written:\n{err}"
        ) from err
    graph_seconds = time.perf_counter() - started
    started = time.perf_counter()
    target = open_store(store, read_only=False)
    try:
        loaded = target.load(out_dir / "graph.nt")
    except StoreError as err:
        raise TreatygraphError(f"{store}: loading the graph failed: {err}") from err
    finally:
        target.close()
    load_seconds = time.perf_counter() - started
    (out_dir / STAMP).write_text(
        json.dumps(_stamp(corpus_dir, base), indent=1, sort_keys=True), encoding="utf-8"
    )
    return PipelineReport(
        corpus=corpus,
        triples=report.triples,
        loaded=loaded,
        out_dir=out_dir,
        store=store,
        seconds={"read": corpus.seconds, "graph": graph_seconds, "load": load_seconds},
    )
