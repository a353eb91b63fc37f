"""``treatygraph query``: run a named query of the library and print its rows (table, CSV,
JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from treatygraph.errors import TreatygraphError
from treatygraph.named_queries.library import (
    Graph,
    Library,
    Query,
    Runner,
    Table,
    load_library,
)
from treatygraph.named_queries.output import to_csv, to_text
from treatygraph.rdf.iris import default_base
from treatygraph.store import (
    StoreError,
    default_spec,
    open_store,
)

# --- command line: treatygraph query ------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``treatygraph query`` to the command line."""
    p = sub.add_parser(
        "query",
        help="run a named query of the library (queries/*.rq)",
        description="Run a named lookup. `treatygraph query` lists them; "
        "`treatygraph query NAME --help` shows a query's parameters.",
        add_help=False,
    )
    p.add_argument("name", nargs="?", help="the query to run; leave out to list them")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="--PARAM VALUE ... and options")
    p.add_argument("-h", "--help", action="store_true", help="show help (of NAME if given)")
    p.set_defaults(run=cmd_query, query_parser=p)


def query_parser(query: Query) -> argparse.ArgumentParser:
    """The options of one query: its parameters, then where and how to print."""
    p = argparse.ArgumentParser(
        prog=f"treatygraph query {query.name}",
        description=f"{query.summary}. {query.description}",
        epilog="example: treatygraph query "
        + " ".join([query.name, *(f"--{k} {v}" for k, v in query.example.items())]),
    )
    for param in query.params:
        need = "required" if param.required else "optional"
        p.add_argument(
            f"--{param.name}",
            dest=f"param_{param.name}",
            metavar=param.type.name.upper(),
            help=f"{param.description} ({need}; {param.type.description})",
        )
    p.add_argument("--store", help="a store directory or sparql+http(s)://… (default: data/store)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--limit", type=int, default=None, help="at most this many rows")
    p.add_argument("--offset", type=int, default=0, help="skip this many rows first")
    p.add_argument("--base", help="IRI base of the graph (default: $TREATYGRAPH_BASE or w3id)")
    p.add_argument("--queries", type=Path, default=None, help="the query directory")
    return p


def cmd_query(args: argparse.Namespace) -> int:
    library = load_library(_queries_dir(args.rest))
    if args.name is None:
        if args.help:
            args.query_parser.print_help()
        else:
            sys.stdout.write(_listing(library))
        return 0
    query = library[args.name]
    options = query_parser(query).parse_args([*args.rest, *(["--help"] if args.help else [])])
    values = {p.name: getattr(options, f"param_{p.name}") for p in query.params}
    values = {k: v for k, v in values.items() if v is not None}
    store = open_store(options.store or default_spec(), read_only=True)
    runner = Runner(store, library, base=options.base or default_base())
    try:
        result = runner.run(query.name, values, offset=max(options.offset, 0), limit=options.limit)
    except StoreError as err:  # no store yet, a server down: a message, not a traceback
        raise TreatygraphError(f"query {query.name}: {err}") from None
    sys.stdout.write(_render(result, options.format))
    return 0


def _queries_dir(rest: Sequence[str]) -> Path | None:
    for i, arg in enumerate(rest):
        if arg == "--queries" and i + 1 < len(rest):
            return Path(rest[i + 1])
        if arg.startswith("--queries="):
            return Path(arg.split("=", 1)[1])
    return None


def _listing(library: Library) -> str:
    width = max((len(q.name) for q in library), default=0)
    lines = [f"{q.name.ljust(width)}  {q.summary}" for q in library]
    return "\n".join([*lines, "", "treatygraph query NAME --help: a query's parameters"]) + "\n"


def _render(result: Table | Graph, fmt: str) -> str:
    if isinstance(result, Graph):
        return "".join(f"{t} .\n" for t in result.triples)
    if fmt == "json":
        return json.dumps(result.records(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return to_csv(result.columns, result.records())
    return to_text(result)
