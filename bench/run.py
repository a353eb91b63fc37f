"""The benchmark run: build, lookup, SPARQL and traversal, measured side by side in one run
on the same synthetic corpora, written to ``data/bench/results.json``, ``docs/benchmarks.json``
and ``docs/benchmarks.md`` (with plots under ``docs/``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from bench import load, report
from bench.proc import Server, dump, free_port, measure

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = 7  # of the synthetic corpora
TG = "https://w3id.org/treatygraph/ontology#"
CITO = "http://purl.org/spar/cito/"
DCT = "http://purl.org/dc/terms/"
POINT = (
    f"PREFIX cito: <{CITO}> PREFIX dcterms: <{DCT}> "
    "SELECT ?citation ?instrument ?title WHERE {{ ?citation cito:hasCitingEntity <{paragraph}> ;"
    " cito:hasCitedEntity ?i . ?i dcterms:identifier ?instrument ; dcterms:title ?title }}"
)
AGGREGATE = (
    f"PREFIX cito: <{CITO}> SELECT ?instrument (COUNT(?citation) AS ?citations) "
    "WHERE { ?citation cito:hasCitedEntity ?instrument } "
    "GROUP BY ?instrument ORDER BY DESC(?citations) LIMIT 10"
)
RESULTS_JSON = "application/sparql-results+json"
Section = Callable[[argparse.Namespace], dict[str, Any]]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "settings": _settings(args)}
    sections: dict[str, Section] = {
        "build": bench_build,
        "lookup": bench_lookup,
        "sparql": bench_sparql,
        "lookup_large": lambda a: _if_built(a, a.large, bench_lookup),
        "sparql_large": lambda a: _if_built(a, a.large, bench_sparql),
        "traversal": bench_traversal,
    }
    previous = _previous(args.work / "results.json")
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if args.large:  # the larger corpus goes with its section
        only |= {f"{name}_large" for name in ("lookup", "sparql") if name in only}
    if "build_history" in previous:
        results["build_history"] = previous["build_history"]
    for name, section in sections.items():
        if name not in only:
            if name in previous:
                results[name] = previous[name]  # keep what an earlier run measured
            continue
        _say(f"== {name}")
        started = time.perf_counter()
        load_before = os.getloadavg()[0]
        found = section(args)
        if not found:
            _say(f"  {name}: skipped (no build at that size: run the build section first)")
            continue
        results[name] = found
        results[name]["section_seconds"] = round(time.perf_counter() - started, 1)
        results[name]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        if name == "build":
            results["build_history"] = [*previous.get("build_history", []), _history(results)]
        dump(args.work / "results.json", results)
    results["machine"]["load_average_end"] = os.getloadavg()
    dump(args.work / "results.json", results)
    dump(args.docs / "benchmarks.json", results)
    report.write(results, args.docs)
    _say(f"wrote {args.docs / 'benchmarks.md'}")
    return 0


SizedSection = Callable[[argparse.Namespace, int], dict[str, Any]]


def _if_built(args: argparse.Namespace, size: int, section: SizedSection) -> dict[str, Any]:
    """``section`` at ``size`` when the build section made a store of that size, else {}."""
    if not size or not (build_dir(args, size) / "store").exists():
        return {}
    return section(args, size)


def _history(results: dict[str, Any]) -> dict[str, Any]:
    """One line of the build runs' history: when, how busy the machine was, the cold builds."""
    build = results["build"]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": build["load_average"],
        "single_core_read_per_s": build["single_core"]["read_per_s"],
        "cold": {
            str(r["resolutions"]): [r["cold"]["seconds"], r["cold"]["peak_rss_mb"]]
            for r in build["runs"]
        },
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--sizes", default="100,1000,10000", help="corpus sizes of the build runs")
    p.add_argument("--at", type=int, default=1000, help="corpus size of lookup and SPARQL")
    p.add_argument(
        "--large",
        type=int,
        default=10000,
        help="corpus size of the lookup and SPARQL sections' second run (0: none; no "
        "rdflib-endpoint there: it holds the graph in memory)",
    )
    p.add_argument("--traversal-at", type=int, default=10000, help="corpus size of traversal")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    p.add_argument("--connections", type=int, default=8, help="concurrent clients")
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="load runs per server in the lookup and SPARQL sections, taken in turn with the "
        "other servers' (A B C A B C), so that the machine's other load falls on all alike",
    )
    p.add_argument(
        "--only",
        default="build,lookup,sparql,traversal",
        help="sections to run, the others kept from the last run ('': the report only)",
    )
    p.add_argument("--work", type=Path, default=ROOT / "data" / "bench", help="scratch folder")
    p.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the report goes")
    return p


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


def _previous(path: Path) -> dict[str, Any]:
    import json

    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    memory = 0
    with contextlib.suppress(OSError, IndexError, ValueError):
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    versions: dict[str, str | None] = {}
    for name in (
        "treatygraph",
        "pyoxigraph",
        "oxigraph",
        "fastapi",
        "starlette",
        "uvicorn",
        "rdflib",
        "rdflib-endpoint",
        "httpx",
        "matplotlib",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    wrk = shutil.which("wrk")
    if wrk:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        versions["wrk"] = (done.stdout + done.stderr).split("[")[0].strip().removeprefix("wrk ")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "os": " ".join(platform.uname()[0:3:2]),
        "python": platform.python_version(),
        "versions": versions,
        "load_average_start": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


# --- build ------------------------------------------------------------------------------------


def corpus(args: argparse.Namespace, size: int) -> Path:
    """The synthetic corpus of ``size`` resolutions (made once, then kept)."""
    folder: Path = args.work / f"corpus-{size}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        _say(f"making {size} synthetic resolutions")
        subprocess.run(
            [
                str(BIN / "treatygraph"),
                "synth",
                "--resolutions",
                str(size),
                "--seed",
                str(SEED),
                str(folder),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        done.write_text("")
    return folder


def build_dir(args: argparse.Namespace, size: int) -> Path:
    folder: Path = args.work / f"build-{size}"
    return folder


_PHASES = {
    "read": re.compile(
        r"^read (\d+) files \((\d+) parsed, (\d+) cached, (\d+) failed\) in ([\d.]+)s"
    ),
    "write": re.compile(r"^wrote (\d+) triples to .* in ([\d.]+)s"),
    "load": re.compile(r"^loaded (\d+) triples into .* in ([\d.]+)s"),
    "answers": re.compile(r"^wrote (\d+) answers of the lookups in ([\d.]+)s"),
}


def _phases(stderr: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for line in stderr.splitlines():
        for name, pattern in _PHASES.items():
            m = pattern.match(line)
            if m:
                found[f"{name}_seconds"] = float(m.groups()[-1])
                if name == "read":
                    found["parsed"], found["cached"], found["failed"] = map(int, m.groups()[1:4])
                elif name == "answers":
                    found["answers"] = int(m.group(1))
                else:
                    found["triples"] = int(m.group(1))
    return found


def bench_build(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        folder = corpus(args, size)
        out = build_dir(args, size)
        shutil.rmtree(out, ignore_errors=True)
        command = [
            str(BIN / "treatygraph"),
            "build",
            str(folder),
            "--out",
            str(out / "dist"),
            "--store",
            str(out / "store"),
            "--cache",
            str(out / "cache"),
        ]
        row: dict[str, Any] = {"resolutions": size}
        for run in ("cold", "warm"):  # warm: every part from the cache (an unchanged corpus)
            _say(f"build {size} ({run})")
            done = measure(command, cwd=ROOT)
            if done.returncode != 0:
                raise RuntimeError(f"build {size} failed:\n{done.stderr[-2000:]}")
            phases = _phases(done.stderr)
            row[run] = {
                "seconds": done.seconds,
                "peak_rss_mb": done.peak_tree_mb,
                "peak_process_mb": done.peak_process_mb,
                **phases,
            }
        cold = row["cold"]
        row["triples"] = cold.get("triples")
        row["extraction_rate"] = round(size / cold["read_seconds"], 1)
        row["graph_nt_mb"] = round((out / "dist" / "graph.nt").stat().st_size / 2**20, 1)
        row["store_mb"] = round(_du(out / "store") / 2**20, 1)
        row["files"] = sorted(p.name for p in (out / "dist").iterdir())
        rows.append(row)
    return {"runs": rows, "single_core": _single_core(args, rows[0]["resolutions"])}


def _du(path: Path) -> int:
    target = path.resolve()
    return sum(p.stat().st_size for p in target.rglob("*") if p.is_file())


def _single_core(args: argparse.Namespace, size: int) -> dict[str, Any]:
    """Resolutions per second of one core: reading alone, and reading then mapping to RDF."""
    script = (
        "import sys, time; from pathlib import Path; from treatygraph.reader.extract import read;"
        "from treatygraph.rdf.mapping import resolution_part;"
        "files = sorted(Path(sys.argv[1]).glob('*.txt'))[:200]; read(files[0]);"
        "t = time.perf_counter(); xs = [read(f) for f in files]; r = time.perf_counter() - t;"
        "t = time.perf_counter(); [resolution_part(x) for x in xs]; m = time.perf_counter() - t;"
        "print(len(files) / r, len(files) / m)"
    )
    folder = corpus(args, max(size, 200))
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    read_rate, map_rate = (float(x) for x in done.stdout.split())
    return {"read_per_s": round(read_rate, 1), "map_per_s": round(map_rate, 1)}


# --- servers ------------------------------------------------------------------------------------


def ours(
    args: argparse.Namespace, size: int, *, cache: bool, name: str, answers: bool = True
) -> Server:
    port = free_port()
    env = {"TREATYGRAPH_STORE": str(build_dir(args, size) / "store")}
    env["TREATYGRAPH_CACHE"] = "on" if cache else "off"
    env["TREATYGRAPH_ANSWERS"] = "on" if answers else "off"
    return Server(
        name,
        uvicorn_command("treatygraph.api.app:app_from_env", port),
        port=port,
        ready="/ready",
        log=args.work / "logs" / f"{name}.log",
        env=env,
        cwd=ROOT,
    )


def uvicorn_command(factory: str, port: int) -> list[str]:
    """One uvicorn process serving `factory` on loopback, quietly (no access log)."""
    return [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def bare(args: argparse.Namespace, data: Path) -> Server:
    port = free_port()
    return Server(
        "bare",
        uvicorn_command("bench.bare:app", port),
        port=port,
        ready="/ready",
        log=args.work / "logs" / "bare.log",
        env={"BENCH_BARE_DATA": str(data)},
        cwd=ROOT,
    )


def rdflib_endpoint(args: argparse.Namespace, size: int) -> Server:
    port = free_port()
    nt = build_dir(args, size) / "dist" / "graph.nt"
    return Server(
        "rdflib-endpoint",
        [
            str(BIN / "rdflib-endpoint"),
            "serve",
            str(nt),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        port=port,
        ready="/",
        log=args.work / "logs" / "rdflib-endpoint.log",
        cwd=ROOT,
        start_timeout=900,
    )


def oxigraph_server(args: argparse.Namespace, size: int) -> Server:
    port = free_port()
    location = (build_dir(args, size) / "store").resolve()
    return Server(
        "oxigraph",
        [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        port=port,
        ready="/query?query=ASK%7B%7D",
        log=args.work / "logs" / "oxigraph.log",
        cwd=ROOT,
    )


def _hammer(
    server: Server,
    requests: list[load.Request],
    args: argparse.Namespace,
    connections: int | None = None,
) -> dict[str, Any]:
    """A short warm-up, then the measured run; the server's memory after it."""
    connections = connections or args.connections
    load.run(server.url, requests, seconds=min(2.0, args.seconds), connections=connections)
    result = load.run(server.url, requests, seconds=args.seconds, connections=connections)
    return {**result.as_dict(), "server_rss_mb": server.memory_mb()}


Contender = tuple[Server, list[load.Request], int]  # server, requests cycled, connections


def _interleaved(contenders: dict[str, Contender], args: argparse.Namespace) -> dict[str, Any]:
    """A short warm-up of each, then ``args.rounds`` measured runs of each, in turn (A B C A B
    C): the machine is shared, and a change in its other load then falls on every server
    alike. Between runs, the server just measured is left to finish what the load generator
    left it (``Server.settle``). Totals over the rounds, and each server's memory after."""
    for server, requests, connections in contenders.values():
        load.run(server.url, requests, seconds=min(2.0, args.seconds), connections=connections)
        server.settle()
    runs: dict[str, list[load.Result]] = {name: [] for name in contenders}
    for _ in range(max(1, args.rounds)):
        for name, (server, requests, connections) in contenders.items():
            _say(f"  {name}")
            runs[name].append(
                load.run(server.url, requests, seconds=args.seconds, connections=connections)
            )
            server.settle()
    return {
        name: {**load.merge(results), "server_rss_mb": contenders[name][0].memory_mb()}
        for name, results in runs.items()
    }


def _steady(server: Server) -> float:
    """Wait for the explorer's network view, which the service builds in a background thread
    as it starts (api/explore.py): until then that build competes with every request for the
    CPU, and the figures would be those of a service still starting. Seconds waited."""
    started = time.perf_counter()
    answer = httpx.get(server.url + "/network", timeout=900)
    if answer.status_code != 200:  # no view to wait for; any build under way ends in settle
        _say(f"  {server.name}: /network answered {answer.status_code}")
    server.settle()
    return round(time.perf_counter() - started, 1)


def _cache_stats(server: Server) -> dict[str, Any]:
    """The answer cache's figures (``/stats``): hits and misses since the start."""
    answer = httpx.get(server.url + "/stats", timeout=30)
    answer.raise_for_status()
    stats: dict[str, Any] = answer.json()["cache"]
    return stats


# --- lookup -------------------------------------------------------------------------------------


def _cited_paragraphs(args: argparse.Namespace, size: int, count: int) -> list[str]:
    """IRIs of ``count`` paragraphs that cite something, picked at random (fixed seed)."""
    nt = build_dir(args, size) / "dist" / "graph.nt"
    marker = f" <{CITO}hasCitingEntity> <".encode()
    found: set[str] = set()
    with nt.open("rb") as f:
        for line in f:
            if marker in line:
                found.add(line.split(marker, 1)[1].split(b">", 1)[0].decode())
    return random.Random(SEED).sample(sorted(found), min(count, len(found)))


def _lookup_path(paragraph: str) -> tuple[str, str]:
    """(``symbol-slug/pid``, URL path) of a paragraph IRI ``…/resolution/A-RES-60-301/op/5``."""
    slug, kind, number = paragraph.split("/resolution/", 1)[1].split("/")[:3]
    key = f"{slug}/{kind}{number}"
    return key, f"/resolutions/{quote(slug)}/paragraphs/{kind}{number}/citations"


LOOKUP_PATHS = 20_000  # distinct paragraphs asked at most: more than a run asks


def bench_lookup(args: argparse.Namespace, size: int | None = None) -> dict[str, Any]:
    """Distinct paragraphs' citations, each asked once per run (the list is longer than a run
    gets through): what a crawler or a notebook walking the corpus pays. treatygraph as
    shipped (the build's answers, the answer cache on), the same with the cache off, the
    routes alone (no answers, no cache: every lookup runs its library queries) and the bare
    dict app answering the very same JSON."""
    size = size or args.at
    paragraphs = _cited_paragraphs(args, size, LOOKUP_PATHS)
    paths = dict(_lookup_path(p) for p in paragraphs)
    requests = [load.Request(path) for path in paths.values()]  # Accept: application/json
    result: dict[str, Any] = {"resolutions": size, "paths": len(paths), "distinct": True}
    data = args.work / "bare-answers.json"
    answers = _built_answers(args, size, paths)
    dump(data, answers)
    with contextlib.ExitStack() as stack:
        on = stack.enter_context(ours(args, size, cache=True, name="treatygraph-lookup"))
        off = stack.enter_context(ours(args, size, cache=False, name="treatygraph-lookup-nocache"))
        routes = stack.enter_context(
            ours(args, size, cache=False, answers=False, name="treatygraph-lookup-routes")
        )
        result["steady_seconds"] = {
            "cache_on": _steady(on), "cache_off": _steady(off), "routes": _steady(routes),
        }  # fmt: skip
        server = stack.enter_context(bare(args, data))
        for key, path in list(paths.items())[:3]:  # every server answers the very same JSON
            for other in (server, on, off, routes):
                assert httpx.get(other.url + path, timeout=300).json() == answers[key]
        before = _stats(on)
        _say("lookup: treatygraph (cache on, cache off, routes alone), bare")
        measured = _interleaved(
            {
                "cache_on": (on, requests, args.connections),
                "cache_off": (off, requests, args.connections),
                "routes": (routes, requests[::-1], args.connections),
                "bare": (server, requests, args.connections),
            },
            args,
        )
        after = _stats(on)
    result |= measured
    result["cache"] = {k: after["cache"][k] - before["cache"][k] for k in ("hits", "misses")}
    result["answers"] = {k: after["answers"][k] - before["answers"][k] for k in ("hits",)}
    for name in ("cache_on", "cache_off", "routes"):
        ratio = result[name]["rps"] / result["bare"]["rps"]
        result["ratio" if name == "cache_on" else f"ratio_{name}"] = float(f"{ratio:.3g}")
    return result


def _built_answers(args: argparse.Namespace, size: int, paths: dict[str, str]) -> dict[str, Any]:
    """The answers the build wrote for ``paths`` (key → JSON), for the bare app to hold."""
    import json
    import sqlite3

    store = build_dir(args, size) / "store"
    out: dict[str, Any] = {}
    with contextlib.closing(
        sqlite3.connect(f"file:{store}/answers.sqlite?mode=ro", uri=True)
    ) as db:
        for key, path in paths.items():
            (body,) = db.execute("SELECT json FROM answers WHERE key = ?", (path,)).fetchone()
            out[key] = json.loads(b"[" + body + b"]")
    return out


def _stats(server: Server) -> dict[str, Any]:
    answer = httpx.get(server.url + "/stats", timeout=30)
    answer.raise_for_status()
    stats: dict[str, Any] = answer.json()
    return stats


# --- SPARQL -------------------------------------------------------------------------------------


def _sparql_requests(path: str, queries: list[str]) -> list[load.Request]:
    return [load.Request(f"{path}?{urlencode({'query': q})}", accept=RESULTS_JSON) for q in queries]


def _check(server: Server, path: str, query: str) -> int:
    answer = httpx.get(
        server.url + path, params={"query": query}, headers={"Accept": RESULTS_JSON}, timeout=300
    )
    answer.raise_for_status()
    return len(answer.json()["results"]["bindings"])


OURS_ON = "treatygraph (cache on)"  # as shipped
OURS_OFF = "treatygraph (cache off)"


def _timed(server: Server, path: str, query: str) -> tuple[int, float]:
    """Rows of one answer, and the milliseconds it took."""
    started = time.perf_counter()
    rows = _check(server, path, query)
    return rows, round((time.perf_counter() - started) * 1000, 1)


def bench_sparql(args: argparse.Namespace, size: int | None = None) -> dict[str, Any]:
    size = size or args.at
    # Distinct point queries, more than a run asks: with the cache off, each never asked before.
    points = [POINT.format(paragraph=p) for p in _cited_paragraphs(args, size, 5000)]
    result: dict[str, Any] = {"resolutions": size, "point_queries": len(points)}
    engines: dict[str, tuple[Callable[[], Server], str]] = {
        OURS_ON: (lambda: ours(args, size, cache=True, name="treatygraph-sparql-cache"), "/sparql"),
        OURS_OFF: (lambda: ours(args, size, cache=False, name="treatygraph-sparql"), "/sparql"),
        "oxigraph": (lambda: oxigraph_server(args, size), "/query"),
        "rdflib-endpoint": (lambda: rdflib_endpoint(args, size), "/"),
    }
    if size > args.at:  # rdflib holds the graph in memory: ~14 GB at 10,000 resolutions
        del engines["rdflib-endpoint"]
    with contextlib.ExitStack() as stack:
        servers: dict[str, tuple[Server, str]] = {}
        for name, (start, path) in engines.items():
            _say(f"sparql: starting {name}")
            server = stack.enter_context(start())
            servers[name] = (server, path)
            entry: dict[str, Any] = {"start_seconds": server.start_seconds}
            if name in (OURS_ON, OURS_OFF):
                entry["steady_seconds"] = _steady(server)
            point_rows, _ = _timed(server, path, points[0])
            aggregate_rows, first = _timed(server, path, AGGREGATE)
            _, again = _timed(server, path, AGGREGATE)
            entry |= {
                "rows": {"point": point_rows, "aggregate": aggregate_rows},
                "aggregate_first_ms": first,  # the first ask: for the cache, a miss
                "aggregate_again_ms": again,  # the second: for the cache, a hit
            }
            result[name] = entry
        for query in (points[0], AGGREGATE):  # the cache changes nothing in an answer
            same = [
                httpx.get(
                    servers[n][0].url + "/sparql",
                    params={"query": query},
                    headers={"Accept": RESULTS_JSON},
                    timeout=300,
                ).content
                for n in (OURS_ON, OURS_OFF)
            ]
            assert same[0] == same[1], "the cache changed an answer"
        on = servers[OURS_ON][0]
        before = _cache_stats(on)
        for query, queries, connections in (
            ("point", points, args.connections),
            ("aggregate", [AGGREGATE], 2),
        ):
            _say(f"sparql: {query}")
            contenders = {
                name: (server, _sparql_requests(path, queries), connections)
                for name, (server, path) in servers.items()
            }
            for name, figures in _interleaved(contenders, args).items():
                result[name][query] = figures
        after = _cache_stats(on)
    result["cache"] = {k: after[k] - before[k] for k in ("hits", "misses", "stores")}
    result["ratios"] = _ratios(result, OURS_ON)
    result["ratios_cache_off"] = _ratios(result, OURS_OFF)
    return result


def _ratios(result: dict[str, Any], ours_name: str) -> dict[str, float]:
    def rps(engine: str, query: str) -> float:
        if engine not in result:
            return float("nan")
        return float(result[engine][query]["rps"]) or 1e-9

    return {
        "point_vs_rdflib": round(rps(ours_name, "point") / rps("rdflib-endpoint", "point"), 2),
        "point_vs_oxigraph": round(rps(ours_name, "point") / rps("oxigraph", "point"), 3),
        "aggregate_vs_rdflib": round(
            rps(ours_name, "aggregate") / rps("rdflib-endpoint", "aggregate"), 2
        ),
        "aggregate_vs_oxigraph": round(
            rps(ours_name, "aggregate") / rps("oxigraph", "aggregate"), 3
        ),
    }


# --- traversal ----------------------------------------------------------------------------------


def _one_by_one(server: Server, paths: list[str], budget: float = 60.0) -> dict[str, Any]:
    """Each request alone, in turn, until ``budget`` seconds are spent: latencies and statuses."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sizes: list[int] = []
    deadline = time.perf_counter() + budget
    for path in paths:
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        answer = httpx.get(server.url + path, timeout=300)
        latencies.append(time.perf_counter() - started)
        statuses[str(answer.status_code)] = statuses.get(str(answer.status_code), 0) + 1
        if answer.is_success:
            sizes.append(len(answer.content))
    ordered = sorted(latencies)
    return {
        "alone": {
            "requests": len(ordered),
            "statuses": statuses,
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "mean_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
        }
    }


def bench_traversal(args: argparse.Namespace) -> dict[str, Any]:
    size = args.traversal_at
    if not (build_dir(args, size) / "store").exists():
        raise RuntimeError(f"no store of {size} resolutions: run the build section with it")
    result: dict[str, Any] = {"resolutions": size}
    with ours(args, size, cache=True, name="treatygraph-network") as server:
        started = time.perf_counter()
        summary = httpx.get(server.url + "/network", timeout=900)
        summary.raise_for_status()
        result["view_seconds"] = round(time.perf_counter() - started, 2)
        result["summary"] = {k: v for k, v in summary.json().items() if k != "limits"}
        result["view_rss_mb"] = server.memory_mb()
        ranking = httpx.get(
            server.url + "/network/ranking", params={"by": "citations", "limit": 40}, timeout=300
        )
        ranking.raise_for_status()
        instruments = [str(i["ref"]) for i in ranking.json()["instruments"]]
        routes: dict[str, tuple[str, dict[str, Any]]] = {
            "ego": ("/network/ego", {"radius": 1}),
            "cocitation": ("/network/cocitation", {}),
        }
        for name, (route, extra) in routes.items():
            paths = [f"{route}?{urlencode({'instrument': i, **extra})}" for i in instruments]
            _say(f"traversal: {name}")
            result[name] = {**_one_by_one(server, paths), "concurrent": _hammer(
                server, [load.Request(p) for p in paths], args, connections=4
            )}  # fmt: skip
    return result


if __name__ == "__main__":
    sys.exit(main())
