"""The floor for the lookup benchmark: a bare FastAPI app that answers the same JSON as
``GET /resolutions/{symbol}/paragraphs/{id}/citations`` from a dict held in memory (no store,
no query, no validation): what any Python service on this stack can reach at best.

``uvicorn --factory bench.bare:app`` with ``BENCH_BARE_DATA`` naming a JSON file that maps
``"{symbol}/{id}"`` to the answer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse


def app() -> FastAPI:
    data: dict[str, Any] = json.loads(Path(os.environ["BENCH_BARE_DATA"]).read_text("utf-8"))
    service = FastAPI()

    @service.get("/ready")
    async def ready() -> JSONResponse:
        return JSONResponse({"status": "ready"})

    @service.get("/resolutions/{symbol:path}/paragraphs/{id}/citations")
    async def citations(symbol: str, id: str) -> JSONResponse:
        found = data.get(f"{symbol}/{id}")
        if found is None:
            return JSONResponse({"detail": "not found"}, status_code=404)
        return JSONResponse(found)

    return service
