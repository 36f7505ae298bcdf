"""The bridge answers the page first: events emitted under a `delivery_hold` are recorded at once
and reach the subscribers afterwards, in order, exactly as they would have."""

from __future__ import annotations

from datetime import UTC, datetime

from simulator.clock import VirtualClock
from simulator.events import Event, EventLog


def _log() -> EventLog:
    clock = VirtualClock(
        0, real_now=lambda: 0.0, wall_now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    return EventLog(clock)


def test_held_events_are_recorded_at_once_and_delivered_when_scheduled_in_order() -> None:
    log = _log()
    seen: list[tuple[str, int]] = []
    scheduled: list[str] = []
    log.subscribe(lambda event: seen.append((event.kind, event.seq)))
    hold = log.delivery_hold(lambda: scheduled.append("deliver"))
    log.emit("portal.loaded")
    with hold:
        log.emit("bridge.call", method="notifyBalanceAddition")
        log.emit("contract.violation", rule="iccid.not-a-string")
        assert seen == [("portal.loaded", 1)]
        assert log.undelivered == 2
        log.deliver_pending()  # still held: nothing moves
        assert (seen, scheduled) == ([("portal.loaded", 1)], [])
    assert (seen, scheduled) == ([("portal.loaded", 1)], ["deliver"])
    log.deliver_pending()
    assert seen == [("portal.loaded", 1), ("bridge.call", 2), ("contract.violation", 3)]
    assert log.undelivered == 0
    with hold:
        pass  # nothing waits: nothing is scheduled
    assert scheduled == ["deliver"]


def test_the_lines_are_the_same_with_and_without_a_hold() -> None:
    lines: dict[bool, list[str]] = {}
    for held in (False, True):
        log = _log()
        written: list[str] = []
        log.subscribe(lambda event, out=written: out.append(event.to_json()))  # type: ignore[misc]
        log.emit("portal.loaded", url="https://x.test/")
        if held:
            with log.delivery_hold(lambda: None):
                log.emit("bridge.call", args=[{"t": "number", "v": 1.0}])
                log.emit("contract.violation", rule="r", field=None)
            log.deliver_pending()
        else:
            log.emit("bridge.call", args=[{"t": "number", "v": 1.0}])
            log.emit("contract.violation", rule="r", field=None)
        lines[held] = written
    assert lines[True] == lines[False]


def test_an_emit_after_the_hold_delivers_the_held_events_first() -> None:
    log = _log()
    seen: list[int] = []
    log.subscribe(lambda event: seen.append(event.seq))
    with log.delivery_hold(lambda: None):
        log.emit("bridge.call")
    log.emit("flow.state")  # e.g. a clock timer that fires before the scheduled delivery
    assert seen == [1, 2]
    log.deliver_pending()  # the scheduled delivery then finds nothing left
    assert seen == [1, 2]


def test_reading_the_log_delivers_what_waits_so_readers_and_panels_agree() -> None:
    log = _log()
    seen: list[int] = []
    log.subscribe(lambda event: seen.append(event.seq))
    hold = log.delivery_hold(lambda: None)
    for read in (len, list, lambda log: log.of_kind("bridge.call")):
        with hold:
            log.emit("bridge.call")
        read(log)
        assert seen[-1] == len(seen)
    assert seen == [1, 2, 3]


def test_holds_nest_and_an_event_a_listener_emits_follows_the_one_being_delivered() -> None:
    log = _log()
    seen: list[tuple[str, int]] = []
    scheduled: list[str] = []

    def reacts(event: Event) -> None:
        seen.append((event.kind, event.seq))
        if event.kind == "bridge.call":
            log.emit("ui.screen")

    log.subscribe(reacts)
    outer = log.delivery_hold(lambda: scheduled.append("outer"))
    with outer:
        with log.delivery_hold(lambda: scheduled.append("inner")):
            log.emit("bridge.call")
        log.deliver_pending()  # the outer hold is still open
        assert (seen, scheduled) == ([], [])
    assert scheduled == ["outer"]
    log.deliver_pending()
    assert seen == [("bridge.call", 1), ("ui.screen", 2)]
