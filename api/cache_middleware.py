"""The response cache: a pure ASGI layer in front of the routes, so that an answer already
given costs a dictionary lookup and two `send` calls (no routing, no dependencies, no
validation, no query worker, no lookup slot).

What it keeps: ``GET`` and ``HEAD`` answers of ``/sparql`` (a query in the URL) and of the
lookup routes (``/resolutions``, ``/instruments``, ``/unts``, ``/ilo``, ``/queries`` and the
linked-data documents under ``/data``), with status 200, a body under the size cap, no
``Set-Cookie``, no ``Cache-Control: no-store``/``private``/``no-cache`` and no ``Vary`` beyond
``Accept``. The key is everything such an answer depends on: method, scheme, ``Host``, root
path, the raw path and query string, and ``Accept`` (content negotiation); the store's
generation guards every entry (treatygraph.api.cache). A larger answer streams through untouched.
``/sparql`` answers of volatile queries (``RAND``, ``NOW``, ``SERVICE``, …
treatygraph.api.cache.VOLATILE)
are not kept.

The layer sits inside the CORS middleware, which adds its headers to every answer, kept or
not, for the Origin of each request; it serves nothing while the service is not ready (no
query workers yet, or closing), so readiness stays the app's to say. Answers carry
``X-Cache: hit`` or ``X-Cache: miss``; the counts are at ``/stats``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from treatygraph.api.cache import Cache, volatile

# First path segments of the routes whose answers are kept.
ROUTES = frozenset({"sparql", "resolutions", "instruments", "unts", "ilo", "queries", "data"})
HIT = (b"x-cache", b"hit")
MISS = (b"x-cache", b"miss")
_VARY_KEYED = frozenset({"accept", "host"})  # request headers that are in the key
_NOT_STORED = ("no-store", "private", "no-cache")
_OVERHEAD = 256  # bytes counted for an entry besides its body and headers

# method, scheme, Host, root path, raw path, query string, Accept
Key = tuple[str, str, tuple[bytes, ...], str, bytes, bytes, tuple[bytes, ...]]


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer as it is sent again: status, headers (with ``X-Cache: hit``) and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def cached_route(path: str) -> bool:
    """Whether answers at `path` may be kept (by its first segment).

    >>> cached_route("/resolutions/A-RES-77-194/paragraphs/5/citations"), cached_route("/ready")
    (True, False)
    """
    return path[1:].partition("/")[0] in ROUTES


def request_key(scope: Scope) -> Key | None:
    """What an answer to this request depends on; None when it cannot be told (no Host)."""
    accept: list[bytes] = []
    host: list[bytes] = []
    for name, value in scope["headers"]:
        if name == b"accept":
            accept.append(value)
        elif name == b"host":
            host.append(value)
    if not host:
        return None
    return (
        scope["method"],
        scope.get("scheme", "http"),
        tuple(host),
        scope.get("root_path", ""),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        tuple(accept),
    )


def storable_headers(headers: list[tuple[bytes, bytes]], max_body: int) -> bool:
    """Whether an answer with `headers` may be kept: no cookie, no refusal to be cached, no
    variation on a request header outside the key, not declared larger than `max_body`."""
    for name, value in headers:
        if name == b"set-cookie":
            return False
        if name == b"content-length":
            if not value.isdigit() or int(value) > max_body:
                return False
        elif name == b"cache-control":
            text = value.decode("latin-1").lower()
            if any(word in text for word in _NOT_STORED):
                return False
        elif name == b"vary":
            fields = {f.strip().lower() for f in value.decode("latin-1").split(",")}
            if not fields <= _VARY_KEYED:
                return False
    return True


def storable_request(scope: Scope) -> bool:
    """Whether the request's answer may be kept: for ``/sparql``, a query that is not
    volatile (the service description and query page, without a query, are not kept)."""
    if scope["path"] != "/sparql":
        return True
    try:
        params = parse_qsl(scope.get("query_string", b"").decode(), errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    queries = [value for name, value in params if name == "query"]
    return len(queries) == 1 and not volatile(queries[0])


class ResponseCache:
    """ASGI middleware: answers from `cache` when it holds them, else from `app` (kept)."""

    def __init__(self, app: ASGIApp, *, cache: Cache, ready: Callable[[], bool]) -> None:
        self.app = app
        self.cache = cache
        self.ready = ready

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.cache.enabled
            or scope["method"] not in ("GET", "HEAD")
            or not cached_route(scope["path"])
            or not self.ready()
        ):
            await self.app(scope, receive, send)
            return
        key = request_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        generation = self.cache.current()
        stored: Stored | None = self.cache.get(key)
        if stored is not None:
            # A new list each time: an outer middleware (CORS) adds its headers to it.
            headers = list(stored.headers)
            await send({"type": "http.response.start", "status": stored.status, "headers": headers})
            await send({"type": "http.response.body", "body": stored.body})
            return
        await self._miss(scope, receive, send, key, generation)

    async def _miss(
        self, scope: Scope, receive: Receive, send: Send, key: Key, generation: str | None
    ) -> None:
        """Pass the request on; keep the answer when it is whole, a 200 and small enough.
        Every message goes on to the client as it comes: nothing waits for the whole body."""
        limit = self.cache.max_entry
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []
        size = 0
        keep = True
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, size, keep, complete
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or ())
                keep = status == 200 and storable_headers(headers, limit)
                message = {**message, "headers": [*headers, MISS]}
            elif kind == "http.response.body":
                if keep:
                    body = message.get("body", b"")
                    size += len(body)
                    if size > limit:
                        keep = False  # stream the rest through, keep nothing
                        parts.clear()
                    else:
                        parts.append(body)
                complete = not message.get("more_body", False)
            else:  # an extension (trailers, a file sent by path): not for keeping
                keep = False
            await send(message)

        await self.app(scope, receive, capture)
        if keep and complete and storable_request(scope):
            body = parts[0] if len(parts) == 1 else b"".join(parts)
            if scope["method"] == "GET" and not any(k == b"content-length" for k, _ in headers):
                headers.append((b"content-length", str(len(body)).encode()))  # was streamed
            stored = Stored(status, (*headers, HIT), body)
            weight = size + sum(len(k) + len(v) for k, v in headers) + _key_size(key)
            self.cache.put(key, stored, weight, generation)


def _key_size(key: Key) -> int:
    """Bytes a key holds (a query string can be long), with the entry's fixed cost."""
    method, scheme, host, root, path, query, accept = key
    texts = len(method) + len(scheme) + len(root) + len(path) + len(query)
    return _OVERHEAD + texts + sum(map(len, host)) + sum(map(len, accept))
