"""The deterministic build: extractions in, ``dist/`` out.

``build`` writes every file into a temporary directory beside ``out_dir`` and then swaps it in
with one rename, so readers see either the previous ``dist/`` or the new one, and a build that
fails midway leaves the previous one untouched. A build killed outright (SIGKILL, the OOM
killer) cannot remove its temporary directory: each is held by a lock file beside it, and the
next build removes those whose lock no live build holds (:func:`scratch_folder`). Outputs hold
no clock time: the same input gives byte-identical files.

    graph.nt        canonical N-Triples (sorted), streamed from the parts of the graph
    graph.ttl       Turtle, written from graph.nt (left out above DUMPS_UP_TO triples)
    graph.jsonld    compact JSON-LD, context inlined (likewise)
    context.jsonld  the published JSON-LD context
    void.ttl        VoID + DCAT description: counts, file checksums, sources, licence, version
    ontology.ttl    the ontology the graph is written in
    shapes.ttl      the SHACL shapes it passes
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
import pyshacl
import rdflib

from treatygraph import resources as package_resources
from treatygraph.model import Extraction, Instrument
from treatygraph.rdf.iris import Ids, default_base, normalise_base, segment
from treatygraph.rdf.mapping import (
    CONTEXT_FILE,
    ONTOLOGY_DIR,
    Assembly,
    Canonical,
    Counts,
    Part,
    Sources,
    Whole,
    jsonld_chunks,
    resolution_part,
    software_version,
    to_ntriples,
    write_turtle,
)
from treatygraph.rdf.vocab import (
    DCAT,
    DCTERMS,
    ONTOLOGY_GRAPH,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SPDX,
    TG,
    VOID,
    XSD,
)

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "treatygraph.ttl"
LICENSE = "https://spdx.org/licenses/MIT"  # the project's licence (pyproject.toml)
AUTHORITY_FILES = ("authority.csv", "identifiers.csv")
MEDIA_TYPES = {
    "graph.nt": "application/n-triples",
    "graph.ttl": "text/turtle",
    "graph.jsonld": "application/ld+json",
}
# Above this many triples graph.ttl and graph.jsonld are left out (graph.nt is always written):
# each costs a pass in Python over every triple, a minute or so at ten million, for files
# nobody opens whole. See docs/stores.md.
DUMPS_UP_TO = 2_500_000
DERIVED_DUMPS = ("graph.ttl", "graph.jsonld")

Read = Callable[[Part, int, int], bytes]  # bytes start:end of a part's own lines
_Add = Callable[[ox.NamedNode, str, ox.NamedNode | ox.Literal], None]


class BuildError(Exception):
    """The graph failed its SHACL shapes; nothing was written."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    out_dir: Path
    resolutions: int
    citations: int
    instruments: int
    triples: int
    files: dict[str, str]  # file name → SHA-256 of its bytes
    classes: dict[str, int] = field(default_factory=dict)  # class IRI → instances
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall time
    skipped: tuple[str, ...] = ()  # dumps left out for the graph's size

    def __str__(self) -> str:
        return (
            f"{self.out_dir}: {self.resolutions} resolutions, {self.citations} citations, "
            f"{self.instruments} instruments, {self.triples} triples "
            f"in {sum(self.seconds.values()):.2f}s"
        )


def build(
    extractions: Iterable[Extraction],
    out_dir: Path,
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
    validate: bool = False,
    dumps: bool | None = None,
) -> BuildReport:
    """Build the graph of ``extractions`` into ``out_dir``, replacing it atomically.

    ``sources`` maps source files to their SHA-256 (the authority data is added);
    ``instruments`` describes parents no paragraph cites (default: the authority data); with
    ``validate`` the graph must pass ``ontology/shapes.ttl`` or nothing is written; ``dumps``
    writes graph.ttl and graph.jsonld (default: up to :data:`DUMPS_UP_TO` triples).
    """
    clock = _Clock()
    assembly = Assembly(normalise_base(base or default_base()))
    lines: dict[str, bytes] = {}
    for extraction in extractions:
        part, data = resolution_part(extraction, base=assembly.base)
        assembly.add(part)
        lines[part.iri] = data
    checksums = with_authority(sources)
    whole = assembly.finish(checksums, instruments)
    clock.lap("rdf")
    return write(
        whole,
        out_dir,
        read=lambda part, start, end: lines[part.iri][start:end],
        sources=checksums,
        validate=validate,
        dumps=dumps,
        clock=clock,
    )


def store_graphs(out_dir: Path) -> dict[str, tuple[Path, ...]]:
    """The named graphs the store holds beside the data (its default graph, ``graph.nt``):
    the ontology with its concept schemes, and the shapes, in one graph named by the
    ontology's IRI, from the copies written into ``out_dir``."""
    return {ONTOLOGY_GRAPH: (Path(out_dir) / "ontology.ttl", Path(out_dir) / "shapes.ttl")}


def with_authority(sources: Sources | None) -> dict[str, str]:
    """Source files and their SHA-256, the authority data included."""
    return {**authority_checksums(), **{str(k): v for k, v in (sources or {}).items()}}


def write(
    whole: Whole,
    out_dir: Path,
    *,
    read: Read,
    sources: Mapping[str, str],
    validate: bool = False,
    dumps: bool | None = None,
    clock: _Clock | None = None,
    before_swap: Callable[[Path], None] | None = None,
) -> BuildReport:
    """Write an assembled graph into ``out_dir``, replacing it atomically; the graph streams
    from ``read`` to the files and is never held whole. ``before_swap(stage)`` runs once every
    file is in the staging directory; if it raises, ``out_dir`` is left as it was."""
    clock = clock or _Clock()
    files: dict[str, str] = {}
    counts = whole.counts()
    stats = _Stats.of_counts(counts)
    if dumps is None:
        dumps = counts.triples <= DUMPS_UP_TO
    with _staging(Path(out_dir)) as stage:
        nt = stage / "graph.nt"
        files["graph.nt"] = _write_bytes(nt, whole.lines(read))
        clock.lap("write")
        if validate:
            conforms, text = shacl(rdflib.Graph().parse(nt, format="nt"))
            if not conforms:
                raise BuildError(text)
            clock.lap("shacl")
        for name, writer in _outputs(nt, stats, whole.base, sources, files, dumps):
            files[name] = _write(stage / name, writer)
        if before_swap is not None:
            before_swap(stage)
        clock.lap("write")
    clock.lap("write")
    return BuildReport(
        out_dir=Path(out_dir),
        resolutions=len(whole.parts),
        citations=whole.citations,
        instruments=whole.cited,
        triples=counts.triples,
        files=files,
        classes=dict(sorted(counts.classes.items())),
        seconds=clock.laps,
        skipped=() if dumps else DERIVED_DUMPS,
    )


def _outputs(
    nt: Path,
    stats: _Stats,
    base: str,
    sources: Mapping[str, str],
    files: Mapping[str, str],
    dumps: bool,
) -> Iterator[tuple[str, Callable[[_Hashing], None]]]:
    """The files after graph.nt, each as a function writing it; void.ttl last, as it describes
    the others."""
    if dumps:
        yield "graph.ttl", lambda out: write_turtle(Canonical.read(nt), out)
        yield "graph.jsonld", lambda out: out.text(jsonld_chunks(Canonical.read(nt)))
    for path in (CONTEXT_FILE, ONTOLOGY_FILE, SHAPES_FILE):
        name = "ontology.ttl" if path == ONTOLOGY_FILE else path.name
        yield name, lambda out, path=path: out.text([path.read_text("utf-8")])  # type: ignore[misc]
    description = sorted(set(void(stats, base, sources, files)), key=str)
    yield "void.ttl", lambda out: write_turtle(Canonical(description), out)


class _Hashing(io.RawIOBase):
    """A binary file that keeps the SHA-256 of what is written to it."""

    def __init__(self, f: BinaryIO) -> None:
        super().__init__()
        self.f = f
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.f.write(view)
        self.digest.update(view)
        return view.nbytes

    def text(self, chunks: Iterable[str]) -> None:
        """Write text chunks as UTF-8, a few thousand at a time."""
        batch: list[str] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= 4096:
                self.write("".join(batch).encode("utf-8"))
                batch.clear()
        self.write("".join(batch).encode("utf-8"))


def _write(path: Path, writer: Callable[[_Hashing], None]) -> str:
    """Write a file with ``writer``; the SHA-256 of its bytes."""
    with path.open("wb") as f:
        out = _Hashing(f)
        writer(out)
        return out.digest.hexdigest()


def _write_bytes(path: Path, chunks: Iterable[bytes]) -> str:
    """Write byte chunks; the SHA-256 of the whole."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for chunk in chunks:
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def authority_checksums() -> dict[str, str]:
    """SHA-256 of the authority data files the extractor resolves against."""
    data = package_resources.data()
    return {
        f"graph/data/{name}": hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest()
        for name in AUTHORITY_FILES
        if data.joinpath(name).is_file()
    }


def shacl(graph: rdflib.Graph | Iterable[ox.Triple]) -> tuple[bool, str]:
    """Validate against ``ontology/shapes.ttl``: (conforms, report text)."""
    if not isinstance(graph, rdflib.Graph):
        graph = rdflib.Graph().parse(data=to_ntriples(graph), format="nt")
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), str(text)


def class_counts(graph: Iterable[ox.Triple]) -> dict[str, int]:
    """Instances of each class (by IRI), as VoID counts them."""
    return dict(sorted(_Stats.of(graph).classes.items()))


# --- VoID and DCAT -----------------------------------------------------------------------------


def void(
    graph: Iterable[ox.Triple] | _Stats,
    base: str,
    sources: Mapping[str, str],
    files: Mapping[str, str],
) -> list[ox.Triple]:
    """The dataset's description: counts, partitions by class and property, the files written
    so far with their checksums, the source files, licence and version. No dates."""
    ids = Ids(base)
    ds = ox.NamedNode(ids.dataset())
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    add(ds, f"{RDF}type", ox.NamedNode(f"{VOID}Dataset"))
    add(ds, f"{RDF}type", ox.NamedNode(f"{DCAT}Dataset"))
    add(ds, f"{DCTERMS}title", ox.Literal("treatygraph"))
    add(ds, f"{DCTERMS}description", ox.Literal(_DESCRIPTION))
    add(ds, f"{DCTERMS}license", ox.NamedNode(LICENSE))
    add(ds, f"{DCAT}version", ox.Literal(software_version()))
    add(ds, f"{OWL}versionInfo", ox.Literal(software_version()))
    add(ds, f"{VOID}uriSpace", ox.Literal(base))
    for namespace in (TG, PREFIXES["eli"], PREFIXES["cito"], DCTERMS, PROV, PREFIXES["oa"]):
        add(ds, f"{VOID}vocabulary", ox.NamedNode(namespace))
    stats = graph if isinstance(graph, _Stats) else _Stats.of(graph, base)
    _counts(stats, base, ds, add)
    _partitions(stats, ids, ds, add)
    for name in sorted(files):
        _distribution(ids, ds, name, files[name], add)
    for name in sorted(sources):
        source = ox.NamedNode(ids.source(Path(name).name))
        add(ds, f"{DCTERMS}source", source)
        add(source, f"{RDFS}label", ox.Literal(Path(name).name))
        add(source, f"{TG}sha256", ox.Literal(sources[name]))
    for build_node in stats.instances.get(f"{TG}Build", []):
        add(ds, f"{PROV}wasGeneratedBy", build_node)
    return out


_DESCRIPTION = (
    "A knowledge graph of United Nations resolutions, their paragraphs and footnotes, and the "
    "treaties and other instruments they cite, with the evidence of each citation."
)


@dataclass(slots=True)
class _Stats:
    """What VoID counts."""

    triples: int = 0
    subjects: int = 0
    entities: int = 0  # subjects under the base
    properties: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    instances: dict[str, list[ox.NamedNode]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Iterable[ox.Triple], base: str | None = None) -> _Stats:
        """The counts of ``graph`` (in canonical order), in one pass."""
        stats = cls()
        subjects: set[str] = set()
        rdf_type = ox.NamedNode(f"{RDF}type")
        wanted = {f"{TG}Build", f"{TG}Resolution"}
        for t in graph:
            stats.triples += 1
            subjects.add(str(t.subject))
            stats.properties[t.predicate.value] += 1
            if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
                stats.classes[t.object.value] += 1
                if t.object.value in wanted and isinstance(t.subject, ox.NamedNode):
                    stats.instances.setdefault(t.object.value, []).append(t.subject)
        under = f"<{normalise_base(base or default_base())}"
        stats.subjects = len(subjects)
        stats.entities = sum(1 for s in subjects if s.startswith(under))
        return stats

    @classmethod
    def of_counts(cls, counts: Counts) -> _Stats:
        """The counts an assembled graph keeps of itself."""
        instances = {f"{TG}Build": [ox.NamedNode(b) for b in counts.builds]}
        if counts.first_resolution:
            instances[f"{TG}Resolution"] = [ox.NamedNode(counts.first_resolution)]
        return cls(
            triples=counts.triples,
            subjects=counts.subjects,
            entities=counts.entities,
            properties=Counter(counts.properties),
            classes=Counter(counts.classes),
            instances=instances,
        )


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def _counts(stats: _Stats, base: str, ds: ox.NamedNode, add: _Add) -> None:
    add(ds, f"{VOID}triples", _integer(stats.triples))
    add(ds, f"{VOID}entities", _integer(stats.entities))
    add(ds, f"{VOID}distinctSubjects", _integer(stats.subjects))
    add(ds, f"{VOID}properties", _integer(len(stats.properties)))
    add(ds, f"{VOID}classes", _integer(len(stats.classes)))
    for example in stats.instances.get(f"{TG}Resolution", [])[:1]:
        add(ds, f"{VOID}exampleResource", example)


def _partitions(stats: _Stats, ids: Ids, ds: ox.NamedNode, add: _Add) -> None:
    for cls, count in sorted(stats.classes.items()):
        part = ox.NamedNode(f"{ids.dataset()}/class/{_key(cls)}")
        add(ds, f"{VOID}classPartition", part)
        add(part, f"{VOID}class", ox.NamedNode(cls))
        add(part, f"{VOID}entities", _integer(count))
    for prop, count in sorted(stats.properties.items()):
        part = ox.NamedNode(f"{ids.dataset()}/property/{_key(prop)}")
        add(ds, f"{VOID}propertyPartition", part)
        add(part, f"{VOID}property", ox.NamedNode(prop))
        add(part, f"{VOID}triples", _integer(count))


def _distribution(ids: Ids, ds: ox.NamedNode, name: str, sha: str, add: _Add) -> None:
    dist = ox.NamedNode(f"{ids.dataset()}/{segment(name)}")
    checksum = ox.NamedNode(f"{dist.value}/checksum")
    add(ds, f"{DCAT}distribution", dist)
    add(dist, f"{RDF}type", ox.NamedNode(f"{DCAT}Distribution"))
    add(dist, f"{DCTERMS}title", ox.Literal(name))
    if name in MEDIA_TYPES:
        media = f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[name]}"
        add(dist, f"{DCAT}mediaType", ox.NamedNode(media))
        add(ds, f"{VOID}dataDump", dist)
    add(dist, f"{SPDX}checksum", checksum)
    add(checksum, f"{RDF}type", ox.NamedNode(f"{SPDX}Checksum"))
    add(checksum, f"{SPDX}algorithm", ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256"))
    add(checksum, f"{SPDX}checksumValue", ox.Literal(sha, datatype=ox.NamedNode(f"{XSD}hexBinary")))


def _key(iri: str) -> str:
    """A partition's path segment: the term as a compact IRI, ``tg-Resolution``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return segment(f"{prefix}-{iri[len(namespace) :]}")
    return segment(iri)


# --- atomic replacement of the output directory ------------------------------------------------


class _Staging:
    """A temporary directory beside ``target`` that replaces it on success and vanishes on
    failure, leaving ``target`` as it was."""

    def __init__(self, target: Path) -> None:
        self.target = target.absolute()

    def __enter__(self) -> Path:
        self.scratch = scratch_folder(self.target, mode=0o755)  # 0700 would survive the swap
        self.stage = self.scratch.__enter__()
        return self.stage

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                _replace(self.stage, self.target)
        finally:  # removes the stage (after a swap: the old tree), then its lock file
            self.scratch.__exit__(None, None, None)


def _staging(target: Path) -> _Staging:
    return _Staging(target)


# --- temporary folders beside the output, and what killed builds left of them ------------------

LOCK_SUFFIX = ".lock"
SCRATCH_KINDS = ("", "parts-")  # the staging folder of dist/, the scratch folder of parts
# What a build puts in its folders: the outputs (and the stamp, in the old tree after a
# swap), or part files (treatygraph.build.corpus) in folders named by two hex digits.
_OUTPUT_NAMES = frozenset({*MEDIA_TYPES, "context.jsonld", "void.ttl", "ontology.ttl",
                           "shapes.ttl", "build-stamp.json"})  # fmt: skip
_PART_FILE = re.compile(r"[0-9a-f]{64}\.(?:part|\d+\.tmp)")
# The lock files this process holds, by (device, inode): where flock is emulated with
# per-process locks (NFS), this process's own locks would not keep its sweeps away.
_HELD: set[tuple[int, int]] = set()


@contextlib.contextmanager
def scratch_folder(target: Path, kind: str = "", *, mode: int = 0o700) -> Iterator[Path]:
    """A new folder ``.{target.name}.{kind}XXXXXXXX`` beside ``target``, removed on leaving.

    A build killed outright (SIGKILL, the OOM killer) cannot remove it, so the folder is held:
    its lock file ``<folder>.lock`` is made and locked (``flock``) before the folder is made
    and removed after it is removed, and the kernel releases the lock when the process dies,
    however it dies. Each call first removes what dead builds left beside ``target``
    (:func:`remove_stale`); the folders of builds still running are left alone.
    """
    if kind not in SCRATCH_KINDS:
        raise ValueError(f"a scratch folder is one of {SCRATCH_KINDS}, not {kind!r}")
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    fd, lock, folder = _new_held(target, kind)
    key = _key_of(os.fstat(fd))
    try:
        folder.chmod(mode)  # mkdir's mode is masked by the umask
        yield folder
    finally:
        try:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():  # else the lock goes with the folder, in a later build
                lock.unlink(missing_ok=True)
        finally:
            _HELD.discard(key)
            os.close(fd)  # releases the lock


def _new_held(target: Path, kind: str) -> tuple[int, Path, Path]:
    """A new lock file beside ``target``, locked by this process, and its new empty folder."""
    while True:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.{kind}", suffix=LOCK_SUFFIX, dir=target.parent
        )
        lock = Path(name)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # new, so free: at most a sweep holds it a moment,
            if os.fstat(fd).st_nlink == 0:  # and removed it as a dead build's: another name
                os.close(fd)
                continue
            _HELD.add(_key_of(os.fstat(fd)))
            folder = lock.with_name(lock.name.removesuffix(LOCK_SUFFIX))
            folder.mkdir(mode=0o700)
        except BaseException as err:
            _HELD.discard(_key_of(os.fstat(fd)))
            lock.unlink(missing_ok=True)
            os.close(fd)
            if isinstance(err, FileExistsError):  # that folder is a dead build's: another name
                continue
            raise
        return fd, lock, folder


def remove_stale(target: Path) -> list[str]:
    """Remove what dead builds left beside ``target``; the names removed.

    A build's temporary folder ``.{name}.[parts-]XXXXXXXX`` (and ``….old``, the previous tree
    on its way out where two paths cannot be exchanged at once) is stale when its lock file
    ``….lock`` can be locked: the build that made it is dead. A folder whose lock a running
    build holds is left alone. A folder without a lock file (left by a build older than the
    locks) is removed only if it holds nothing but what a build writes there. Best effort:
    what cannot be removed now is left for a later build; a build never fails for it.
    """
    target = target.absolute()
    kinds = "|".join(map(re.escape, SCRATCH_KINDS))
    folder = rf"\.{re.escape(target.name)}\.(?:{kinds})[a-z0-9_]{{8}}"  # tempfile's names
    own = re.compile(rf"({folder})(\.old|{re.escape(LOCK_SUFFIX)})?")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    removed: list[str] = []
    for stem in sorted({m.group(1) for m in map(own.fullmatch, names) if m is not None}):
        with contextlib.suppress(OSError):
            removed += _remove_if_dead(target, stem)
    return removed


def _remove_if_dead(target: Path, stem: str) -> list[str]:
    """Remove the folders named ``stem`` and then their lock, unless a live build holds it."""
    lock = target.parent / (stem + LOCK_SUFFIX)
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:  # the lock is made before the folder, so it is no live build's
        return _remove_folders(target, stem, unless_foreign=True)
    try:
        held = os.fstat(fd)
        if _key_of(held) in _HELD:
            return []
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its build is running
            return []
        if os.fstat(fd).st_nlink == 0 or _key_of(os.stat(lock)) != _key_of(held):
            return []  # removed meanwhile by its build, or by another build's sweep
        removed = _remove_folders(target, stem)
        if not any((target.parent / f"{stem}{end}").exists() for end in ("", ".old")):
            lock.unlink()
            removed.append(lock.name)
        return removed
    finally:
        os.close(fd)


def _remove_folders(target: Path, stem: str, *, unless_foreign: bool = False) -> list[str]:
    removed = []
    for folder in (target.parent / stem, target.parent / f"{stem}.old"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        if unless_foreign and not _as_a_build_leaves_it(folder):
            continue
        if folder.suffix == ".old" and not target.exists():
            os.rename(folder, target)  # killed between the two renames of _replace: put back
        else:
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
    return removed


def _as_a_build_leaves_it(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but outputs or part files, as a build leaves it."""
    for entry in folder.iterdir():
        if entry.is_symlink():
            return False
        if entry.is_dir() and re.fullmatch(r"[0-9a-f]{2}", entry.name):
            if not all(_PART_FILE.fullmatch(f.name) and f.is_file() for f in entry.iterdir()):
                return False
        elif not (entry.is_file() and entry.name in _OUTPUT_NAMES):
            return False
    return True


def _key_of(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def _replace(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``; ``new`` ends up holding the old tree (or nothing).
    Where the kernel can exchange two paths in one step, readers never see ``target`` missing;
    elsewhere there is an instant between two renames, and a failure puts the old tree back."""
    if not target.exists():
        os.rename(new, target)
        return
    if not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory")
    if _exchange(new, target):
        return
    old = new.with_name(new.name + ".old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, new)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self.start, 4)
        self.start = now
