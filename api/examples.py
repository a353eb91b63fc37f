"""Example queries for the query page: ``queries/*.rq`` with a ``#+`` YAML header.

A file starts with lines such as ``#+ summary: Instruments cited most often``; the summary is
the example's label. Without such files a few built-in examples are offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

PREFIXES = """\
PREFIX tg: <https://w3id.org/treatygraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True, slots=True)
class Example:
    """One example: a label and a query."""

    name: str
    summary: str
    query: str


BUILT_IN = (
    Example(
        "classes",
        "How many resources of each class",
        PREFIXES + "SELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\n"
        "GROUP BY ?class\nORDER BY DESC(?n)\n",
    ),
    Example(
        "labels",
        "Labelled resources",
        PREFIXES + "SELECT ?s ?label\nWHERE { ?s rdfs:label ?label }\nORDER BY ?label\nLIMIT 100\n",
    ),
    Example(
        "properties",
        "Properties in use, most frequent first",
        "SELECT ?p (COUNT(*) AS ?n)\nWHERE { ?s ?p ?o }\nGROUP BY ?p\nORDER BY DESC(?n)\n",
    ),
    Example(
        "describe",
        "A graph around one resource (CONSTRUCT)",
        "CONSTRUCT { ?s ?p ?o }\nWHERE { ?s ?p ?o }\nLIMIT 50\n",
    ),
)


def load_examples(directory: Path) -> tuple[Example, ...]:
    """The examples in `directory`, sorted by file name, else the built-in ones."""
    files = sorted(directory.glob("*.rq")) if directory.is_dir() else []
    found = tuple(_read(path) for path in files)
    return found or BUILT_IN


def _read(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    header = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        meta = yaml.safe_load("\n".join(header)) if header else None
    except yaml.YAMLError:
        meta = None
    summary = str((meta.get("summary") if isinstance(meta, dict) else None) or path.stem)
    # The editor shows the query under a one-line comment, not the whole YAML header.
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    return Example(path.stem, summary, f"# {summary}\n{body.lstrip()}\n")
