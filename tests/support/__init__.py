"""Support code shared by the tests: seed graphs, stores and servers they build."""
