"""Imported first of our modules by `mobileplans-sim` (`simulator.cli`): the dataclass code
cache is installed before the command line's own imports define their dataclasses
(`simulator.dataclass_code_cache`), and, when this process is the `mobileplans-sim` command
itself, automatic garbage collection is held off through those imports.

Why the hold: the command line's imports allocate tens of thousands of long-lived objects and
almost no garbage, and each automatic collection meanwhile scans them (about 2.5 ms of a
start). A run keeps collection off until the portal's first load (`simulator.cli`,
`simulator.qt_startup`); the other commands get it back once their options are parsed
(`resume_collection`). A test or a program that imports the command line is not the command:
for it, importing this module changes nothing but the dataclass code cache.
"""

from __future__ import annotations

import gc
import os
import sys

COMMAND = "simulator.cli"
SCRIPT_NAMES = frozenset({"mobileplans-sim", "mobileplans-sim.exe"})


def is_the_command(main_module: object, argv: list[str]) -> bool:
    """Whether the process runs `mobileplans-sim`: its console script, or `python -m
    simulator.cli` (whose `__main__` is the command line's module)."""
    spec = getattr(main_module, "__spec__", None)
    if getattr(spec, "name", None) == COMMAND:
        return True
    return bool(argv) and os.path.basename(argv[0]) in SCRIPT_NAMES


_holds_collection = is_the_command(sys.modules.get("__main__"), sys.argv) and gc.isenabled()
if _holds_collection:
    gc.disable()

# After the hold: the cache's own imports (dataclasses, inspect, pathlib) are part of it.
from simulator import dataclass_code_cache  # noqa: E402

dataclass_code_cache.install()


def holds_collection() -> bool:
    """True when this module turned automatic collection off and has not given it back (a run
    turns it on again itself, after its portal has loaded: `simulator.qt_startup`)."""
    return _holds_collection


def resume_collection() -> None:
    """Turn automatic collection back on if this module turned it off (else nothing)."""
    global _holds_collection
    if _holds_collection:
        _holds_collection = False
        gc.enable()
