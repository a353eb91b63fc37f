"""Serialise query results: SPARQL JSON/XML/CSV/TSV for solutions, RDF syntaxes for graphs.

Solutions are written here (not by pyoxigraph) so that rows are counted as they stream and a
result past the row limit is refused without materialising it; graphs go through pyoxigraph's
serialisers fed by a counting generator.

>>> from pyoxigraph import NamedNode, Literal
>>> from treatygraph.store import Solutions
>>> rows = iter([(NamedNode("http://e/a"), Literal("x", language="en"))])
>>> serialize(Solutions(("s", "o"), rows), FORMATS["tsv"], max_rows=10)
b'?s\\t?o\\n<http://e/a>\\t"x"@en\\n'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from typing import Literal as Kind
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat
from pyoxigraph import serialize as rdf_serialize

from .base import Boolean, QueryResult, ResultTooLarge, Term, Triples

T = TypeVar("T")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PREFIXES = {
    "tg": "https://w3id.org/treatygraph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


@dataclass(frozen=True, slots=True)
class Format:
    """One serialisation: its short name, media type and what it can carry."""

    name: str
    media_type: str
    kind: Kind["results", "graph"]


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", "results"),
    Format("xml", "application/sparql-results+xml", "results"),
    Format("csv", "text/csv", "results"),
    Format("tsv", "text/tab-separated-values", "results"),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", "graph"),
    Format("ntriples", "application/n-triples", "graph"),
    Format("jsonld", "application/ld+json", "graph"),
    Format("rdfxml", "application/rdf+xml", "graph"),
)
FORMATS = {f.name: f for f in RESULT_FORMATS + GRAPH_FORMATS}
_RDF = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def serialize(result: QueryResult, fmt: Format, *, max_rows: int | None) -> bytes:
    """Bytes of `result` in `fmt`; ResultTooLarge past `max_rows`, ValueError on a misfit."""
    if isinstance(result, Triples):
        if fmt.kind != "graph":
            raise ValueError(f"a graph cannot be written as {fmt.media_type}")
        triples = _limited(result.triples, max_rows)
        prefixes = PREFIXES if fmt.name == "turtle" else None
        return rdf_serialize(triples, format=_RDF[fmt.name], prefixes=prefixes) or b""
    if fmt.kind != "results":
        raise ValueError(f"query results cannot be written as {fmt.media_type}")
    if isinstance(result, Boolean):
        return _BOOLEAN[fmt.name](result.value)
    return _SOLUTIONS[fmt.name](result.variables, _limited(result.rows, max_rows))


def _limited(items: Iterable[T], max_rows: int | None) -> Iterator[T]:
    for count, item in enumerate(items, 1):
        if max_rows is not None and count > max_rows:
            raise ResultTooLarge(max_rows)
        yield item


# --- SPARQL 1.1 Query Results JSON ---------------------------------------------------------


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    value = {
        "subject": _json_term(term.subject),
        "predicate": _json_term(term.predicate),
        "object": _json_term(term.object),
    }
    return {"type": "triple", "value": value}


def _json_solutions(variables: Sequence[str], rows: Iterator[Sequence[Term | None]]) -> bytes:
    bindings = [
        {
            var: _json_term(term)
            for var, term in zip(variables, row, strict=False)
            if term is not None
        }
        for row in rows
    ]
    doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


# --- SPARQL Query Results XML --------------------------------------------------------------

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _xml_solutions(variables: Sequence[str], rows: Iterator[Sequence[Term | None]]) -> bytes:
    out = [_XML_HEAD, "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=False)
            if t is not None
        ]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


# --- SPARQL 1.1 Query Results CSV and TSV --------------------------------------------------


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)  # `_:id` for blank nodes, `<< s p o >>` for triples


def _csv_solutions(variables: Sequence[str], rows: Iterator[Sequence[Term | None]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode()


def _tsv_solutions(variables: Sequence[str], rows: Iterator[Sequence[Term | None]]) -> bytes:
    # str() of a pyoxigraph term is its N-Triples form, with tab and newline escaped.
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


_SOLUTIONS: dict[str, Callable[[Sequence[str], Iterator[Sequence[Term | None]]], bytes]] = {
    "json": _json_solutions,
    "xml": _xml_solutions,
    "csv": _csv_solutions,
    "tsv": _tsv_solutions,
}
_BOOLEAN: dict[str, Callable[[bool], bytes]] = {
    "json": lambda v: json.dumps({"head": {}, "boolean": v}).encode(),
    "xml": lambda v: f"{_XML_HEAD}<head/><boolean>{str(v).lower()}</boolean></sparql>\n".encode(),
    "csv": lambda v: f"_askResult\r\n{str(v).lower()}\r\n".encode(),
    "tsv": lambda v: f"?_askResult\n{str(v).lower()}\n".encode(),
}
