"""The ``treatygraph`` command: extract, build, serve; query, network, export, synth."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from treatygraph.errors import TreatygraphError
from treatygraph.model import Severity
from treatygraph.reader.extract import read, to_json

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


def cmd_build(args: argparse.Namespace) -> int:
    """Build the graph from a corpus folder into dist/ and load it into the store."""
    from treatygraph.build.pipeline import run_build

    report = run_build(
        args.corpus,
        out_dir=args.out,
        store=args.store,
        base=args.base,
        jobs=args.jobs,
        cache_dir=None if args.no_cache else args.cache,
        validate=args.validate,
    )
    for failure in report.corpus.failures:
        print(f"failed: {failure}", file=sys.stderr)
    for line in report.lines():
        print(line, file=sys.stderr)
    return 1 if report.corpus.failures and args.strict else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Build if the store is missing or stale, then serve the API."""
    from treatygraph.build.pipeline import needs_build

    if args.rebuild or needs_build(args.corpus, out_dir=args.out, store=args.store, base=args.base):
        code = cmd_build(args)
        if code:
            return code
    from treatygraph.api.app import serve

    serve(host=args.host, port=args.port, store_spec=args.store)
    return 0


def _build_options(p: argparse.ArgumentParser) -> None:
    from treatygraph.store import default_spec

    p.add_argument("corpus", nargs="?", type=Path, default=_env_path("CORPUS", "corpus"),
                   help="resolutions folder (default $TREATYGRAPH_CORPUS or ./corpus)")  # fmt: skip
    p.add_argument("--out", type=Path, default=_env_path("DIST", "dist"),
                   help="output folder (default $TREATYGRAPH_DIST or ./dist)")  # fmt: skip
    p.add_argument("--store", default=default_spec(),
                   help="store: a directory (embedded) or sparql+http://host:port/... "
                        "(default $TREATYGRAPH_STORE or data/store)")  # fmt: skip
    p.add_argument("--base", default=None, help="base IRI of the graph's entities")
    p.add_argument("--jobs", type=int, default=None, help="parallel readers (default: cores)")
    p.add_argument("--cache", type=Path, default=_env_path("CACHE", "data/cache"),
                   help="cache of readings, by checksum (default $TREATYGRAPH_CACHE or "
                        "./data/cache)")  # fmt: skip
    p.add_argument("--no-cache", action="store_true", help="read every file again")
    p.add_argument("--validate", action="store_true", help="check the graph with SHACL first")
    p.add_argument("--strict", action="store_true", help="exit 1 when any file failed")


def _add_build_and_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("build", help="build the graph from a corpus and load the store")
    _build_options(b)
    b.set_defaults(run=cmd_build)
    s = sub.add_parser("serve", help="build if needed, then serve the API and pages")
    _build_options(s)
    s.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--rebuild", action="store_true", help="build even if the store is current")
    s.set_defaults(run=cmd_serve)


def _env_path(name: str, default: str) -> Path:
    """``$TREATYGRAPH_<name>`` when set, else `default` (relative to the working folder)."""
    return Path(os.environ.get(f"TREATYGRAPH_{name}") or default)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="treatygraph", description=__doc__)
    top.add_argument("--version", action="version", version=f"treatygraph {_version()}")
    sub = top.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="print a resolution's paragraphs and citations as JSON")
    ex.add_argument("file", type=Path, help="a resolution text (with NAME.meta.yaml beside it)")
    ex.add_argument("--indent", type=int, default=2, help="JSON indentation (default 2)")
    ex.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    ex.set_defaults(run=cmd_extract)
    _add_build_and_serve(sub)
    for extra in _extra_commands():
        extra(sub)
    return top


def _extra_commands() -> list[
    Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]
]:
    """Commands of later stages, registered by their own modules."""
    from treatygraph.cli import subcommands as commands

    return commands.REGISTER


def _version() -> str:
    from importlib import metadata

    return metadata.version("treatygraph")


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
    except OSError as err:  # a read-only or full disk, a folder we may not write: say which
        print(f"treatygraph: {_os_error(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


def _os_error(err: OSError) -> str:
    """An OSError as one line that names the file, without a traceback.

    >>> _os_error(PermissionError(13, "Permission denied", "out/dist"))
    'out/dist: Permission denied'
    >>> _os_error(OSError(28, "No space left on device"))
    'No space left on device'
    """
    reason = err.strerror or str(err)
    if err.filename is None:
        return reason
    also = f" (and {err.filename2})" if err.filename2 is not None else ""
    return f"{err.filename}{also}: {reason}"


if __name__ == "__main__":
    sys.exit(main())
