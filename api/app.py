"""The web service: `create_app(settings)` assembles the routers; `serve()` runs it.

Other routers (lookups, pages, exports) are added in `_include_routers`; a router that runs
SPARQL takes the shared worker pool with the `treatygraph.api.worker_pool.query_pool` dependency.
"""

from __future__ import annotations

import threading
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

from treatygraph import network, resources
from treatygraph.api import arenas as memory
from treatygraph.api import params
from treatygraph.api.answers import AnswerLayer, Answers
from treatygraph.api.cache import Cache
from treatygraph.api.cache_middleware import ResponseCache
from treatygraph.api.lookup import Lookups
from treatygraph.api.problems import problem
from treatygraph.api.routes import explore, linked_data, lookups, queries, sparql
from treatygraph.api.routes import network as network_api
from treatygraph.api.services import Services, ServicesDep
from treatygraph.api.settings import Settings
from treatygraph.api.worker_pool import WorkerPool
from treatygraph.network.limits import NetworkError
from treatygraph.store import Store, StoreError, open_store

STATIC = resources.api() / "static"
PROBE_TIMEOUT = 2.0  # seconds the readiness probe gives the store


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    memory.bound_arenas()
    found = open_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings)
        await pool.start()
        found.pool = pool
        # The first network view, in the background, so that the first visitor need not wait.
        threading.Thread(target=explore.warm, args=(found.network,), daemon=True).start()
        try:
            yield
        finally:
            found.pool = None
            await pool.close()

    # Every route's path parameters are checked before its handler runs (api/params.py).
    app = FastAPI(
        title="treatygraph", lifespan=lifespan, dependencies=[Depends(params.path_parameters)]
    )
    app.state.services = found
    # Answers already given, before any routing (cache_middleware); added first, so that it
    # runs inside the CORS middleware, which adds its headers for each request's Origin.
    app.add_middleware(ResponseCache, cache=found.cache, ready=lambda: _ready(found))
    # The build's answers of the lookups (api/answers.py), before the cache: a lookup the
    # build answered never reaches it, nor a route, nor the store.
    app.add_middleware(AnswerLayer, answers=found.answers)
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
    _include_routers(app, found)
    # follow_symlink: an editable install (strict mode) links each file to the checkout
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=True), name="static")
    return app


def open_services(settings: Settings) -> Services:
    """What the routes share: handles on the store open lazily, on first use."""
    limits = network.Limits.from_env()
    return Services(
        settings=settings,
        cache=Cache.for_settings(settings),
        probe=open_store(settings.store, read_only=True),
        lookups=Lookups.open(settings),
        network=network.NetworkCache(open_store(settings.store, read_only=True), limits),
        network_gate=network_api.network_gate(limits),
        answers=Answers.for_settings(settings),
    )


def _include_routers(app: FastAPI, found: Services) -> None:
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
    app.include_router(lookups.router)
    app.include_router(queries.query_router(found.lookups.library))
    app.include_router(linked_data.router)
    app.add_exception_handler(NetworkError, network_api.network_error)
    app.include_router(network_api.listing)
    app.include_router(network_api.router)
    app.include_router(explore.router)
    app.include_router(explore.data)
    app.openapi = _with_problems(app.openapi)  # type: ignore[method-assign]


# --- readiness --------------------------------------------------------------------------------

READY = {
    "type": "object",
    "required": ["status", "workers"],
    "properties": {"status": {"const": "ready"}, "workers": {"type": "integer", "minimum": 1}},
}


async def ready(found: ServicesDep) -> Response:
    """200 when the service can answer: its query workers are up and the store can be read;
    else 503 with `Retry-After` (a load balancer sends no traffic here until then)."""
    pool = found.pool
    if pool is None or not pool.ready:
        return problem(503, "the service is starting: its query workers are not up yet")
    try:
        await run_in_threadpool(_probe, found.probe)
    except StoreError as e:
        return problem(503, f"the graph cannot be read now: {_first_line(e)}")
    body = {"status": "ready", "workers": pool.live}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _ready(found: Services) -> bool:
    """Whether the query workers are up (the cache serves nothing before, nor when closing)."""
    return found.pool is not None and found.pool.ready


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
        },
        "answers": {
            "type": "object",
            "description": "the build's answers of the lookups: whether they are on and "
            "loaded, lookups answered from them, and 304s sent",
        },
    },
}


async def stats(found: ServicesDep) -> Response:
    """The answer cache's figures (`cache`, `cache_middleware`): what it holds and serves."""
    figures = {
        "cache": found.cache.stats(),
        "answers": found.answers.stats() if found.answers else {"enabled": False},
    }
    return JSONResponse(figures, headers={"Cache-Control": "no-store"})


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
        parameter = getattr(exc, "parameter", None)
        response = problem(exc.status_code, str(exc.detail), parameter=parameter)
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
