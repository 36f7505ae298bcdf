"""Imported first of our modules by `mobileplans-sim` (`simulator.cli`): the dataclass code
cache is installed before the command line's own imports define their dataclasses
(`simulator.dataclass_code_cache`). Importing it changes nothing else."""

from __future__ import annotations

from simulator import dataclass_code_cache

dataclass_code_cache.install()
