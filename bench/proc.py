"""Processes: run a command and sample the memory of its whole process tree; start a server on
a loopback port and stop it (by its own process id only)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return found


def rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process, in seconds (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its descendants (those alive now)."""
    return sum(cpu_seconds(p) for p in tree(pid))


def tree_rss(pid: int) -> tuple[int, int]:
    """(sum over the tree, largest single process), in bytes."""
    sizes = [rss(p) for p in tree(pid)]
    return sum(sizes), max(sizes, default=0)


@dataclass
class Sampler:
    """Samples the memory of a process tree every ``every`` seconds, in a thread."""

    pid: int
    every: float = 0.05
    peak_tree: int = 0
    peak_process: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total, largest = tree_rss(self.pid)
            self.peak_tree = max(self.peak_tree, total)
            self.peak_process = max(self.peak_process, largest)
            self._stop.wait(self.every)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_tree_mb: float
    peak_process_mb: float
    returncode: int
    stderr: str


def measure(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800,
) -> Run:
    """Run ``command`` to the end: wall time, peak memory of its tree, exit status, stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    with Sampler(process.pid) as sampler:
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    return Run(
        seconds=round(time.perf_counter() - started, 2),
        peak_tree_mb=round(sampler.peak_tree / 2**20, 1),
        peak_process_mb=round(sampler.peak_process / 2**20, 1),
        returncode=process.returncode,
        stderr=stderr,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A server process on a loopback port, started and stopped by the benchmark."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        port: int,
        ready: str,
        log: Path,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 600,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.port = port
        self.ready_path = ready
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.start_timeout = start_timeout
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = started + self.start_timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=5).status_code < 500:
                    self.start_seconds = round(time.perf_counter() - started, 2)
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {self.start_timeout:.0f}s; see {self.log}")

    def memory_mb(self) -> float:
        assert self.process is not None
        return round(tree_rss(self.process.pid)[0] / 2**20, 1)

    def settle(self, *, busy: float = 0.05, every: float = 0.5, timeout: float = 90.0) -> float:
        """Wait until the server is idle (its process tree used less than ``busy`` of a core
        over ``every`` seconds): requests a load generator left behind are done, and do not
        weigh on the next measurement. The seconds waited."""
        assert self.process is not None
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            before = tree_cpu(self.process.pid)
            time.sleep(every)
            if tree_cpu(self.process.pid) - before < busy * every:
                break
        return round(time.perf_counter() - started, 1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the server and its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __exit__(self, *_: object) -> None:
        self.stop()


def dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
