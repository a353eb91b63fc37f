"""A query worker process: ``python -m treatygraph.api.worker CONFIG_JSON``.

It opens the store read-only once, then answers jobs from stdin on stdout until stdin
closes. Everything that can be slow or crash (guarding, parsing, evaluating, serialising)
happens here, so a runaway query costs one worker, which the pool kills and replaces.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import traceback
from typing import BinaryIO

from treatygraph.api.query_policy import PREDECLARED, Refused, check
from treatygraph.api.worker_frames import (
    READY,
    TOO_COSTLY,
    Answer,
    Job,
    Limits,
    over_time,
    read_frame,
    write_frame,
)
from treatygraph.store import (
    FORMATS,
    SCHEMES,
    Dataset,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
    StoreUnavailable,
    Triples,
    open_store,
    serialize,
)
from treatygraph.store.remote import prologue


def answer(store: Store, job: Job, limits: Limits) -> Answer:
    """Run one job; every failure becomes an Answer with a status, never an exception."""
    try:
        check(
            job.query,
            max_depth=limits.max_depth,
            service_allow=limits.service_allow,
            prologue=prologue(job.query, limits.base_iri, PREDECLARED, separator="\n"),
        )
        result = store.query(
            job.query,
            dataset=_dataset(job),
            timeout=limits.timeout,
            base_iri=limits.base_iri,
            prefixes=PREDECLARED,
        )
        name = job.graph_format if isinstance(result, Triples) else job.results_format
        if name is None:
            kind = "an RDF graph" if isinstance(result, Triples) else "query results"
            return Answer(406, message=f"the query gives {kind}, in no format you accept")
        fmt = FORMATS[name]
        return Answer(200, fmt.name, serialize(result, fmt, max_rows=limits.max_rows))
    except Refused as e:
        return Answer(e.status, message=e.message)
    except QuerySyntaxError as e:
        return Answer(400, message=f"query error: {e}")
    except ResultTooLarge as e:
        return Answer(422, message=str(e))
    except QueryTimeout as e:  # here, the query's own cost; on a remote store, the server's
        if limits.store.startswith(SCHEMES):
            return Answer(503, message=str(e))
        return Answer(TOO_COSTLY, message=over_time(limits.timeout))
    except StoreUnavailable as e:
        return Answer(503, message=str(e))
    except StoreError as e:
        return Answer(500, message=str(e))


def _dataset(job: Job) -> Dataset | None:
    if job.default_graphs is None and job.named_graphs is None:
        return None
    return Dataset(job.default_graphs or (), job.named_graphs or ())


def _cap_memory(megabytes: int) -> None:
    """Bound the data segment so a greedy query fails in this process, not the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def serve(limits: Limits, jobs: BinaryIO, out: BinaryIO) -> None:
    store = open_store(limits.store, read_only=True)
    write_frame(out, READY)
    while (data := read_frame(jobs)) is not None:
        try:
            result = answer(store, Job.decode(data), limits)
        except Exception:  # a bug must cost one answer, not the worker
            traceback.print_exc(file=sys.stderr)
            result = Answer(500, message="internal error while running the query")
        write_frame(out, result.encode())


def _ignore_stop_signals() -> None:
    """Leave stopping to the pool: a SIGTERM or SIGINT sent to the whole process group (by
    systemd, or Ctrl-C in a terminal) must not kill a worker under a query the service is
    still draining. The worker ends when its stdin closes, or by the pool's SIGKILL."""
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, signal.SIG_IGN)


def main() -> None:
    _ignore_stop_signals()
    limits = Limits.decode(sys.argv[1])
    _cap_memory(limits.memory_mb)
    sys.setrecursionlimit(10_000)  # rdflib's parser recurses per nesting level
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints (ours or a library's) must not corrupt the frames
    serve(limits, sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
