"""The ``treatygraph`` command: extract, build, serve, query, export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from graph.errors import TreatygraphError
from graph.extract import read, to_json
from graph.model import Severity

EXIT_BAD_INPUT = 2


def _report(problems: Sequence[object], *, quiet: bool) -> None:
    if quiet:
        return
    for p in problems:
        print(p, file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one resolution's structure and citations as JSON."""
    extraction = read(args.file)
    _report(extraction.problems, quiet=args.quiet)
    json.dump(to_json(extraction), sys.stdout, ensure_ascii=False, indent=args.indent)
    sys.stdout.write("\n")
    errors = [p for p in extraction.problems if p.severity is Severity.ERROR]
    return EXIT_BAD_INPUT if errors else 0


def _commands() -> dict[str, tuple[Callable[[argparse.Namespace], int], str]]:
    return {"extract": (cmd_extract, "print a resolution's paragraphs and citations as JSON")}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="treatygraph", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help=_commands()["extract"][1])
    ex.add_argument("file", type=Path, help="a resolution text (with NAME.meta.yaml beside it)")
    ex.add_argument("--indent", type=int, default=2, help="JSON indentation (default 2)")
    ex.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    ex.set_defaults(run=cmd_extract)
    for extra in _extra_commands():
        extra(sub)
    return top


def _extra_commands() -> list[
    Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]
]:
    """Commands of later stages, registered by their own modules."""
    from graph import commands

    return commands.REGISTER


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except TreatygraphError as err:
        print(f"treatygraph: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
