"""The web service: `create_app(settings)` assembles the routers; `serve()` runs it.

Other routers (lookups, pages, exports) are added in `_include_routers`; a router that runs
SPARQL takes the shared worker pool with the `api.pool.query_pool` dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api import explore, lookups, sparql
from api.cache import AnswerCache
from api.pool import WorkerPool
from api.settings import Settings
from api.sparql import problem

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings)
        await pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title="treatygraph", lifespan=lifespan)
    app.state.settings = settings
    app.state.cache = AnswerCache.for_store(settings.store, settings.cache_entries)
    # Public, read-only data: any origin may read, and no credentials are ever involved.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type"],
        max_age=86400,
    )
    _install_error_handlers(app)
    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _include_routers(app: FastAPI) -> None:
    app.include_router(sparql.router)
    lookups.mount(app, app.state.settings)
    explore.mount(app, app.state.settings)


def _install_error_handlers(app: FastAPI) -> None:
    """Every error is a problem document with its status: never a traceback, never a 200."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = problem(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    async def invalid(request: Request, exc: Exception) -> Response:
        return problem(400, str(exc))

    async def crash(request: Request, exc: Exception) -> Response:
        return problem(500, "internal server error")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, crash)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory api.app:app_from_env`: settings from TREATYGRAPH_* only."""
    return create_app(Settings.from_env())


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    store_spec: str | Path | None = None,
    log_level: str = "info",
    **overrides: Any,
) -> None:
    """Run the service (blocking). `overrides` are Settings fields, e.g. query_timeout=5."""
    if store_spec is not None:
        overrides["store"] = str(store_spec)
    settings = Settings.from_env(host=host, port=port, **overrides)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
