"""Faults, at length: the build killed again and again, the remote store killed during loads
and queries, restarts under load, broken stores, disk faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import scenarios
from tests.reliability.harness import record


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> str:
    return scenarios.seed_store(tmp_path_factory.mktemp("seed"))


def test_build_killed_again_and_again(tmp_path: Path) -> None:
    figures = scenarios.build_kills(tmp_path, kills=30, seed=1)
    record("faults", "SIGKILL of the build at random moments", **figures)


def test_remote_server_killed_during_loads(tmp_path: Path) -> None:
    figures = scenarios.remote_load_kills(tmp_path, rounds=5, triples=300_000, seed=1)
    record("faults", "Oxigraph server killed during a load", **figures)


def test_remote_server_killed_during_queries(tmp_path: Path) -> None:
    figures = scenarios.remote_query_kills(tmp_path, seconds=15, seed=1)
    record("faults", "Oxigraph server killed during queries", **figures)


def test_restarts_under_load(seed: str) -> None:
    figures = scenarios.restart_under_load(seed, seconds=40, restarts=3, clients=16)
    record("faults", "restart (SIGTERM to the group) under load", **figures)


def test_missing_and_damaged_stores(tmp_path: Path) -> None:
    figures = scenarios.broken_stores(tmp_path)
    record("faults", "missing, dangling, damaged, truncated store", **figures)


def test_disk_faults(tmp_path: Path) -> None:
    figures = scenarios.disk_faults(tmp_path)
    record("faults", "read-only disk, unreadable corpus, bad paths", **figures)
