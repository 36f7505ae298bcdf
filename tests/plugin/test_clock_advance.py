"""`mobile_plans.clock.advance` while a portal callback holds the clock: the step waits for the
page's answer and then plays in full, so the count and `now` it leaves are the whole step's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from simulator.pytest_plugin import MobilePlans
from simulator.pytest_plugin.failures import MobilePlansError


def _timer_at(mobile_plans: MobilePlans, seconds: float, fired_at: list[float]) -> None:
    clock = mobile_plans.simulator.clock
    clock.call_later(seconds, lambda: fired_at.append(clock.now()), f"timer at {seconds:g} s")


def test_a_step_asked_for_while_held_waits_for_the_answer_then_plays_whole(
    mobile_plans: MobilePlans,
) -> None:
    fired_at: list[float] = []
    _timer_at(mobile_plans, 30, fired_at)
    _timer_at(mobile_plans, 90, fired_at)
    hold = mobile_plans.simulator.clock.hold("a callback into the portal", real_timeout=10)
    QTimer.singleShot(200, hold.release)  # the page answers a moment later

    assert mobile_plans.clock.advance(minutes=1) == 1
    assert mobile_plans.clock.now == 60
    assert fired_at == [30]
    assert mobile_plans.clock.pending() == ["timer at 90 s"]


def test_a_page_that_never_answers_delays_the_step_only_until_its_hold_expires(
    mobile_plans: MobilePlans,
) -> None:
    fired_at: list[float] = []
    expired: list[str] = []
    _timer_at(mobile_plans, 5, fired_at)
    mobile_plans.simulator.clock.hold(
        "a callback into the portal", real_timeout=0.3, on_expire=lambda: expired.append("gone")
    )

    assert mobile_plans.clock.advance(seconds=10) == 1
    assert expired == ["gone"]
    assert (fired_at, mobile_plans.clock.now) == ([5], 10)


def test_a_hold_longer_than_the_timeout_fails_saying_what_holds_the_clock(
    mobile_plans: MobilePlans,
) -> None:
    hold = mobile_plans.simulator.clock.hold(
        "registrationChangedScript into the portal", real_timeout=10
    )
    with pytest.raises(MobilePlansError) as failure:
        mobile_plans.clock.advance(seconds=60, timeout=0.2)
    assert "still held after 0.2 s (by registrationChangedScript into the portal)" in str(
        failure.value
    )
    assert "60 s of the step are still to play" in str(failure.value)
    hold.release()  # the page answers at last: the kept step plays then
    assert mobile_plans.clock.now == 60


def test_going_backwards_is_refused_by_name(mobile_plans: MobilePlans) -> None:
    with pytest.raises(MobilePlansError, match="the clock never goes backwards"):
        mobile_plans.clock.advance(minutes=-1)
    assert mobile_plans.clock.now == 0


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), 1e300])
def test_an_endless_step_is_refused_by_name(mobile_plans: MobilePlans, seconds: float) -> None:
    """An infinite step fired the monthly billing timer without end, then left the calendar
    (year 10000) inside the Qt event loop; NaN did nothing, silently."""
    with pytest.raises(MobilePlansError, match=r"a step is at most 315360000 s \(ten years\)"):
        mobile_plans.clock.advance(seconds=seconds)
    assert mobile_plans.clock.now == 0
