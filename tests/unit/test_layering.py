"""DESIGN.md §3: esim/ and the pure parts of simulator/ never import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE_ROOTS = [
    "esim",
    "simulator/contract",
    "simulator/flows",
    "simulator/device.py",
    "simulator/clock.py",
    "simulator/events.py",
    "simulator/thingspace/codec",
    "simulator/operator_api",
    "simulator/portal/lpa_error_codes.py",
    "simulator/portal/walled_garden.py",
    "simulator/data_dir.py",
    "simulator/demo_stages.py",
    "simulator/qt_prereqs.py",
]
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in PURE_ROOTS:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_pure_layers_import_no_qt_statically() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_modules(path) & set(FORBIDDEN))
        for path in _python_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pure_layers_pull_in_no_qt_at_run_time() -> None:
    """Importing every pure module in a fresh interpreter must not load Qt transitively."""
    modules = []
    for path in _python_files():
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
