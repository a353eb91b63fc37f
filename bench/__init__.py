"""Benchmarks of treatygraph: ``make bench`` (``python -m bench``), results in
``docs/benchmarks.md``. Never run by ``make test``: the load is bounded in time and count
and stays on loopback."""
