"""The named SPARQL queries (``*.rq``, one each, with a ``#+`` YAML header): data, installed
with the package as ``treatygraph.queries`` and read through :mod:`treatygraph.resources`."""
