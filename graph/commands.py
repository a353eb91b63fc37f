"""Subcommands beyond ``extract``: each later stage adds its own ``register`` function here."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from graph import synth  # imports nothing from the CLI: no cycle

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
REGISTER: list[Register] = []

REGISTER.append(synth.register)
REGISTER.append(lambda sub: __import__("graph.querylib", fromlist=["_"]).register(sub))
REGISTER.append(__import__("graph.network_cli", fromlist=["register"]).register)
