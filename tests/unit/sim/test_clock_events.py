from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.clock import VirtualClock
from simulator.events import Event, EventLog, EventPattern


class FakeReal:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_timers_fire_in_due_order_then_scheduling_order() -> None:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    fired: list[str] = []
    clock.call_later(60, lambda: fired.append("b"), "b")
    clock.call_later(30, lambda: fired.append("a"), "a")
    clock.call_later(60, lambda: fired.append("c"), "c")
    assert [t.label for t in clock.pending()] == ["a", "b", "c"]
    clock.advance(59)
    assert fired == ["a"]
    clock.advance(1)
    assert fired == ["a", "b", "c"]
    assert clock.now() == 60


def test_cancelled_timers_never_fire_and_skip_goes_to_the_next() -> None:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    fired: list[str] = []
    handle = clock.call_later(10, lambda: fired.append("x"), "x")
    clock.call_later(900, lambda: fired.append("y"), "y")
    handle.cancel()
    skipped = clock.advance_to_next()
    assert skipped is not None
    assert skipped.label == "y"
    assert fired == ["y"]
    assert clock.now() == 900


def test_scaled_clock_follows_real_time_times_the_scale() -> None:
    real = FakeReal()
    clock = VirtualClock(60, real_now=real)
    fired: list[float] = []
    clock.call_later(300, lambda: fired.append(clock.now()), "five minutes")
    assert clock.real_seconds_until_next() == pytest.approx(5.0)
    real.now += 4
    clock.tick()
    assert clock.now() == pytest.approx(240)
    real.now += 1
    clock.tick()
    assert fired == [300]


def test_stepped_clock_ignores_real_time_and_never_goes_back() -> None:
    real = FakeReal()
    clock = VirtualClock(0, real_now=real)
    real.now += 3600
    clock.tick()
    assert clock.now() == 0
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="stepped"):
        clock.set_scale(-2)


def test_event_lines_carry_seq_t_wall_kind_then_fields() -> None:
    clock = VirtualClock(
        0, real_now=lambda: 0.0, wall_now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    log = EventLog(clock)
    log.emit("app.started", portal="https://x.test/")
    clock.advance(1.5)
    event = log.emit("flow.state", flow="inline-download", state="done", seq="ignored")
    record = json.loads(event.to_json())
    assert list(record)[:4] == ["seq", "t", "wall", "kind"]
    assert record["seq"] == 2
    assert record["t"] == 1.5
    assert record["wall"] == "2026-01-02T03:04:05.000+00:00"


def test_an_emitted_event_is_the_event_its_constructor_makes() -> None:
    """`emit` sets an event's slots itself (no __init__ call): every slot is set, to what
    `Event(seq, t, wall, kind, fields)` would hold."""
    clock = VirtualClock(
        0, real_now=lambda: 0.0, wall_now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    log = EventLog(clock)
    clock.advance(2.25)
    event = log.emit("bridge.call", object="MobilePlans", args=[])
    made = Event(
        1,
        2.25,
        "2026-01-02T03:04:05.000+00:00",
        "bridge.call",
        {"object": "MobilePlans", "args": []},
    )
    assert type(event) is Event
    assert event == made
    assert repr(event) == repr(made)
    assert dict(event) == dict(made)


def test_until_patterns() -> None:
    pattern = EventPattern.parse("flow.state:state=connected,flow=inline-download")
    clock = VirtualClock(0, real_now=lambda: 0.0)
    log = EventLog(clock)
    assert pattern.matches(log.emit("flow.state", flow="inline-download", state="connected"))
    assert not pattern.matches(log.emit("flow.state", flow="inline-download", state="failed"))
    assert EventPattern.parse("portal.loaded").matches(log.emit("portal.loaded", ok=True))
    assert EventPattern.parse("x:ok=true").matches(log.emit("x", ok=True))
    for bad in ("", ":a=b", "kind:novalue", "kind:=v"):
        with pytest.raises(ValueError, match="--until"):
            EventPattern.parse(bad)


def test_a_hold_stops_time_and_keeps_the_steps_asked_for_meanwhile() -> None:
    real = FakeReal()
    clock = VirtualClock(0, real_now=real)
    fired: list[tuple[str, float]] = []
    clock.call_later(10, lambda: fired.append(("a", clock.now())), "a")
    clock.call_later(100, lambda: fired.append(("b", clock.now())), "b")
    hold = clock.hold("a callback", real_timeout=5)
    assert clock.advance(30) == 0
    next_timer = clock.advance_to_next()
    assert next_timer is not None
    assert next_timer.label == "a"  # due next as things stand; the 30 s come first
    assert (clock.now(), fired) == (0.0, [])
    hold.release()  # then the 30 s, then the jump to the next timer, in the order asked
    assert fired == [("a", 10.0), ("b", 100.0)]
    assert clock.now() == 100.0
    assert not clock.held


def test_a_timer_that_takes_a_hold_makes_the_rest_of_the_step_wait() -> None:
    clock = VirtualClock(0, real_now=FakeReal())
    holds = []
    fired: list[tuple[str, float]] = []

    def first() -> None:
        fired.append(("first", clock.now()))
        holds.append(clock.hold("first's callback", real_timeout=5))

    clock.call_later(10, first, "first")
    clock.call_later(20, lambda: fired.append(("second", clock.now())), "second")
    clock.advance(60)
    assert (fired, clock.now()) == ([("first", 10.0)], 10.0)
    holds[0].release()
    assert (fired, clock.now()) == ([("first", 10.0), ("second", 20.0)], 60.0)


def test_a_hold_expires_after_its_real_timeout_and_says_so_first() -> None:
    real = FakeReal()
    clock = VirtualClock(1, real_now=real)
    expired: list[float] = []
    clock.hold("never answered", real_timeout=5, on_expire=lambda: expired.append(clock.now()))
    real.now += 4
    clock.tick()
    assert (clock.held, clock.now(), expired) == (True, 0.0, [])
    real.now += 2
    clock.tick()
    assert (clock.held, expired) == (False, [0.0])
    real.now += 1  # time runs again, from where it stood
    clock.tick()
    assert clock.now() == 1.0
    with pytest.raises(ValueError, match="positive real-time timeout"):
        clock.hold("x", real_timeout=0)


def test_an_event_emitted_by_a_listener_reaches_every_listener_after_the_one_being_delivered() -> (
    None
):
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    seen: list[tuple[str, int]] = []

    def reacts(event: Event) -> None:
        seen.append(("first", event.seq))
        if event.kind == "flow.state":
            log.emit("carrier.line")

    log.subscribe(reacts)
    log.subscribe(lambda event: seen.append(("second", event.seq)))
    log.emit("flow.state")
    assert seen == [("first", 1), ("second", 1), ("first", 2), ("second", 2)]


def test_events_left_by_a_listener_that_raised_come_first_at_the_next_emit() -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    seen: list[int] = []

    def reacts_then_fails(event: Event) -> None:
        if event.seq == 1:
            log.emit("carrier.line")  # queued behind event 1
            raise RuntimeError("listener bug")

    log.subscribe(reacts_then_fails)
    log.subscribe(lambda event: seen.append(event.seq))
    with pytest.raises(RuntimeError):
        log.emit("flow.state")
    assert seen == []
    log.emit("flow.state")
    assert seen == [2, 3]  # in seq order: the one left behind, then the new one
    log.emit("flow.state")
    assert seen == [2, 3, 4]


def test_fired_total_counts_the_timers_a_held_step_fires_later() -> None:
    clock = VirtualClock(0, real_now=FakeReal())
    clock.call_later(10, lambda: None, "first")
    clock.call_later(20, lambda: None, "second")
    clock.call_later(20, lambda: None, "cancelled").cancel()
    hold = clock.hold("a callback", real_timeout=5)
    before = clock.fired_total
    assert clock.advance(60) == 0  # kept, not played: the return value cannot count it
    hold.release()
    assert clock.fired_total - before == 2


def test_the_system_clock_stamp_is_the_millisecond_iso_form_of_the_moment() -> None:
    clock = VirtualClock(1.0, real_now=lambda: 0.0)
    for _ in range(50):  # across millisecond boundaries: never stale, never ahead
        before = datetime.now(UTC).isoformat(timespec="milliseconds")
        stamp = clock.wall_iso()
        after = datetime.now(UTC).isoformat(timespec="milliseconds")
        assert before <= stamp <= after
        assert datetime.fromisoformat(stamp).tzinfo == UTC
        assert len(stamp) == len("2026-01-02T03:04:05.000+00:00")


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), 10 * 365 * 24 * 3600 + 1])
def test_a_step_is_finite_and_at_most_ten_years(seconds: float) -> None:
    clock = VirtualClock(0, real_now=FakeReal())
    fired: list[int] = []
    clock.call_later(30 * 86400, lambda: fired.append(1), "a month later")
    with pytest.raises(ValueError, match="at most 315360000 s"):
        clock.advance(seconds)
    assert clock.now() == 0
    assert fired == []
    clock.advance(10 * 365 * 24 * 3600)  # ten years is a step
    assert fired == [1]


def test_the_stamp_follows_the_system_clock_across_seconds_and_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = VirtualClock(1.0, real_now=lambda: 0.0)
    seconds = [1_700_000_000, 1_700_000_001, 1_700_006_399, 1_700_006_400, 1_700_000_000]
    for ms in [s * 1000 + part for s in seconds for part in (0, 998, 999)]:
        monkeypatch.setattr("simulator.clock.time.time_ns", lambda ms=ms: ms * 1_000_000 + 123)
        moment = datetime.fromtimestamp(ms // 1000, UTC) + timedelta(milliseconds=ms % 1000)
        expected = moment.isoformat(timespec="milliseconds")
        assert clock.wall_iso() == expected


@given(
    st.lists(st.sampled_from(["bridge.call", "contract.violation", "flow.state", "ui.screen"])),
    st.lists(st.frozensets(st.sampled_from(["bridge.call", "flow.state", "ui.toast"])), max_size=4),
)
def test_a_listener_of_some_kinds_sees_exactly_those_events_in_order(
    kinds: list[str], wanted: list[frozenset[str]]
) -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    calls: list[tuple[int, int]] = []  # (listener, seq) in the order the listeners were called
    everything: list[Event] = []

    def reacts(event: Event) -> None:  # a listener's own event comes after the one delivered
        everything.append(event)
        if event.kind == "flow.state":
            log.emit("ui.toast")

    log.subscribe(reacts)
    for index, some in enumerate(wanted):
        log.subscribe(lambda event, index=index: calls.append((index, event.seq)), kinds=some)
    for kind in kinds:
        log.emit(kind)
    expected = [
        (index, event.seq) for event in everything for index, some in enumerate(wanted)
        if event.kind in some
    ]  # fmt: skip
    assert calls == expected


def test_unsubscribing_and_closing_stop_the_calls_whatever_kinds_were_asked() -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    seen: list[str] = []

    def some(event: Event) -> None:
        seen.append("some " + event.kind)

    def every(event: Event) -> None:
        seen.append("every " + event.kind)

    log.subscribe(some, kinds={"flow.state"})
    log.subscribe(every)
    log.emit("flow.state")
    log.emit("ui.screen")
    log.unsubscribe(some)
    log.emit("flow.state")
    log.subscribe(some, kinds=["ui.screen"])
    log.emit("ui.screen")
    log.close()
    log.emit("ui.screen")
    assert seen == [
        "some flow.state",
        "every flow.state",
        "every ui.screen",
        "every flow.state",
        "every ui.screen",
        "some ui.screen",
    ]


@given(
    st.lists(st.sampled_from(["bridge.call", "flow.state", "ui.screen"]), max_size=12),
    st.integers(min_value=0, max_value=12),
    st.none() | st.frozensets(st.sampled_from(["bridge.call", "flow.state", "ui.toast"])),
)
def test_changing_a_listeners_kinds_keeps_its_place_and_takes_the_new_kinds_from_then_on(
    kinds: list[str], changed_at: int, new_kinds: frozenset[str] | None
) -> None:
    log = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    calls: list[tuple[str, int]] = []

    def first(event: Event) -> None:
        calls.append(("first", event.seq))

    def changing(event: Event) -> None:
        calls.append(("changing", event.seq))

    def last(event: Event) -> None:
        calls.append(("last", event.seq))

    log.subscribe(first)
    log.subscribe(changing, kinds={"bridge.call"})
    log.subscribe(last)
    expected: list[tuple[str, int]] = []
    for index, kind in enumerate(kinds):
        if index == changed_at:
            log.change_kinds(changing, new_kinds)
        wanted = {"bridge.call"} if index < changed_at else new_kinds
        seq = log.emit(kind).seq
        expected.append(("first", seq))
        if wanted is None or kind in wanted:
            expected.append(("changing", seq))
        expected.append(("last", seq))
    assert calls == expected
