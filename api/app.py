"""The web service: `create_app(settings)` assembles the routers; `serve()` runs it.

Other routers (lookups, pages, exports) are added in `_include_routers`; a router that runs
SPARQL takes the shared worker pool with the `treatygraph.api.worker_pool.query_pool` dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from treatygraph import resources
from treatygraph.api import arenas as memory
from treatygraph.api import params
from treatygraph.api.cache import Cache
from treatygraph.api.cache_middleware import ResponseCache
from treatygraph.api.routes import explore, lookups, sparql
from treatygraph.api.routes.sparql import problem
from treatygraph.api.settings import Settings
from treatygraph.api.worker_pool import WorkerPool
from treatygraph.store import Store, StoreError, open_store

STATIC = resources.api() / "static"
PROBE_TIMEOUT = 2.0  # seconds the readiness probe gives the store


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    memory.bound_arenas()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings)
        await pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    # Every route's path parameters are checked before its handler runs (treatygraph.api.params).
    app = FastAPI(
        title="treatygraph", lifespan=lifespan, dependencies=[Depends(params.path_parameters)]
    )
    app.state.settings = settings
    app.state.cache = cache = Cache.for_settings(settings)
    app.state.probe = open_store(settings.store, read_only=True)  # opens on the first probe
    # Answers already given, before any routing (treatygraph.api.cache_middleware); added first, so
    # that it runs
    # inside the CORS middleware, which adds its headers for each request's Origin.
    app.add_middleware(ResponseCache, cache=cache, ready=lambda: _ready(app))
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
    # follow_symlink: an editable install (strict mode) links each file to the checkout
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=True), name="static")
    return app


def _include_routers(app: FastAPI) -> None:
    app.add_api_route(
        "/ready",
        ready,
        methods=["GET"],
        tags=["service"],
        summary="Readiness",
        responses={
            200: {"description": "ready", "content": {"application/json": {"schema": READY}}},
            503: {"description": "not ready (starting, or the store cannot be read)"},
        },
    )
    app.add_api_route(
        "/stats",
        stats,
        methods=["GET"],
        tags=["service"],
        summary="Cache figures",
        responses={200: {"content": {"application/json": {"schema": STATS}}}},
    )
    app.include_router(sparql.router)
    lookups.mount(app, app.state.settings)
    explore.mount(app, app.state.settings)
    app.openapi = _with_problems(app.openapi)  # type: ignore[method-assign]


# --- readiness --------------------------------------------------------------------------------

READY = {
    "type": "object",
    "required": ["status", "workers"],
    "properties": {"status": {"const": "ready"}, "workers": {"type": "integer", "minimum": 1}},
}


async def ready(request: Request) -> Response:
    """200 when the service can answer: its query workers are up and the store can be read;
    else 503 with `Retry-After` (a load balancer sends no traffic here until then)."""
    pool: WorkerPool | None = getattr(request.app.state, "pool", None)
    if pool is None or not pool.ready:
        return problem(503, "the service is starting: its query workers are not up yet")
    try:
        await run_in_threadpool(_probe, request.app.state.probe)
    except StoreError as e:
        return problem(503, f"the graph cannot be read now: {_first_line(e)}")
    body = {"status": "ready", "workers": pool.live}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _ready(app: FastAPI) -> bool:
    """Whether the query workers are up (the cache serves nothing before, nor when closing)."""
    pool: WorkerPool | None = getattr(app.state, "pool", None)
    return pool is not None and pool.ready


STATS = {
    "type": "object",
    "required": ["cache"],
    "properties": {
        "cache": {
            "type": "object",
            "description": "the answer cache: entries and bytes kept, hits and misses since "
            "the start, entries stored and evicted, times emptied by a new load",
            "properties": {"enabled": {"type": "boolean"}},
            "additionalProperties": {"type": "integer"},
        }
    },
}


async def stats(request: Request) -> Response:
    """The answer cache's figures (`cache`, `cache_middleware`): what it holds and serves."""
    cache: Cache = request.app.state.cache
    return JSONResponse({"cache": cache.stats()}, headers={"Cache-Control": "no-store"})


def _probe(store: Store) -> None:
    store.query("ASK {}", timeout=PROBE_TIMEOUT)


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:300]


# --- OpenAPI: every error is a problem document -------------------------------------------

PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem document",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "parameter": {"type": "string", "description": "the parameter at fault"},
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}


def _with_problems(openapi: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """FastAPI's schema, saying what the service sends on errors (made once, then kept)."""
    made: list[dict[str, Any]] = []

    def schema() -> dict[str, Any]:
        if not made:
            made.append(document_problems(openapi()))
        return made[0]

    return schema


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Every operation answers any 4xx with a problem document (a browser asking for a page
    gets an error page) and 503, with Retry-After, when the graph cannot be read."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    spec.setdefault("paths", {}).update(sparql.openapi_paths())
    for operations in spec["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                _problem_responses(operation["responses"])
    return spec


def _problem_responses(responses: dict[str, Any]) -> None:
    pages = "text/html" in responses.get("200", {}).get("content", {})
    content: dict[str, Any] = {"application/problem+json": {"schema": _REF}}
    if pages:
        content["text/html"] = {"schema": {"type": "string"}}
    for code, response in responses.items():
        if code.startswith("4"):  # FastAPI's 422 says application/json; ours keep examples
            ours = response.get("content", {}).get("application/problem+json", {})
            response["content"] = content | {"application/problem+json": {**ours, "schema": _REF}}
    responses.setdefault("4XX", {"description": "a request the service cannot answer"})
    responses["4XX"]["content"] = content
    responses.setdefault("503", {"description": "the graph cannot be read now; try again"})
    responses["503"]["content"] = content
    responses["503"]["headers"] = {
        "Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}
    }


def _install_error_handlers(app: FastAPI) -> None:
    """Every error is a problem document with its status: never a traceback, never a 200."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = problem(exc.status_code, str(exc.detail), getattr(exc, "parameter", None))
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
    """For `uvicorn --factory treatygraph.api.app:app_from_env`: settings from the environment."""
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
