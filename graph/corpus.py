"""Reading a whole corpus: every ``*.txt`` of a folder (with the ``.meta.yaml`` beside it),
in parallel across cores, with a cache keyed by checksum so that an unchanged file is not
parsed again, and one line per file that failed without stopping the others."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from graph.errors import TreatygraphError, fatal
from graph.extract import meta_path, read
from graph.model import Extraction

# Bump when the reader changes what it extracts, so cached readings are not reused.
READER_VERSION = "1"
PARALLEL_FROM = 16  # below this many files, a process pool costs more than it saves


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class CorpusRead:
    """What reading a corpus gave: extractions in file order, checksums, failures, counts."""

    extractions: tuple[Extraction, ...]
    checksums: dict[str, str]
    failures: tuple[Failure, ...] = ()
    parsed: int = 0
    cached: int = 0
    seconds: float = 0.0
    files: tuple[str, ...] = field(default=())

    @property
    def rate(self) -> float:
        return len(self.files) / self.seconds if self.seconds else 0.0


def corpus_files(directory: Path) -> list[Path]:
    """The resolution texts of a corpus folder, sorted for a deterministic build."""
    if not directory.is_dir():
        raise fatal("not a corpus folder (no such directory)", file=str(directory))
    files = sorted(p for p in directory.rglob("*.txt") if p.is_file())
    if not files:
        raise fatal("corpus folder has no *.txt resolution texts", file=str(directory))
    return files


@cache
def _data_digest() -> str:
    """A digest of the reference data: the cache is void when the authority data changes."""
    digest = hashlib.sha256(READER_VERSION.encode())
    for entry in sorted(resources.files("graph").joinpath("data").iterdir(), key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]


def file_checksum(path: Path) -> str:
    """SHA-256 of a text and of its metadata file, as one source."""
    digest = hashlib.sha256(path.read_bytes())
    meta = meta_path(path)
    if meta.exists():
        digest.update(b"\0meta\0" + meta.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Outcome:
    path: str
    checksum: str
    extraction: Extraction | None
    error: str | None
    from_cache: bool


def _read_one(path: Path, cache_dir: Path | None) -> _Outcome:
    try:
        checksum = file_checksum(path)
    except OSError as err:
        return _Outcome(str(path), "", None, f"cannot read: {err.strerror or err}", False)
    cached = _from_cache(cache_dir, checksum)
    if cached is not None:
        return _Outcome(str(path), checksum, cached, None, True)
    try:
        extraction = read(path)
    except TreatygraphError as err:
        return _Outcome(str(path), checksum, None, str(err), False)
    _to_cache(cache_dir, checksum, extraction)
    return _Outcome(str(path), checksum, extraction, None, False)


def _cache_file(cache_dir: Path, checksum: str) -> Path:
    return cache_dir / _data_digest() / checksum[:2] / f"{checksum}.pickle"


def _from_cache(cache_dir: Path | None, checksum: str) -> Extraction | None:
    if cache_dir is None:
        return None
    target = _cache_file(cache_dir, checksum)
    try:
        with target.open("rb") as fh:
            value = pickle.load(fh)  # our own cache, written below; never user input
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    return value if isinstance(value, Extraction) else None


def _to_cache(cache_dir: Path | None, checksum: str, extraction: Extraction) -> None:
    if cache_dir is None:
        return
    target = _cache_file(cache_dir, checksum)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(target)  # atomic: a reader never sees half a file
    except OSError:
        pass  # a cache that cannot be written only costs time


def _read_all(files: list[Path], cache_dir: Path | None, jobs: int) -> Iterator[_Outcome]:
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        for path in files:
            yield _read_one(path, cache_dir)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(64, len(files) // (jobs * 8)))
        yield from pool.map(_read_one, files, [cache_dir] * len(files), chunksize=chunk)


def read_corpus(
    directory: Path,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: bool | None = None,
) -> CorpusRead:
    """Read every resolution of a corpus folder; failures are collected, not raised."""
    files = corpus_files(directory)
    jobs = jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()
    outcomes = list(_with_progress(_read_all(files, cache_dir, jobs), len(files), show))
    extractions = tuple(o.extraction for o in outcomes if o.extraction is not None)
    return CorpusRead(
        extractions=extractions,
        checksums={o.path: o.checksum for o in outcomes if o.extraction is not None},
        failures=tuple(Failure(o.path, o.error) for o in outcomes if o.error),
        parsed=sum(1 for o in outcomes if o.extraction is not None and not o.from_cache),
        cached=sum(1 for o in outcomes if o.from_cache),
        seconds=time.perf_counter() - start,
        files=tuple(str(f) for f in files),
    )


def _with_progress(outcomes: Iterator[_Outcome], total: int, show: bool) -> Iterator[_Outcome]:
    if not show:
        yield from outcomes
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("reading resolutions"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.0f}/s · {task.fields[failed]} failed"),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("read", total=total, rate=0.0, failed=0)
        failed = 0
        for done, outcome in enumerate(outcomes, start=1):
            failed += outcome.error is not None
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=1, rate=rate, failed=failed)
            yield outcome
