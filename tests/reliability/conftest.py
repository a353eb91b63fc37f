"""The long reliability suite: collected only when ``TREATYGRAPH_RELIABILITY=1`` (``make
reliability``), so that ``make test`` runs only the fast subset (``tests/test_reliability.py``).

Each check records its figures (``harness.record``); at the end the run prints them as one
table, which ``docs/reliability.md`` keeps, and writes it to
``test-artifacts/reliability/summary.md``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.reliability.harness import ARTIFACTS, FIGURES, table

ENABLED = os.environ.get("TREATYGRAPH_RELIABILITY") == "1"
collect_ignore_glob = [] if ENABLED else ["test_*.py"]

SHOWN = {"passed": "pass", "failed": "FAIL", "skipped": "skip", "xfailed": "xfail"}
_outcomes: dict[str, str] = {}
_seconds: dict[str, float] = {}
_started = time.monotonic()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability: part of the long reliability suite")
    if ENABLED and not os.environ.get(FIGURES):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        figures = ARTIFACTS / "figures.jsonl"
        figures.write_text("", encoding="utf-8")
        os.environ[FIGURES] = str(figures)
    if ENABLED and not config.pluginmanager.has_plugin("reliability-outcomes"):
        # A plugin, not a hook of this conftest: those only hear of tests in this folder,
        # and the run includes tests/test_parse_properties.py.
        config.pluginmanager.register(_Outcomes(), "reliability-outcomes")


class _Outcomes:
    @staticmethod
    def pytest_runtest_logreport(report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            previous = _outcomes.get(report.nodeid)
            if previous in (None, "passed"):
                xfailed = hasattr(report, "wasxfail") and report.outcome == "skipped"
                _outcomes[report.nodeid] = "xfailed" if xfailed else report.outcome
        _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    path = os.environ.get(FIGURES)
    if not ENABLED or not path or not Path(path).exists():
        return
    rows = [["kind", "check", "figures", "seconds", "result"]]
    for line in Path(path).read_text("utf-8").splitlines():
        entry = json.loads(line)
        test = entry["test"]
        outcome = _outcomes.get(test) or _outcome_of_file(test)
        seconds = _seconds.get(test) or sum(
            v for k, v in _seconds.items() if k.startswith(test + "::")
        )
        rows.append(
            [
                entry["kind"],
                entry["check"],
                _figures(entry["figures"]),
                f"{seconds:.0f}",
                SHOWN.get(outcome, outcome),
            ]
        )
    if len(rows) == 1:
        return
    text = table(rows)
    total = f"total {time.monotonic() - _started:.0f} s"
    (ARTIFACTS / "summary.md").write_text(text + "\n\n" + total + "\n", encoding="utf-8")
    terminalreporter.section("reliability summary")
    terminalreporter.write_line(text)
    terminalreporter.write_line(total)


def _outcome_of_file(path: str) -> str:
    """For figures recorded by a module fixture: failed if any test of the file failed."""
    outcomes = {v for k, v in _outcomes.items() if k.startswith(path + "::")}
    return "failed" if "failed" in outcomes else "passed" if outcomes else "?"


def _figures(figures: dict[str, object]) -> str:
    """Figures as one cell: nested tables (latencies by kind) are left to figures.jsonl."""

    def shown(value: object) -> str:
        if isinstance(value, dict):
            return " ".join(f"{k}:{v}" for k, v in value.items())
        return str(value)

    def flat(value: object) -> bool:
        nested = isinstance(value, dict) and any(isinstance(v, dict) for v in value.values())
        return not nested and not isinstance(value, list)

    return ", ".join(f"{k} {shown(v)}" for k, v in figures.items() if flat(v))
