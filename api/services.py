"""What the routes depend on, made once per app and handed to them by FastAPI's ``Depends``.

`create_app` builds one :class:`Services` (settings, answer cache, store probe, the lookups'
query runner, the network view and its gate); the app's lifespan starts what runs in the
background (the query worker pool, the first network view) and stops it. A route asks for what
it needs by a dependency of this module, e.g. ``settings: SettingsDep``; nothing else reads
``app.state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from treatygraph.api.cache import Cache
from treatygraph.api.settings import Settings
from treatygraph.store import Store

if TYPE_CHECKING:  # the routers import this module: their types only for the checker
    from treatygraph.api.admission import Gate
    from treatygraph.api.answers import Answers
    from treatygraph.api.lookup import Lookups
    from treatygraph.api.worker_pool import WorkerPool
    from treatygraph.network.view import NetworkCache


@dataclass(slots=True)
class Services:
    """Everything the routes share, for one app."""

    settings: Settings
    cache: Cache
    probe: Store  # a read-only handle for the readiness probe (opens on first use)
    lookups: Lookups
    network: NetworkCache
    network_gate: Gate
    answers: Answers | None = None  # the build's answers of the lookups (off: None)
    pool: WorkerPool | None = None  # while the app runs (its lifespan)


def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency)."""
    found: Services = request.app.state.services
    return found


def settings(request: Request) -> Settings:
    return services(request).settings


def answer_cache(request: Request) -> Cache:
    return services(request).cache


ServicesDep = Annotated[Services, Depends(services)]
SettingsDep = Annotated[Settings, Depends(settings)]
CacheDep = Annotated[Cache, Depends(answer_cache)]
