"""treatygraph: the treaties and instruments that UN resolutions cite, as a knowledge graph.

The public verbs: :func:`parse` a text, :func:`extract` its citations, or :func:`read` a
file (with its metadata) straight to an :class:`~treatygraph.model.Extraction`.
"""

from treatygraph.errors import ParseError, TreatygraphError
from treatygraph.model import Citation, Document, Extraction, Instrument, Paragraph, Via
from treatygraph.reader.extract import extract, read, to_json
from treatygraph.reader.parse import parse

__all__ = [
    "Citation",
    "Document",
    "Extraction",
    "Instrument",
    "Paragraph",
    "ParseError",
    "TreatygraphError",
    "Via",
    "extract",
    "parse",
    "read",
    "to_json",
]
__version__ = "0.1.0"
