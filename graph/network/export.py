"""Exports of the citation graph: GraphML, GEXF, Cytoscape.js JSON, node-link JSON (D3), DOT,
CSV node and edge lists (networkx view), and Turtle, N-Triples, JSON-LD (from the store).

What is exported is a :class:`Scope`: the whole graph, one resolution, the neighbourhood of a
node, or the aggregated graph of resolutions and instruments, each optionally restricted to
some node and edge kinds. Every writer puts nodes and edges in one canonical order, so the
same graph gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import networkx as nx
import pyoxigraph as ox

from treatygraph.network.limits import NODE_KINDS, InvalidRequest, LimitExceeded, Limits
from treatygraph.network.subgraphs import aggregated, neighbours, resolution_graph, restrict
from treatygraph.network.view import View
from treatygraph.rdf.mapping import to_jsonld, to_ntriples, to_turtle
from treatygraph.rdf.vocab import CITO, ELI, OA, TG
from treatygraph.store import Store, Triples


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format: its name in URLs and on the command line, media type, file suffix."""

    name: str
    media_type: str
    suffix: str
    rdf: bool = False  # written from the store's triples, not from the networkx view


FORMATS = {
    f.name: f
    for f in (
        ExportFormat("graphml", "application/graphml+xml", "graphml"),
        ExportFormat("gexf", "application/gexf+xml", "gexf"),
        ExportFormat("cytoscape", "application/json", "cyjs"),
        ExportFormat("nodelink", "application/json", "json"),
        ExportFormat("dot", "text/vnd.graphviz", "gv"),
        ExportFormat("nodes-csv", "text/csv", "nodes.csv"),
        ExportFormat("edges-csv", "text/csv", "edges.csv"),
        ExportFormat("csv", "application/zip", "csv.zip"),
        ExportFormat("turtle", "text/turtle", "ttl", rdf=True),
        ExportFormat("ntriples", "application/n-triples", "nt", rdf=True),
        ExportFormat("jsonld", "application/ld+json", "jsonld", rdf=True),
    )
}

# One colour per node kind and instrument kind, shared by GEXF (viz:color), DOT and the explorer.
COLOURS = {
    "resolution": "#1f3a5f",
    "preambular": "#9fb8d6",
    "operative": "#3f76b0",
    "footnote": "#b3b3b3",
    "convention": "#d1495b",
    "protocol": "#f28e2b",
    "optional-protocol": "#f6b26b",
    "ilo-convention": "#2e9e5b",
    "ilo-protocol": "#7fcf94",
    "ilo-recommendation": "#1fb3b3",
    "declaration": "#8e6cc0",
    "un-resolution": "#8c5a3c",
    "report": "#d37fc0",
    "un-document": "#c9a27e",
    "regional-instrument": "#a6a629",
    "initiative": "#e0c341",
    "other": "#8a8a8a",
}


def colour_key(data: Mapping[str, Any]) -> str:
    """The key of :data:`COLOURS` for a node: its part, instrument kind or node kind."""
    kind = str(data["kind"])
    if kind == "paragraph":
        return str(data.get("part", "operative"))
    if kind == "instrument":
        key = str(data.get("instrument_kind", "other"))
        return key if key in COLOURS else "other"
    return kind


# --- what to export -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What an export holds; with none of `resolution`, `around` and `aggregate`, everything."""

    resolution: str | None = None  # one resolution and what it cites
    around: str | None = None  # the neighbourhood of a node ...
    depth: int = 1  # ... to this depth
    aggregate: str | None = None  # "resolutions" (and instruments) or "instruments" only
    node_kinds: tuple[str, ...] = ()
    edge_kinds: tuple[str, ...] = ()

    def graph(self, view: View, limits: Limits) -> nx.DiGraph:
        """The networkx graph this scope selects from `view`."""
        chosen = (self.resolution, self.around, self.aggregate)
        if sum(c is not None for c in chosen) > 1:
            raise InvalidRequest("choose one of resolution, around and aggregate")
        if self.around is not None:
            return neighbours(
                view,
                self.around,
                depth=self.depth,
                node_kinds=self.node_kinds,
                edge_kinds=self.edge_kinds,
                limits=limits,
            )
        if self.resolution is not None:
            base = resolution_graph(view, self.resolution)
        elif self.aggregate is not None:
            base = aggregated(view, self.aggregate)
        else:
            base = view.graph
        g = restrict(base, self.node_kinds, self.edge_kinds)
        if g.number_of_nodes() > limits.max_export_nodes:
            raise LimitExceeded(
                f"the export has {g.number_of_nodes()} nodes, over the limit of "
                f"{limits.max_export_nodes}; export one resolution or filter by kind"
            )
        return g

    def name(self, view: View) -> str:
        """A file name stem: ``treatygraph``, ``treatygraph-A-RES-77-194``, ..."""
        parts = ["treatygraph"]
        if self.resolution is not None:
            parts.append(str(view.graph.nodes[view.node(self.resolution)]["ref"]))
        if self.around is not None:
            parts += ["around", str(view.graph.nodes[view.node(self.around)]["ref"])]
            parts.append(f"d{self.depth}")
        if self.aggregate is not None:
            parts.append(self.aggregate)
        if self.node_kinds:
            parts.append("+".join(sorted(self.node_kinds)))
        return "-".join(re.sub(r"[^A-Za-z0-9()._]+", "-", p).strip("-") for p in parts)


def filename(fmt: ExportFormat, stem: str) -> str:
    return f"{stem}.{fmt.suffix}"


# --- the networkx view ----------------------------------------------------------------------

_KIND_ORDER = {k: i for i, k in enumerate(NODE_KINDS)}


def canonical(g: nx.DiGraph) -> nx.DiGraph:
    """A copy with nodes (by kind, then id), edges and attribute keys in one order."""
    out = nx.DiGraph()
    out.graph.update(g.graph)
    for node in _canonical_order(g):
        out.add_node(node, **_sorted(g.nodes[node]))
    for u, v in sorted(g.edges):
        out.add_edge(u, v, **_sorted(g.edges[u, v]))
    return out


def _canonical_order(g: nx.DiGraph) -> list[str]:
    """Nodes by kind, then by id."""
    return sorted(g, key=lambda n: (_KIND_ORDER.get(g.nodes[n]["kind"], 9), n))


def _sorted(data: Mapping[str, Any]) -> dict[str, Any]:
    first = [k for k in ("kind", "label", "ref") if k in data]
    return {k: data[k] for k in [*first, *sorted(set(data) - set(first))]}


def write_graph(g: nx.DiGraph, fmt: ExportFormat) -> bytes:
    """`g` in a view format (everything but the RDF formats)."""
    if fmt.rdf:
        raise ValueError(f"{fmt.name} is written from the store: use write_rdf")
    return _WRITERS[fmt.name](canonical(g))


def _graphml(g: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(g, buffer, named_key_ids=True)
    return buffer.getvalue()


def _gexf(g: nx.DiGraph) -> bytes:
    """GEXF 1.2 with a colour per kind (viz:color), so that Gephi opens it coloured."""
    styled = g.copy()
    for _, data in styled.nodes(data=True):
        data["viz"] = {"color": _rgba(COLOURS[colour_key(data)])}
    buffer = io.BytesIO()
    nx.write_gexf(styled, buffer, version="1.2draft")
    return buffer.getvalue()


def _rgba(hex_colour: str) -> dict[str, float]:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return {"r": r, "g": g, "b": b, "a": 1.0}


def cytoscape_elements(g: nx.DiGraph) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape.js elements: a node's ``classes`` are its kind and colour key."""
    nodes = [
        {"data": {"id": n, **d}, "classes": f"{d['kind']} {colour_key(d)}"}
        for n, d in g.nodes(data=True)
    ]
    edges = [
        {"data": {"id": f"{u} {v}", "source": u, "target": v, **d}, "classes": d["kind"]}
        for u, v, d in g.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges}


def _cytoscape(g: nx.DiGraph) -> bytes:
    doc = {
        "format_version": "1.0",
        "generated_by": "treatygraph",
        "target_cytoscapejs_version": "~3",
        "data": {"name": g.graph.get("name", "treatygraph")},
        "elements": cytoscape_elements(g),
    }
    return _json(doc)


def node_link(g: nx.DiGraph) -> dict[str, Any]:
    """Node-link data as D3 reads it: ``nodes`` with ``id``, ``links`` with source and target."""
    data: dict[str, Any] = nx.node_link_data(g, edges="links")
    return data


def graph_json(g: nx.DiGraph) -> dict[str, Any]:
    """A traversal result as the API and the CLI answer it: ``nodes`` (each with its ``id``)
    and ``edges`` (each with ``source`` and ``target``), in canonical order, and counts."""
    # What networkx's node_link_data of canonical(g) gives, without copying the graph first
    # (a third of the time of a large ego network).
    order = _canonical_order(g)
    return {
        "directed": g.is_directed(),
        "multigraph": False,
        "nodes": [{**_sorted(g.nodes[n]), "id": n} for n in order],
        "edges": [
            {**_sorted(data), "source": u, "target": v}
            for u in order
            for v, data in sorted(g.adj[u].items(), key=itemgetter(0))
        ],
        "summary": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
    }


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _dot(g: nx.DiGraph) -> bytes:
    lines = [
        "digraph treatygraph {",
        "  graph [rankdir=LR, overlap=false];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for node, data in g.nodes(data=True):
        style = {"fillcolor": COLOURS[colour_key(data)], **data}
        lines.append(f"  {dot_id(node)} [{_dot_attrs(style)}];")
    for u, v, data in g.edges(data=True):
        lines.append(f"  {dot_id(u)} -> {dot_id(v)} [{_dot_attrs(data)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def dot_id(value: object) -> str:
    """A DOT quoted string: backslash, quote and line breaks escaped."""
    text = _text(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r", "\\r").replace("\n", "\\n") + '"'


def _dot_attrs(data: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={dot_id(value)}" for key, value in data.items())


def _text(value: object) -> str:
    """A value as CSV and DOT write it: booleans in lower case, as in RDF and JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(rows: Iterable[Mapping[str, Any]], first: list[str]) -> bytes:
    rows = list(rows)
    columns = first + sorted({k for row in rows for k in row} - set(first))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _text(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8")


def _nodes_csv(g: nx.DiGraph) -> bytes:
    return _csv(({"id": n, **d} for n, d in g.nodes(data=True)), ["id", "kind", "label", "ref"])


def _edges_csv(g: nx.DiGraph) -> bytes:
    rows = ({"source": u, "target": v, **d} for u, v, d in g.edges(data=True))
    return _csv(rows, ["source", "target", "kind"])


def _csv_zip(g: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # A fixed date keeps the archive byte-identical from one export to the next.
        for name, data in (("nodes.csv", _nodes_csv(g)), ("edges.csv", _edges_csv(g))):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


_WRITERS: dict[str, Callable[[nx.DiGraph], bytes]] = {
    "graphml": _graphml,
    "gexf": _gexf,
    "cytoscape": _cytoscape,
    "nodelink": lambda g: _json(node_link(g)),
    "dot": _dot,
    "nodes-csv": _nodes_csv,
    "edges-csv": _edges_csv,
    "csv": _csv_zip,
}


# --- RDF from the store ---------------------------------------------------------------------

# What a node brings along in RDF: a resolution its paragraphs, sub-items, footnotes and their
# references; a paragraph its citations and their evidence; an instrument its UNTS records.
_OWNS = (
    f"(<{ELI}has_part>|<{TG}hasReference>|^<{CITO}hasCitingEntity>|<{TG}evidence>"
    f"|<{OA}hasSelector>|<{TG}untsRecord>)*"
)
Q_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _q_owned(nodes: Collection[str]) -> str:
    values = " ".join(str(ox.NamedNode(n)) for n in sorted(nodes))
    return (
        "CONSTRUCT { ?s ?p ?o } WHERE { "
        f"VALUES ?node {{ {values} }} ?node {_OWNS} ?s . ?s ?p ?o }}"
    )


def rdf_triples(
    store: Store, nodes: Collection[str] | None, *, timeout: float, max_triples: int | None
) -> list[ox.Triple]:
    """The store's triples about `nodes` and what they own; all triples when None."""
    query = Q_ALL if nodes is None else _q_owned(nodes)
    result = store.query(query, timeout=timeout)
    if not isinstance(result, Triples):
        raise TypeError("expected a CONSTRUCT query")
    return list(_limited(result.triples, max_triples))


def _limited(triples: Iterable[ox.Triple], limit: int | None) -> Iterator[ox.Triple]:
    for count, triple in enumerate(triples, 1):
        if limit is not None and count > limit:
            raise LimitExceeded(
                f"the export has more than {limit} triples; export one resolution, a "
                "neighbourhood, or use `treatygraph export` on the command line"
            )
        yield triple


def write_rdf(triples: Iterable[ox.Triple], fmt: ExportFormat) -> bytes:
    """Canonical Turtle, N-Triples or JSON-LD (the writers of :mod:`treatygraph.rdf.mapping`)."""
    if fmt.name == "turtle":
        return to_turtle(triples).encode("utf-8")
    if fmt.name == "ntriples":
        return to_ntriples(triples).encode("utf-8")
    if fmt.name == "jsonld":
        return to_jsonld(triples).encode("utf-8")
    raise ValueError(f"{fmt.name} is not an RDF format")


@dataclass(frozen=True, slots=True)
class Export:
    """An export ready to send or save."""

    body: bytes
    media_type: str
    filename: str


def export(
    store: Store,
    view: View,
    fmt: ExportFormat,
    scope: Scope,
    *,
    limits: Limits,
    timeout: float,
    max_triples: int | None,
) -> Export:
    """Write `scope` of the graph in `fmt`; RDF formats read the store, the others the view."""
    g = scope.graph(view, limits)
    if not fmt.rdf:
        body = write_graph(g, fmt)
    else:
        whole = scope == Scope()
        nodes = None if whole else list(g)
        body = write_rdf(rdf_triples(store, nodes, timeout=timeout, max_triples=max_triples), fmt)
    return Export(body, fmt.media_type, filename(fmt, scope.name(view)))
