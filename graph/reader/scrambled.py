"""Footnotes that plain ``pdftotext`` printed apart from their numbers.

Without ``-layout``, pdftotext may print a page's footnote numbers and footnote texts as two
columns, in either order, with page furniture between them::

    __________________
    Resolution 70/1.
    Resolution 69/283, annex II.
    4
    See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex.
    2
    3
    2/5

Such a block is put back in order before the text is cleaned: the numbers, ascending, are
paired with the texts in the order printed (a text runs on until it reads as finished), and
the block is rewritten as ``N text`` lines; the line count is kept (the rest of the block is
left blank), so that line numbers still name the file's lines. A block whose numbers each
stand before their own text is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from treatygraph.reader.clean import SEPARATOR, footnote_finished, is_furniture

NUMBER_ALONE = re.compile(r"^\s*(\d{1,3})\s*$")
OPERATIVE_START = re.compile(r"^\s*\d{1,3}\.(?:\s|$)")
LONGEST_BLOCK = 40  # lines after the rule: a page's footnotes never take more


@dataclass(slots=True)
class _Block:
    numbers: list[int] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # "n" or "t", as printed
    end: int = 0  # index after the block's last line

    def add_text(self, line: str) -> None:
        if self.texts and self.order[-1] == "t" and not footnote_finished(" ".join(self.texts[-1])):
            self.texts[-1].append(line.strip())
            return
        self.texts.append([line.strip()])
        self.order.append("t")

    def scrambled(self) -> bool:
        if not self.numbers or len(self.texts) != len(self.numbers):
            return False
        adjacent = any(a == b == "n" for a, b in zip(self.order, self.order[1:], strict=False))
        return self.order[0] == "t" or adjacent or self.numbers != sorted(self.numbers)


def unscramble_notes(lines: list[str], symbol: str | None, title: str | None) -> list[str]:
    """The lines with every scrambled footnote block put back in order."""
    if not any(SEPARATOR.match(ln) for ln in lines):
        return lines
    out = list(lines)
    for index, line in enumerate(lines):
        if not SEPARATOR.match(line):
            continue
        block = _read_block(lines, index + 1, symbol, title)
        if block.scrambled():
            pairs = zip(sorted(block.numbers), block.texts, strict=True)
            rewritten = [f"{n} {' '.join(text)}" for n, text in pairs]
            span = range(index + 1, block.end)
            for offset, target in enumerate(span):
                out[target] = rewritten[offset] if offset < len(rewritten) else ""
    return out


def _read_block(lines: list[str], start: int, symbol: str | None, title: str | None) -> _Block:
    """The numbers and texts after a rule, up to the body of the next page: the first text
    after page furniture once every number has its text."""
    block = _Block()
    after_furniture = False
    index = start
    for index in range(start, min(start + LONGEST_BLOCK, len(lines))):
        line = lines[index]
        if not line.strip():
            continue
        if SEPARATOR.match(line) or OPERATIVE_START.match(line):
            break
        if is_furniture(line, symbol, title):
            after_furniture = True
            continue
        number = NUMBER_ALONE.match(line)
        if number:
            block.numbers.append(int(number.group(1)))
            block.order.append("n")
            continue
        if after_furniture and len(block.texts) >= len(block.numbers):
            break
        block.add_text(line)
    else:
        index = min(start + LONGEST_BLOCK, len(lines))
    block.end = index
    return block
