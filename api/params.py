"""Path parameters, checked once for every route; request values made safe for headers.

Every route's path parameters pass :func:`path_parameters` (an app-wide FastAPI dependency,
so a new route is covered without a line of its own) before its handler reads them: a value
with a digit other than ASCII 0-9 (``١``, ``５``), another number character (``²``, ``Ⅻ``),
an invisible or control character (U+200B, U+0000), a separator other than the space, or
over :data:`MAX_LENGTH` characters is a 422 problem document naming the parameter. Letters of
any script pass (an IRI may hold them) and are the route's own to accept or not.

A value from the request that goes back in a response header (``Link``, ``Location``, ...)
goes through :func:`header_url`, which percent-encodes what a header cannot carry.

>>> refusal("５")
'digits are ASCII digits 0-9, not U+FF15 FULLWIDTH DIGIT FIVE'
>>> refusal("op5") is None
True
>>> header_url("http://h/resolutions/A-RES-77-194/paragraphs/é?x=1")
'http://h/resolutions/A-RES-77-194/paragraphs/%C3%A9?x=1'
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from fastapi import Request
from starlette.exceptions import HTTPException

from treatygraph.named_queries.library import ParameterError

MAX_LENGTH = 1000  # characters of one path parameter
# Categories refused anywhere in a path value: controls, invisible formatting, surrogates,
# private use, unassigned code points, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# What a header value may hold as it is: visible ASCII but the characters RFC 3986 never
# allows in a URI (they would break a Link header's <...>); the rest is percent-encoded.
_HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '<>"\\^`{|}')


class PathParameterError(ParameterError, HTTPException):
    """A path parameter no route can take: a 422 naming it. A ParameterError for the lookup
    routes (their problem documents name the parameter, a browser gets a page); an
    HTTPException for the others."""

    def __init__(self, parameter: str, message: str) -> None:
        Exception.__init__(self, f"{parameter}: {message}")  # not the two bases' own chains
        self.parameter, self.reason = parameter, message
        self.status_code, self.detail, self.headers = 422, f"{parameter}: {message}", None

    def __str__(self) -> str:
        return self.detail


def refusal(value: str) -> str | None:
    """Why `value` cannot be a path parameter, or None when it can."""
    if len(value) > MAX_LENGTH:
        return f"too long ({len(value)} characters; at most {MAX_LENGTH})"
    for char in value:
        category = unicodedata.category(char)
        if category == "Nd" and not "0" <= char <= "9":
            return f"digits are ASCII digits 0-9, not {_named(char)}"
        if category in ("No", "Nl"):
            return f"numbers are written in ASCII digits 0-9, not {_named(char)}"
        if category in _REFUSED or (category == "Zs" and char != " "):
            return f"contains {_named(char)}, which no path of this service holds"
    return None


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


async def path_parameters(request: Request) -> None:
    """FastAPI dependency: refuse a request whose path parameters no route can take."""
    for name, value in request.path_params.items():
        reason = refusal(str(value))
        if reason is not None:
            raise PathParameterError(name, reason)


def header_url(url: str) -> str:
    """`url` as a header may carry it: every character but visible ASCII percent-encoded
    (as UTF-8), so nothing from the request can break or split a header."""
    return quote(url, safe=_HEADER_SAFE)
