"""Record a session on a portal, replay it against the portal itself: the same events, every
time; a changed portal fails at its first difference, at once, with both sides shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from simulator.pytest_plugin import MobilePlans
from simulator.replay import Recording, RecordingFormatError, event_keys, replay
from simulator.runtime import Runtime


def _buy(mp: MobilePlans, plan_id: str) -> None:
    mp.click(f"#choose-{plan_id}")
    mp.click("#to-payment")
    mp.wait_for_element("#step-payment.active")
    mp.click("#to-confirm")
    mp.wait_for_element("#step-confirm.active")
    mp.click("#place-order")


def _home(mp: MobilePlans) -> str:
    iccid = mp.euicc.profiles()[0].iccid
    return json.dumps({"networkRegistrationState": "home", "iccid": iccid})


# A team's own portal, as the README's example test drives it: the test orders a profile on the
# SM-DP+ and types its activation code into the portal, which hands it to the app.
TEAM_PORTAL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Team portal</title></head><body>
<input id="activation-code"> <button id="buy">Buy</button>
<script>
MobilePlansInlineOperations.registrationChangedScript = "onRegistration";
MobilePlansInlineOperations.profileActivationCompleteScript = "onActivation";
function onRegistration(argument) { document.title = "registration " + argument; }
function onActivation(argument) { document.title = "activation " + argument; }
document.getElementById("buy").addEventListener("click", function () {
    const md = MobilePlans.createPurchaseMetaData();
    md.userAccount = MobilePlansUserAccount.new;
    md.purchaseInstrument = MobilePlansPurchaseInstrument.new;
    md.lineType = MobilePlansLineType.new;
    md.moDirectStatus = MobilePlansMoDirectStatus.complete;
    md.planName = PLAN_NAME;
    MobilePlansInlineOperations.notifyProfileDownload(
        md, document.getElementById("activation-code").value);
});
</script></body></html>
"""


def _team_portal(folder: Path, plan_name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = TEAM_PORTAL.replace("PLAN_NAME", json.dumps(plan_name))
    (folder / "index.html").write_text(page, "utf-8")
    return folder


def _record_team_purchase(runtime: Runtime, folder: Path, portal: Path) -> Path:
    mp = MobilePlans(runtime, folder / "recorded", portal_dir=portal, show_window=False)
    try:
        order = mp.smdp.create_order(plan_name="5 GB")
        mp.launch()
        mp.fill("#activation-code", order.activation_code)
        mp.click("#buy")
        mp.wait_for("flow.state", state="registering", timeout=30)
        mp.clock.advance(minutes=1)
        mp.wait_for("flow.state", state="connected")
        mp.wait_for("portal.callback", property="registrationChangedScript")
        mp.assert_no_violations()
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def _record_readme_example(runtime: Runtime, folder: Path) -> Path:
    """README's example test, step for step, recorded."""
    mp = MobilePlans(runtime, folder / "recorded", show_window=False)
    try:
        mp.buy(fulfilment="inline")
        mp.wait_for("flow.state", state="registering", timeout=30)
        mp.clock.advance(minutes=1)
        connected = mp.wait_for("flow.state", state="connected")
        assert mp.network.state(connected["iccid"]) == "home"
        mp.assert_no_violations()
        return mp.save_recording(folder / "session.json")
    finally:
        mp.close()


def test_a_recorded_session_replays_against_the_portal_to_the_same_events(
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
    assert recording.portal == {"bundled": True}
    actions = [step["action"] for step in recording.steps]
    assert {"launch", "click", "behave-next", "set-behaviour", "advance", "error-answer"} <= set(
        actions
    )
    assert "call" not in actions  # the portal's calls are what a replay reproduces
    kinds = {json.loads(key)[0] for key in recording.keys}
    assert {"bridge.call", "lpa.progress", "smdp.order", "euicc.profile"} <= kinds

    with replay(saved, runtime, tmp_path / "replayed") as result:
        assert result.matches, result.difference()
        assert result.steps_taken == len(recording.steps)
        # promotions and billing dates follow the recorded calendar, whatever day it is now
        assert result.simulator.calendar_start.isoformat() == recording.calendar_start


def test_the_same_recording_replays_identically_every_time(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    saved = _record_readme_example(runtime, tmp_path)
    differences = []
    for run in range(20):
        with replay(saved, runtime, tmp_path / f"replay-{run}") as result:
            if not result.matches:
                differences.append(f"run {run + 1}: {result.difference()}")
    assert differences == []


def test_an_edited_portal_fails_at_its_first_difference_without_waiting(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    portal = _team_portal(tmp_path / "portal", "5 GB")
    saved = _record_team_purchase(runtime, tmp_path, portal)
    _team_portal(portal, "5 GB (new)")  # the new version reports another plan name

    with replay(saved, runtime, tmp_path / "replayed", timeout=120) as result:
        assert not result.matches
        difference = result.difference()
        first_line = difference.splitlines()[0]
        assert first_line == (
            "after step 4 of 5 (click #buy): page event #8 differs "
            '(at args/0/planName: "5 GB" → "5 GB (new)"):'
        ), difference
        assert '"planName"' in difference
        assert "5 GB (new)" in difference
        assert "stalled" not in difference  # found as it happened, not after the timeout
        assert result.steps_taken < len(Recording.load(saved).steps)


def test_an_older_recording_is_refused_with_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": "mobileplans-session/1", "steps": []}))
    with pytest.raises(RecordingFormatError, match="record it again"):
        Recording.load(old)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    with pytest.raises(RecordingFormatError, match="not a readable recording"):
        Recording.load(garbage)
