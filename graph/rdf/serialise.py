"""Writing the graph out: sorted N-Triples, Turtle with prefixes, JSON-LD with the context of
the ontology, in chunks so that a large graph never sits in memory as one string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
import rdflib

from treatygraph.rdf.terms import Canonical, GraphLike, Term, Triples
from treatygraph.rdf.vocab import (
    RDF,
    XSD,
)

# --- serialisation -----------------------------------------------------------------------------


def canonical_triples(graph: GraphLike) -> Triples | Canonical:
    """Triples without duplicates, sorted by their N-Triples form."""
    if isinstance(graph, Triples | Canonical):
        return graph
    if isinstance(graph, rdflib.Graph):
        data = graph.serialize(format="nt", encoding="utf-8")
        graph = (q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return Triples(sorted(set(graph), key=str))


def subject_id(term: Term | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"unsupported subject {term!r}")


class Compactor:
    """Writes triples as compact JSON-LD entries under a context: a property with a term is
    written by its term, its values bare when the term's type coercion says how to read them;
    anything else in expanded form, so that every triple reads back unchanged."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = {
            term: value
            for term, value in context.items()
            if isinstance(value, str) and value.endswith(("#", "/"))
        }
        self.by_namespace = {namespace: prefix for prefix, namespace in self.prefixes.items()}
        self.cache: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}
        for term in sorted(context):
            iri, coercion = self._definition(context[term])
            if term.startswith("@") or iri is None or iri in self.terms:
                continue
            self.terms[iri] = (term, coercion)
        self.id_key = next((t for t, v in context.items() if v == "@id"), "@id")
        self.type_key = next((t for t, v in context.items() if v == "@type"), "@type")

    def _definition(self, value: Any) -> tuple[str | None, str | None]:
        if isinstance(value, str):
            return (None, None) if value.startswith("@") else (self.expand(value), None)
        if isinstance(value, dict) and "@id" in value:
            coercion = value.get("@type")
            if coercion not in (None, "@id", "@vocab"):
                coercion = self.expand(coercion)
            return self.expand(value["@id"]), coercion
        return None, None

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return value

    def compact(self, iri: str) -> str:
        """A compact IRI (``tg:kind-convention``) where a namespace holds the whole local name
        (no further ``/`` or ``#``), else the IRI as it is; either reads back the same."""
        if iri in self.cache:
            return self.cache[iri]
        self.cache[iri] = result = self._compact(iri)
        return result

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        rest = iri[cut:]
        if prefix and rest and ":" not in rest:
            return f"{prefix}:{rest}"
        return iri

    def vocab(self, iri: str) -> str:
        """A class or property by its term, else as a compact IRI."""
        return self.terms[iri][0] if iri in self.terms else self.compact(iri)

    def entry(self, predicate: str, obj: Term | ox.Triple) -> tuple[str, Any]:
        if predicate == f"{RDF}type" and isinstance(obj, ox.NamedNode):
            return self.type_key, self.vocab(obj.value)
        key, coercion = self.terms.get(predicate, (self.compact(predicate), None))
        return key, self._value(obj, coercion)

    def _value(self, obj: Term | ox.Triple, coercion: str | None) -> Any:
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            ref = self.compact(obj.value) if isinstance(obj, ox.NamedNode) else f"_:{obj.value}"
            return ref if coercion == "@id" else {"@id": ref}
        if not isinstance(obj, ox.Literal):
            raise TypeError(f"unsupported object {obj!r}")
        datatype = obj.datatype.value
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if coercion is not None:
            if coercion == datatype:
                return obj.value
            return self._typed(obj.value, datatype)
        if datatype == f"{XSD}string":
            return obj.value
        native = _native(obj.value, datatype)
        return native if native is not None else self._typed(obj.value, datatype)

    def _typed(self, value: str, datatype: str) -> dict[str, str]:
        if datatype == f"{XSD}string":
            return {"@value": value}
        return {"@value": value, "@type": self.compact(datatype)}

    def node(self, subject: str, entries: dict[str, list[Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {self.id_key: self.compact(subject)}
        for key in sorted(entries, key=lambda k: (k != self.type_key, k)):
            values = entries[key]
            result[key] = values[0] if len(values) == 1 else values
        return result


def _native(lexical: str, datatype: str) -> int | bool | None:
    """A JSON number or boolean that reads back as exactly this literal, if there is one."""
    if datatype == f"{XSD}integer" and re.fullmatch(r"-?(0|[1-9][0-9]*)", lexical):
        return int(lexical)
    if datatype == f"{XSD}boolean" and lexical in ("true", "false"):
        return lexical == "true"
    return None
