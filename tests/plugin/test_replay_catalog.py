"""Recordings carry the catalog: the operators a session ran with (the fixture's
``operator_config``), the PC's make and model, the Select Provider page opened and every pick
on it (``select_provider`` or a click on a tile) and the Gateway page's way back; a replay
rebuilds the same operators, picks the same way and compares what follows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.replay import Recording, RecordingFormatError, replay
from simulator.runtime import Runtime

OPERATORS: dict[str, Any] = {
    "device": {"make": "Contoso", "model": "Laptop 7"},
    "operators": [
        {"brandName": "Contoso Mobile"},  # the bundled portal and sample operator
        {
            "brandName": "Fabrikam Mobile",
            "portalUri": "https://fabrikam.mobileplans.test/",
            "moBaseUrl": "https://api.fabrikam.mobileplans.test/v1/",
        },
        {
            "brandName": "Litware Mobile",
            "portalUri": "https://litware.mobileplans.test/",
            "moBaseUrl": "https://api.litware.mobileplans.test/",
            "basicAuth": "mobileplans:staging-secret",
            "hiddenFromDevices": [{"make": "Contoso"}],
        },
    ],
}


def _record(runtime: Runtime, folder: Path, config: Any = OPERATORS) -> Path:
    mp = MobilePlans(
        runtime,
        folder / "recorded",
        show_window=False,
        operator_config=config,
        walled_garden="enforce",
    )
    try:
        assert mp.start()["screen"] == "catalog"
        assert mp.select_provider("Fabrikam Mobile")["page"] == "standard"
        catalog = mp.simulator.operator_experience
        catalog.page.choose_operator.click()  # the Gateway page's link, as a person clicks it
        mp.wait_for("ui.screen", screen="catalog", after=len(mp.events) - 3)
        catalog.catalog.page.tiles["Contoso Mobile"].click()  # a click, not select_provider
        mp.wait_for("catalog.selected", operator="Contoso Mobile")
        mp.wait_for("gateway.shown", after=mp.events_of("catalog.selected")[-1].seq)
        mp.launch()  # the Gateway page's button
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def test_the_catalog_is_recorded_and_replayed(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record(runtime, tmp_path)
    recording = Recording.load(saved)
    actions = [s["action"] for s in recording.steps]
    assert actions == ["start", "select-provider", "choose-operator", "select-provider", "launch"]
    picks = [s["operator"] for s in recording.steps if s["action"] == "select-provider"]
    assert picks == ["Fabrikam Mobile", "Contoso Mobile"]
    assert recording.device["make"] == "Contoso"
    assert recording.walled_garden == "enforce"
    assert recording.operator_config is not None
    document = recording.operator_config["document"]
    assert document["operators"][1]["brandName"] == "Fabrikam Mobile"
    assert document["operators"][2]["basicAuth"] == "<not recorded>"  # never a credential
    assert "staging-secret" not in saved.read_text("utf-8")

    # credentials left out: the configuration must be given again, and then it replays
    with pytest.raises(RecordingFormatError, match=r"leaves out operators\[2\]\.basicAuth"):
        replay(saved, runtime, tmp_path / "refused")
    with replay(saved, runtime, tmp_path / "replayed", operator_config=OPERATORS) as result:
        assert result.matches, result.difference()
        assert result.steps_taken == len(recording.steps)
        assert str(result.simulator.walled_garden.mode) == "enforce"  # as recorded
        shown = [e for e in result.simulator.events if e.kind == "catalog.shown"]
        assert shown[0]["hidden"][0]["brand"] == "Litware Mobile"  # the recorded PC again
        selected = [e["operator"] for e in result.simulator.events if e.kind == "catalog.selected"]
        assert selected == ["Fabrikam Mobile", "Contoso Mobile"]


def test_a_recording_without_credentials_replays_from_itself(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    config = json.loads(json.dumps(OPERATORS))
    del config["operators"][2]["basicAuth"]
    path = tmp_path / "operators.json"
    path.write_text(json.dumps(config), "utf-8")
    saved = _record(runtime, tmp_path, path)  # given as a file this time
    recording = Recording.load(saved)
    assert recording.operator_config is not None
    assert recording.operator_config["folder"] == str(tmp_path.resolve())
    path.unlink()  # the replay needs the recording only
    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert result.matches, result.difference()


def test_another_pick_is_a_difference(qtbot: QtBot, runtime: Runtime, tmp_path: Path) -> None:
    saved = _record(runtime, tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    first = next(s for s in document["steps"] if s["action"] == "select-provider")
    first["operator"] = "Contoso Mobile"
    saved.write_text(json.dumps(document), "utf-8")
    with replay(saved, runtime, tmp_path / "replayed", operator_config=OPERATORS) as result:
        assert not result.matches
        difference = result.difference()
        assert "after step 2 of 5 (select-provider Contoso Mobile)" in difference, difference
        assert "catalog.picked" in difference, difference


def test_a_pick_no_longer_listed_is_a_difference(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    """The operator hides itself from the recorded PC since: the replay's pick is rejected."""
    saved = _record(runtime, tmp_path)
    changed = json.loads(json.dumps(OPERATORS))
    changed["operators"][1]["hiddenFromDevices"] = [{"make": "Contoso", "model": "Laptop 7"}]
    with replay(saved, runtime, tmp_path / "replayed", operator_config=changed) as result:
        assert not result.matches
        difference = result.difference()
        assert "catalog.shown" in difference, difference
        assert "Fabrikam Mobile" in difference


def test_a_recorded_configuration_the_simulator_cannot_use_is_refused_by_name(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record(runtime, tmp_path, {"operators": OPERATORS["operators"][:2]})
    document = json.loads(saved.read_text("utf-8"))
    document["operator_config"]["document"]["operators"][1]["oem"] = "\u0007"
    saved.write_text(json.dumps(document), "utf-8")
    with pytest.raises(RecordingFormatError, match=r"^operator_config: catalog\.oem: "):
        replay(saved, runtime, tmp_path / "refused")
