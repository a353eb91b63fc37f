"""Bad input, tried by machines, at length: the SPARQL fuzzer and schemathesis. (The reader's
property tests are ``tests/test_parse_properties.py``, which ``make reliability`` runs with
many more examples.)"""

from __future__ import annotations

import pytest

from tests.reliability import scenarios
from tests.reliability.harness import record


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> str:
    return scenarios.seed_store(tmp_path_factory.mktemp("seed"))


def test_sparql_fuzzer(seed: str) -> None:
    figures = scenarios.sparql_fuzz(seed, count=4000, seconds=150, seed=1)
    record("bad input", "SPARQL fuzzer (random + mutated queries/)", **figures)


def test_schemathesis(seed: str) -> None:
    pytest.importorskip("schemathesis")
    figures = scenarios.schemathesis(seed, seconds=150, seed=1, examples=None)
    record("bad input", "schemathesis, every operation, all phases", **figures)
