"""The reference data of the reader: authority records, identifiers, abbreviations, intents.

Data only; read through :mod:`treatygraph.resources`."""
