"""The UN's older web pages (``ares51-66.htm``, 1990s): HTML made plain text.

Block elements (paragraphs, headings, line breaks, list items, table rows) become lines,
``<sup>`` calls become ``[^N]`` where they hold a number, entities are decoded, and scripts
and styles are dropped. The result keeps the page's own layout: ``1/`` calls in the text and
the notes gathered under "Notes" at the end, which the core reads.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# The charset a page declares: <meta charset=...>, or <meta content="...; charset=...">.
CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)

BLOCKS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li tr table blockquote pre hr dd dt ol ul center title".split()
)
SKIPPED = frozenset({"script", "style", "head"})
NUMBER = re.compile(r"^\s*(\d{1,3})/?\s*$")


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0
        self.in_sup = False
        self.sup = ""
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "sup":
            self.in_sup, self.sup = True, ""
        elif tag in BLOCKS:
            self._break(paragraph=tag != "br")
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "sup":
            self.in_sup = False
            number = NUMBER.match(self.sup)
            if number:
                self.lines[-1] = self.lines[-1].rstrip() + f"[^{number.group(1)}]"
            else:
                self.lines[-1] += self.sup
        elif tag in BLOCKS:
            self._break(paragraph=True)
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.in_sup:
            self.sup += data
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.lines[-1] += first
            self.lines.extend(rest)
            return
        self.lines[-1] += re.sub(r"\s+", " ", data)

    def _break(self, *, paragraph: bool) -> None:
        self.lines[-1] = self.lines[-1].rstrip()
        if paragraph and self.lines[-1]:
            self.lines.append("")
        self.lines.append("")


def decode_html(data: bytes) -> str:
    """A page's text: in the charset it declares, else UTF-8, else Windows-1252 (the pages
    of the 1990s are seldom UTF-8).

    >>> decode_html(b'<meta charset="iso-8859-1"><p>r\\xe9solution</p>')
    '<meta charset="iso-8859-1"><p>résolution</p>'
    >>> decode_html("<p>résolution</p>".encode())
    '<p>résolution</p>'
    """
    declared = CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """The page as plain lines, one block a line, blank lines between blocks.

    >>> html_to_text("<p>Recalling the Convention <sup>1</sup>,</p><p>Notes<br>1/ Ibid.</p>")
    'Recalling the Convention[^1],\\n\\nNotes\\n1/ Ibid.\\n'
    """
    parser = _Plain()
    parser.feed(html)
    parser.close()
    lines = [ln.replace("\xa0", " ").rstrip() for ln in parser.lines]
    lines = [" " + ln.strip() if ln.startswith(" ") and ln.strip() else ln for ln in lines]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
