"""Plain text: the bytes as UTF-8, refused by name when they are not text."""

from __future__ import annotations

from pathlib import Path

from treatygraph.errors import fatal


def decode(path: Path, data: bytes) -> str:
    """A resolution file as text; binary or non-UTF-8 content is refused by name."""
    if b"\x00" in data:
        raise fatal(f"binary data: NUL byte at offset {data.index(0)}", file=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise fatal(f"not UTF-8 text: byte 0x{data[err.start]:02x} at offset {err.start}",
                    file=str(path)) from err  # fmt: skip
