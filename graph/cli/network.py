"""``treatygraph network ...`` (traversals) and ``treatygraph export`` (downloads), on a store.

Both read the store named by ``--store`` (default ``$TREATYGRAPH_STORE`` or ``data/store``)
and answer as the HTTP API does: JSON on standard output for traversals, a file for exports.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from treatygraph import network
from treatygraph.network import export
from treatygraph.network.analysis import Selection
from treatygraph.network.limits import MEASURES, NODE_KINDS, PARTS, Limits, NetworkError
from treatygraph.network.view import View
from treatygraph.store import Store, StoreError, default_spec, open_store

EXIT_BAD_INPUT = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``network`` and ``export`` to the ``treatygraph`` command."""
    _network_parser(sub)
    _export_parser(sub)


# --- arguments ------------------------------------------------------------------------------


def _store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", help="store directory or sparql+http(s)://... (default: $TREATYGRAPH_STORE)"
    )


def _kinds(parser: argparse.ArgumentParser, *, edges: bool = True) -> None:
    parser.add_argument(
        "--node-kind", action="append", default=[], choices=NODE_KINDS, help="repeatable"
    )
    if edges:
        parser.add_argument(
            "--edge-kind",
            action="append",
            default=[],
            choices=network.EDGE_KINDS,
            help="repeatable",
        )


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--resolution", action="append", default=[], help="repeatable")
    parser.add_argument("--part", action="append", default=[], choices=PARTS)
    parser.add_argument("--instrument-kind", action="append", default=[])
    parser.add_argument("--limit", type=int, default=50)


def _network_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    top = sub.add_parser("network", help="traverse the citation graph (JSON on stdout)")
    verbs = top.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("summary", help="node and edge counts by kind")
    _command(p, lambda v, a: v.summary())
    p = verbs.add_parser("neighbours", help="the nodes within --depth steps of NODE")
    p.add_argument("node", help="an IRI, a symbol (A/RES/77/194), 'A/RES/77/194 op5' or an id")
    p.add_argument("--depth", type=int, default=1)
    p.add_argument("--direction", choices=network.DIRECTIONS, default="both")
    _kinds(p)
    _command(p, _neighbours)
    p = verbs.add_parser("path", help="the shortest path between two nodes")
    p.add_argument("source")
    p.add_argument("target")
    _kinds(p)
    _command(p, _path)
    p = verbs.add_parser("ego", help="an instrument's ego network")
    p.add_argument("instrument")
    p.add_argument("--radius", type=int, default=2)
    _kinds(p, edges=False)
    _command(p, _ego)
    p = verbs.add_parser("cocitation", help="instruments cited in the same paragraph")
    p.add_argument("--instrument", help="only the pairs with this instrument")
    p.add_argument("--min-count", type=int, default=1)
    _selection(p)
    _command(p, _cocitation)
    p = verbs.add_parser("ranking", help="instruments by PageRank or citation counts")
    p.add_argument("--by", choices=MEASURES, default="pagerank")
    _selection(p)
    _command(p, _ranking)
    p = verbs.add_parser("through-parents", help="what a resolution cites, with parents")
    p.add_argument("resolution")
    _command(p, _through_parents)


Answer = Callable[[View, argparse.Namespace], Any]


def _command(parser: argparse.ArgumentParser, answer: Answer) -> None:
    _store(parser)
    parser.set_defaults(run=lambda args: _run(args, lambda _, view: _print(answer(view, args))))


def _export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write the graph as GEXF, GraphML, DOT, CSV, RDF, ...")
    p.add_argument("--format", required=True, choices=export.FORMATS)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--resolution", help="one resolution and what it cites")
    scope.add_argument("--around", help="the neighbourhood of a node (see --depth)")
    scope.add_argument(
        "--aggregate",
        choices=network.AGGREGATES,
        help="resolutions and instruments, or instruments",
    )
    p.add_argument("--depth", type=int, default=1)
    _kinds(p)
    p.add_argument(
        "-o",
        "--output",
        help="file or directory (default: the file name in the current directory); - for stdout",
    )
    _store(p)
    p.set_defaults(run=lambda args: _run(args, lambda store, view: _export(store, view, args)))


# --- running --------------------------------------------------------------------------------


def _run(args: argparse.Namespace, action: Callable[[Store, View], int | None]) -> int:
    """Open the store, build the view, act; errors are one line on stderr and status 2."""
    try:
        store = open_store(args.store or default_spec(), read_only=True)
    except ValueError as e:
        print(f"treatygraph: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        view = network.build_view(store, timeout=_limits().build_timeout)
        return action(store, view) or 0
    except (NetworkError, StoreError) as e:
        print(f"treatygraph: {getattr(e, 'message', e)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        store.close()


def _print(answer: Any) -> None:
    json.dump(answer, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _limits() -> Limits:
    return Limits.from_env()


def _neighbours(view: View, a: argparse.Namespace) -> Any:
    g = network.neighbours(
        view,
        a.node,
        depth=a.depth,
        node_kinds=a.node_kind,
        edge_kinds=a.edge_kind,
        direction=a.direction,
        limits=_limits(),
    )
    return export.graph_json(g)


def _path(view: View, a: argparse.Namespace) -> Any:
    nodes, steps = network.shortest_path(
        view, a.source, a.target, node_kinds=a.node_kind, edge_kinds=a.edge_kind
    )
    return network.path_json(view, nodes, steps)


def _ego(view: View, a: argparse.Namespace) -> Any:
    g = network.ego(view, a.instrument, radius=a.radius, node_kinds=a.node_kind, limits=_limits())
    return export.graph_json(g)


def _chosen(a: argparse.Namespace) -> Selection:
    return Selection(tuple(a.resolution), tuple(a.part), tuple(a.instrument_kind))


def _cocitation(view: View, a: argparse.Namespace) -> Any:
    pairs = network.cocitation(
        view,
        _chosen(a),
        instrument=a.instrument,
        min_count=a.min_count,
        limit=a.limit,
        limits=_limits(),
    )
    return {"pairs": [asdict(p) for p in pairs]}


def _ranking(view: View, a: argparse.Namespace) -> Any:
    ranks = network.ranking(view, _chosen(a), by=a.by, limit=a.limit, limits=_limits())
    return {"by": a.by, "instruments": [asdict(r) for r in ranks]}


def _through_parents(view: View, a: argparse.Namespace) -> Any:
    reach = network.through_parents(view, a.resolution)
    return {"resolution": a.resolution, "instruments": [asdict(r) for r in reach]}


def _export(store: Store, view: View, a: argparse.Namespace) -> int:
    fmt = export.FORMATS[a.format]
    scope = export.Scope(
        a.resolution, a.around, a.depth, a.aggregate, tuple(a.node_kind), tuple(a.edge_kind)
    )
    # No size limits here: the command line may export everything the store holds.
    unlimited = Limits(max_nodes=sys.maxsize, max_export_nodes=sys.maxsize)
    out = export.export(store, view, fmt, scope, limits=unlimited, timeout=3600.0, max_triples=None)
    if a.output == "-":
        sys.stdout.buffer.write(out.body)
        return 0
    target = Path(a.output or out.filename)
    if target.is_dir():
        target = target / out.filename
    _write_atomically(target, out.body)
    print(f"wrote {target} ({len(out.body)} bytes, {out.media_type})", file=sys.stderr)
    return 0


def _write_atomically(target: Path, body: bytes) -> None:
    """Write beside `target`, then rename: an interrupted export leaves no half file."""
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(body)
    partial.replace(target)
