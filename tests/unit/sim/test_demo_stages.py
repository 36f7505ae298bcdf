"""What `demo` prints for a presenter: one line per stage, then PASS or FAIL (no Qt)."""

from __future__ import annotations

import json

import pytest

from simulator.clock import VirtualClock
from simulator.demo_stages import (
    DEMO_HEADLESS_TIMEOUT,
    LINE_LIMIT,
    StageLog,
    duration_text,
    effective_timeout,
    stays_open_at_end,
)
from simulator.demos import DEMOS
from simulator.events import EventLog


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (8, "8 s"),
        (1800, "30 min"),
        (1808, "30 min 8 s"),
        (3608, "1 h 8 s"),
        (7200, "2 h"),
        (0.25, "0.25 s"),
    ],
)
def test_virtual_time_reads_as_a_person_says_it(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def _log() -> tuple[VirtualClock, EventLog, list[str], StageLog]:
    clock = VirtualClock(0, real_now=lambda: 0.0)
    events = EventLog(clock)
    lines: list[str] = []
    stages = StageLog("inline-download", lines.append)
    events.subscribe(stages.observe)
    return clock, events, lines, stages


def test_each_stage_is_one_line_of_what_it_caused_and_the_verdict_comes_last() -> None:
    clock, events, lines, stages = _log()
    stages.begin("the portal calls notifyProfileDownload", clock.now())
    events.emit("flow.state", flow="inline-download", state="started")
    events.emit("flow.state", flow="inline-download", state="downloading")
    events.emit("ui.screen", screen="progress-popup", text="Installing eSIM profile")
    events.emit("lpa.progress", bytes=1024, total=4096)
    argument = json.dumps({"activationResult": "success", "iccid": "89"})
    events.emit(
        "portal.callback",
        property="profileActivationCompleteScript",
        argument=argument,
        delivered=True,
    )
    clock.advance(8)
    stages.begin("skip the virtual clock 8 s", clock.now())
    argument = json.dumps({"networkRegistrationState": "home", "iccid": "89"})
    events.emit(
        "portal.callback",
        property="registrationChangedScript",
        argument=argument,
        delivered=False,
        reason="gone",
    )
    events.emit("flow.state", flow="inline-download", state="connected")
    verdict = stages.finish(True, "flow.state connected at t=8 s", clock.now())
    assert lines == [
        "  1. the portal calls notifyProfileDownload (t=8 s): downloading, portal heard success",
        "  2. skip the virtual clock 8 s (t=8 s): registrationChangedScript not delivered, "
        "connected",
        "PASS inline-download: flow.state connected at t=8 s",
    ]
    assert verdict == lines[-1]
    # The verdict is given once; later events and verdicts change nothing.
    events.emit("flow.state", flow="inline-download", state="failed")
    assert stages.finish(False, "late", clock.now()) == verdict
    assert len(lines) == 3


def test_a_stage_with_no_effect_says_so_and_long_lines_are_cut() -> None:
    _clock, events, lines, stages = _log()
    stages.begin("wait", 0.0)
    stages.begin("toasts", 0.0)
    for n in range(40):
        events.emit("ui.toast", toast=f"t{n}", text=f"toast number {n}", actions=[])
    stages.finish(False, "the inline-download flow ended failed (serverFailure)", 0.0)
    assert lines[0] == "  1. wait (t=0 s): nothing happened"
    assert len(lines[1]) == LINE_LIMIT
    assert lines[1].endswith("\u2026")
    assert lines[2] == "FAIL inline-download: the inline-download flow ended failed (serverFailure)"


def test_a_windowed_demo_stays_open_and_a_headless_one_cannot_hang() -> None:
    assert stays_open_at_end("demo", headless=False, exit_at_end=False)
    assert not stays_open_at_end("demo", headless=False, exit_at_end=True)
    assert not stays_open_at_end("demo", headless=True, exit_at_end=False)
    assert not stays_open_at_end("run", headless=False, exit_at_end=False)
    assert effective_timeout("demo", headless=True, timeout=None) == DEMO_HEADLESS_TIMEOUT
    assert effective_timeout("demo", headless=True, timeout=5) == 5
    assert effective_timeout("demo", headless=False, timeout=None) is None
    assert effective_timeout("run", headless=True, timeout=None) is None


def test_every_demo_names_the_calls_its_portal_makes() -> None:
    for demo in DEMOS.values():
        assert demo.portal_calls, demo.name
    assert DEMOS["delayed-download-cancel"].portal_calls == [
        "MobilePlansInlineOperations.notifyProfileDownload",
        "MobilePlansInlineOperations.notifyOperationCancel",
    ]
