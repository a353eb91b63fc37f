"""Errors as RFC 9457 problem documents: the one shape of every error the service sends.

>>> answer = problem(404, "no resolution A/RES/1/1", parameter="symbol")
>>> answer.status_code, answer.media_type
(404, 'application/problem+json')
>>> problem(503, "the store is being replaced").headers["retry-after"]
'5'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

RETRY_AFTER = "5"  # seconds, sent with every 503: the store, the workers or the service return


@dataclass(frozen=True, slots=True)
class RequestProblem(Exception):
    """An error answer: status, a sentence for people, and the parameter at fault."""

    status: int
    detail: str
    parameter: str | None = None


def problem_body(status: int, detail: str, parameter: str | None = None) -> dict[str, Any]:
    """The problem document itself (``type``, ``title``, ``status``, ``detail``, ``parameter``).

    >>> problem_body(400, "not a number", "n")["title"]
    'Bad Request'
    """
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if parameter is not None:
        body["parameter"] = parameter
    return body


def problem(status: int, detail: str, *, parameter: str | None = None) -> JSONResponse:
    """The problem document as a response; a 503 (try again later) says when, in
    ``Retry-After``."""
    return JSONResponse(
        problem_body(status, detail, parameter),
        status_code=status,
        media_type="application/problem+json",
        headers={"Retry-After": RETRY_AFTER} if status == 503 else None,
    )


def problem_bytes(status: int, detail: str, parameter: str | None = None) -> bytes:
    """The body as bytes, for the pure-ASGI layers that answer before any routing."""
    return json.dumps(problem_body(status, detail, parameter)).encode("utf-8")
