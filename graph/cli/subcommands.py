"""Subcommands beyond ``extract``, ``build`` and ``serve``: each module named here has a
``register(sub)`` that adds its own subcommand. Imported only when the CLI starts, so a
command's dependencies load with it, and no module imports the CLI back."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _lazy(module: str) -> Register:
    def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        importlib.import_module(module).register(sub)

    return register


REGISTER: list[Register] = [
    _lazy("treatygraph.synth.generate"),  # treatygraph synth
    _lazy("treatygraph.cli.query"),  # treatygraph query
    _lazy("treatygraph.cli.network"),  # treatygraph network, treatygraph export
]
