"""Support code shared by the tests: seed graphs, stores and servers they build."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from tests.conftest import ROOT, free_port, stop, wait_for_http


@contextlib.contextmanager
def uvicorn_service(store: str, *, ready: str, **env: object) -> Iterator[str]:
    """The real service on `store` under uvicorn, in its own process on a free loopback port,
    once `ready` (a path) answers; its base URL. `env` sets ``TREATYGRAPH_*`` variables
    (``network_max_depth=2`` is ``TREATYGRAPH_NETWORK_MAX_DEPTH=2``)."""
    port = free_port()
    environ = {**os.environ, "TREATYGRAPH_STORE": store, "TREATYGRAPH_WORKERS": "1"}
    environ |= {f"TREATYGRAPH_{k.upper()}": str(v) for k, v in env.items()}
    command = [sys.executable, "-m", "uvicorn", "--factory", "treatygraph.api.app:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=environ)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}{ready}", process=process)
        yield url
    finally:
        stop(process)
