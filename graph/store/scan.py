"""A small SPARQL lexer: query form, nesting depth, keywords, where to inject VALUES.

It is not a parser. It only needs to be *sound* about what strings, IRIs and comments hide:
a keyword reported absent here cannot be in the query; a keyword reported present may still
be a false alarm (e.g. ``PREFIX service: <...>``), which callers confirm with a real parser.

>>> s = scan('PREFIX e: <http://e/> SELECT * WHERE { ?s e:p "SERVICE" } # DROP ALL')
>>> s.form, s.depth, sorted(s.keywords)
('SELECT', 1, ['PREFIX', 'SELECT', 'WHERE'])
>>> scan("ask { { ?s ?p ?o } }").depth
2
>>> sorted(scan("PREFIX : <http://e/> prefix # a comment\\n tg: <http://t/> ASK {}").declared)
['', 'tg']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# Order matters: strings, IRIs and comments first, since they hide everything inside them.
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<pname>[\w.-]*:[\w.:%\\-]*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
# A keyword glued to a prefixed name (`SERVICE:x`) is still a keyword for real parsers.
_GLUED_KEYWORD = re.compile(r"([A-Za-z]+):")
_GLUABLE = UPDATE_KEYWORDS | {"SERVICE"}
# A comment starting with this marks a place for the bound variables (a VALUES block on the
# next line): inside a sub-select, say, where the planner should see them bound; a query
# may have several, each gets the same block.
BIND_MARK = "#@bind"


@dataclass(frozen=True, slots=True)
class Scan:
    """What the lexer saw in one query or update request."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None (update or garbage)
    depth: int  # deepest nesting of {, ( and [
    keywords: frozenset[str]  # bare words, upper-cased; a word glued to `:` keeps the colon
    where_open: int | None  # where VALUES go: after a #@bind line, else after WHERE's `{`
    trailing_values: bool  # a top-level VALUES clause follows the WHERE group
    bind_points: tuple[int, ...] = ()  # where VALUES go: each #@bind line, else where_open
    declared: frozenset[str] = frozenset()  # prefixes the query declares (`PREFIX tg:` -> tg)

    @property
    def has_service(self) -> bool:
        """SERVICE is, or may be, in the query (glued forms are for a parser to decide)."""
        return bool(self.keywords & {"SERVICE", "SERVICE:"})

    @property
    def update_keywords(self) -> frozenset[str]:
        return self.keywords & UPDATE_KEYWORDS


@lru_cache(maxsize=1024)
def scan(text: str) -> Scan:
    """Scan a query once; results are cached since clients repeat their queries."""
    depth = max_depth = 0
    keywords: set[str] = set()
    form: str | None = None
    opens: list[tuple[int, int]] = []  # (depth-before, end offset) of each `{`
    form_at = -1
    values_after_where = False
    marks: list[int] = []
    declared: set[str] = set()
    declaring = False  # the last word was PREFIX: the next name is what it declares
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if declaring and kind == "pname":
            declared.add(m.group().partition(":")[0])
        if kind not in ("ws", "comment"):
            declaring = kind == "word" and m.group().upper() == "PREFIX"
        if kind == "comment" and m.group().startswith(BIND_MARK):
            marks.append(_next_line(text, m.end()))
        elif kind == "word":
            word = m.group().upper()
            keywords.add(word)
            if form is None and word in FORMS:
                form, form_at = word, m.end()
            if word == "VALUES" and depth == 0 and opens:
                values_after_where = True
        elif kind == "pname":
            glued = _GLUED_KEYWORD.match(m.group())
            word = glued.group(1).upper() if glued else ""
            if word in _GLUABLE:  # `SERVICE:x`: a keyword before `:x`, or the prefix `service:`
                keywords.add(word + ":")
        elif kind == "open":
            if m.group() == "{" and form is not None:
                opens.append((depth, m.end()))
            depth += 1
            max_depth = max(max_depth, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
    where = marks[0] if marks else _where_open(text, form, form_at, opens)
    binds = tuple(marks) if marks else ((where,) if where is not None else ())
    return Scan(
        form,
        max_depth,
        frozenset(keywords),
        where,
        values_after_where,
        binds,
        frozenset(declared),
    )


def _next_line(text: str, at: int) -> int:
    """The offset where the line after ``at`` starts (the end of the text on the last)."""
    newline = text.find("\n", at)
    return len(text) if newline < 0 else newline + 1


def _where_open(
    text: str, form: str | None, form_at: int, opens: list[tuple[int, int]]
) -> int | None:
    """Offset after the `{` of the WHERE group, or None when VALUES cannot go there."""
    top = [end for depth, end in opens if depth == 0]
    if form is None or not top:
        return None
    if form == "CONSTRUCT":
        after_form = text[form_at:].lstrip()
        if not after_form.startswith("{"):
            return None  # short form: CONSTRUCT WHERE { template }
        top = top[1:]  # skip the template
        if not top:
            return None
    at = top[0]
    following = _TOKEN.match(text, at)
    while following and following.lastgroup in ("ws", "comment"):
        following = _TOKEN.match(text, following.end())
    if following and following.group().upper() == "SELECT":
        return None  # `{ SELECT ... }` admits no VALUES before the sub-select
    return at


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """The lexer's tokens of `text` but blanks and comments: (kind, text, offset).

    >>> [kind for kind, _, _ in tokens('ASK { ?s a:b "c:d" } # e:f')]
    ['word', 'open', 'var', 'pname', 'string', 'close']
    """
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield kind, m.group(), m.start()
