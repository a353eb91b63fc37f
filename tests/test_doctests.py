"""The docstring examples of every module of the package run as tests (pyoxigraph's way).

They are collected from the installed package, so they run against the code a user imports.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import treatygraph

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(treatygraph.__path__, "treatygraph.")
    if not info.name.endswith("__main__")
)


def test_every_stage_is_collected() -> None:
    stages = {name.split(".")[1] for name in MODULES}
    assert {"reader", "rdf", "store", "build", "named_queries", "network", "api"} <= stages


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{name}: {failed} of {attempted} examples failed (output above)"
