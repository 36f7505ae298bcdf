"""Record a session on the bundled portal, replay it on a fresh simulator: the same events."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.replay import Recording, event_keys, replay
from simulator.runtime import Runtime


def _buy(mp: MobilePlans, plan_id: str) -> None:
    mp.click(f"#choose-{plan_id}")
    mp.click("#to-payment")
    mp.wait_for_element("#step-payment.active")
    mp.click("#to-confirm")
    mp.wait_for_element("#step-confirm.active")
    mp.click("#place-order")


def test_a_recorded_session_replays_to_the_same_event_sequence(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    mp = MobilePlans(runtime, tmp_path / "recorded", show_window=False)
    try:
        mp.launch()
        # a delayed download the portal cancels, then an inline one that fails once and is
        # retried from the error screen, then the clock for the registration
        _buy(mp, "contoso-travel-10gb")
        mp.wait_for("flow.state", state="scheduled")
        mp.click("#cancel-scheduled")
        mp.wait_for("flow.state", state="cancelled")
        mp.launch()
        mp.smdp.behave_next(fail_at="authenticateClient")
        _buy(mp, "contoso-5gb")
        mp.wait_for("ui.screen", screen="error", timeout=30)
        mp.smdp.set_behaviour(mp.smdp.orders()[-1], fail_at=None)
        mp.answer_error(retry=True)
        mp.wait_for("flow.state", state="registering", timeout=30)
        mp.wait_for("portal.callback", property="registrationChangedScript")
        mp.clock.advance(minutes=1)
        mp.wait_for("flow.state", state="connected")
        mp.wait_for("portal.callback", argument=_home(mp))
        saved = mp.save_recording(tmp_path / "session.json")
        recorded = event_keys(mp.events)
    finally:
        mp.close()

    recording = Recording.load(saved)
    assert recording.keys == recorded
    actions = [step["action"] for step in recording.steps]
    assert {"launch", "call", "order", "advance", "error-answer"} <= set(actions)
    kinds = {json.loads(key)[0] for key in recording.keys}
    assert {"lpa.progress", "smdp.order", "euicc.profile", "network.registration"} <= kinds

    result = replay(saved, runtime, tmp_path / "replayed")
    try:
        assert result.matches, result.difference()
    finally:
        result.simulator.close()
        qtbot.wait(50)


def _home(mp: MobilePlans) -> str:
    iccid = mp.euicc.profiles()[0].iccid
    return json.dumps({"networkRegistrationState": "home", "iccid": iccid})
