"""``docs/benchmarks.md`` and its plots from a run's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

TARGETS = {
    "lookup": 0.8,  # × the bare dict app's throughput
    "sparql_vs_rdflib": 20.0,
    "sparql_vs_oxigraph": 0.8,
    "build_seconds": 120.0,  # 10,000 resolutions built and loaded
    "build_rss_mb": 2048.0,
}


OURS_ON = "treatygraph (cache on)"  # as shipped
OURS_OFF = "treatygraph (cache off)"
ENGINES = (OURS_ON, OURS_OFF, "oxigraph", "rdflib-endpoint")


def write(results: dict[str, Any], docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    results = _upgraded(results)
    plots = []
    if "build" in results:
        plots.append(_plot_build(results["build"], docs / "bench-build.png"))
    if "lookup" in results or "sparql" in results:
        plots.append(_plot_http(results, docs / "bench-http.png"))
    text = _markdown(results, [p.name for p in plots if p is not None])
    (docs / "benchmarks.md").write_text(text, encoding="utf-8")


def _upgraded(results: dict[str, Any]) -> dict[str, Any]:
    """Sections an earlier bench wrote (kept when a run skips them) in today's names: its
    lookup server had the answer cache on; its SPARQL servers were "treatygraph" (cache off)
    and "treatygraph (answer cache)"."""
    results = dict(results)
    lookup = results.get("lookup")
    if lookup and "cache_on" not in lookup and "treatygraph" in lookup:
        results["lookup"] = {**lookup, "cache_on": lookup["treatygraph"]}
    sparql = results.get("sparql")
    if sparql and OURS_ON not in sparql and "treatygraph" in sparql:
        old = dict(sparql)
        old[OURS_OFF] = old.pop("treatygraph")
        if "treatygraph (answer cache)" in old:
            old[OURS_ON] = old.pop("treatygraph (answer cache)")
        old["ratios_cache_off"] = old.pop("ratios", {})
        results["sparql"] = old
    return results


# --- plots ------------------------------------------------------------------------------------


def _plot_build(build: dict[str, Any], path: Path) -> Path:
    runs = build["runs"]
    sizes = [r["resolutions"] for r in runs]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(sizes, [r["cold"]["seconds"] for r in runs], "ko-", label="cold build, total")
    for phase, style in (("read", "o--"), ("write", "s--"), ("load", "^--")):
        values = [max(r["cold"].get(f"{phase}_seconds", 0.0), 0.01) for r in runs]
        left.plot(sizes, values, style, label=f"  {phase}" + (" dist/" if phase == "write" else ""))
    left.plot(
        sizes,
        [r["warm"]["seconds"] for r in runs],
        "k:",
        marker="D",
        label="rebuild, nothing changed",
    )
    left.axhline(120, color="red", linewidth=0.8, linestyle=":", label="target at 10,000: 120 s")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("synthetic resolutions")
    left.set_ylabel("seconds")
    left.legend(fontsize=8)
    left.set_title("treatygraph build: time")
    right.plot(sizes, [r["cold"]["peak_rss_mb"] for r in runs], "o-", label="cold build")
    right.plot(sizes, [r["warm"]["peak_rss_mb"] for r in runs], "s--", label="rebuild")
    right.axhline(2048, color="red", linewidth=0.8, linestyle=":", label="target: 2 GB")
    right.set_xscale("log")
    right.set_xlabel("synthetic resolutions")
    right.set_ylabel("peak RSS of the process tree, MB")
    right.legend(fontsize=8)
    right.set_title("treatygraph build: memory")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_http(results: dict[str, Any], path: Path) -> Path:
    bars: list[tuple[str, float, float, float]] = []  # label, rps, p50, p99
    lookup = results.get("lookup", {})
    lookup_labels = {
        "cache_on": "lookup: treatygraph (as shipped)",
        "cache_off": "lookup: treatygraph (cache off)",
        "routes": "lookup: treatygraph (routes alone)",
        "bare": "lookup: bare dict app",
    }
    for name, label in lookup_labels.items():
        if name in lookup:
            r = lookup[name]
            bars.append((label, r["rps"], r["p50_ms"], r["p99_ms"]))
    sparql = results.get("sparql", {})
    for query in ("point", "aggregate"):
        for engine in ENGINES:
            if engine in sparql and query in sparql[engine]:
                r = sparql[engine][query]
                bars.append((f"{query}: {engine}", r["rps"], r["p50_ms"], r["p99_ms"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.45 * len(bars) + 1.6))
    labels = [b[0] for b in bars]
    left.barh(labels, [max(b[1], 0.01) for b in bars], color="#4c72b0")
    left.set_xscale("log")
    left.set_xlabel("requests per second (log)")
    left.invert_yaxis()
    right.barh(labels, [max(b[3], 0.01) for b in bars], color="#c44e52", label="p99")
    right.barh(labels, [max(b[2], 0.01) for b in bars], color="#dd8452", label="p50")
    right.set_xscale("log")
    right.set_xlabel("latency, ms (log)")
    right.invert_yaxis()
    right.set_yticklabels([])
    right.legend(fontsize=8)
    fig.suptitle("Lookups and SPARQL under concurrent load (loopback)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- text ---------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _markdown(results: dict[str, Any], plots: list[str]) -> str:
    m = results["machine"]
    s = results["settings"]
    v = m["versions"]
    out = [
        "# Benchmarks",
        "",
        "Made by `make bench` (`python -m bench`; the code is in `bench/`), which rewrites this",
        "file, `docs/benchmarks.json` (every figure) and the plots. Every load is on loopback,",
        "bounded in time and connections; nothing here runs in `make test`. Notes on the",
        "figures and on the targets missed: `docs/benchmarks-notes.md`.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores ({m['cpu']}), {m['memory_mb']} MB RAM, {m['os']}, "
        f"Python {m['python']}; run on {m['date']}",
        f"- load average at start {_load(m['load_average_start'])}, at end "
        f"{_load(m.get('load_average_end'))} (other work shares this machine: compare ratios "
        "within one run, not absolute figures across runs)",
        "- " + ", ".join(f"{k} {val}" for k, val in v.items() if val),
        f"- each load run: {s['seconds']:g} s after a 2 s warm-up, {s['connections']} "
        f"connections unless said, one `{_tool(results)}` thread; lookup and SPARQL: "
        f"{s.get('rounds', 1)} runs per server, the servers taking turns (A B C A B C), figures "
        "over all runs (requests/s: total requests / total time; p50: median of the runs; "
        "p99: the worst run's)",
        "",
    ]
    if "build" in results:
        out += _build_section(results["build"])
        out += _history_section(results.get("build_history", []))
    for name in ("lookup", "lookup_large"):
        if name in results:
            out += _lookup_section(results[name])
    for name in ("sparql", "sparql_large"):
        if name in results:
            out += _sparql_section(results[name])
    if "traversal" in results:
        out += _traversal_section(results["traversal"])
    out += _targets(results)
    if plots:
        out += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    return "\n".join(out)


def _load(values: Any) -> str:
    return " / ".join(f"{x:.2f}" for x in values) if values else "?"


def _tool(results: dict[str, Any]) -> str:
    for section in ("lookup", "sparql"):
        for value in results.get(section, {}).values():
            if isinstance(value, dict) and "tool" in value:
                return str(value["tool"])
    return "wrk"


def _build_section(build: dict[str, Any]) -> list[str]:
    core = build.get("single_core", {})
    out = [
        "## Build: `treatygraph build CORPUS`",
        "",
        "Synthetic corpora (`treatygraph synth --seed 7`). *Cold*: empty cache, empty store; "
        "*rebuild*: the same command again, every resolution's part of the graph taken from "
        "the cache by checksum. Peak RSS is the sum over the whole process tree (main process "
        "and reader processes), sampled every 50 ms.",
        "",
        "| resolutions | triples | extraction (res/s) | read | write dist/ | load store "
        "| lookups' answers | cold total | cold peak RSS | rebuild total | rebuild peak RSS "
        "| graph.nt | store |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in build["runs"]:
        c, w = r["cold"], r["warm"]
        out.append(
            f"| {r['resolutions']:,} | {r['triples']:,} | {r['extraction_rate']:.0f} "
            f"| {c.get('read_seconds', 0):.1f} s | {c.get('write_seconds', 0):.1f} s "
            f"| {c.get('load_seconds', 0):.1f} s | {c.get('answers_seconds', 0):.1f} s "
            f"| **{c['seconds']:.1f} s** "
            f"| **{c['peak_rss_mb']:,.0f} MB** | {w['seconds']:.1f} s | {w['peak_rss_mb']:,.0f} MB "
            f"| {r['graph_nt_mb']:,.0f} MB | {r['store_mb']:,.0f} MB |"
        )
    out += [
        "",
        f"One core reads {core.get('read_per_s', '?')} resolutions/s (clean, parse, find, "
        f"resolve) and maps {core.get('map_per_s', '?')} resolutions/s to RDF; the build reads "
        "on every core. The extraction rate above is the build's (files / read phase, which "
        "includes mapping each resolution to RDF and writing its part file).",
        "",
        "Files written: "
        + ", ".join(f"{r['resolutions']:,}: {', '.join(r['files'])}" for r in build["runs"]),
        "",
    ]
    return out


def _history_section(history: list[dict[str, Any]]) -> list[str]:
    if len(history) < 2:
        return []
    sizes = sorted({int(n) for h in history for n in h["cold"]})
    out = [
        "Cold builds of earlier runs (this machine is shared: the load average, taken before "
        "and after the section, and one core's reading rate show how busy it was):",
        "",
        "| run | load average | one core reads | "
        + " | ".join(f"{n:,} resolutions" for n in sizes)
        + " |",
        "|---|---|---:|" + "---:|" * len(sizes),
    ]
    for h in history:
        cells = []
        for n in sizes:
            seconds, rss = h["cold"].get(str(n), [None, None])
            cells.append(f"{seconds:.0f} s, {rss:,.0f} MB" if seconds is not None else "")
        load = " → ".join(f"{x:.1f}" for x in h["load_average"])
        out.append(
            f"| {h['date']} | {load} | {h['single_core_read_per_s']:.0f}/s | "
            + " | ".join(cells)
            + " |"
        )
    return [*out, ""]


def _row(name: str, r: dict[str, Any], extra: str = "") -> str:
    return (
        f"| {name} | {r['rps']:,.1f} | {r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | "
        f"{r['requests']:,} | {r['errors']:,} | {r.get('server_rss_mb', 0):,.0f} MB |{extra}"
    )


_HEAD = [
    "| server | requests/s | p50 ms | p99 ms | requests | errors | server RSS |",
    "|---|---:|---:|---:|---:|---:|---:|",
]


def _lookup_section(lookup: dict[str, Any]) -> list[str]:
    if "first_pass_ms" in lookup:  # a run from before the build's answers
        return _old_lookup_section(lookup)
    out = [
        f"## Lookup: `GET /resolutions/{{symbol}}/paragraphs/{{id}}/citations` at "
        f"{lookup['resolutions']:,} resolutions, never asked before",
        "",
        f"{lookup['paths']:,} distinct paragraphs that cite something (`Accept: "
        "application/json`), more than a run gets through: every request asks a paragraph "
        "for the first time in that run, as a crawler or a notebook walking the corpus does. "
        "treatygraph as shipped answers them from the build's answers (`answers.sqlite` in "
        "the store's generation, `api/answers.py`) before the answer cache; *cache off* is the "
        "same with `TREATYGRAPH_CACHE=off`; *routes alone* has neither (`TREATYGRAPH_ANSWERS=off"
        "`, every lookup runs its library queries: the figure before the answers). The floor "
        "is `bench/bare.py`: a bare FastAPI app (same uvicorn, one process) answering the very "
        "same JSON from a dict. " + _steady_note(lookup.get("steady_seconds", {}).values()),
        "",
        *_HEAD,
    ]
    rows = (
        ("treatygraph, answers + cache (as shipped)", "cache_on"),
        ("treatygraph, answers, cache off", "cache_off"),
        ("treatygraph, routes alone (no answers, no cache)", "routes"),
        ("bare FastAPI + dict", "bare"),
    )
    out += [_row(label, lookup[key]) for label, key in rows if key in lookup]
    out += [""]
    if "answers" in lookup:
        out += [f"Answered from the build's answers (`/stats`): {lookup['answers']['hits']:,}.", ""]
    line = f"Ratio treatygraph / bare: **{lookup['ratio']:.2g}×** as shipped (target ≥ 0.8×)"
    if "ratio_cache_off" in lookup:
        line += f"; {lookup['ratio_cache_off']:.2g}× with the cache off"
    if "ratio_routes" in lookup:
        line += f"; {lookup['ratio_routes']:.2g}× from the routes alone"
    return [*out, line + ".", ""]


def _old_lookup_section(lookup: dict[str, Any]) -> list[str]:
    out = [
        f"## Lookup: `GET /resolutions/{{symbol}}/paragraphs/{{id}}/citations` at "
        f"{lookup['resolutions']:,} resolutions",
        "",
        f"{lookup['paths']} paragraphs that cite something, cycled (`Accept: application/json`), "
        "the answer cache filled by a first pass "
        f"({lookup['first_pass_ms']:,.0f} ms a request), against the bare dict app.",
        "",
        *_HEAD,
    ]
    rows = (
        ("treatygraph, cache on (as shipped)", "cache_on"),
        ("treatygraph, cache off", "cache_off"),
        ("bare FastAPI + dict", "bare"),
    )
    out += [_row(label, lookup[key]) for label, key in rows if key in lookup]
    out += ["", *_cache_line(lookup.get("cache"))]
    line = f"Ratio treatygraph / bare: **{lookup['ratio']:.2g}×** with the cache (target ≥ 0.8×)"
    return [*out, line + ".", ""]


def _sparql_section(sparql: dict[str, Any]) -> list[str]:
    engines = [k for k in ENGINES if k in sparql]
    first = sparql[engines[0]]
    out = [
        f"## SPARQL at {sparql['resolutions']:,} resolutions",
        "",
        "The same queries over the same graph: our `/sparql` (embedded pyoxigraph, query worker "
        "processes) with the answer cache on (as shipped) and off (`TREATYGRAPH_CACHE=off`), "
        "the Oxigraph server (`oxigraph serve-read-only` on the store the build loaded) and "
        "rdflib-endpoint (`rdflib-endpoint serve dist/graph.nt`, rdflib's in-memory store). "
        "JSON results.",
        "",
        f"*Point query*: the citations of one paragraph and the cited instruments' ids and "
        f"titles, {sparql['point_queries']} paragraphs cycled "
        f"({first['rows']['point']} row{'' if first['rows']['point'] == 1 else 's'} for the "
        "first). *Aggregate*: the ten most cited instruments (a GROUP BY over every citation), "
        "2 connections. With the cache on, only the warm-up's first pass over the queries runs "
        "them (each a miss); every measured request is a hit, answered from memory before any "
        "routing. With the cache off, every request goes to a query worker process. "
        + _steady_note(sparql[n].get("steady_seconds") for n in engines),
        "",
        "| server | query | requests/s | p50 ms | p99 ms | requests | errors | server RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for query in ("point", "aggregate"):
        for name in engines:
            r = sparql[name].get(query)
            if r is None:
                continue
            out.append(
                f"| {name} | {query} | {r['rps']:,.1f} | {r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} "
                f"| {r['requests']:,} | {r['errors']:,} | {r.get('server_rss_mb', 0):,.0f} MB |"
            )
    out += [
        "",
        "Start-up (until the first answer): "
        + ", ".join(f"{n} {sparql[n]['start_seconds']:.1f} s" for n in engines)
        + ". One aggregate alone: "
        + ", ".join(_aggregate_alone(n, sparql[n]) for n in engines)
        + ".",
        "",
    ]
    out += _cache_line(sparql.get("cache"))
    for key, label in (("ratios", "cache on, as shipped"), ("ratios_cache_off", "cache off")):
        r = sparql.get(key)
        if r:
            if "rdflib-endpoint" not in sparql:
                out += [
                    f"Ratios ({label}): point query **{r['point_vs_oxigraph']}×** the Oxigraph "
                    f"server (target ≥ 0.5× never asked before); aggregate "
                    f"{r['aggregate_vs_oxigraph']}× (rdflib-endpoint not run at this size).",
                    "",
                ]
                continue
            out += [
                f"Ratios ({label}): point query **{r['point_vs_rdflib']:,}×** rdflib-endpoint "
                f"(target ≥ 20×) and **{r['point_vs_oxigraph']}×** the Oxigraph server (target "
                f"≥ 0.8×); aggregate {r['aggregate_vs_rdflib']:,}× rdflib-endpoint and "
                f"{r['aggregate_vs_oxigraph']}× Oxigraph.",
                "",
            ]
    return out


def _steady_note(waits: Any) -> str:
    seconds = [w for w in waits if w is not None]
    if not seconds:
        return ""
    return (
        "Our servers were measured once the explorer's network view, which the service builds "
        "in a background thread as it starts, was built (`GET /network` first; "
        f"{max(seconds):.0f} s at most): until then that build competes with every request "
        "for the CPU."
    )


def _cache_line(cache: dict[str, Any] | None) -> list[str]:
    if not cache:
        return []
    return [
        f"Answer cache (`/stats`) from the warm-ups to the end of the runs: {cache['hits']:,} "
        f"hits, {cache['misses']:,} misses (requests asked for the first time), "
        f"{cache['stores']:,} answers stored.",
        "",
    ]


def _aggregate_alone(name: str, r: dict[str, Any]) -> str:
    if "aggregate_first_ms" in r:
        return f"{name} {r['aggregate_first_ms']:,.0f} ms, again {r['aggregate_again_ms']:,.0f} ms"
    return f"{name} {r['aggregate_single_ms']:,.0f} ms"


def _traversal_section(t: dict[str, Any]) -> list[str]:
    out = [
        f"## Traversal at {t['resolutions']:,} resolutions",
        "",
        f"The network view (networkx, built from the store on the first request) took "
        f"{t['view_seconds']:.1f} s to build; the server then held {t['view_rss_mb']:,.0f} MB. "
        f"Graph: {_summary(t['summary'])}.",
        "Requests over the 40 most cited instruments: first each alone, in turn (for at most a "
        "minute), then cycled by 4 concurrent clients.",
        "",
        "| traversal | alone: requests | statuses | p50 ms | max ms | answer bytes "
        "| concurrent: requests/s | p50 ms | p99 ms | completed | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = (("ego", "`/network/ego?radius=1`"), ("cocitation", "`/network/cocitation`"))
    for name, label in labels:
        if name not in t:
            continue
        a, c = t[name]["alone"], t[name]["concurrent"]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(a["statuses"].items()))
        out.append(
            f"| {label} | {a['requests']} | {statuses} | {a['p50_ms']:,.0f} | {a['max_ms']:,.0f} "
            f"| {a['mean_bytes']:,} | {c['rps']:,.1f} | {c['p50_ms']:,.0f} | {c['p99_ms']:,.0f} "
            f"| {c['requests']:,} | {c['errors']:,} |"
        )
    return [*out, ""]


def _summary(summary: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in summary.items() if not isinstance(v, dict))


def _targets(results: dict[str, Any]) -> list[str]:
    out = ["## Targets", "", "| target | measured | |", "|---|---|---|"]
    build = results.get("build", {}).get("runs", [])
    big = next((r for r in build if r["resolutions"] == 10000), None)
    if big:
        c = big["cold"]
        out.append(
            f"| 10,000 resolutions built and loaded < 2 min | {c['seconds']:.0f} s cold, "
            f"{big['warm']['seconds']:.0f} s rebuild | "
            f"{_verdict(c['seconds'] < TARGETS['build_seconds'])} |"
        )
        out.append(
            f"| … and < 2 GB RSS on 2 cores | {c['peak_rss_mb']:,.0f} MB | "
            f"{_verdict(c['peak_rss_mb'] < TARGETS['build_rss_mb'])} |"
        )
    if "lookup" in results:
        lookup = results["lookup"]
        ratio = lookup["ratio"]
        off = lookup.get("ratio_cache_off")
        out.append(
            f"| lookup ≥ 0.8× bare dict app | {ratio:.3g}× ({_off(off, '.2g')}) | "
            f"{_verdict(ratio >= TARGETS['lookup'])} |"
        )
    sparql = results.get("sparql", {})
    r = sparql.get("ratios")
    if r:
        o = sparql.get("ratios_cache_off", {})
        rdflib_ok = r["point_vs_rdflib"] >= TARGETS["sparql_vs_rdflib"]
        oxigraph_ok = r["point_vs_oxigraph"] >= TARGETS["sparql_vs_oxigraph"]
        out.append(
            f"| `/sparql` point ≥ 20× rdflib-endpoint | {r['point_vs_rdflib']:,}× "
            f"({_off(o.get('point_vs_rdflib'), ',')}) | {_verdict(rdflib_ok)} |"
        )
        out.append(
            f"| `/sparql` point ≥ 0.8× Oxigraph server | {r['point_vs_oxigraph']}× "
            f"({_off(o.get('point_vs_oxigraph'), '')}) | {_verdict(oxigraph_ok)} |"
        )
    if "lookup" in results or r:
        out += [
            "",
            "Lookup and `/sparql`: as shipped, with the answer cache on; in brackets, with it off. "
            "The lookup asks thousands of distinct paragraphs, every one answered from the "
            "build's answers (which come before the cache); `/sparql` asks 5,000 distinct point "
            "queries: with the cache off each is asked for the first time, with it on the runs "
            "cycle the list and the later passes are hits.",
        ]
    return [*out, ""]


def _off(value: float | None, spec: str) -> str:
    return "cache off: ?" if value is None else f"cache off: {value:{spec}}×"
