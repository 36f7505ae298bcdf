"""An `Event` is a read-only mapping equal to its JSON Lines line."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from simulator.clock import VirtualClock
from simulator.events import Event, EventLog

_NAMES = st.text(st.characters(categories=("Ll",)), min_size=1, max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner),
    max_leaves=6,
)


@given(st.dictionaries(_NAMES, _VALUES, max_size=6))
def test_the_mapping_is_the_log_line(fields: dict[str, object]) -> None:
    event = Event(1, 1.23456, "2026-01-01T00:00:00.000+00:00", "portal.callback", fields)
    line = json.loads(event.to_json())
    assert dict(event) == line
    assert list(event.keys()) == list(line)
    for key, value in line.items():
        assert key in event
        assert event[key] == value
        assert event.get(key) == value
    assert event["kind"] == "portal.callback"
    assert event["seq"] == 1
    assert event["t"] == 1.235  # rounded as in the file
    # the line's own keys win over fields of the same name, as in the file
    assert set(line) == {"seq", "t", "wall", "kind"} | set(fields)


def test_an_event_keeps_its_attributes_and_dataclass_equality() -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    first = log.emit("ui.toast", toast="t1", actions=("Download", "Not now"))
    assert first.fields["actions"] == ("Download", "Not now")
    assert first["actions"] == ["Download", "Not now"]
    assert first == first
    assert first != log.emit("ui.toast", toast="t1", actions=("Download", "Not now"))
    assert first.get("missing", 7) == 7
    assert "missing" not in first
