"""`demo --step`: each stage waits for the presenter's Next, with a caption of what comes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_helpers import Harness
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from simulator.app import Simulator, SimulatorConfig
from simulator.demo_driver import DemoDriver
from simulator.demos import DEMOS
from simulator.runtime import Runtime


@pytest.fixture
def sample(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> Iterator[Harness]:
    """A simulator on the bundled sample portal, as `demo` builds it."""
    simulator = Simulator(SimulatorConfig(time_scale=0, data_dir=tmp_path / "data"), runtime)
    yield Harness(simulator, qtbot)
    simulator.close()
    qtbot.wait(50)


def test_each_stage_waits_for_next_and_says_what_comes(sample: Harness) -> None:
    lines: list[str] = []
    driver = DemoDriver(sample.simulator, DEMOS["balance"], write=lines.append, step=True)
    caption = driver.caption
    assert caption is not None
    driver.begin()
    assert caption.caption.text() == (
        "Next: Mobile Plans opens the bundled sample operator's portal"
    )
    assert caption.next_button.isEnabled()
    sample.qtbot.wait(200)  # nothing moves on its own
    assert sample.events("portal.launch") == []

    sample.qtbot.mouseClick(caption.next_button, Qt.MouseButton.LeftButton)
    sample.wait_for("portal.loaded", timeout=20000)
    sample.qtbot.waitUntil(caption.next_button.isEnabled, timeout=10000)
    assert caption.caption.text() == (
        "Next: the portal calls MobilePlansInlineOperations.notifyBalanceAddition"
    )
    assert lines[-1] == (
        "  1. Mobile Plans opens the bundled sample operator's portal (t=0 s): portal loaded"
    )
    assert sample.events("demo.step") == []

    sample.qtbot.mouseClick(caption.next_button, Qt.MouseButton.LeftButton)
    sample.wait_for("ui.screen", screen="balance", timeout=20000)
    assert not caption.next_button.isEnabled()
    verdict = driver.finish(True, "ui.screen:screen=balance at t=0 s", stays_open=True)
    assert verdict == "PASS balance: ui.screen:screen=balance at t=0 s"
    assert caption.caption.text() == f"{verdict} \u2014 close the window to leave"
    assert lines[-2].startswith("  2. the portal calls MobilePlansInlineOperations.notifyBalance")


def test_a_toast_answered_in_the_window_is_that_stage_and_next_moves_on(
    sample: Harness,
) -> None:
    lines: list[str] = []
    driver = DemoDriver(sample.simulator, DEMOS["delayed-download"], write=lines.append, step=True)
    caption = driver.caption
    assert caption is not None
    driver.begin()
    # Open the portal, run its script, skip the 30 minutes: then the toast's question is asked.
    for _ in range(3):
        sample.qtbot.waitUntil(caption.next_button.isEnabled, timeout=20000)
        assert not caption.caption.text().startswith("Next: the user answers the toast")
        sample.qtbot.mouseClick(caption.next_button, Qt.MouseButton.LeftButton)
    sample.qtbot.waitUntil(caption.next_button.isEnabled, timeout=20000)
    asked = sample.events("ui.toast")[-1]
    text = asked.fields["text"]
    question = f"the user answers the toast \u201c{text}\u201d"
    assert caption.caption.text() == f"Next: {question}: Download"

    download = sample.simulator.window.toasts.button(str(asked.fields["toast"]), "Download")
    assert download is not None
    sample.qtbot.mouseClick(download, Qt.MouseButton.LeftButton)
    assert caption.caption.text() == (
        f"4. the user answers the toast \u201c{text}\u201d: Download, in the window"
    )
    assert not caption.next_button.isEnabled()

    # Next offers what comes after the download (the skip to the registration), not the toast.
    sample.qtbot.waitUntil(caption.next_button.isEnabled, timeout=20000)
    assert caption.caption.text().startswith("Next: skip the virtual clock")
    assert lines[-1].startswith(
        f"  4. the user answers the toast \u201c{text}\u201d: Download, in the window (t=30 min): "
    )
    assert "enabled" in lines[-1]
    answered = sample.events("ui.toast-answered")
    assert [(e.fields["toast"], e.fields["action"]) for e in answered] == [
        (asked.fields["toast"], "Download")
    ]
