"""Folders that are replaced whole or not at all: the output directory is swapped in by a rename,
and the temporary folders that killed builds left beside it are found and removed."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from treatygraph.build.void import MEDIA_TYPES

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


def staging(target: Path) -> _Staging:
    return _Staging(target)


# --- temporary folders beside the output, and what killed builds left of them ------------------

LOCK_SUFFIX = ".lock"
SCRATCH_KINDS = ("", "parts-", "answers-")  # dist/ staged; the parts; the lookups' answers
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


class Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self.start, 4)
        self.start = now
