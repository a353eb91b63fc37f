"""Front ends: each turns one kind of input into the text the reader's core reads.

``load`` tells the format from the file's content (:mod:`.detect`) and hands the bytes to
its front end: :mod:`.pdf` (the official PDF), :mod:`.markdown` (a PDF converter's Markdown
with YAML front matter), :mod:`.html` (the UN's older web pages), :mod:`.text` (plain text,
as pdftotext or pypdf print it, or as typed). What comes back is the text in the core's
layout, and what the file itself says of the resolution (front matter), if anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from treatygraph.errors import fatal
from treatygraph.reader.sources.detect import Format, detect


@dataclass(frozen=True, slots=True)
class Source:
    """One input read by its front end: the core's text, and metadata the file gave."""

    text: str
    format: Format
    metadata: dict[str, Any] | None = None  # front-matter fields, as the file wrote them


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise fatal(f"cannot read: {err.strerror or err}", file=str(path)) from err


def load(path: Path) -> Source:
    """Read a resolution file of any supported format into the core's text."""
    data = read_bytes(path)
    found = detect(data, path.name)
    if found is Format.PDF:
        from treatygraph.reader.sources.pdf import read_pdf

        return Source(read_pdf(path, data), found)
    if path.suffix.lower() == ".pdf":
        raise fatal("not a PDF: the file has no %PDF- signature", file=str(path))
    from treatygraph.reader.sources.text import decode

    if found is Format.HTML:
        from treatygraph.reader.sources.html import decode_html, html_to_text

        return Source(html_to_text(decode_html(data)), found)
    text = decode(path, data)
    if found is Format.MARKDOWN:
        from treatygraph.reader.sources.markdown import read_markdown

        body, front = read_markdown(text, str(path))
        return Source(body, found, front)
    return Source(text, found)


__all__ = ["Format", "Source", "detect", "load"]
