"""`run`/`demo`/`flows` parse their options without importing the other commands' modules (the
ThingSpace tools, `check`, `check-api`): those imports cost the app's start-up. The full command
list is still there for help and for the other commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OTHER_COMMANDS = ("simulator.thingspace.cli", "simulator.check", "simulator.operator_api.check_api")


def _modules_after(code: str) -> set[str]:
    script = f"import sys\nfrom simulator.cli import parse_run_options\n{code}\nprint(*sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return set(out.split())


def test_run_and_demo_options_import_no_other_command() -> None:
    loaded = _modules_after(
        "parse_run_options(['run', '--headless'])\n"
        "parse_run_options(['demo', 'inline-download', '--headless'])\n"
        "parse_run_options(['--headless'])"
    )
    assert not loaded & set(OTHER_COMMANDS)
    assert "PySide6" not in loaded  # Qt comes only once a run starts


# Imported where first used, not by a run's start: the CDMA and phone-number identifiers,
# ctypes (the X11 libraries' check of a windowed run) and html (About, tooltips).
NOT_AT_RUN_START = ("esim.identifiers.cdma", "esim.identifiers.phone", "ctypes", "html")


def test_a_runs_start_imports_only_what_the_portals_load_needs() -> None:
    loaded = _modules_after(
        "parse_run_options(['run', '--headless'])\n"
        "import simulator.preload, simulator.runner, simulator.app"
    )
    assert "simulator.app" in loaded
    assert not loaded & set(NOT_AT_RUN_START)


def test_the_other_commands_still_parse() -> None:
    loaded = _modules_after(
        "assert parse_run_options(['check', 'https://portal.example/']).args.command == 'check'"
    )
    assert set(OTHER_COMMANDS) <= loaded
