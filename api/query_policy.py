"""What a query may do here: no updates, no SERVICE beyond the allow-list, bounded nesting.

The lexer (treatygraph.store.scan) is the fast path: most queries carry no suspicious keyword and
are let through without a parse. A suspicious one is parsed with rdflib's SPARQL parser to
name the operation or the SERVICE endpoints; a query the parser cannot read is refused when
the lexer saw a bare SERVICE keyword (when in doubt, make no outbound request).

Queries sent to /sparql may use the common prefixes (`PREDECLARED`) without declaring them;
a query's own PREFIX lines win. The service description and docs/sparql.md say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from treatygraph.rdf.vocab import PREFIXES
from treatygraph.store import scan

# The prefixes a /sparql query may use undeclared: ours, and those of the standard vocabularies
# the graph is written in (ontology/treatygraph.ttl); the namespaces are treatygraph.rdf.vocab's.
PREDECLARED_NAMES = (
    "tg",
    "cito",
    "eli",
    "dcterms",
    "oa",
    "skos",
    "prov",
    "rdf",
    "rdfs",
    "xsd",
    "owl",
)
PREDECLARED: dict[str, str] = {name: PREFIXES[name] for name in PREDECLARED_NAMES}


@dataclass(frozen=True, slots=True)
class Refused(Exception):
    """A query this endpoint will not run, with the HTTP status to answer."""

    status: int
    message: str

    def __str__(self) -> str:
        return self.message


def check(
    query: str, *, max_depth: int, service_allow: tuple[str, ...], prologue: str = ""
) -> None:
    """Raise Refused when `query` must not run. `prologue`: the BASE and PREFIX declarations
    the query runs with (treatygraph.store.remote.prologue), for the parser that checks it."""
    if not query.strip():
        raise Refused(400, "the query is empty")
    shape = scan(query)
    if shape.depth > max_depth:
        raise Refused(400, f"the query nests {shape.depth} levels deep; the limit is {max_depth}")
    if shape.update_keywords:
        _refuse_update(prologue + query)
    if shape.has_service:
        _check_services(prologue + query, certain="SERVICE" in shape.keywords, allow=service_allow)


def _refuse_update(query: str) -> None:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        request = parseUpdate(query)
    except Exception:
        return
    names = sorted({str(op.name).removesuffix("Data").upper() for op in request.request})
    raise Refused(403, f"this endpoint is read-only: SPARQL Update ({', '.join(names)}) is refused")


def _check_services(query: str, *, certain: bool, allow: tuple[str, ...]) -> None:
    endpoints = _parsed_services(query)
    if endpoints is None or (certain and not endpoints):
        if certain:
            raise Refused(403, "SERVICE is not allowed here: the query could not be checked")
        return
    for endpoint in endpoints:
        if endpoint not in allow:
            shown = f"<{endpoint}>" if endpoint else "with a variable"
            raise Refused(
                403,
                f"SERVICE {shown} is not allowed: this endpoint sends no requests to other "
                "servers except those its operator allows",
            )


def _parsed_services(query: str) -> list[str] | None:
    """SERVICE endpoints named in `query` ('' for a variable), or None if it does not parse."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:
        return None
    return [str(t) if isinstance(t, URIRef) else "" for t in _service_terms(algebra)]


def _service_terms(node: object) -> Iterator[object]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.get("term")
        for value in node.values():
            yield from _service_terms(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _service_terms(value)
