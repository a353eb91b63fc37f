"""graph/rdf"""
