"""Which front end reads a file: told from its content, the extension only breaking ties.

>>> detect(b"%PDF-1.7\\n...", "a.txt"), detect(b"<?xml version='1.0'?><html>", "a.txt")
(<Format.PDF: 'pdf'>, <Format.HTML: 'html'>)
>>> detect(b"---\\nsymbol: A/RES/80/1\\n---\\nThe General Assembly,", "a.txt")
<Format.MARKDOWN: 'markdown'>
>>> detect(b"The General Assembly,\\n", "a.md"), detect(b"The General Assembly,\\n", "a.txt")
(<Format.MARKDOWN: 'markdown'>, <Format.TEXT: 'text'>)
"""

from __future__ import annotations

import re
from enum import StrEnum


class Format(StrEnum):
    TEXT = "text"
    PDF = "pdf"
    MARKDOWN = "markdown"
    HTML = "html"


SNIFF = 4096  # bytes looked at
PDF_MAGIC = b"%PDF-"
HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"  # an XML declaration, comments
    rb"<(?:!doctype\s+html|html|head|body|p|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)
FRONT_MATTER = re.compile(rb"^\s*---\s*\r?\n.*?\r?\n---\s*\r?\n", re.DOTALL)
MARKDOWN_NOTE = re.compile(rb"^\[\^\d{1,3}\]:", re.MULTILINE)
EXTENSIONS = {".pdf": Format.PDF, ".md": Format.MARKDOWN, ".markdown": Format.MARKDOWN,
              ".htm": Format.HTML, ".html": Format.HTML}  # fmt: skip


def detect(data: bytes, name: str) -> Format:
    """The format of a file's bytes; a PDF is known by its signature wherever it stands in
    the first kilobyte (as PDF readers allow), HTML by its first tag, Markdown by YAML front
    matter or ``[^1]:`` notes."""
    head = data[:SNIFF].lstrip(b"\xef\xbb\xbf")
    if PDF_MAGIC in head[:1024]:
        return Format.PDF
    if HTML_START.match(head):
        return Format.HTML
    if FRONT_MATTER.match(head) or MARKDOWN_NOTE.search(data):
        return Format.MARKDOWN
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    found = EXTENSIONS.get(suffix, Format.TEXT)
    return Format.TEXT if found is Format.PDF else found  # a ".pdf" without the signature
