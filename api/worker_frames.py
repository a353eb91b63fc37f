"""The framing between the service and its query workers: length-prefixed frames on pipes.

A job is one JSON frame; an answer is one frame: a JSON header line, then the body. Result
bytes are written once by the worker and handed to the HTTP response as they are: nothing is
pickled, and each round trip costs one write and one read on each side.
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
        # Spelled out: dataclasses.asdict deep-copies every field (four times the cost).
        fields = {
            "query": self.query,
            "results_format": self.results_format,
            "graph_format": self.graph_format,
            "default_graphs": self.default_graphs,
            "named_graphs": self.named_graphs,
        }
        return json.dumps(fields).encode()

    @classmethod
    def decode(cls, data: bytes) -> Job:
        raw: dict[str, Any] = json.loads(data)
        for key in ("default_graphs", "named_graphs"):
            if raw[key] is not None:
                raw[key] = tuple(raw[key])
        return cls(**raw)


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
        """A JSON header line, then the body as it is (one frame, one write)."""
        header = {"status": self.status, "format": self.format, "message": self.message}
        return json.dumps(header).encode() + b"\n" + self.body

    @classmethod
    def decode(cls, data: bytes) -> Answer:
        header, _, body = data.partition(b"\n")
        raw: dict[str, Any] = json.loads(header)
        return cls(int(raw["status"]), str(raw["format"]), body, str(raw["message"]))


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
