"""The framing between the service and its query workers: length-prefixed frames on pipes.

A job is one frame: a header line (formats, dataset), then the query; an answer is one frame:
a header line (status, format, message length), the message, then the body. Result bytes are
written once by the worker and handed to the HTTP response as they are: nothing is pickled
or parsed as JSON, and each round trip costs one write and one read on each side.
"""

from __future__ import annotations

import asyncio
import json
import struct
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

_LENGTH = struct.Struct(">I")
READY = b"ready"
# A query past a limit of this endpoint (time, memory, stack) is the client's to narrow: a
# 4xx, as for too many rows. Retrying it as it is would not help, and the service is fine.
TOO_COSTLY = 422


def over_time(limit: float) -> str:
    return (
        f"the query ran past the time limit of {limit:g} s: narrow it (more specific patterns, "
        "LIMIT) and try again"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One query to run, with the formats the client accepts for each kind of result."""

    query: str
    results_format: str | None  # for SELECT / ASK
    graph_format: str | None  # for CONSTRUCT / DESCRIBE
    default_graphs: tuple[str, ...] | None = None  # protocol dataset, None: the query's own
    named_graphs: tuple[str, ...] | None = None

    def encode(self) -> bytes:
        """One header line (the formats, and the dataset as JSON when there is one), then the
        query as it is: no JSON to escape and parse the query through (a third of the cost of
        a round trip's framing for a point query)."""
        graphs = ""
        if self.default_graphs is not None or self.named_graphs is not None:
            graphs = json.dumps([self.default_graphs, self.named_graphs])
        head = f"{self.results_format or ''}\t{self.graph_format or ''}\t{graphs}\n"
        return head.encode() + self.query.encode()

    @classmethod
    def decode(cls, data: bytes) -> Job:
        head, _, query = data.partition(b"\n")
        results, graph, graphs = head.decode().split("\t", 2)
        default: tuple[str, ...] | None = None
        named: tuple[str, ...] | None = None
        if graphs:
            raw_default, raw_named = json.loads(graphs)
            default = tuple(raw_default) if raw_default is not None else None
            named = tuple(raw_named) if raw_named is not None else None
        return cls(
            query=query.decode(),
            results_format=results or None,
            graph_format=graph or None,
            default_graphs=default,
            named_graphs=named,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What a worker needs to know of the settings."""

    store: str
    timeout: float
    max_rows: int
    max_depth: int
    service_allow: tuple[str, ...]
    memory_mb: int
    base_iri: str | None = None  # relative IRIs of /sparql queries resolve against it

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def decode(cls, text: str) -> Limits:
        raw: dict[str, Any] = json.loads(text)
        raw["service_allow"] = tuple(raw["service_allow"])
        return cls(**raw)


@dataclass(frozen=True, slots=True)
class Answer:
    """A worker's answer: a body in `format`, or an error `message` with its status."""

    status: int
    format: str = ""  # the name of the format of `body` (treatygraph.store.FORMATS)
    body: bytes = b""
    message: str = ""

    def encode(self) -> bytes:
        """A header line (status, format, the message's length), the message, then the body
        as it is (one frame, one write)."""
        message = self.message.encode()
        return f"{self.status} {self.format} {len(message)}\n".encode() + message + self.body

    @classmethod
    def decode(cls, data: bytes) -> Answer:
        header, _, rest = data.partition(b"\n")
        status, fmt, size = header.decode().split(" ")
        length = int(size)
        return cls(int(status), fmt, rest[length:], rest[:length].decode())


def write_frame(out: BinaryIO, payload: bytes) -> None:
    out.write(_LENGTH.pack(len(payload)) + payload)
    out.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame, or None at end of input."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    return stream.read(size)


async def read_frame_async(reader: asyncio.StreamReader) -> bytes:
    """The next frame; asyncio.IncompleteReadError when the worker died."""
    (size,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return await reader.readexactly(size)


def frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload
