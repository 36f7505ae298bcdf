"""Recordings carry the operator's service APIs: a test's GetBalance/GetOffers/GetNotifications
calls, the flyout, the operator's SMS, a notification answered and the answers it scripted on
the sample operator replay to the same `operator_api.*` events and findings."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.replay import Recording, event_keys, replay
from simulator.runtime import Runtime


def _record(runtime: Runtime, folder: Path) -> Path:
    mp = MobilePlans(runtime, folder / "recorded", show_window=False)
    try:
        mp.buy(fulfilment="inline")
        mp.wait_for("flow.state", state="registering", timeout=30)
        mp.clock.advance(minutes=1)
        mp.wait_for("flow.state", state="connected")
        flyout = mp.operator_api.open_flyout()
        assert "View my account" in flyout["entries"]
        mp.operator_api.answer_next("GetOffers", 200, {"offers": [{"gatewayId": "nope"}]})
        offers = mp.operator_api.get_offers()
        assert not offers.checked.ok
        toast = mp.operator_api.send_sms("lowBalance")
        assert toast is not None
        mp.operator_api.answer_toast(toast, toast["actions"][0])
        mp.wait_for("gateway.shown")
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def test_operator_api_calls_are_recorded_and_replayed(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record(runtime, tmp_path)
    recording = Recording.load(saved)
    operator_steps = ("flyout", "operator-answer", "operator-api-call", "sms", "toast")
    actions = [step["action"] for step in recording.steps if step["action"] in operator_steps]
    assert actions == list(operator_steps)
    operator_keys = [json.loads(k) for k in recording.keys if "operator_api" in k]
    apis = [key[2]["api"] for key in operator_keys if key[0] == "operator_api.request"]
    # flyout, the test's own call, the SMS, and the Gateway page the accepted toast opened
    assert apis == ["GetBalance", "GetOffers", "GetNotifications", "GetOffers"]
    for key in operator_keys:
        assert "transactionId" not in key[2]
        assert "elapsed_ms" not in key[2]
    findings = [k for k in recording.keys if '"offers.gatewayId.unknown"' in k]
    assert len(findings) == 1

    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert result.matches, result.difference()
        assert result.steps_taken == len(recording.steps)
        replayed = [e for e in result.simulator.events if e.kind == "operator_api.request"]
        assert [e["api"] for e in replayed] == apis
        assert event_keys(result.simulator.events) == recording.keys


def test_a_different_operator_answer_is_a_difference(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record(runtime, tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    for step in document["steps"]:
        if step["action"] == "operator-answer":
            step["body"] = {"offers": [{"gatewayId": "returning"}]}  # a known template now
    saved.write_text(json.dumps(document), "utf-8")
    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert not result.matches
        difference = result.difference()
        assert "operator_api.response" in difference, difference
        assert "gatewayId" in difference


def _record_promotion(runtime: Runtime, folder: Path) -> Path:
    """A PC without a profile: the operator's promotional toast, answered with its accept."""
    mp = MobilePlans(runtime, folder / "recorded", show_window=False)
    try:
        mp.launch()
        toast = mp.operator_api.complete_setup()
        assert toast is not None
        mp.operator_api.answer_toast(toast, "accept")
        mp.wait_for("gateway.shown")
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def test_a_toast_answer_the_replay_cannot_give_is_a_difference_at_once(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record_promotion(runtime, tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    (toast_step,) = [step for step in document["steps"] if step["action"] == "toast"]
    edits = {
        "button": ("answer", "Nope", "presses 'Nope' on toast #1, which has the buttons 'Get"),
        "toast": ("index", 5, "answers toast #6; the replay showed 1 toast(s) with buttons"),
    }
    for name, (field, value, expected) in edits.items():
        edited = json.loads(json.dumps(document))
        next(s for s in edited["steps"] if s["action"] == "toast")[field] = value
        path = tmp_path / f"edited-{name}.json"
        path.write_text(json.dumps(edited), "utf-8")
        with replay(path, runtime, tmp_path / f"replayed-{name}") as result:
            assert not result.matches
            assert expected in result.difference(), result.difference()
            # found when the step is taken, not after the replay's 30 s wait for events
            assert "stalled" not in result.difference()
    assert toast_step["answer"] == "Get connected"
