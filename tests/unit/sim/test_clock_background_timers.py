"""A skip goes to the timer a flow waits for, passing background housekeeping on its way."""

from __future__ import annotations

from simulator.clock import VirtualClock, next_awaited


def test_the_next_awaited_timer_passes_background_ones_and_a_step_fires_them() -> None:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    fired: list[str] = []
    clock.call_later(100, lambda: fired.append("billing"), "billing cycle end", background=True)
    clock.call_later(3600, lambda: fired.append("re-register"), "re-register")
    clock.call_later(7200, lambda: fired.append("later"), "later")
    timer = next_awaited(clock.pending())
    assert timer is not None
    assert timer.label == "re-register"
    clock.advance(timer.due - clock.now())
    assert fired == ["billing", "re-register"]  # the housekeeping ran on the way, in order
    assert clock.now() == 3600


def test_only_background_timers_left_the_soonest_is_next_and_none_without_timers() -> None:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    assert next_awaited(clock.pending()) is None
    clock.call_later(50, lambda: None, "b", background=True)
    clock.call_later(20, lambda: None, "a", background=True)
    timer = next_awaited(clock.pending())
    assert timer is not None
    assert timer.label == "a"
