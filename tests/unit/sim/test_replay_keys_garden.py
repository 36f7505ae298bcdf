"""Replays do not compare what the walled garden saw: Chromium's subresource requests are not
ordered with the bridge's calls, so comparing them would make a faithful replay differ."""

from __future__ import annotations

from simulator.events import Event
from simulator.replay.keys import EventKeys


def _event(seq: int, kind: str, **fields: object) -> Event:
    return Event(seq, 0.0, "", kind, fields)


def test_garden_events_and_findings_are_not_compared_but_other_findings_are() -> None:
    keys = EventKeys()
    assert keys.add(_event(1, "network.outside-garden", host="cdn.example")) is None
    assert keys.add(_event(2, "network.blocked", host="cdn.example")) is None
    assert keys.add(_event(3, "walled_garden.state", state="open")) is None
    garden = _event(4, "contract.violation", rule="walled-garden.host-not-allowed")
    assert keys.add(garden) is None
    portal = _event(5, "contract.violation", rule="metadata.required.missing", severity="error")
    assert keys.add(portal) is not None
    assert len(keys.keys) == 1
