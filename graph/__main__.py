"""``python -m treatygraph``: the ``treatygraph`` command."""

from treatygraph.cli.main import main

raise SystemExit(main())
