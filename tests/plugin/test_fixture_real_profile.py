"""The fixture orders a real SAIP profile package as the CLI and the Operator panel do, and the
step is kept in a recording like any other."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.runtime import Runtime


def test_create_order_takes_a_profile_package(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, ts48_package: Callable[[str], Path]
) -> None:
    package = ts48_package("TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der")
    mp = MobilePlans(runtime, tmp_path / "sim", show_window=False)
    try:
        order = mp.smdp.create_order(profile=package)
        assert order.iccid.startswith("89")
        saved = mp.save_recording(tmp_path / "session.json")
    finally:
        mp.close()
    steps = json.loads(saved.read_text())["steps"]
    assert steps[0]["action"] == "create-order"
    assert steps[0]["options"] == {"profile": str(package)}
