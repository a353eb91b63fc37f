"""The UN header of a resolution: symbol, title, body, session, agenda item, adoption date.

Read from the lines before the enacting formula, each item possibly broken over lines as
the PDF breaks them; the symbol tells the body and session where the header does not
(:mod:`treatygraph.reader.bodies`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import date, datetime

from treatygraph.errors import fatal
from treatygraph.model import ResolutionMeta
from treatygraph.reader.bodies import body_of, session_of
from treatygraph.reader.clean import DATE_LINE, PLENARY, join_lines

ENACTING = re.compile(r"^\s*The\s+([A-Z][A-Za-z ]+?),?\s*$")
SYMBOL = re.compile(
    r"\b((?:A|S|E)(?:/[A-Z]+)*/RES/[A-Za-z0-9/().-]*[A-Za-z0-9)]"
    r"(?:\s\(\d{4}\)|\s[A-Z]\s\((?:ES-|S-)?[IVXLC]+\))?)"  # S/RES/2728 (2024), 2200 A (XXI)
)
ADOPTED = re.compile(
    r"(?:Resolution|Decision) adopted by the ([A-Z][A-Za-z ]+?) on (\d{1,2} \w+ \d{4})"
)
# The Security Council's header: "Resolution 2728 (2024)", "Adopted by the Security Council at
# its 9586th meeting, on 25 March 2024".
COUNCIL_TITLE = re.compile(r"^\s*Resolution\s+(\d{1,4}\s*\(\d{4}\))\s*$")
COUNCIL_ADOPTED = re.compile(
    r"Adopted by the (Security Council) at its \d+\w* meeting,? on (\d{1,2} \w+ \d{4})"
)
SESSION = re.compile(r"^\s*([A-Z][a-z]+(?:-[a-z]+)?) session\b")
AGENDA = re.compile(r"^\s*Agenda items?\s+(.+?)\s*$")
TITLE_LINE = re.compile(r"^\s*(?:[A-Z]+-)?\d{1,4}/\d{1,4}\.\s+(\S.*?)\s*$")
TITLE_LINES = 4  # a resolution's title takes at most this many lines
# What opens a paragraph, never a title's continuation: "1. ", "(a) ", "Recalling ...".
PARAGRAPH_START = re.compile(r"^(?:\d{1,3}\.\s|\([a-z]{1,2}\)\s|[A-Z][a-z]+(?:ing|ed)\b)")
# 1946-1975: "2200 (XXI). International Covenants on Human Rights", "2200 A (XXI). ..."
TITLE_OLD_STYLE = re.compile(r"^\s*\d{1,4}\s*(?:[A-Z]\s*)?\((?:ES-|S-)?[IVXLC]+\)\.\s+(\S.*?)\s*$")
TITLE_ALONE = re.compile(r"^\s*(?:[A-Z]+-)?\d{1,4}/\d{1,4}\.()\s*$")  # "73/8." with the title below
ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip


def ordinal(word: str) -> int | None:
    """English ordinal words as numbers.

    >>> ordinal("Seventy-seventh"), ordinal("tenth"), ordinal("session")
    (77, 10, None)
    """
    word = word.lower()
    if word in ORDINAL_UNITS:
        return ORDINAL_UNITS[word]
    tens, _, unit = word.partition("-")
    if tens in TENS and unit in ORDINAL_UNITS and ORDINAL_UNITS[unit] < 10:
        return TENS[tens] + ORDINAL_UNITS[unit]
    return None


def read_header(lines: list[str]) -> dict[str, object]:
    """Symbol, title, body, session, agenda item and adoption date from a UN header.

    >>> h = read_header(["United Nations    A/RES/77/194", "Seventy-seventh session",
    ...     "Agenda item 67 (a)", "Resolution adopted by the General Assembly on 15 December 2022",
    ...     "77/194. Trafficking in women and girls"])
    >>> h["symbol"], h["session"], h["agenda_item"], h["adoption_date"], h["title"]
    ('A/RES/77/194', 77, '67 (a)', datetime.date(2022, 12, 15), 'Trafficking in women and girls')

    A line broken where the PDF broke it is read across the break:

    >>> h = read_header(["A/RES/73/8", "Resolution adopted by the General Assembly",
    ...     "on 1 November 2018", "73/8.", "Necessity of ending the", "embargo against Cuba",
    ...     "The General Assembly,"])
    >>> h["adoption_date"], h["title"]
    (datetime.date(2018, 11, 1), 'Necessity of ending the embargo against Cuba')
    """
    found: dict[str, object] = {}
    for i, line in enumerate(lines):
        if "symbol" not in found and (m := SYMBOL.search(line)):
            found["symbol"] = m.group(1)
        if m := ADOPTED.search(line) or COUNCIL_ADOPTED.search(line):
            found["body"] = m.group(1)
            found["adoption_date"] = datetime.strptime(m.group(2), "%d %B %Y").date()
        if (m := SESSION.match(line)) and (n := ordinal(m.group(1))):
            found["session"] = n
        if m := AGENDA.match(line):
            found["agenda_item"] = m.group(1)
        if "title" not in found and (m := COUNCIL_TITLE.match(line)):
            found["title"] = f"Resolution {m.group(1)}"
        numbered = TITLE_LINE.match(line) or TITLE_OLD_STYLE.match(line) or TITLE_ALONE.match(line)
        if "title" not in found and (m := numbered):
            title = _title_lines(m.group(1), lines[i + 1 :])
            if title:
                found["title"] = title
    if "adoption_date" not in found and (m := ADOPTED.search(" ".join(" ".join(lines).split()))):
        found["body"] = m.group(1)
        found["adoption_date"] = datetime.strptime(m.group(2), "%d %B %Y").date()
    symbol = str(found.get("symbol", ""))
    if symbol and "session" not in found and (session := session_of(symbol)) is not None:
        found["session"] = session
    if symbol and "body" not in found and (body := body_of(symbol)):
        found["body"] = body
    return found


def _title_lines(first: str, following: list[str]) -> str:
    """A title and the lines that continue it (a title printed below its number may stand
    after a blank line), up to a blank line, the enacting formula, or what opens a
    paragraph: at most :data:`TITLE_LINES` lines.

    >>> _title_lines("Made-up title on the", ["furniture of pages", "Recalling the Charter,"])
    'Made-up title on the furniture of pages'
    """
    parts: list[str] = [first] if first else []
    rest = following
    if not first:
        rest = list(itertools.dropwhile(lambda ln: not ln.strip(), following))
    for line in rest:
        if len(parts) >= TITLE_LINES or not _continues_title(line, parts):
            break
        parts.append(line)
    return join_lines([p.strip() for p in parts])


def _continues_title(line: str, parts: list[str]) -> bool:
    text = line.strip()
    if not text or ENACTING.match(line) or text.startswith("["):
        return False
    if parts and parts[-1].rstrip().endswith((",", ";", ".")):
        return False  # the line before closed a paragraph: the title was done
    return not text.endswith((",", ";")) and PARAGRAPH_START.match(text) is None


def merge_meta(
    header: dict[str, object], meta: ResolutionMeta | None, file: str | None
) -> ResolutionMeta:
    """The header wins where it speaks; the metadata file fills the rest."""
    if meta is None and "symbol" not in header:
        raise fatal(
            "no UN header with a resolution symbol, and no metadata file beside the text "
            "(expected NAME.meta.yaml with symbol and title)",
            file=file,
        )
    base = meta or ResolutionMeta(symbol=str(header["symbol"]), title="")
    fields = {k: v for k, v in header.items() if v is not None}
    merged = replace(base, **fields)  # type: ignore[arg-type]
    if "symbol" in header:
        merged = replace(merged, source="header")
    if not merged.title:
        raise fatal("no title in the header or the metadata file", file=file)
    return merged


def parse_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):  # YAML reads 2020-01-01T10:00 as a datetime
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def plenary_date(lines: list[str]) -> date | None:
    """The date under the plenary line that closes the text ("85th plenary meeting" /
    "12 December 1996"): the day of adoption, where the header does not give it.

    >>> plenary_date(["2. Decides to act.", "85th plenary meeting", "", "12 December 1996"])
    datetime.date(1996, 12, 12)
    """
    for i, line in enumerate(lines):
        if not PLENARY.match(line):
            continue
        following = next((ln for ln in lines[i + 1 : i + 4] if ln.strip()), "")
        if DATE_LINE.match(following):
            try:
                return datetime.strptime(" ".join(following.split()), "%d %B %Y").date()
            except ValueError:
                return None
    return None
