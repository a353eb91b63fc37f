"""The answers of ``/network/*`` as tables, for CSV: one row per node, edge, step, pair,
ranked instrument or reached instrument, in the order of the JSON answer.

A graph answer (a neighbourhood, an ego network) is two tables, its nodes and its edges, with
the columns of the ``nodes-csv`` and ``edges-csv`` exports; the API sends one of them
(``table=nodes``, the default, or ``table=edges``). Values are written as the exports write
them: booleans in lower case, lists (a paragraph's local ids, the refs an instrument is reached
through) separated by spaces, a missing value empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from treatygraph.network.limits import InvalidRequest
from treatygraph.network.subgraphs import Step

if TYPE_CHECKING:  # the view imports these stages: only its type here
    from treatygraph.network.view import View

GRAPH_TABLES = ("nodes", "edges")
_FIRST = {"nodes": ("id", "kind", "label", "ref"), "edges": ("source", "target", "kind")}


@dataclass(frozen=True, slots=True)
class Table:
    """Named columns and rows of values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    @classmethod
    def of_records(cls, records: Iterable[Mapping[str, Any]], first: Sequence[str] = ()) -> Table:
        """Records as rows: the ``first`` columns, then every other key in name order."""
        records = list(records)
        rest = sorted({key for record in records for key in record} - set(first))
        columns = (*first, *rest)
        return cls(columns, tuple(tuple(r.get(c) for c in columns) for r in records))

    def csv(self) -> bytes:
        """The table as CSV (RFC 4180, CRLF line ends, a header row), UTF-8."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows([_text(value) for value in row] for row in self.rows)
        return buffer.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def summary_table(summary: Mapping[str, Any]) -> Table:
    """``/network``: how many nodes and edges of each kind."""
    rows = [("node", kind, n) for kind, n in summary["node_kinds"].items()]
    rows += [("edge", kind, n) for kind, n in summary["edge_kinds"].items()]
    return Table(("element", "kind", "count"), tuple(rows))


def graph_table(g: nx.DiGraph, table: str = "nodes") -> Table:
    """A graph answer's nodes (``id``, ``kind``, ``label``, ``ref``, then its other
    attributes, ``depth`` included) or edges (``source``, ``target``, ``kind``, …)."""
    if table not in GRAPH_TABLES:
        raise InvalidRequest(f"unknown table {table!r}: choose from {', '.join(GRAPH_TABLES)}")
    if table == "nodes":
        records: Iterable[Mapping[str, Any]] = (
            {"id": n, **d} for n, d in sorted(g.nodes(data=True), key=lambda item: item[0])
        )
    else:
        edges = sorted(g.edges(data=True), key=lambda item: (item[0], item[1]))
        records = ({"source": u, "target": v, **d} for u, v, d in edges)
    return Table.of_records(records, _FIRST[table])


def path_table(view: View, steps: Sequence[Step]) -> Table:
    """``/network/path``: one row per step, with both ends' refs and labels."""
    nodes = view.graph.nodes
    columns = ("step", "source", "source_ref", "source_label", "target", "target_ref",
               "target_label", "kind", "forward")  # fmt: skip
    rows = tuple(
        (number, s.source, nodes[s.source].get("ref"), nodes[s.source].get("label"),
         s.target, nodes[s.target].get("ref"), nodes[s.target].get("label"), s.kind, s.forward)
        for number, s in enumerate(steps, 1)
    )  # fmt: skip
    return Table(columns, rows)


def records_table(kind: type, items: Sequence[Any]) -> Table:
    """A list of dataclass records (pairs, ranks, reached instruments), its fields as
    columns."""
    if not is_dataclass(kind):
        raise TypeError(f"{kind.__name__} is not a dataclass")
    columns = tuple(f.name for f in fields(kind))
    return Table(columns, tuple(tuple(asdict(item)[c] for c in columns) for item in items))
