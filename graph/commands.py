"""Subcommands beyond ``extract``: each later stage adds its own ``register`` function here."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
REGISTER: list[Register] = []
