"""The OWL ontology, SHACL shapes, JSON-LD context and HTML page: data, installed with the
package as ``treatygraph.ontology`` and read through :mod:`treatygraph.resources`."""
