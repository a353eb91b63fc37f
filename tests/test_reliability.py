"""Reliability, the fast subset that ``make test`` runs: each kind of check of issue 8 for a
few seconds (``make reliability`` runs the same checks long; see docs/reliability.md).

Bad input: the SPARQL fuzzer, schemathesis. Faults: SIGKILL of the build, the remote store
killed during a load and during queries, a restart under load, broken stores, disk faults.
Load: a short mixed load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability import scenarios


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed corpus, built by ``treatygraph build`` into an embedded store."""
    return scenarios.seed_store(tmp_path_factory.mktemp("seed"))


def test_sparql_fuzzer_gets_4xx_or_answers(seed: str) -> None:
    scenarios.sparql_fuzz(seed, count=150, seconds=10, seed=8)


def test_schemathesis_on_every_operation(seed: str) -> None:
    pytest.importorskip("schemathesis", reason="pip install schemathesis (the test extra)")
    scenarios.schemathesis(seed, seconds=12, seed=8, examples=2)


def test_build_killed_with_sigkill_leaves_the_previous_graph_served(tmp_path: Path) -> None:
    scenarios.build_kills(tmp_path, kills=2, seed=8)


def test_remote_server_killed_during_a_load(tmp_path: Path) -> None:
    scenarios.remote_load_kills(tmp_path, rounds=1, triples=100_000, seed=8)


def test_remote_server_killed_during_queries(tmp_path: Path) -> None:
    scenarios.remote_query_kills(tmp_path, seconds=4.5, seed=8)


def test_restart_under_load(seed: str) -> None:
    scenarios.restart_under_load(seed, seconds=4, restarts=1, clients=4)


def test_missing_and_damaged_stores(tmp_path: Path) -> None:
    scenarios.broken_stores(tmp_path, kinds=("missing", "damaged"))


def test_disk_faults(tmp_path: Path) -> None:
    scenarios.disk_faults(tmp_path)


def test_short_mixed_load(seed: str) -> None:
    _, errors = scenarios.load(seed, seconds=5, clients=8, seed=8)
    assert not errors, errors[:5]


# --- what killed builds leave behind ------------------------------------------------------


def _synth_with_seed(tmp_path: Path) -> Path:
    corpus = scenarios.harness.synth_corpus(tmp_path / "corpus", 30, 8)
    shutil.copytree(scenarios.SEED_CORPUS, corpus, dirs_exist_ok=True)
    return corpus


def test_build_killed_during_its_load_leaves_no_generation_behind(tmp_path: Path) -> None:
    corpus, site = _synth_with_seed(tmp_path), tmp_path / "site"
    assert scenarios.build(scenarios.SEED_CORPUS, site).returncode == 0
    assert scenarios.kill_build_when(corpus, site, r"store\.\d{8}T\d{6}-[0-9a-f]{6}")
    assert scenarios.build(corpus, site).returncode == 0
    generations = sorted(p.name for p in site.glob("store.*"))
    assert len(generations) <= 2  # the one served and the one before it, for its readers
    assert not list(site.glob(".store.link-*"))


@pytest.mark.parametrize(
    "appears",
    [r"\.dist\..+", r"\.dist\.[a-z0-9_]{8}"],  # the first sign of writing; the folder itself
    ids=["first-sign", "folder"],
)
def test_build_killed_while_writing_leaves_no_temporary_folder(
    tmp_path: Path, appears: str
) -> None:
    corpus, site = _synth_with_seed(tmp_path), tmp_path / "site"
    assert scenarios.build(scenarios.SEED_CORPUS, site).returncode == 0
    assert scenarios.kill_build_when(corpus, site, appears)
    assert scenarios.build(corpus, site).returncode == 0
    assert scenarios.leftovers(site) == []


def test_unreadable_corpus_folder_is_named_unreadable(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(scenarios.SEED_CORPUS, corpus)
    corpus.chmod(0)
    try:
        done = scenarios._cli("build", corpus, "--out", tmp_path / "dist", "--store",
                              tmp_path / "store")  # fmt: skip
    finally:
        corpus.chmod(0o755)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "Permission denied" in done.stderr, done.stderr
    assert f"{corpus}: error: cannot read this corpus folder" in done.stderr, done.stderr
    assert not (tmp_path / "dist").exists()


def test_build_killed_while_reading_leaves_no_reader_running(tmp_path: Path) -> None:
    corpus = scenarios.harness.synth_corpus(tmp_path / "corpus", 200, 8)
    assert scenarios.kill_build_while_reading(corpus, tmp_path / "site", grace=5) == 0
