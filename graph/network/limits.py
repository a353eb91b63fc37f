"""What the network view is made of and may cost: node and edge kinds, errors, limits; and the
reading of the store into nodes and edges (SPARQL, streamed)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from treatygraph.rdf.vocab import CITO, DCTERMS, ELI, RDFS, SKOS, TG
from treatygraph.store import QueryResult, Solutions, Store

NODE_KINDS = ("resolution", "paragraph", "footnote", "instrument")
EDGE_KINDS = ("part_of", "has_footnote", "cites", "references", "supplements", "cocited")
AGGREGATES = ("resolutions", "instruments")
PARTS = ("preambular", "operative")
DIRECTIONS = ("out", "in", "both")
MEASURES = ("pagerank", "in_degree", "resolutions", "citations")
Attrs = dict[str, Any]
T = TypeVar("T")


# --- errors and limits ----------------------------------------------------------------------


class NetworkError(Exception):
    """A request the view cannot answer, with the HTTP status that says why."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(NetworkError):
    """An argument out of range or of an unknown kind."""


class LimitExceeded(NetworkError):
    """The answer would be larger than the configured limit."""


class UnknownNode(NetworkError):
    status = 404


class NoPath(NetworkError):
    status = 404


class Building(NetworkError):
    """No view yet: another request is reading the graph from the store."""

    status = 503


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one request may ask; each can be set by ``TREATYGRAPH_NETWORK_*``."""

    max_depth: int = 4  # neighbourhood depth, ego radius
    max_nodes: int = 5_000  # nodes in a traversal result
    max_results: int = 1_000  # rows of a ranking or co-citation list
    max_export_nodes: int = 250_000  # nodes in one view export
    max_export_triples: int = 1_000_000  # triples in one RDF export
    explore_nodes: int = 2_500  # the explorer starts from the most detailed level under
    explore_edges: int = 6_000  # ... these many nodes and edges (drawing time grows with both)
    max_explore_edges: int = 20_000  # edges a browser is ever sent to draw at once
    explore_instruments: int = 300  # the instruments overview shows the most cited ones
    check_interval: float = 1.0  # seconds between two checks of the store's version
    slots: int = 2  # traversals and exports the service runs at once (more wait)
    queue_timeout: float = 10.0  # seconds one waits for a slot, then 503
    view_wait: float = 300.0  # seconds one waits for the first view (built at start-up), then 503
    build_timeout: float = 120.0  # seconds for the SPARQL queries that build the view

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """``TREATYGRAPH_NETWORK_MAX_DEPTH=6`` etc.; unset or empty keeps the default.

        >>> Limits.from_env({"TREATYGRAPH_NETWORK_MAX_DEPTH": "6"}).max_depth
        6
        """
        env = os.environ if env is None else env
        defaults = cls()
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            variable = f"TREATYGRAPH_NETWORK_{name.upper()}"
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            kind = type(getattr(defaults, name))
            try:
                values[name] = kind(raw)
            except ValueError:
                raise ValueError(f"{variable} must be a number, not {raw!r}") from None
        return cls(**values)


# --- reading the store --------------------------------------------------------------------

PREFIXES = f"""\
PREFIX tg: <{TG}>
PREFIX rdfs: <{RDFS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX eli: <{ELI}>
PREFIX cito: <{CITO}>
PREFIX skos: <{SKOS}>
"""
# How the store is read, and why (measured on 10,000 synthetic resolutions, 10.5 million
# triples, embedded store): a scan of one predicate costs well under a microsecond a triple,
# but a join of the patterns of one group looks every row up in an index, and turning an IRI
# into a string reads it from the store's dictionary: both random reads, 20-100 microseconds
# each. So every pattern is its own sub-select (the store joins sub-selects by hashing: two
# scans), and the queries return each paragraph's and footnote's IRI once, keyed elsewhere by
# what the store holds inline (the resolution's symbol, the paragraph's local id, the
# footnote's number): the citations, footnote markers and parts are joined in Python. Eight
# join-per-row queries took 140 s at that size; these take a fraction of it.


def _scan(subject: str, predicate: str, obj: str) -> str:
    """One triple pattern as a sub-select (projecting its variables), for a hash join.

    >>> _scan("?node", "tg:symbol", "?symbol")
    '{ SELECT ?node ?symbol WHERE { ?node tg:symbol ?symbol } }'
    """
    projected = " ".join(term for term in (subject, obj) if term.startswith("?"))
    return f"{{ SELECT {projected} WHERE {{ {subject} {predicate} {obj} }} }}"


Q_BUILDS = (
    PREFIXES
    + """\
SELECT (GROUP_CONCAT(STR(?build); separator=" ") AS ?builds) WHERE { ?build a tg:Build }"""
)

Q_RESOLUTIONS = (
    PREFIXES
    + f"""\
SELECT ?node ?symbol ?title ?session ?adoption_date ?synthetic WHERE {{
  {_scan("?node", "a", "tg:Resolution")}
  {_scan("?node", "tg:symbol", "?symbol")}
  OPTIONAL {_scan("?node", "dcterms:title", "?title")}
  OPTIONAL {_scan("?node", "tg:session", "?session")}
  OPTIONAL {_scan("?node", "tg:adoptionDate", "?adoption_date")}
  OPTIONAL {_scan("?node", "tg:synthetic", "?synthetic")}
}}"""
)

# The symbol of the resolution `?part` belongs to (a paragraph's, a footnote's).
_SYMBOL_OF = (
    f"{_scan('?part', 'eli:is_part_of', '?resolution')} "
    f"{_scan('?resolution', 'tg:symbol', '?symbol')}"
)

# ?operative is compared in the store (no IRI to read): "true" or "false".
Q_PARAGRAPHS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?operative ?part WHERE {{
  {{ SELECT ?part (?class = tg:OperativeParagraph AS ?operative) WHERE {{
      VALUES ?class {{ tg:PreambularParagraph tg:OperativeParagraph }} ?part a ?class }} }}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
}}"""
)

Q_FOOTNOTES = (
    PREFIXES
    + f"""\
SELECT ?symbol ?number ?part WHERE {{
  {_scan("?part", "a", "tg:Footnote")}
  {_scan("?part", "tg:footnoteNumber", "?number")}
  {_SYMBOL_OF}
}}"""
)

# Footnote markers: the paragraph by its local id, the footnote (of the same resolution) by
# its number.
Q_MARKERS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?number WHERE {{
  {_scan("?part", "tg:hasFootnote", "?footnote")}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
  {_scan("?footnote", "tg:footnoteNumber", "?number")}
  {_scan("?footnote", "eli:is_part_of", "?resolution")}
}}"""
)

# One row per citation (it has one ``foundBy``, at most one intent and one footnote): the
# paragraph by its key, the instrument, how the citation was found, its intent and the number
# of the footnote that carries it. (Grouping by paragraph and instrument in the store doubled
# the time.)
Q_CITATIONS = (
    PREFIXES
    + f"""\
SELECT ?symbol ?local_id ?instrument ?via ?intent ?number WHERE {{
  {_scan("?citation", "cito:hasCitingEntity", "?part")}
  {_scan("?citation", "cito:hasCitedEntity", "?instrument")}
  {_scan("?citation", "tg:foundBy", "?via")}
  {_scan("?part", "tg:localId", "?local_id")}
  {_SYMBOL_OF}
  OPTIONAL {_scan("?citation", "tg:intent", "?intent")}
  OPTIONAL {{
    {_scan("?citation", "tg:viaFootnote", "?footnote")}
    {_scan("?footnote", "tg:footnoteNumber", "?number")}
    {_scan("?footnote", "eli:is_part_of", "?resolution")}
  }}
}}"""
)

# Multi-valued fields are concatenated here and split (and sorted) in Python. A few thousand
# instruments: labels, symbols and UNTS records (which most nodes have) are looked up per
# instrument, the rest hashed.
Q_INSTRUMENTS = (
    PREFIXES
    + f"""\
SELECT ?node (SAMPLE(?label_) AS ?label) (SAMPLE(?title_) AS ?title)
       (SAMPLE(?kind_) AS ?kind) (SAMPLE(?kind_text_) AS ?kind_text)
       (SAMPLE(?symbol_) AS ?symbol) (SAMPLE(?ilo_code_) AS ?ilo_code)
       (SAMPLE(?untc_id_) AS ?untc_id) (SAMPLE(?normlex_id_) AS ?normlex_id)
       (SAMPLE(?in_authority_) AS ?in_authority)
       (SAMPLE(?adoption_date_) AS ?adoption_date) (SAMPLE(?entry_) AS ?entry_into_force)
       (GROUP_CONCAT(DISTINCT ?short_; separator="\\u001f") AS ?short_title)
       (GROUP_CONCAT(DISTINCT ?wikidata_; separator="\\u001f") AS ?wikidata)
       (GROUP_CONCAT(DISTINCT CONCAT(STR(?volume), "/", COALESCE(STR(?number), ""));
                     separator="\\u001f") AS ?unts)
WHERE {{
  {_scan("?node", "a", "tg:Instrument")}
  OPTIONAL {{ ?node rdfs:label ?label_ }}
  OPTIONAL {_scan("?node", "dcterms:title", "?title_")}
  OPTIONAL {_scan("?node", "tg:kind", "?kind_")}
  OPTIONAL {_scan("?node", "tg:kindText", "?kind_text_")}
  OPTIONAL {{ ?node tg:symbol ?symbol_ }}
  OPTIONAL {_scan("?node", "tg:iloCode", "?ilo_code_")}
  OPTIONAL {_scan("?node", "tg:untcId", "?untc_id_")}
  OPTIONAL {_scan("?node", "tg:normlexId", "?normlex_id_")}
  OPTIONAL {_scan("?node", "tg:inAuthority", "?in_authority_")}
  OPTIONAL {_scan("?node", "tg:adoptionDate", "?adoption_date_")}
  OPTIONAL {_scan("?node", "tg:entryIntoForce", "?entry_")}
  OPTIONAL {_scan("?node", "tg:shortTitle", "?short_")}
  OPTIONAL {_scan("?node", "skos:exactMatch", "?wikidata_")}
  OPTIONAL {{ ?node tg:untsRecord ?record . ?record tg:untsVolume ?volume .
             OPTIONAL {{ ?record tg:untsNumber ?number }} }}
}} GROUP BY ?node"""
)

Q_SUPPLEMENTS = (
    PREFIXES
    + """\
SELECT ?node ?parent ?parent_label WHERE {
  ?node tg:supplements ?parent .
  OPTIONAL { ?parent rdfs:label ?parent_label }
}"""
)

_SEP = "\u001f"  # a separator no title contains


def _python(term: object) -> Any:
    """A result term as a Python value: IRIs as strings, literals by their datatype."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in ("integer", "int", "long"):
            return int(term.value)
        if datatype == "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return None if term is None else str(term)


def _solutions(store: Store, query: str, timeout: float) -> Solutions:
    result: QueryResult = store.query(query, timeout=timeout)
    if not isinstance(result, Solutions):
        raise TypeError("expected a SELECT query")
    return result


def select(store: Store, query: str, *, timeout: float) -> Iterator[Attrs]:
    """Rows of a SELECT query as dicts of Python values; unbound variables are left out."""
    result = _solutions(store, query, timeout)
    for row in result.rows:
        yield {
            var: _python(term)
            for var, term in zip(result.variables, row, strict=False)
            if term is not None
        }


def values(store: Store, query: str, *, timeout: float) -> Iterator[tuple[str, ...]]:
    """Rows of a SELECT query as the terms' lexical values: the fast path for the large
    node sets (no conversion by datatype)."""
    for row in _solutions(store, query, timeout).rows:
        try:
            yield tuple(map(_VALUE, row))  # every variable bound: the common case, in C
        except AttributeError:  # an unbound variable (None)
            yield tuple(lexical(term) for term in row)


_VALUE = attrgetter("value")


def lexical(term: object) -> str:
    """An IRI or a literal as its string value; anything else (unbound) as ""."""
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


@dataclass(frozen=True, slots=True)
class Version:
    """What identifies the store's content: its builds (named by a digest of the software
    version and the inputs) and a token that changes on every load."""

    builds: str
    generation: str


def store_version(store: Store, *, timeout: float) -> Version:
    row = next(select(store, Q_BUILDS, timeout=timeout), {})
    return Version(str(row.get("builds", "")), _generation(store))


def _generation(store: Store) -> str:
    """A token that changes whenever the store is loaded, as cheaply as the store allows: its
    own ``generation()`` if it has one, the generation directory an embedded store's symlink
    points to (one syscall), else the triple count (a full count: slow on large stores)."""
    own = getattr(store, "generation", None)
    if callable(own):
        return str(own())
    path = getattr(store, "path", None)
    if isinstance(path, Path) and path.is_symlink():
        return os.readlink(path)
    return str(store.triple_count())
