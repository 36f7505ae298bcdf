"""Events from the fixture read like the lines of the JSON Lines log (issue: `event["argument"]`
must work as the log suggests)."""

from __future__ import annotations

import pytest
from conftest import run

MAPPING = """
import json

from simulator.events import JsonLinesWriter


def test_events_read_like_their_log_lines(mobile_plans, tmp_path):
    mobile_plans.launch()
    mobile_plans.js("MobilePlans.notifyCancelledPurchase({planName: 42})")
    call = mobile_plans.wait_for("bridge.call", method="notifyCancelledPurchase")
    log = tmp_path / "events.jsonl"
    writer = JsonLinesWriter(log)
    for event in mobile_plans.events:
        writer(event)
    writer.close()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    for event, line in zip(mobile_plans.events, lines, strict=True):
        assert dict(event) == line
        assert list(event) == list(line)
        assert len(event) == len(line)
    assert call["kind"] == "bridge.call"
    assert call["method"] == "notifyCancelledPurchase"
    assert call["object"] == "MobilePlans"
    assert call.get("no-such-field") is None
    assert call.get("no-such-field", "default") == "default"
    assert "args" in call and "argument" not in call
    assert call["seq"] == call.seq
    assert isinstance(call["t"], float)
    violation = mobile_plans.violations[0]
    assert violation["kind"] == "contract.violation"
    assert violation["rule"] == violation.fields["rule"]
    assert {"rule", "severity", "message", "spec"} <= set(violation)
    assert mobile_plans.events_of("bridge.call", method="notifyCancelledPurchase") == [call]
    cancelled = mobile_plans.events_of("bridge.call")[-1]
    assert dict(cancelled)["args"] == json.loads(cancelled.to_json())["args"]
    try:
        call["missing"]
    except KeyError as error:
        assert "missing" in str(error)
    else:
        raise AssertionError("a missing key must raise KeyError, as a dict does")
"""


def test_fixture_events_support_the_mapping_protocol(plugin_pytester: pytest.Pytester) -> None:
    plugin_pytester.makepyfile(test_mapping=MAPPING)
    result = run(plugin_pytester, "-q")
    result.assert_outcomes(passed=1)
