"""A click-through session's recording: the Gateway page's Continue button and the MO service
panel's controls (the network flyout and its entries, the operator's SMS, the end of setup,
the sample operator's balance, the ICCID ranges) used in the window are recorded as
``control`` steps and replayed as the same clicks, with the values they were used with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.replay import Recording, replay
from simulator.runtime import Runtime

OPERATORS: dict[str, Any] = {
    "operators": [
        {"brandName": "Contoso Mobile"},  # the bundled portal and sample operator
        {
            "brandName": "Fabrikam Mobile",
            "portalUri": "https://fabrikam.mobileplans.test/",
            "moBaseUrl": "https://api.fabrikam.mobileplans.test/v1/",
        },
    ]
}


def _record(runtime: Runtime, folder: Path) -> Path:
    mp = MobilePlans(runtime, folder / "recorded", show_window=False, operator_config=OPERATORS)
    try:
        mp.start()
        ui = mp.simulator.operator_experience
        ui.catalog.page.tiles["Contoso Mobile"].click()
        mp.wait_for("gateway.shown")
        before = len(mp.events)
        ui.page.button.click()  # the Gateway page's Continue, by hand
        mp.wait_for("bridge.ready", after=before)
        # the bundled portal names its callbacks once loaded: part of the recording
        mp.wait_for("bridge.call", method="profileActivationCompleteScript", after=before)
        panel = ui.panel
        panel.open_button.click()  # no profile yet: "Connect with a data plan"
        mp.wait_for("flyout.shown")
        before = len(mp.events)
        panel.connect_plan.click()
        mp.wait_for("gateway.shown", after=before)
        panel.sms_type.setCurrentText("zeroBalance")
        panel.findChild(type(panel.open_button), "sms-send").click()
        assert mp.events_of("sms.received")[-1]["ignored"]  # no profile of the operator
        panel.balance_type.setCurrentText("NONE")
        panel.balance_mb.setValue(12.5)
        panel.balance_time.setText("P1D")
        panel.findChild(type(panel.open_button), "sample-balance-apply").click()
        panel.ranges.setText("8999001, 8949")
        panel.ranges.editingFinished.emit()
        before = len(mp.events)
        panel.setup_button.click()  # the promotion: a PC without a profile
        toast = mp.wait_for("ui.toast", after=before)
        mp.simulator.window.toastAnswered.emit(toast["toast"], toast["actions"][0])
        mp.wait_for("gateway.shown", after=toast.seq)
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def test_clicks_in_the_window_are_recorded_and_replayed(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record(runtime, tmp_path)
    recording = Recording.load(saved)
    controls = [s["control"] for s in recording.steps if s["action"] == "control"]
    assert controls == [
        "gateway-continue",
        "flyout-open",
        "flyout-connect-with-a-data-plan",
        "sms-send",
        "sample-balance-apply",
        "iccid-ranges",
        "setup-completed",
    ]
    by_control = {s["control"]: s for s in recording.steps if s["action"] == "control"}
    assert by_control["sms-send"]["notification_type"] == "zeroBalance"
    assert by_control["sample-balance-apply"]["data_remaining_mb"] == 12.5
    assert by_control["iccid-ranges"]["text"] == "8999001, 8949"
    assert recording.steps[-1]["action"] == "toast"

    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert result.matches, result.difference()
        assert result.steps_taken == len(recording.steps)
        ui = result.simulator.operator_experience
        sample = result.simulator.operator_api.sample
        assert sample is not None
        assert sample.default_balance.data_remaining_mb == 12.5  # the values, used again
        assert [str(r) for r in result.simulator.operator_api.config.iccid_ranges] == [
            "8999001",
            "8949",
        ]
        assert ui.panel.sms_type.currentText() == "zeroBalance"


def test_another_value_is_a_difference(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    saved = _record(runtime, tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    for step in document["steps"]:
        if step.get("control") == "sms-send":
            step["notification_type"] = "lowBalance"
    saved.write_text(json.dumps(document), "utf-8")
    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert not result.matches
        difference = result.difference()
        assert "(control sms-send)" in difference, difference
        assert "lowBalance" in difference, difference
