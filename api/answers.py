"""The lookups' answers made by the build (treatygraph.build.answers), served without SPARQL.

A pure ASGI layer: a ``GET`` of a lookup whose URL is exactly one the build wrote (the raw
path, no percent-encoding, only ``format``, ``limit`` and ``offset`` in canonical form, and
``kind`` for ``/instruments``), asking for JSON or CSV, is answered from the file with the
headers the route would send (``Vary``, ``Link``, ``X-Total-Count``, the content type and
length) and an ``ETag`` made of the build's name and the body's checksum (``304 Not
Modified`` for a matching ``If-None-Match``). Everything else, every malformed or unknown
parameter, HTML and odd ``Accept`` headers included, goes on to the routes, which validate.

Where the file is: inside the embedded store's current generation (``<store>/answers.sqlite``,
read through the generation symlink on each request, so a new load brings its own answers);
for a remote store only where ``TREATYGRAPH_ANSWERS`` names it (``dist/answers.sqlite``: the
service cannot know when someone else loads that server). ``TREATYGRAPH_ANSWERS=off`` turns
the layer off. The file is opened read-only and ``immutable=1``: it is never written in place
(a build moves a new one in).
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from treatygraph.api.lookup import DEFAULT_LIMIT, MAX_LIMIT, MEDIA_TYPES, OFFERS
from treatygraph.api.negotiation import choose
from treatygraph.api.settings import Settings
from treatygraph.store import SCHEMES

FILE = "answers.sqlite"  # treatygraph.build.answers.FILE (the service does not import the build)
ROUTES = frozenset({"resolutions", "instruments", "unts", "ilo"})
_PLAIN = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-/")
_PLAIN_QUERY = _PLAIN - {ord("/")} | frozenset(b"=&")
_PLAIN_HOST = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
_ALTERNATES = (("json", "application/json"), ("csv", "text/csv"), ("html", "text/html"))
_JSON_TYPE = MEDIA_TYPES["json"].encode()
_CSV_TYPE = MEDIA_TYPES["csv"].encode()

# paged, body (JSON or CSV), CSV header, CSV header of an empty page, the items' end offsets
Row = tuple[int, bytes, bytes, bytes, bytes]
_SELECT = {
    "json": "SELECT paged, json, x'', x'', json_ends FROM answers WHERE key = ?",
    "csv": "SELECT paged, csv, header, empty, csv_ends FROM answers WHERE key = ?",
}
MAP_BYTES = 1 << 40  # the whole file mapped: pages are read from the page cache, no read()


class AnswerFile:
    """One build's answers file, open read-only and memory-mapped."""

    def __init__(self, path: Path) -> None:
        uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.db.execute(f"PRAGMA mmap_size={MAP_BYTES}")
        meta = dict(self.db.execute("SELECT name, value FROM meta").fetchall())
        self.build = str(meta.get("build", ""))[:16]

    def get(self, key: str, fmt: str) -> Row | None:
        """The answer at ``key`` in ``fmt`` (json or csv): only its columns are read; None
        when the file cannot be read (the routes answer, from the store)."""
        try:
            found: Row | None = self.db.execute(_SELECT[fmt], (key,)).fetchone()
        except sqlite3.Error:
            return None
        return found


class Answers:
    """The answers file of the store being served, reopened when the store is reloaded."""

    def __init__(self, locate: Callable[[], tuple[object, Path] | None]) -> None:
        self._locate = locate
        self._seen: object = None
        self._file: AnswerFile | None = None
        self.hits = self.not_modified = self.passed = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> Answers | None:
        """The answers `settings` ask for: None when off, or for a remote store not told
        where its build's answers are."""
        choice = settings.answers.strip()
        if choice.lower() == "off":
            return None
        if choice.lower() != "on":
            return cls(lambda: _stat(Path(choice)))
        if str(settings.store).startswith(SCHEMES):
            return None
        return cls(_in_generation(Path(settings.store)))

    def current(self) -> AnswerFile | None:
        """The file for the store as it is now (one or two syscalls)."""
        where = self._locate()
        stamp = where[0] if where else None
        if stamp != self._seen:
            self._seen = stamp
            self._file = None
            if where is not None and where[1].is_file():
                try:
                    self._file = AnswerFile(where[1])
                except sqlite3.Error:
                    self._file = None  # not a whole answers file: the routes answer
        return self._file

    def stats(self) -> dict[str, Any]:
        return {
            "enabled": True,
            "loaded": self._file is not None,
            "hits": self.hits,
            "not_modified": self.not_modified,
        }


def _in_generation(store: Path) -> Callable[[], tuple[object, Path] | None]:
    """Where the current generation's file is, by one ``readlink`` (the generation's name is
    the stamp: a generation's answers are in it before it is swapped in)."""
    link, parent = str(store), store.parent
    plain = store / FILE

    def locate() -> tuple[object, Path] | None:
        try:
            generation = os.readlink(link)
        except OSError:  # no store yet, or a plain directory (no generations)
            return _stat(plain)
        return generation, parent / generation / FILE

    return locate


def _stat(path: Path) -> tuple[object, Path] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size), path


# --- the request ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Asked:
    """A request the answers can serve: its key, format and page."""

    key: str
    fmt: str
    offset: int | None
    limit: int | None


def asked(scope: Scope) -> Asked | None:
    """What the request asks, if it is exactly a key of the answers; else None (the routes
    answer it: malformed, unknown or non-canonical parameters, HTML, odd Accept headers)."""
    if scope.get("root_path"):
        return None
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    if not _PLAIN.issuperset(raw) or b"//" in raw or b".." in raw or raw.endswith(b"/"):
        return None
    query: bytes = scope.get("query_string", b"")
    params: dict[str, str] = {}
    if query:
        if not _PLAIN_QUERY.issuperset(query):
            return None
        for pair in query.decode().split("&"):
            name, eq, text = pair.partition("=")
            if not eq or not text or name in params:
                return None
            params[name] = text
    key = raw.decode()
    kind = params.pop("kind", None)
    if kind is not None:
        if key != "/instruments":
            return None
        key += f"?kind={kind}"
    fmt = params.pop("format", None) or _negotiated(scope)
    if fmt not in ("json", "csv"):
        return None
    offset = _number(params.pop("offset", None), 0, 10**9)
    limit = _number(params.pop("limit", None), 1, MAX_LIMIT)
    if params or offset == -1 or limit == -1:
        return None
    return Asked(key, fmt, offset, limit)


def _number(text: str | None, low: int, high: int) -> int | None:
    """A canonical whole number in [low, high]; None when absent, -1 when not canonical."""
    if text is None:
        return None
    if not text.isdigit() or len(text) > 10 or str(int(text)) != text:
        return -1
    value = int(text)
    return value if low <= value <= high else -1


def _negotiated(scope: Scope) -> str | None:
    accept = None
    for name, value in scope["headers"]:
        if name == b"accept":
            accept = value.decode("latin-1")
            break
    offer = choose(accept, OFFERS)
    return offer.name if offer is not None else None


# --- the answer -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """Status 200, the headers the route sends (in its order) and the body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


def answer(row: Row, ask: Asked, scope: Scope) -> Answer | None:
    """The route's answer from the row; None when the row cannot give it (the routes answer)."""
    paged, body, header, empty, raw_ends = row
    url = _Url.of(scope)
    if url is None:
        return None
    links = [f'<{url.with_params(format=n)}>; rel="alternate"; type="{t}"'
             for n, t in _ALTERNATES]  # fmt: skip
    headers = [(b"vary", b"Accept")]
    if not paged:
        if ask.offset is not None or ask.limit is not None:
            return None  # the route ignores them, and its links repeat them: let it answer
        headers.append((b"link", ", ".join(links).encode("latin-1")))
        return Answer(headers, body)
    offset = ask.offset or 0
    limit = ask.limit or DEFAULT_LIMIT
    ends = array("Q")
    ends.frombytes(raw_ends)
    total = len(ends)
    stop = min(offset + limit, total)
    if ask.fmt == "json":
        start = ends[offset - 1] + 1 if 0 < offset <= total else 0
        out = b"[" + body[start : ends[stop - 1]] + b"]" if offset < total else b"[]"
    else:
        start = ends[offset - 1] if 0 < offset <= total else 0
        out = header + body[start : ends[stop - 1]] if offset < total else empty
    links += _paging(url, offset, limit, total)
    headers.append((b"link", ", ".join(links).encode("latin-1")))
    headers.append((b"x-total-count", str(total).encode()))
    return Answer(headers, out)


@dataclass(frozen=True, slots=True)
class _Url:
    """The request's URL as Starlette's ``request.url`` spells it, and its parameters: what
    ``request.url.include_query_params(...)`` gives, for the plain URLs this layer serves
    (every character of the path and parameters needs no escaping, the Host header is plain),
    without parsing and re-encoding the URL for each link."""

    base: str
    params: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, scope: Scope) -> _Url | None:
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
                break
        if host is None or not _PLAIN_HOST.issuperset(host):
            return None
        query: str = scope.get("query_string", b"").decode()
        split = (p.partition("=") for p in query.split("&")) if query else ()
        base = f"{scope.get('scheme', 'http')}://{host.decode()}{scope['path']}"
        return cls(base, tuple((name, text) for name, _, text in split))

    def with_params(self, **given: object) -> str:
        kept = [f"{k}={v}" for k, v in self.params if k not in given]
        return f"{self.base}?{'&'.join([*kept, *(f'{k}={v}' for k, v in given.items())])}"


def _paging(url: _Url, offset: int, limit: int, total: int) -> list[str]:
    """The first/prev/next/last links, as ``treatygraph.api.routes.lookups._links``."""
    last = max(0, (total - 1) // limit * limit)
    out = [f'<{url.with_params(offset=0, limit=limit)}>; rel="first"']
    if offset > 0:
        prev = url.with_params(offset=max(0, offset - limit), limit=limit)
        out.append(f'<{prev}>; rel="prev"')
    if offset + limit < total:
        out.append(f'<{url.with_params(offset=offset + limit, limit=limit)}>; rel="next"')
    out.append(f'<{url.with_params(offset=last, limit=limit)}>; rel="last"')
    return out


def _etag(build: str, body: bytes) -> bytes:
    return f'"{build}-{zlib.crc32(body):08x}"'.encode()


def _matches(scope: Scope, etag: bytes) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weakly compared, as RFC 9110 says)."""
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            tags = [t.strip().removeprefix(b"W/") for t in value.split(b",")]
            return b"*" in tags or etag in tags
    return False


class AnswerLayer:
    """ASGI middleware: answers a lookup from the build's answers when they hold it exactly."""

    def __init__(self, app: ASGIApp, *, answers: Answers | None) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.answers is None
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"][1:].partition("/")[0] not in ROUTES
        ):
            await self.app(scope, receive, send)
            return
        made = self._made(scope)
        if made is None:
            await self.app(scope, receive, send)
            return
        headers, body, status = made
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _made(self, scope: Scope) -> tuple[list[tuple[bytes, bytes]], bytes, int] | None:
        assert self.answers is not None
        file = self.answers.current()
        ask = asked(scope) if file is not None else None
        row = file.get(ask.key, ask.fmt) if file is not None and ask is not None else None
        found = answer(row, ask, scope) if row is not None and ask is not None else None
        if found is None or file is None:
            return None
        etag = _etag(file.build, found.body)
        if _matches(scope, etag):
            self.answers.not_modified += 1
            return [(b"etag", etag), (b"vary", b"Accept")], b"", 304
        self.answers.hits += 1
        media = _JSON_TYPE if ask is not None and ask.fmt == "json" else _CSV_TYPE
        length = str(len(found.body)).encode()
        headers = [*found.headers, (b"content-length", length), (b"content-type", media)]
        headers.append((b"etag", etag))
        return headers, found.body, 200
