"""The house: each stage of the pipeline imports only from the stages before it.

    reader → rdf → store → named_queries → build → network → api → cli

(`synth`, which writes test corpora in the reader's layouts, sits after the reader; the named
queries and the JSON shapes of their answers come before the build, which writes every
lookup's answer ahead.) The core
modules (`treatygraph.model`, `errors`, `resources`) are shared by every stage; the package's
own `__init__` is its public API and may import any stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

STAGES = ("reader", "synth", "rdf", "store", "named_queries", "build", "network", "api", "cli")
CORE = {"model", "errors", "resources"}
FOLDERS = {"api": ROOT / "api"} | {s: ROOT / "graph" / s for s in STAGES if s != "api"}


def stage_of(module: str) -> str | None:
    """The stage a ``treatygraph.*`` module belongs to (None for the core and the package).

    >>> stage_of("treatygraph.reader.find"), stage_of("treatygraph.api.routes.sparql")
    ('reader', 'api')
    >>> stage_of("treatygraph.model") is None
    True
    """
    parts = module.split(".")
    if parts[0] != "treatygraph" or len(parts) < 2 or parts[1] in CORE:
        return None
    return parts[1] if parts[1] in STAGES else None


def imports(path: Path) -> set[str]:
    """Every ``treatygraph`` module that `path` imports (at any depth: lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "treatygraph":
            found.update(f"treatygraph.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "treatygraph" or m.startswith("treatygraph.")}


MODULES = sorted(
    (stage, path) for stage, folder in FOLDERS.items() for path in folder.rglob("*.py")
)


@pytest.mark.parametrize(
    ("stage", "path"), MODULES, ids=[str(p.relative_to(ROOT)) for _, p in MODULES]
)
def test_a_stage_imports_only_earlier_stages(stage: str, path: Path) -> None:
    rank = STAGES.index(stage)
    later = {
        module
        for module in imports(path)
        if (other := stage_of(module)) is not None and STAGES.index(other) > rank
    }
    assert not later, f"{path.relative_to(ROOT)} ({stage}) imports later stages: {sorted(later)}"


def test_no_stage_imports_the_package_api() -> None:
    """``import treatygraph`` pulls in the whole reader: stages import the module they need."""
    offenders = [
        str(path.relative_to(ROOT)) for _, path in MODULES if "treatygraph" in imports(path)
    ]
    assert offenders == [], offenders


def test_every_module_is_under_a_stage_or_the_core() -> None:
    top = {p.stem for p in (ROOT / "graph").glob("*.py")}
    assert top == CORE | {"__init__", "__main__"}, sorted(top)
