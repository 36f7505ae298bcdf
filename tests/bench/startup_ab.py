"""Start-up, interleaved: one or more source trees against each other and the bare page.

    python tests/bench/startup_ab.py [--runs N] [--timeline] TREE [TREE ...]

Each round starts `mobileplans-sim run --headless --until portal.loaded` once from every tree
(the order alternating from round to round, so a change in the machine's load hits every tree
alike), then the bare QtWebEngine page of `bench_bridge.py`. It prints, per tree, the medians of
process start to `portal.loaded` (wall) and of the main process's CPU until then, against the
bare page's. With `--timeline`, a tree that records the start-up timeline
(`simulator.startup_timeline`) also gets the median of each of its marks. Bytecode is compiled
once and cached, per tree, as an installed package runs. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_bridge import _cpu_seconds, _floor

TIMELINE_ENV = "MOBILEPLANS_STARTUP_TIMELINE"


def start_once(
    tree: Path, env: dict[str, str], data: Path, timeline: bool = False
) -> tuple[float, float, list[str], float]:
    """Process start to `portal.loaded` (wall s), the main process's CPU s by then, the
    timeline's lines (empty when the tree records none), and `portal.launch` to
    `portal.loaded` (wall s: the page load)."""
    log = data / "events.jsonl"
    log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "simulator.cli", "run", "--headless", "--data-dir"]
    command += [str(data), "--events", str(log), "--until", "portal.loaded", "--timeout", "60"]
    cpu = None
    start = time.time()
    env = dict(env, PYTHONPATH=str(tree))
    if timeline:  # its marks and signal connections cost a little: only when asked for
        env[TIMELINE_ENV] = repr(start)
    with subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as run:
        while run.poll() is None:
            if cpu is None and log.exists() and '"portal.loaded"' in log.read_text():
                cpu = _cpu_seconds(run.pid)
            time.sleep(0.002)
        stderr = run.stderr.read() if run.stderr else ""
        if run.returncode != 0:
            raise RuntimeError(f"{tree}: the run ended with status {run.returncode}\n{stderr}")
    walls: dict[str, float] = {}
    for line in log.read_text().splitlines():
        event = json.loads(line)
        walls.setdefault(event["kind"], datetime.fromisoformat(event["wall"]).timestamp())
    loaded = walls.get("portal.loaded")
    if loaded is None:
        raise RuntimeError(f"{tree}: portal.loaded was never logged")
    lines = stderr.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("start-up timeline")]
    timeline = []
    if heads:
        for line in lines[heads[0] + 1 :]:
            if not line[:1].isspace():
                break
            timeline.append(line)
    load = loaded - walls.get("portal.launch", float("nan"))
    return loaded - start, float("nan") if cpu is None else cpu, timeline, load


def timeline_medians(runs: list[list[str]]) -> list[str]:
    """Each mark's median wall ms, process CPU ms and thread CPU ms over the runs, in order."""
    walls: dict[str, list[tuple[float, float, float]]] = {}
    order: dict[str, float] = {}
    for lines in runs:
        seen = set()
        for line in lines:
            wall, _step, cpu, thread_cpu, _thread, name = line.split(maxsplit=5)
            if name in seen:
                continue
            seen.add(name)
            walls.setdefault(name, []).append((float(wall), float(cpu), float(thread_cpu)))
    for name, values in walls.items():
        order[name] = statistics.median(v[0] for v in values)
    out = []
    previous = 0.0
    for name in sorted(order, key=order.__getitem__):
        values = walls[name]
        wall = order[name]
        cpu = statistics.median(v[1] for v in values)
        thread_cpu = statistics.median(v[2] for v in values)
        out.append(
            f"  {wall:7.1f} {wall - previous:+7.1f}  cpu {cpu:7.1f}  thread {thread_cpu:7.1f}  "
            f"({len(values)}/{len(runs)}) {name}"
        )
        previous = wall
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--timeline", action="store_true")
    parser.add_argument("--no-floor", action="store_true")
    options = parser.parse_args()
    trees = [tree.resolve() for tree in options.trees]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[Path, list[tuple[float, float, list[str], float]]] = {tree: [] for tree in trees}
    floors: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        dirs = {}
        for index, tree in enumerate(trees):
            data = Path(scratch, f"data{index}")
            data.mkdir()
            tree_env = dict(env, PYTHONPYCACHEPREFIX=str(Path(scratch, f"pyc{index}")))
            dirs[tree] = (data, tree_env)
            start_once(tree, tree_env, data)  # warm-up: certificates, eSIM data, bytecode
        if not options.no_floor:
            _floor(env)
        loads = []
        for round_ in range(options.runs):
            loads.append(os.getloadavg()[0])
            for tree in trees if round_ % 2 == 0 else reversed(trees):
                data, tree_env = dirs[tree]
                results[tree].append(start_once(tree, tree_env, data, options.timeline))
            if not options.no_floor:
                floors.append(_floor(env))
    print(
        f"{options.runs} interleaved rounds, load {min(loads):.1f}-{max(loads):.1f} "
        f"(one-minute average at each round's start)"
    )
    floor_wall = statistics.median(f[0] for f in floors) if floors else float("nan")
    floor_cpu = statistics.median(f[1] for f in floors) if floors else float("nan")
    if floors:
        print(f"bare QtWebEngine page: {floor_wall:.3f} s, CPU {floor_cpu:.3f} s")
    for tree in trees:
        runs = results[tree]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        load = statistics.median(r[3] for r in runs)
        before = statistics.median(r[0] - r[3] for r in runs)
        each = " ".join(f"{r[0]:.3f}" for r in runs)
        print(
            f"{tree}: portal.loaded {wall:.3f} s ({wall / floor_wall:.2f}x the bare page), "
            f"CPU {cpu:.3f} s ({cpu / floor_cpu:.2f}x); start to portal.launch {before:.3f} s, "
            f"the load {load:.3f} s; each run: {each}"
        )
        if options.timeline and any(r[2] for r in runs):
            print("\n".join(timeline_medians([r[2] for r in runs if r[2]])))
    first = trees[0]
    for tree in trees[1:]:
        # Each round's two runs came in the same minute: their difference is steadier than
        # either median when the machine's load moves from round to round.
        pairs = [b[0] - a[0] for a, b in zip(results[first], results[tree], strict=True)]
        faster = sum(difference < 0 for difference in pairs)
        print(
            f"{tree} - {first}, paired by round: median {statistics.median(pairs) * 1000:+.0f} "
            f"ms, faster in {faster} of {len(pairs)} rounds"
        )


if __name__ == "__main__":
    main()
