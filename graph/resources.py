"""Files that travel inside the package: the ontology, the named queries, the reference data,
the service's templates and static files.

They are read through :mod:`importlib.resources`, so an installed wheel finds them as a checkout
does. The package is installed as files (never zipped), so each is a real folder on disk.

>>> (ontology() / "treatygraph.ttl").is_file()
True
>>> sorted(p.name for p in queries().glob("unts.rq"))
['unts.rq']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def folder(package: str) -> Path:
    """The folder of data package `package` (e.g. ``treatygraph.ontology``).

    An editable install made of links (setuptools' strict mode) is followed back to the source
    folder, so files made after the install (the npm assets, a regenerated page) are seen.
    """
    marker = Path(str(resources.files(package).joinpath("__init__.py")))
    return marker.resolve().parent


def ontology() -> Path:
    """``ontology/``: the OWL ontology, SHACL shapes, JSON-LD context and HTML page."""
    return folder("treatygraph.ontology")


def queries() -> Path:
    """``queries/``: the named SPARQL queries, one ``.rq`` file each."""
    return folder("treatygraph.queries")


def data() -> Path:
    """``graph/data/``: the reference data (authority, identifiers, abbreviations, ...)."""
    return folder("treatygraph.data")


def api() -> Path:
    """``api/``: the service, with ``templates/`` and ``static/`` beside its code."""
    return folder("treatygraph.api")
