"""The plugin's `mobile_plans_replay` fixture, as a portal team uses it: record in one test,
replay in the next against the same folder, and exit cleanly (no crash at interpreter exit)."""

from __future__ import annotations

import pytest
from conftest import run

TEAM_TESTS = """
import json
from pathlib import Path

import pytest

PORTAL = Path(__file__).parent / "portal"
RECORDING = Path(__file__).parent / "session.json"


@pytest.mark.mobile_plans(portal_dir=str(PORTAL))
def test_record(mobile_plans):
    order = mobile_plans.smdp.create_order(plan_name="5 GB")
    mobile_plans.launch()
    mobile_plans.fill("#activation-code", order.activation_code)
    mobile_plans.click("#buy")
    mobile_plans.wait_for("flow.state", state="registering", timeout=30)
    mobile_plans.clock.advance(minutes=1)
    mobile_plans.wait_for("flow.state", state="connected")
    mobile_plans.save_recording(RECORDING)


def test_replay(mobile_plans_replay):
    result = mobile_plans_replay(RECORDING)
    assert result.matches, result.difference()


def test_replay_against_a_changed_portal(mobile_plans_replay, tmp_path):
    changed = tmp_path / "portal"
    changed.mkdir()
    page = (PORTAL / "index.html").read_text().replace('"5 GB"', '"5 GB (new)"')
    (changed / "index.html").write_text(page)
    result = mobile_plans_replay(RECORDING, portal_dir=changed)
    assert not result.matches
    print("DIFFERENCE", result.difference().splitlines()[0])
"""

PORTAL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Team portal</title></head><body>
<input id="activation-code"> <button id="buy">Buy</button>
<script>
MobilePlansInlineOperations.registrationChangedScript = "onRegistration";
MobilePlansInlineOperations.profileActivationCompleteScript = "onActivation";
function onRegistration(argument) {}
function onActivation(argument) {}
document.getElementById("buy").addEventListener("click", function () {
    const md = MobilePlans.createPurchaseMetaData();
    md.userAccount = MobilePlansUserAccount.new;
    md.purchaseInstrument = MobilePlansPurchaseInstrument.new;
    md.lineType = MobilePlansLineType.new;
    md.moDirectStatus = MobilePlansMoDirectStatus.complete;
    md.planName = "5 GB";
    const code = document.getElementById("activation-code").value;
    MobilePlansInlineOperations.notifyProfileDownload(md, code);
});
</script></body></html>
"""


def test_record_then_replay_in_a_team_suite_exits_cleanly(
    plugin_pytester: pytest.Pytester,
) -> None:
    plugin_pytester.makepyfile(test_team=TEAM_TESTS)
    (plugin_pytester.path / "portal").mkdir()
    (plugin_pytester.path / "portal" / "index.html").write_text(PORTAL)
    result = run(plugin_pytester, "-p", "no:randomly", "-s")
    result.assert_outcomes(passed=3)
    assert result.ret == 0  # not 139: closing the replays is the fixture's job, done in order
    result.stdout.fnmatch_lines(["*DIFFERENCE after step 4 of 5 (click #buy): page event #*"])
