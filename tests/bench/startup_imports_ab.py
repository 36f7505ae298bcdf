"""The CPU of a run's steps before Qt starts, source trees interleaved.

    python tests/bench/startup_imports_ab.py [--runs N] TREE [TREE ...]

Each round starts one interpreter per tree (the order alternating from round to round) that
takes the steps `mobileplans-sim run --headless` takes before its QApplication, as the command
itself (its collection hold included): the command line's modules, parsing the options, the
Qt-free modules, PySide6 and the runner, the composition root. It prints, per tree, the median
CPU milliseconds of each step and, against the first tree, the median of each round's paired
difference with the number of rounds it was lower in. A full start (`startup_ab.py`) varies by
tens of milliseconds from run to run on a shared machine, Chromium's processes included; these
steps alone show a change of a few. Bytecode and the dataclass code cache are made once per
tree, as an installed package has them. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = ("command line", "parse", "Qt-free modules", "PySide6 and runner", "composition root")

# Runs in each tree's interpreter; prints the CPU seconds of each step as a JSON list.
STEPS_SCRIPT = r"""
import json, sys, time
cpu = [time.process_time()]
sys.argv = ["mobileplans-sim", "run", "--headless"]  # as the console script: the hold applies
import simulator.cli as cli
cpu.append(time.process_time())
cli.parse_run_options(["run", "--headless"])
cpu.append(time.process_time())
import gc
gc.disable()  # as the command does before these imports
import simulator.preload
cpu.append(time.process_time())
try:  # as the command does, in a tree that has it
    from simulator.pyside_signature_patterns import import_pyside
    import_pyside()
except ImportError:
    pass
from simulator.pyside_import_hook import lighten_pyside_import_hook
lighten_pyside_import_hook()
import simulator.runner
cpu.append(time.process_time())
import simulator.app
cpu.append(time.process_time())
print(json.dumps([after - before for before, after in zip(cpu, cpu[1:])]))
from simulator import dataclass_code_cache
dataclass_code_cache.save()  # as the command does at its end: the next start reads it
if "simulator.pyside_code_cache" in sys.modules:
    sys.modules["simulator.pyside_code_cache"].save()
"""


def steps_once(tree: Path, env: dict[str, str]) -> list[float]:
    """CPU seconds of each step, one fresh interpreter on `tree`."""
    out = subprocess.run(
        [sys.executable, "-c", STEPS_SCRIPT],
        env=dict(env, PYTHONPATH=str(tree)),
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    values: list[float] = json.loads(out.strip().splitlines()[-1])
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    trees = [tree.resolve() for tree in options.trees]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[Path, list[list[float]]] = {tree: [] for tree in trees}
    loads = []
    with tempfile.TemporaryDirectory() as scratch:
        envs = {
            tree: dict(env, PYTHONPYCACHEPREFIX=str(Path(scratch, f"pyc{index}")))
            for index, tree in enumerate(trees)
        }
        for tree in trees:  # warm-up: bytecode, then the dataclass code cache kept at exit
            steps_once(tree, envs[tree])
            steps_once(tree, envs[tree])
        for round_ in range(options.runs):
            loads.append(os.getloadavg()[0])
            for tree in trees if round_ % 2 == 0 else reversed(trees):
                results[tree].append(steps_once(tree, envs[tree]))
    print(f"{options.runs} interleaved rounds, load {min(loads):.1f}-{max(loads):.1f}")
    print("CPU ms, medians: " + ", ".join(STEPS) + ", total")
    for tree in trees:
        medians = [statistics.median(run[k] for run in results[tree]) for k in range(len(STEPS))]
        total = statistics.median(sum(run) for run in results[tree])
        figures = " ".join(f"{value * 1000:6.1f}" for value in medians)
        print(f"  {figures} {total * 1000:6.1f}  {tree}")
    first = trees[0]
    for tree in trees[1:]:
        print(f"{tree} - {first}, paired by round:")
        for k, step in enumerate([*STEPS, "total"]):
            pairs = [
                (sum(b) - sum(a)) if k == len(STEPS) else (b[k] - a[k])
                for a, b in zip(results[first], results[tree], strict=True)
            ]
            lower = sum(difference < 0 for difference in pairs)
            print(
                f"  {step}: median {statistics.median(pairs) * 1000:+.1f} ms, "
                f"lower in {lower} of {len(pairs)}"
            )


if __name__ == "__main__":
    main()
