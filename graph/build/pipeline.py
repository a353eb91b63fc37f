"""The whole build: read the corpus, write the graph to ``dist/``, load it into the store.

Each step is all or nothing: ``dist/`` is replaced atomically, the store loads into a new
generation swapped in at the end, so a failing build leaves what was there served.

Memory stays bounded as the corpus grows: workers read and map one resolution at a time and
write its part of the graph to a file (kept in the cache, or in a scratch folder beside
``dist/``); the main process keeps only each part's record, writes ``graph.nt`` by streaming
the parts in canonical order, and the store bulk-loads that file.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import multiprocessing
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from treatygraph.build import answers
from treatygraph.build.corpus import (
    CorpusRead,
    Failure,
    Outcome,
    corpus_files,
    file_checksum,
    map_corpus,
    part_lines,
)
from treatygraph.build.dist import (
    BuildError,
    BuildReport,
    authority_checksums,
    store_graphs,
    with_authority,
    write,
)
from treatygraph.build.folders import scratch_folder
from treatygraph.errors import TreatygraphError
from treatygraph.rdf.iris import default_base, normalise_base
from treatygraph.rdf.parts import Assembly, DuplicateResolution, Part, Whole
from treatygraph.store import EmbeddedStore, RemoteStore, Store, StoreError, open_store

STAMP = "build-stamp.json"  # beside dist/graph.nt: what the last build was made from
PARTS = "parts"  # under the cache folder: one file per resolution's part of the graph


@dataclass(frozen=True)
class PipelineReport:
    corpus: CorpusRead
    triples: int
    loaded: int
    out_dir: Path
    store: str
    seconds: dict[str, float]
    build: BuildReport | None = None
    answers: int = 0

    def lines(self) -> list[str]:
        c = self.corpus
        lines = [
            f"read {len(c.files)} files ({c.parsed} parsed, {c.cached} cached, "
            f"{len(c.failures)} failed) in {c.seconds:.2f}s ({c.rate:.0f}/s)",
            f"wrote {self.triples} triples to {self.out_dir}/ in {self.seconds['graph']:.2f}s",
        ]
        if self.build is not None and self.build.skipped:
            lines.append(
                f"left out {' and '.join(self.build.skipped)}: {self.triples} triples is past "
                "the size where they are written (graph.nt holds the whole graph)"
            )
        lines.append(
            f"loaded {self.loaded} triples into {self.store} in {self.seconds['load']:.2f}s"
        )
        if "answers" in self.seconds:
            lines.append(
                f"wrote {self.answers} answers of the lookups in {self.seconds['answers']:.2f}s"
            )
        return lines


def _stamp(
    corpus_dir: Path, base: str, checksums: dict[str, str] | None = None
) -> dict[str, object]:
    files = checksums or {str(p): file_checksum(p) for p in corpus_files(corpus_dir)}
    return {"base": base, "corpus": dict(sorted(files.items())), "authority": authority_checksums()}


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
    dumps: bool | None = None,
) -> PipelineReport:
    """Read, build and load; raises :class:`TreatygraphError` when nothing could be built."""
    base = normalise_base(base) if base else _default_base()
    show = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    with answers.staging(out_dir) as staged, _parts_folder(cache_dir, out_dir) as folder:
        corpus, report, made = _read_and_write(
            corpus_dir, out_dir, base, folder, cache_dir is not None, jobs, show,
            validate=validate, dumps=dumps, staged=staged,
        )  # fmt: skip
        with made:
            _release_memory()  # the bulk load is the build's peak: give it back what reading held
            graph_seconds = time.perf_counter() - started - corpus.seconds
            started = time.perf_counter()
            target = open_store(store, read_only=False)
            try:
                with _status(show, f"loading {report.triples} triples into {store}"):
                    loaded, finished, total = _load(target, out_dir, made)
            except StoreError as err:
                raise TreatygraphError(f"{store}: loading the graph failed: {err}") from err
            finally:
                target.close()
    load_seconds = time.perf_counter() - started - finished
    (out_dir / STAMP).write_text(
        json.dumps(_stamp(corpus_dir, base, corpus.checksums), indent=1, sort_keys=True),
        encoding="utf-8",
    )
    return PipelineReport(
        corpus=corpus,
        triples=report.triples,
        loaded=loaded,
        out_dir=out_dir,
        store=store,
        seconds={
            "read": corpus.seconds,
            "graph": graph_seconds,
            "load": load_seconds,
            "answers": finished,
        },
        build=report,
        answers=total,
    )


@dataclass(frozen=True)
class _Staged:
    """The lookups' answers staged at ``path`` for the build ``build``: how many."""

    path: Path
    base: str
    build: str
    count: int


class _Staging:
    """The per-resolution answers being staged by a process of their own (its workers use
    the cores that writing ``dist/`` and loading the store leave idle) while the build goes
    on.

    :meth:`wait` gives what was staged; leaving the ``with`` block stops an unfinished
    staging (the build failed) and waits for it, so that the part files it reads outlive
    it."""

    def __init__(self, whole: Whole, located: _Located, path: Path, jobs: int | None) -> None:
        # Only where each resolution's lines are goes to the process, not the parts' records.
        sources = [answers.Source(p.symbol, *located.where[p.iri], p.size) for p in whole.parts]
        # Spawned, not forked: pyoxigraph's threads do not survive a fork.
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._reply, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=answers.stage_in_child,
            args=(child_end, sources, whole.shared, whole.base, path, jobs, self._stop),
            name="treatygraph-answers",
        )
        self._process.start()
        child_end.close()
        self._build = str(whole.build).strip("<>").rpartition("/")[2]
        self._path, self._base = path, whole.base

    def wait(self) -> _Staged:
        try:
            status, found = self._reply.recv()
        except EOFError:
            status, found = "error", f"its process ended with code {self._process.exitcode}"
        self._process.join()
        if status != "ok":
            raise TreatygraphError(f"staging them failed: {found}")
        return _Staged(self._path, self._base, self._build, int(found))

    def __enter__(self) -> _Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join()
        self._reply.close()


def _load(
    target: EmbeddedStore | RemoteStore, out_dir: Path, staging: _Staging
) -> tuple[int, float, int]:
    """Load ``graph.nt`` and put the answers beside the store: inside the new generation of
    an embedded store (swapped in with it), beside ``graph.nt`` for a remote one (moved in
    once the load succeeded). The number of triples; the seconds spent on the answers after
    the load (waiting for the staging, then the instrument-wide answers) and their number."""
    spent = [0.0, 0.0]

    def finish(store: Store, dest: Path) -> None:
        started = time.perf_counter()
        try:
            made = staging.wait()
            spent[1] = answers.finish(made.path, store, dest, base=made.base, build=made.build)
        except (sqlite3.Error, TreatygraphError, StoreError) as err:
            raise RuntimeError(f"the lookups' answers could not be written: {err}") from err
        spent[0] = time.perf_counter() - started

    graph = out_dir / "graph.nt"
    if isinstance(target, EmbeddedStore):
        count = target.load(
            graph,
            graphs=store_graphs(out_dir),
            prepare=lambda gen: finish(EmbeddedStore(gen, read_only=True), gen / answers.FILE),
        )
    else:
        count = target.load(graph, graphs=store_graphs(out_dir))
        (out_dir / answers.FILE).unlink(missing_ok=True)  # the last build's: the graph moved on
        try:
            finish(target, out_dir / answers.FILE)
        except RuntimeError as err:  # the graph is loaded; the routes answer from it
            raise TreatygraphError(f"{err}; the graph was loaded, the lookups query it") from err
    return count, spent[0], int(spent[1])


def _read_and_write(
    corpus_dir: Path,
    out_dir: Path,
    base: str,
    folder: Path,
    reuse: bool,
    jobs: int | None,
    show: bool,
    *,
    validate: bool,
    dumps: bool | None,
    staged: Path,
) -> tuple[CorpusRead, BuildReport, _Staging]:
    """Read every file into parts (in ``folder``), then stage the answers from them while
    ``dist/`` is written."""
    files = corpus_files(corpus_dir)
    corpus, assembly, outcomes = _read(files, base, folder, reuse, jobs, show)
    if not assembly.parts:
        lines = [f"failed: {f}" for f in corpus.failures]
        raise TreatygraphError(
            "\n".join(
                [*lines, f"{corpus_dir}: no resolution could be read ({len(lines)} failed); "
                 "the previous graph and store are left as they were"]
            )
        )  # fmt: skip
    sources = with_authority({path: corpus.checksums[path] for path in outcomes.paths})
    whole = assembly.finish(sources)
    staging = _Staging(whole, outcomes, staged, jobs)
    with contextlib.ExitStack() as on_error:
        on_error.enter_context(staging)  # stopped if writing fails
        try:
            with _status(show, f"writing {out_dir}/"):
                report = write(
                    whole, out_dir, read=outcomes.read, sources=sources, validate=validate,
                    dumps=dumps,
                )  # fmt: skip
        except BuildError as err:
            raise TreatygraphError(
                f"the graph fails its SHACL shapes; nothing written:\n{err}"
            ) from err
        on_error.pop_all()
    return corpus, report, staging


def _release_memory() -> None:
    """Collect garbage and hand freed heap back to the system (glibc), so that the next step's
    peak does not sit on top of this one's."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: reused, only not returned
        ctypes.CDLL(None).malloc_trim(0)


class _Located:
    """Where each part's lines are: its part file and the offset they begin at."""

    def __init__(self) -> None:
        self.where: dict[str, tuple[Path, int]] = {}  # resolution IRI → (part file, offset)
        self.paths: list[str] = []

    def add(self, outcome: Outcome) -> None:
        assert outcome.part is not None and outcome.lines is not None
        self.where[outcome.part.iri] = (outcome.lines, outcome.offset)
        self.paths.append(outcome.path)

    def read(self, part: Part, start: int, end: int) -> bytes:
        path, offset = self.where[part.iri]
        return part_lines(path, offset, start, end)


def _read(
    files: list[Path], base: str, folder: Path, reuse: bool, jobs: int | None, show: bool
) -> tuple[CorpusRead, Assembly, _Located]:
    """Read and map every file; fold each part into an assembly as it comes."""
    started = time.perf_counter()
    assembly = Assembly(base)
    located = _Located()
    checksums: dict[str, str] = {}
    failures: list[Failure] = []
    parsed = cached = 0
    for outcome in map_corpus(files, base=base, folder=folder, reuse=reuse, jobs=jobs,
                              progress=show):  # fmt: skip
        if outcome.checksum:
            checksums[outcome.path] = outcome.checksum
        if outcome.part is None:
            failures.append(Failure(outcome.path, outcome.error or "failed"))
            continue
        try:
            assembly.add(outcome.part)
        except DuplicateResolution as err:
            failures.append(Failure(outcome.path, f"error: {err}"))
            continue
        located.add(outcome)
        cached += outcome.from_cache
        parsed += not outcome.from_cache
    corpus = CorpusRead(
        files=tuple(str(f) for f in files),
        checksums=checksums,
        failures=tuple(failures),
        parsed=parsed,
        cached=cached,
        seconds=time.perf_counter() - started,
    )
    return corpus, assembly, located


@contextmanager
def _parts_folder(cache_dir: Path | None, out_dir: Path) -> Iterator[Path]:
    """Where part files go: the cache, kept; else a scratch folder beside ``out_dir``, removed
    (beside it so that it is on a disk, not in a memory-backed /tmp), and removed by the next
    build if this one is killed (:func:`treatygraph.build.dist.scratch_folder`)."""
    if cache_dir is not None:
        yield cache_dir / PARTS
        return
    with scratch_folder(out_dir, "parts-") as scratch:
        yield scratch


def _status(show: bool, message: str) -> AbstractContextManager[object]:
    if not show:
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)
