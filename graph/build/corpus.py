"""Reading a whole corpus: every resolution file of a folder (``*.txt``, ``*.pdf``, ``*.md``,
``*.htm``, ``*.html``, with the ``.meta.yaml`` beside it; one file a name, see
:func:`corpus_files`),
read and mapped to its part of the graph in parallel across cores, with a cache keyed by
checksum so that an unchanged file is not read again, and one line per file that failed
without stopping the others.

A worker reads one resolution, maps it to RDF (:func:`treatygraph.rdf.mapping.resolution_part`) and
writes
the part to a file: the part's record (pickled) then its own N-Triples lines. Only the record
travels back to the main process, which never holds the lines of more than one resolution at
a time. With a cache folder the part files are kept there, named by a digest of everything
they depend on (the file's bytes and name, the base IRI, the reference data and the code that
reads and maps), so a rebuild reuses every part whose inputs did not change; without one they
go to a scratch folder the caller removes.

The workers end with the build, even when it is killed outright (SIGKILL, the OOM killer): on
Linux the kernel kills them when it dies (``PR_SET_PDEATHSIG``); elsewhere they finish their
share of the corpus.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from treatygraph import resources as package_resources
from treatygraph.errors import TreatygraphError, fatal
from treatygraph.rdf.parts import Part, resolution_part
from treatygraph.reader.extract import meta_path, read

# Bump when the reader changes what it extracts, so cached readings are not reused. (The code
# of the reader and of the mapping is part of the cache key as well, so this is a backstop.)
READER_VERSION = "2"
PARALLEL_FROM = 16  # below this many files, a process pool costs more than it saves
MAGIC = b"TGP1"  # part files: magic, record length (8 bytes LE), pickled record, lines
_HEADER = struct.Struct("<4sQ")
# The modules whose code decides what a part holds.
_CODE = (
    "reader/authority", "reader/clean", "errors", "reader/extract", "reader/find", "rdf/iris",
    "model", "reader/parse", "rdf/mapping", "reader/resolve", "rdf/vocab", "reader/bodies",
    "reader/header", "reader/markers", "reader/scrambled",
    "reader/sources/__init__", "reader/sources/detect", "reader/sources/pdf",
    "reader/sources/markdown", "reader/sources/html", "reader/sources/text",
)  # fmt: skip
# The files a corpus folder is read for, the preferred first when one name has several
# (A-RES-73-6.pdf and the A-RES-73-6.txt printed from it are one resolution: the PDF is read).
SUFFIXES = (".pdf", ".html", ".htm", ".md", ".txt")


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    message: str

    def __str__(self) -> str:
        if self.message.startswith(f"{self.path}:"):  # the reader's errors name the file
            return self.message
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one file: its part (and where its lines are), or why it failed."""

    path: str
    checksum: str
    part: Part | None
    lines: Path | None  # the part file
    offset: int  # where the lines begin in it
    error: str | None
    from_cache: bool


@dataclass(frozen=True)
class CorpusRead:
    """What reading a corpus gave: counts, checksums of every file, failures."""

    files: tuple[str, ...]
    checksums: dict[str, str]  # every file that could be read → SHA-256
    failures: tuple[Failure, ...] = ()
    parsed: int = 0
    cached: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.files) / self.seconds if self.seconds else 0.0


def corpus_files(directory: Path) -> list[Path]:
    """The resolution texts of a corpus folder, sorted for a deterministic build; a folder
    that cannot be read (its own or one under it) is an error naming it."""
    try:
        found = directory.is_dir()
    except OSError as err:
        raise _unreadable(directory, err) from None
    if not found:
        raise fatal("not a corpus folder (no such directory)", file=str(directory))
    files = sorted(one_per_name(_texts(directory)))
    if not files:
        raise fatal(
            "corpus folder has no resolution files (*.txt, *.pdf, *.md, *.htm, *.html)",
            file=str(directory),
        )
    return files


def one_per_name(paths: list[Path]) -> list[Path]:
    """One file for each name (folder and stem): the first of :data:`SUFFIXES` present.

    >>> [p.name for p in one_per_name([Path("a.txt"), Path("a.pdf"), Path("b.md")])]
    ['a.pdf', 'b.md']
    """
    chosen: dict[Path, Path] = {}
    for path in sorted(paths, key=lambda p: SUFFIXES.index(p.suffix.lower())):
        chosen.setdefault(path.with_suffix(""), path)
    return sorted(chosen.values())


def _texts(directory: Path) -> list[Path]:
    """Every resolution file under ``directory``, as ``Path.rglob`` finds them (symbolic
    links to folders not followed), but an unreadable folder raises instead of being
    skipped."""
    found: list[Path] = []
    todo = [directory]
    while todo:
        folder = todo.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(Path(entry.path))
                    elif _is_resolution_file(entry.name) and entry.is_file():
                        found.append(Path(entry.path))
        except OSError as err:
            raise _unreadable(folder, err) from None
    return found


def _is_resolution_file(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SUFFIXES) and not lower.endswith(".meta.yaml")


def _unreadable(folder: Path, err: OSError) -> TreatygraphError:
    """Our error for a folder (or an entry of it) that cannot be read: the path and why."""
    where = str(folder if err.filename is None else os.fsdecode(err.filename))
    what = "corpus folder" if where == str(folder) else "corpus entry"
    return fatal(f"cannot read this {what}: {err.strerror or err}", file=where)


@cache
def _inputs_digest() -> str:
    """A digest of the reference data and of the code that reads and maps: a part made with
    other data or other code is never reused."""
    digest = hashlib.sha256(READER_VERSION.encode() + MAGIC)
    data = package_resources.data()
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    code = package_resources.folder("treatygraph")
    for name in _CODE:
        digest.update(name.encode() + b"\0" + (code / f"{name}.py").read_bytes())
    return digest.hexdigest()


def file_checksum(path: Path) -> str:
    """SHA-256 of a text and of its metadata file, as one source."""
    digest = hashlib.sha256(path.read_bytes())
    meta = meta_path(path)
    if meta.exists():
        digest.update(b"\0meta\0" + meta.read_bytes())
    return digest.hexdigest()


def part_key(checksum: str, name: str, base: str) -> str:
    """The name of a part file: what the part depends on, digested."""
    text = "\0".join((checksum, name, base, _inputs_digest()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Job:
    base: str
    folder: Path  # where part files go
    reuse: bool  # whether a part file already there may be used


def _map_one(job: _Job, path: Path) -> Outcome:
    try:
        checksum = file_checksum(path)
    except OSError as err:
        return Outcome(str(path), "", None, None, 0, f"cannot read: {err.strerror or err}", False)
    target = _part_file(job.folder, part_key(checksum, path.name, job.base))
    if job.reuse:
        found = _load_part(target)
        if found is not None:
            return Outcome(str(path), checksum, found[0], target, found[1], None, True)
    try:
        extraction = read(path)
        part, data = resolution_part(extraction, base=job.base)
    except TreatygraphError as err:
        return Outcome(str(path), checksum, None, None, 0, str(err), False)
    except ValueError as err:  # the reading cannot be mapped (e.g. a citation of no paragraph)
        return Outcome(str(path), checksum, None, None, 0, f"error: {err}", False)
    except Exception as err:  # a bug met on one file must not stop the others: say which
        message = f"error: unexpected {type(err).__name__}: {err}"
        return Outcome(str(path), checksum, None, None, 0, message, False)
    try:
        offset = _save_part(target, part, data)
    except OSError as err:
        return Outcome(str(path), checksum, None, None, 0, f"cannot write its part: {err}", False)
    return Outcome(str(path), checksum, part, target, offset, None, False)


def _part_file(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.part"


def _load_part(target: Path) -> tuple[Part, int] | None:
    """A part file's record and where its lines begin, if the file is whole."""
    try:
        with target.open("rb") as fh:
            magic, length = _HEADER.unpack(fh.read(_HEADER.size))
            if magic != MAGIC:
                return None
            part = pickle.loads(fh.read(length))  # our own file, written below; never input
            size = os.fstat(fh.fileno()).st_size
    except (OSError, struct.error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return None
    offset = _HEADER.size + length
    if not isinstance(part, Part) or size != offset + part.size:
        return None
    return part, offset


def _save_part(target: Path, part: Part, data: bytes) -> int:
    record = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial_file = target.with_suffix(f".{os.getpid()}.tmp")
    with partial_file.open("wb") as fh:
        fh.write(_HEADER.pack(MAGIC, len(record)))
        fh.write(record)
        fh.write(data)
    partial_file.replace(target)  # atomic: a reader never sees half a file
    return _HEADER.size + len(record)


def part_lines(path: Path, offset: int, start: int, end: int) -> bytes:
    """Bytes ``start:end`` of the lines of the part file ``path`` (which begin at ``offset``)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return _pread(fd, end - start, offset + start)
    finally:
        os.close(fd)


def _pread(fd: int, size: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            raise OSError(f"part file ended {size} bytes early")
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def map_corpus(
    files: list[Path],
    *,
    base: str,
    folder: Path,
    reuse: bool,
    jobs: int | None = None,
    progress: bool | None = None,
) -> Iterator[Outcome]:
    """Read and map every file, in file order; part files go to ``folder``, and with ``reuse``
    a part file already there for the same inputs is taken instead of reading the file."""
    jobs = jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    job = _Job(base, folder, reuse)
    yield from _with_progress(_map_all(job, files, jobs), len(files), show)


def _map_all(job: _Job, files: list[Path], jobs: int) -> Iterator[Outcome]:
    work = partial(_map_one, job)
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        yield from map(work, files)
        return
    context = multiprocessing.get_context()
    # The workers' parent is this process, except under the fork server.
    parent = None if context.get_start_method() == "forkserver" else os.getpid()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(parent,)
    ) as pool:
        chunk = max(1, min(32, len(files) // (jobs * 8)))
        yield from pool.map(work, files, chunksize=chunk)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux; elsewhere nothing),
    so that workers never outlive a build killed outright. ``parent`` is the process id the
    parent had: if it is no longer the parent, it died before the request took effect, and
    this process ends now.

    The kernel acts when the *thread* that started this process ends: the pool's workers are
    started by the thread that submits the work, which waits for them to finish.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.argtypes += [ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def _with_progress(outcomes: Iterator[Outcome], total: int, show: bool) -> Iterator[Outcome]:
    if not show:
        yield from outcomes
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("reading resolutions"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[rate]:.0f}/s · {task.fields[cached]} cached · "
            "{task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("read", total=total, rate=0.0, failed=0, cached=0)
        failed = cached = 0
        for done, outcome in enumerate(outcomes, start=1):
            failed += outcome.error is not None
            cached += outcome.from_cache
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=1, rate=rate, failed=failed, cached=cached)
            yield outcome
