"""RDF of extractions under the treatygraph ontology (``ontology/treatygraph.ttl``).

The graph is made one resolution at a time, as N-Triples text: :func:`resolution_part` maps
one extraction to its *part* — the sorted lines about the nodes that belong to it alone (the
resolution, its paragraphs, footnotes, references and citations) and the few lines about nodes
that resolutions share (UNTS records, bodies) — without looking at any other resolution, so
parts can be made in parallel and cached. :class:`Assembly` then puts parts together: the
nodes shared by many resolutions (instruments, source files, the build) described once, the
build activity named by a digest of every input, and the whole graph written in canonical
order (sorted N-Triples, byte for byte the same for the same input, whatever the order of the
extractions) without ever holding it in memory; :func:`triples` is the same graph as
pyoxigraph triples, for small graphs and tests.

IRIs are checked by pyoxigraph as they are made and literals written by its serialiser, so
the text is what ``str(ox.Triple)`` gives. No blank nodes, no clock time. rdflib is only used
for the :class:`rdflib.Graph` view that :func:`to_graph` returns.

The mapping, node by node, is documented in ``ontology/README.md``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import groupby
from typing import IO, Any, cast

import pyoxigraph as ox
import rdflib

from treatygraph.model import (
    Extraction,
    Instrument,
)
from treatygraph.rdf.iris import default_base
from treatygraph.rdf.parts import Assembly, resolution_part
from treatygraph.rdf.serialise import Compactor, canonical_triples, subject_id
from treatygraph.rdf.terms import CONTEXT_FILE, GraphLike, Sources, Triples
from treatygraph.rdf.vocab import (
    PREFIXES,
)

# --- entry points ------------------------------------------------------------------------------


def triples(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> Triples:
    """The triples of ``extractions``, de-duplicated and in canonical (N-Triples) order.

    ``sources`` maps source file paths to their SHA-256; only file names reach the graph.
    ``instruments`` (default: the authority data) supplies the parents of cited instruments
    that no paragraph cites, so that every ``tg:supplements`` edge ends at a described node.
    """
    assembly = Assembly(base or default_base())
    data: dict[str, bytes] = {}
    for extraction in extractions:
        part, lines = resolution_part(extraction, base=assembly.base)
        assembly.add(part)
        data[part.iri] = lines
    whole = assembly.finish(sources, instruments)
    text = b"".join(whole.lines(lambda p, start, end: data[p.iri][start:end]))
    quads = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    return Triples(q.triple for q in quads)


def to_graph(
    extractions: Iterable[Extraction],
    *,
    base: str | None = None,
    sources: Sources | None = None,
    instruments: Mapping[str, Instrument] | None = None,
) -> rdflib.Graph:
    """The graph of ``extractions`` as an :class:`rdflib.Graph` (for pySHACL and tests)."""
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    data = triples(extractions, base=base, sources=sources, instruments=instruments)
    graph.parse(data=to_ntriples(data), format="nt")
    return graph


def to_ntriples(graph: GraphLike) -> str:
    """Canonical N-Triples: one triple a line, sorted, no duplicates."""
    return "".join(ntriples_lines(graph))


def ntriples_lines(graph: GraphLike) -> Iterator[str]:
    """The lines of :func:`to_ntriples`, one at a time."""
    for t in canonical_triples(graph):
        yield f"{t} .\n"


def to_turtle(graph: GraphLike) -> str:
    """Turtle with the usual prefixes, subjects in canonical order, IRIs in full otherwise
    (a relative ``@base`` would also relativise the prefixes)."""
    out = io.BytesIO()
    write_turtle(graph, out)
    return out.getvalue().decode("utf-8")


def write_turtle(graph: GraphLike, out: IO[bytes] | io.RawIOBase) -> None:
    """:func:`to_turtle` into a binary file, a subject at a time (``graph`` may be a
    :class:`Canonical` stream of any length)."""
    # The prefix lines are ours, in our order: the serializer's own order is not promised.
    head = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    out.write(("\n".join(head) + "\n\n").encode("utf-8"))
    body = cast(IO[bytes], _NoPrefixes(out))
    ox.serialize(canonical_triples(graph), body, ox.RdfFormat.TURTLE, prefixes=PREFIXES)


class _NoPrefixes:
    """A binary writer that drops the ``@prefix`` lines the serializer opens with."""

    def __init__(self, out: IO[bytes] | io.RawIOBase) -> None:
        self.out = out
        self.pending = b""
        self.heading = True

    def write(self, data: bytes) -> int:
        if not self.heading:
            self.out.write(data)
            return len(data)
        self.pending += bytes(data)
        while self.heading:
            end = self.pending.find(b"\n")
            if self.pending.startswith(b"@prefix") and end >= 0:
                self.pending = self.pending[end + 1 :]
            elif len(self.pending) < len(b"@prefix") and b"@prefix".startswith(self.pending):
                return len(data)  # too short to tell yet
            elif self.pending.startswith(b"@prefix"):
                return len(data)  # a prefix line not complete yet
            else:
                self.heading = False
                self.out.write(self.pending)
                self.pending = b""
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def to_jsonld(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> str:
    """Compact JSON-LD under the published context (``ontology/context.jsonld``), inlined so
    that the file reads offline: one node object per subject, in canonical order."""
    return "".join(jsonld_chunks(graph, context=context))


def jsonld_chunks(graph: GraphLike, *, context: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The text of :func:`to_jsonld` a node at a time: canonical order keeps each subject's
    triples together, so no node waits for the whole graph."""
    ctx = dict(context if context is not None else load_context())
    compactor = Compactor(ctx)
    yield f'{{"@context": {json.dumps(ctx, ensure_ascii=False, indent=1)},\n"@graph": [\n'
    separator = ""
    for subject, group in groupby(canonical_triples(graph), key=lambda t: t.subject):
        entries: dict[str, list[Any]] = {}
        for t in group:
            key, value = compactor.entry(t.predicate.value, t.object)
            entries.setdefault(key, []).append(value)
        node = compactor.node(subject_id(subject), entries)
        # One node a line: readable, and json's C encoder (no indent) is many times faster.
        yield separator + json.dumps(node, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@cache
def load_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text("utf-8"))
    return dict(data["@context"])
