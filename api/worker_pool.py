"""A small pool of query worker subprocesses, driven from the event loop.

Each worker opens the store read-only and runs one job at a time. A job past its time limit
gets its worker killed (so the query really stops and its CPU is freed) and a fresh worker
started; a worker that dies (a stack overflow in the engine, the memory cap) is replaced the
same way. Requests wait for an idle worker, for at most `queue_timeout` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from typing import Any

from fastapi import Request

from treatygraph.api.settings import Settings
from treatygraph.api.worker_frames import (
    READY,
    TOO_COSTLY,
    Answer,
    Job,
    Limits,
    frame,
    over_time,
    read_frame_async,
)
from treatygraph.store import SCHEMES, scan

log = logging.getLogger("treatygraph.pool")
_GRACE = 0.5  # seconds past the limit before the kill, so a worker can report a soft timeout
_START_TIMEOUT = 60.0


class Worker:
    """One subprocess and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdin is not None and process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout

    @classmethod
    async def start(cls, limits: Limits) -> Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "treatygraph.api.worker",
            limits.encode(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=_worker_env(),
        )
        worker = cls(process)
        try:
            ready = await asyncio.wait_for(read_frame_async(worker._stdout), _START_TIMEOUT)
        except (asyncio.IncompleteReadError, TimeoutError):
            await worker.kill()
            raise RuntimeError("a query worker failed to start") from None
        if ready != READY:
            await worker.kill()
            raise RuntimeError("a query worker said something unexpected at start")
        return worker

    async def call(self, job: bytes) -> Answer:
        self._stdin.write(frame(job))
        await self._stdin.drain()
        return Answer.decode(await read_frame_async(self._stdout))

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        """End gracefully (stdin closes, the worker returns), else kill."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 2.0)
        except TimeoutError:
            await self.kill()


class WorkerPool:
    """Runs jobs on a fixed number of worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = Limits(
            store=settings.store,
            timeout=settings.query_timeout,
            max_rows=settings.max_rows,
            max_depth=settings.max_depth,
            service_allow=settings.service_allow,
            memory_mb=settings.worker_memory_mb,
            base_iri=settings.query_base,
        )
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._remote = settings.store.startswith(SCHEMES)

    async def start(self) -> None:
        await asyncio.gather(*(self._add() for _ in range(self.settings.workers)))

    @property
    def ready(self) -> bool:
        """Whether a job can be taken: a worker is up and the pool is not closing."""
        return not self._closing and bool(self._all)

    @property
    def live(self) -> int:
        """Worker processes up (idle or busy)."""
        return len(self._all)

    async def close(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*(w.stop() for w in list(self._all)), return_exceptions=True)
        self._all.clear()

    async def run(self, job: Job) -> Answer:
        """Run `job` on an idle worker; errors come back as an Answer with a 4xx/5xx status."""
        try:
            worker = self._idle.get_nowait()  # the common case: no waiting, no timer
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self._idle.get(), self.settings.queue_timeout)
            except TimeoutError:
                return Answer(503, message="all query workers are busy; try again shortly")
        limit = self.settings.query_timeout
        try:
            async with asyncio.timeout(limit + _GRACE):  # no task per call, as wait_for makes
                result = await worker.call(job.encode())
        except TimeoutError:
            await self._retire(worker)  # the query is really stopped before we answer
            if self._remote or self._federated(job):  # another server was slow
                return Answer(503, message=f"the SPARQL server did not answer within {limit:g} s")
            return Answer(TOO_COSTLY, message=over_time(limit))
        except (asyncio.IncompleteReadError, ConnectionError):
            with contextlib.suppress(TimeoutError):  # reap it, to tell how it died
                await asyncio.wait_for(worker.process.wait(), 1.0)
            await self._retire(worker)
            return Answer(TOO_COSTLY, message=_crash_message(worker))
        except BaseException:  # cancelled mid-call: the pipe state is unknown, start afresh
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return result

    def _federated(self, job: Job) -> bool:
        """Whether `job` may have called an endpoint the operator allows (without an
        allow-list every SERVICE is refused before it runs: the time went elsewhere)."""
        return bool(self.settings.service_allow) and scan(job.query).has_service

    async def _retire(self, worker: Worker) -> None:
        """Kill `worker` now; a replacement starts in the background."""
        self._all.discard(worker)
        await worker.kill()
        code = worker.process.returncode
        if code not in (0, -signal.SIGKILL):
            log.warning("query worker %s died (exit status %s)", worker.process.pid, code)
        self._spawn(self._add())

    def _replace(self, worker: Worker) -> None:
        """Like _retire, all in the background (for a caller that must not wait)."""
        self._spawn(self._retire(worker))

    async def _add(self) -> None:
        delay = 0.5
        while not self._closing:
            try:
                worker = await Worker.start(self.limits)
            except (RuntimeError, OSError) as e:
                log.error("%s; retrying in %.1f s", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self._all.add(worker)
            self._idle.put_nowait(worker)
            return

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def query_pool(request: Request) -> WorkerPool:
    """The app's pool, for any router that runs SPARQL (a FastAPI dependency)."""
    pool: WorkerPool | None = request.app.state.services.pool
    if pool is None:
        raise RuntimeError("the query workers run only while the app does (its lifespan)")
    return pool


def _crash_message(worker: Worker) -> str:
    code = worker.process.returncode
    how = f" (signal {-code})" if code is not None and code < 0 else ""
    return (
        f"the query needed more memory or stack than this endpoint allows and stopped its "
        f"worker{how}: narrow it (more specific patterns, LIMIT); the service goes on"
    )


def _worker_env() -> dict[str, str]:
    """The parent's environment (the package is installed, so importable from any folder)."""
    return dict(os.environ)
