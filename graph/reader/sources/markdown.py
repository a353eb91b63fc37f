"""Markdown from PDF converters: YAML front matter, ``[^1]`` calls, ``[^1]: …`` notes.

The front matter (``symbol``, ``date``, ``title``, ``source_pdf``, …) is returned as fields;
the body loses its Markdown (headings, emphasis, escapes, links, block quotes, rules) and
keeps the calls and notes in the core's own ``[^N]`` form, each note on one line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from treatygraph.errors import fatal

FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
NOTE = re.compile(r"^\[\^(\d{1,3})\]:\s?(.*)$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
QUOTE = re.compile(r"^\s{0,3}>\s?")
RULE = re.compile(r"^\s{0,3}(?:[*-]\s*){3,}$")
EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![A-Za-z0-9])")
LINK = re.compile(r"!?\[([^\]^][^\]]*)\]\([^)]*\)")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~\"'])")
CODE = re.compile(r"`([^`]*)`")
HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A footnote call glued to a word by the converter, written as a superscript: "<sup>3</sup>".
SUPERSCRIPT = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>", re.IGNORECASE)


def read_markdown(text: str, file: str) -> tuple[str, dict[str, Any] | None]:
    """The body as the core's text, and the front matter's fields (or None)."""
    front: dict[str, Any] | None = None
    m = FRONT_MATTER.match(text)
    if m:
        front = _front_matter(m.group(1), file)
        text = text[m.end() :]
    return "\n".join(_lines(text.replace("\r\n", "\n").split("\n"))) + "\n", front


def _front_matter(block: str, file: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as err:
        raise fatal(f"cannot read the Markdown front matter: {err}", file=file) from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise fatal("the Markdown front matter is not a mapping of fields", file=file)
    return {str(k): v for k, v in data.items()}


def _lines(raw: list[str]) -> list[str]:
    """Plain lines; a note's indented continuation lines joined to the note's line (blank
    lines kept as they are, so that line numbers stay the file's where nothing is joined)."""
    out: list[str] = []
    note_at: int | None = None  # where the open note's line is in ``out``
    for line in raw:
        note = NOTE.match(line)
        if note:
            note_at = len(out)
            out.append(f"[^{note.group(1)}]: {plain(note.group(2))}")
            continue
        if note_at is not None and line[:1].isspace() and line.strip():
            out[note_at] = f"{out[note_at].rstrip()} {plain(line.strip())}"
            out.append("")  # keep the line count
            continue
        if line.strip():
            note_at = None  # a note ends at the first line that is not indented
        out.append(plain(line))
    return out


def plain(line: str) -> str:
    """One line without Markdown.

    >>> plain("## 80/1. *Participation* of \\\\[observers\\\\]")
    '80/1. Participation of [observers]'
    >>> plain("the **Convention**[^3] and <sup>4</sup>")
    'the Convention[^3] and [^4]'
    """
    if RULE.match(line):
        return ""
    if m := HEADING.match(line):
        line = m.group(1)
    line = QUOTE.sub("", line)
    line = HTML_BREAK.sub(" ", line)
    line = SUPERSCRIPT.sub(r"[^\1]", line)
    line = LINK.sub(r"\1", line)
    line = CODE.sub(r"\1", line)
    for _ in range(2):  # nested emphasis: ***a*** or **_a_**
        line = EMPHASIS.sub(r"\2", line)
    return ESCAPE.sub(r"\1", line)
