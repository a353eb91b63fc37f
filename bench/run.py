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
        "traversal": bench_traversal,
    }
    previous = _previous(args.work / "results.json")
    only = {s.strip() for s in args.only.split(",") if s.strip()}
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
        results[name] = section(args)
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
    p.add_argument("--traversal-at", type=int, default=10000, help="corpus size of traversal")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    p.add_argument("--connections", type=int, default=8, help="concurrent clients")
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
        "import sys, time; from pathlib import Path; from graph.extract import read;"
        "from graph.rdf import resolution_part;"
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


def ours(args: argparse.Namespace, size: int, *, cache: bool, name: str) -> Server:
    port = free_port()
    env = {"TREATYGRAPH_STORE": str(build_dir(args, size) / "store")}
    if not cache:
        env["TREATYGRAPH_CACHE_ENTRIES"] = "0"
    return Server(
        name,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        port=port,
        ready="/ready",
        log=args.work / "logs" / f"{name}.log",
        env=env,
        cwd=ROOT,
    )


def bare(args: argparse.Namespace, data: Path) -> Server:
    port = free_port()
    return Server(
        "bare",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.bare:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
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


def bench_lookup(args: argparse.Namespace) -> dict[str, Any]:
    size = args.at
    paragraphs = _cited_paragraphs(args, size, 40)
    paths = dict(_lookup_path(p) for p in paragraphs)
    requests = [load.Request(path) for path in paths.values()]
    answers: dict[str, Any] = {}
    result: dict[str, Any] = {"resolutions": size, "paths": len(paths)}
    with ours(args, size, cache=True, name="treatygraph-lookup") as server:
        started = time.perf_counter()
        for key, path in paths.items():
            answer = httpx.get(server.url + path, timeout=120)
            answer.raise_for_status()
            answers[key] = answer.json()
        result["first_pass_ms"] = round((time.perf_counter() - started) / len(paths) * 1000, 1)
        _say("lookup: treatygraph")
        result["treatygraph"] = _hammer(server, requests, args)
    data = args.work / "bare-answers.json"
    dump(data, answers)
    with bare(args, data) as server:
        _say("lookup: bare")
        for key, path in list(paths.items())[:3]:  # the floor answers the very same JSON
            assert httpx.get(server.url + path).json() == answers[key]
        result["bare"] = _hammer(server, requests, args)
    result["ratio"] = float(f"{result['treatygraph']['rps'] / result['bare']['rps']:.3g}")
    return result


# --- SPARQL -------------------------------------------------------------------------------------


def _sparql_requests(path: str, queries: list[str]) -> list[load.Request]:
    return [load.Request(f"{path}?{urlencode({'query': q})}", accept=RESULTS_JSON) for q in queries]


def _check(server: Server, path: str, query: str) -> int:
    answer = httpx.get(
        server.url + path, params={"query": query}, headers={"Accept": RESULTS_JSON}, timeout=300
    )
    answer.raise_for_status()
    return len(answer.json()["results"]["bindings"])


def bench_sparql(args: argparse.Namespace) -> dict[str, Any]:
    size = args.at
    points = [POINT.format(paragraph=p) for p in _cited_paragraphs(args, size, 200)]
    result: dict[str, Any] = {"resolutions": size, "point_queries": len(points)}
    engines: list[tuple[str, Callable[[], Server], str]] = [
        (
            "treatygraph",
            lambda: ours(args, size, cache=False, name="treatygraph-sparql"),
            "/sparql",
        ),
        (
            "treatygraph (answer cache)",
            lambda: ours(args, size, cache=True, name="treatygraph-sparql-cache"),
            "/sparql",
        ),
        ("oxigraph", lambda: oxigraph_server(args, size), "/query"),
        ("rdflib-endpoint", lambda: rdflib_endpoint(args, size), "/"),
    ]
    for name, start, path in engines:
        _say(f"sparql: {name}")
        with start() as server:
            rows = {
                "point": _check(server, path, points[0]),
                "aggregate": _check(server, path, AGGREGATE),
            }
            started = time.perf_counter()
            _check(server, path, AGGREGATE)
            single = round((time.perf_counter() - started) * 1000, 1)
            result[name] = {
                "start_seconds": server.start_seconds,
                "rows": rows,
                "aggregate_single_ms": single,
                "point": _hammer(server, _sparql_requests(path, points), args),
                "aggregate": _hammer(
                    server, _sparql_requests(path, [AGGREGATE]), args, connections=2
                ),
            }

    def rps(engine: str, query: str) -> float:
        return float(result[engine][query]["rps"]) or 1e-9

    result["ratios"] = {
        "point_vs_rdflib": round(rps("treatygraph", "point") / rps("rdflib-endpoint", "point"), 2),
        "point_vs_oxigraph": round(rps("treatygraph", "point") / rps("oxigraph", "point"), 3),
        "aggregate_vs_rdflib": round(
            rps("treatygraph", "aggregate") / rps("rdflib-endpoint", "aggregate"), 2
        ),
        "aggregate_vs_oxigraph": round(
            rps("treatygraph", "aggregate") / rps("oxigraph", "aggregate"), 3
        ),
    }
    return result


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
