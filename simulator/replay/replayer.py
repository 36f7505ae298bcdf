"""Replay a recording against the portal itself and compare the events it logs, lane by lane.

The replay loads the recorded portal (or the one given instead: the new version of it), takes
the test's recorded steps at their barriers through a fresh `MobilePlans` driver (so a click
waits for its element as it did), and compares each event as it is logged: the first event
that differs from the recording ends the replay at once, with both sides shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.events import Event
from simulator.operator_api.config import ConfigurationError

from .file_format import Recording, RecordingFormatError
from .keys import EventKeys, LogFollower, lane_of, lanes
from .operator_steps import OPERATOR_ACTIONS, describe_operator_step, take_operator_step
from .recorded_config import operator_document_of
from .waiting import wait_until

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.pytest_plugin.catalog_control import OperatorConfig
    from simulator.pytest_plugin.driver import MobilePlans
    from simulator.runtime import Runtime


class ReplayMismatchError(AssertionError):
    """The replay logged a different sequence; the message shows where they part."""


@dataclass
class ReplayResult:
    """What a replay logged against what was recorded. Close it (or use `with`) when done."""

    expected: list[str]
    actual: list[str]
    driver: MobilePlans
    divergence: str = ""
    steps_taken: int = 0
    _closed: bool = field(default=False, repr=False)

    @property
    def simulator(self) -> Simulator:
        return self.driver.simulator

    @property
    def matches(self) -> bool:
        return not self.divergence and lanes(self.expected) == lanes(self.actual)

    def difference(self) -> str:
        """Where the replay parts from the recording, or "identical"."""
        if self.divergence:
            return self.divergence
        return _first_difference(self.expected, self.actual) or "identical"

    def assert_matches(self) -> None:
        """Raise `ReplayMismatchError` with the first difference unless the replay matched."""
        __tracebackhide__ = True
        if not self.matches:
            raise ReplayMismatchError(self.difference())

    def close(self) -> None:
        """Tear the replay's simulator down in the order QtWebEngine needs (idempotent)."""
        if not self._closed:
            self._closed = True
            self.driver.close()

    def __enter__(self) -> ReplayResult:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _first_difference(expected: list[str], actual: list[str]) -> str:
    replayed = lanes(actual)
    for lane, recorded in lanes(expected).items():
        got = replayed[lane]
        for index, (want, have) in enumerate(zip(recorded, got, strict=False)):
            if want != have:
                return f"{lane} event #{index + 1} differs:\n  recorded {want}\n  replayed {have}"
        if len(recorded) != len(got):
            longer = recorded if len(recorded) > len(got) else got
            which = "missing" if len(recorded) > len(got) else "extra"
            return (
                f"{lane}: recorded {len(recorded)} events, replayed {len(got)}; first {which}: "
                + longer[min(len(recorded), len(got))]
            )
    return ""


class Replayer:
    """Plays a `Recording` against a fresh simulator on `runtime` (the caller's QApplication)."""

    def __init__(
        self,
        recording: Recording,
        runtime: Runtime,
        data_dir: Path,
        *,
        portal_url: str | None = None,
        portal_dir: Path | str | None = None,
        operator_config: OperatorConfig | None = None,
    ) -> None:
        from simulator.pytest_plugin.driver import DeviceOptions, MobilePlans

        self.recording = recording
        if portal_url is None and portal_dir is None:
            portal_url = recording.portal.get("url")
            portal_dir = recording.portal.get("dir")
        if portal_dir is not None and not Path(portal_dir).is_dir():
            raise FileNotFoundError(
                f"the recorded portal folder {portal_dir} does not exist here; "
                "pass portal_dir= (or portal_url=) to replay against another copy"
            )
        device = recording.device
        if operator_config is None and recording.operator_config is not None:
            operator_config = operator_document_of(recording.operator_config)
            try:  # refused here, naming the field, rather than while building the simulator
                operator_config.parse()
            except ConfigurationError as error:
                raise RecordingFormatError(
                    f"operator_config: {error.rule}: {error.message}"
                ) from None
        self.driver = MobilePlans(
            runtime,
            data_dir,
            device=DeviceOptions(
                device=device["kind"],
                eid=device["eid"],
                imei=device["imei"],
                market=device["market"],
                location=device["location"],
                iccid=device.get("iccid"),
                device_make=device.get("make"),
                device_model=device.get("model"),
            ),
            portal_url=portal_url,
            portal_dir=portal_dir,
            show_window=False,
            operator_config=operator_config,
            walled_garden=recording.walled_garden,
            iccid_ranges=recording.iccid_ranges or None,
            calendar_start=(
                datetime.fromisoformat(recording.calendar_start)
                if recording.calendar_start
                else None
            ),
        )
        self._expected = lanes(recording.keys)
        self._keys = EventKeys()
        self._replayed: dict[str, list[str]] = {"page": [], "app": []}
        self._divergence = ""
        self._toasts: list[tuple[str, tuple[str, ...]]] = []  # each toast's id and buttons
        self._matching_ids: list[str] = []
        simulator = self.driver.simulator
        self._follower = LogFollower(simulator.events)
        simulator.events.subscribe(self._observe)

    # -- comparing as events arrive ------------------------------------------------------------
    def _observe(self, _event: Event) -> None:
        for event in self._follower.new_events():
            if event.kind == "ui.toast" and event.fields.get("actions"):
                actions = event.fields.get("actions")
                buttons = tuple(str(a) for a in actions) if isinstance(actions, list) else ()
                self._toasts.append((str(event.fields.get("toast")), buttons))
            elif event.kind == "smdp.order" and event.fields.get("action") == "created":
                self._matching_ids.append(str(event.fields.get("matching_id")))
            key = self._keys.add(event)
            if key is not None:
                self._compare(key)

    def _compare(self, key: str) -> None:
        lane = lane_of(key)
        self._replayed[lane].append(key)
        index = len(self._replayed[lane]) - 1
        recorded = self._expected[lane]
        if self._divergence:
            return
        if index >= len(recorded):
            self._divergence = (
                f"{lane} event #{index + 1} was not in the recording "
                f"(it had {len(recorded)}):\n  replayed {key}"
            )
        elif recorded[index] != key:
            self._divergence = (
                f"{lane} event #{index + 1} differs"
                f"{_where_keys_differ(recorded[index], key)}:\n"
                f"  recorded {recorded[index]}\n  replayed {key}"
            )

    # -- taking the steps ----------------------------------------------------------------------
    def run(self, timeout: float = 30.0) -> ReplayResult:
        """Take every step at its barrier, then wait for the recorded tail. Stops at the first
        difference; never raises for one (see `ReplayResult.matches`)."""
        taken = 0
        try:
            for step in self.recording.steps:
                if not self._wait_for(dict(step["after"]), timeout):
                    break
                self._take(step)
                taken += 1
                if self._divergence:
                    break
            else:
                total = {lane: len(keys) for lane, keys in self._expected.items()}
                if self._wait_for(total, timeout):
                    # Let anything still in flight land, so extra events are seen, not hidden.
                    wait_until(lambda: bool(self._divergence), 0.2)
        finally:
            self.driver.simulator.events.unsubscribe(self._observe)
        if self._divergence:
            steps = self.recording.steps
            where = (
                f"after step {taken} of {len(steps)} ({describe_step(steps[taken - 1])})"
                if taken
                else f"before the first of {len(steps)} steps"
            )
            self._divergence = f"{where}: {self._divergence}"
        return ReplayResult(
            list(self.recording.keys),
            list(self._keys.keys),
            self.driver,
            divergence=self._divergence,
            steps_taken=taken,
        )

    def _wait_for(self, counts: Mapping[str, int], timeout: float) -> bool:
        """Until each lane holds `counts` events; False (with the reason kept) on a difference
        or when the replay stalls."""

        def reached() -> bool:
            if self._divergence:
                return True
            return all(len(self._replayed[lane]) >= n for lane, n in counts.items())

        if wait_until(reached, timeout) and not self._divergence:
            return True
        if not self._divergence:
            replayed = self._replayed
            lines = []
            for lane, count in counts.items():
                have = len(replayed[lane])
                if have < count:
                    lines.append(
                        f"{lane} lane: {have} of {count} events after {timeout:g} s; next "
                        f"recorded {self._expected[lane][have]}; last replayed "
                        f"{replayed[lane][-1] if have else '(none)'}"
                    )
            self._divergence = "the replay stalled: " + "; ".join(lines)
        return False

    def _take(self, step: Mapping[str, Any]) -> None:
        driver = self.driver
        action = step["action"]
        if action == "launch":
            driver.launch()
        elif action == "click":
            driver.click(str(step["selector"]))
        elif action == "fill":
            driver.fill(str(step["selector"]), self._ours(str(step["text"])))
        elif action == "js":
            driver.js(self._ours(str(step["code"])))
        elif action == "advance":
            driver.clock.advance(seconds=float(step["seconds"]))
        elif action == "toast":
            self._answer_toast(int(step["index"]), str(step["answer"]))
        elif action == "error-answer":
            driver.answer_error(bool(step["retry"]))
        elif action == "balance-closed":
            driver.close_balance()
        elif action == "network-plan":
            driver.network.set_plan(
                step.get("iccid"), str(step["outcome"]), float(step["searching_seconds"])
            )
        elif action == "card-busy":
            driver.euicc.set_busy(bool(step["busy"]))
        elif action in ("card-enable", "card-disable", "card-delete"):
            getattr(driver.euicc, action.removeprefix("card-"))(str(step["iccid"]))
        elif action == "create-order":
            driver.smdp.create_order(**dict(step["options"]))
        elif action == "behave-next":
            driver.smdp.behave_next(_behaviour(step["behaviour"]))
        elif action == "set-behaviour":
            order = driver.smdp.orders()[int(step["order"])]
            driver.smdp.set_behaviour(order, _behaviour(step["behaviour"]))
        elif action in OPERATOR_ACTIONS:
            take_operator_step(driver, step)
        elif action == "start":
            driver.simulator.operator_experience.start()
        elif action == "select-provider":
            # as a click on its tile; one no longer listed is rejected, and that is compared
            driver.simulator.operator_experience.catalog.select(str(step["operator"]))
        elif action == "choose-operator":
            driver.simulator.operator_experience.catalog.choose_again()
        elif action == "control":
            driver.simulator.operator_experience.press(str(step["control"]), step)
        else:
            raise ValueError(f"unknown recorded step {action!r}")

    def _answer_toast(self, index: int, answer: str) -> None:
        """As a click on the toast's button: the flows and the operator's notifications both
        hear it. A toast or button the replay did not show is a difference, found at once."""
        if not 0 <= index < len(self._toasts):
            self._divergence = (
                f"the recording answers toast #{index + 1}; the replay showed "
                f"{len(self._toasts)} toast(s) with buttons"
            )
            return
        toast, buttons = self._toasts[index]
        if answer not in buttons:
            self._divergence = (
                f"the recording presses {answer!r} on toast #{index + 1}, which has the buttons "
                + ", ".join(repr(b) for b in buttons)
            )
            return
        self.driver.simulator.window.toastAnswered.emit(toast, answer)

    def _ours(self, text: str) -> str:
        """`text` with each recorded matching ID replaced by the replay's counterpart."""
        pairs = dict(zip(self.recording.matching_ids, self._matching_ids, strict=False))
        if not pairs:
            return text
        pattern = re.compile("|".join(re.escape(mid) for mid in pairs))
        return pattern.sub(lambda found: pairs[found.group(0)], text)


def _where_keys_differ(recorded: str, replayed: str) -> str:
    """' (at args/0/planName: "5 GB" → "5 GB (new)")', or '' when the kinds differ."""
    want, have = json.loads(recorded), json.loads(replayed)
    if want[0] != have[0]:
        return f" (recorded {want[0]}, replayed {have[0]})"
    path = _first_path(want[1:], have[1:], [])
    if path is None:
        return ""
    trail, old, new = path
    shown = "/".join(trail[1:]) if trail and trail[0] == "1" else "/".join(["t", *trail[1:]])
    return f" (at {shown or 'the top'}: {json.dumps(old)[:80]} → {json.dumps(new)[:80]})"


def _first_path(want: Any, have: Any, trail: list[str]) -> tuple[list[str], Any, Any] | None:
    # The portal's arguments are tagged ({"t": …, "v": …}) and objects are [name, value] pairs:
    # name the pair by its field so the path reads like the call (args/0/planName).
    if isinstance(want, dict) and isinstance(have, dict):
        for name in sorted(set(want) | set(have)):
            if want.get(name) != have.get(name):
                label = [] if name in ("t", "v") else [name]
                return _first_path(want.get(name), have.get(name), trail + label)
        return None
    if isinstance(want, list) and isinstance(have, list):
        for index, (a, b) in enumerate(zip(want, have, strict=False)):
            if a != b:
                pair = isinstance(a, list) and len(a) == 2 and isinstance(a[0], str)
                if pair and isinstance(b, list) and b and a[0] == b[0]:
                    return _first_path(a[1], b[1], [*trail, a[0]])
                return _first_path(a, b, [*trail, str(index)])
        if len(want) != len(have):
            return [*trail, "length"], len(want), len(have)
        return None
    return (trail, want, have) if want != have else None


def describe_step(step: Mapping[str, Any]) -> str:
    """A recorded step in a few words, as a person would say what the test did."""
    action = str(step.get("action"))
    detail = {
        "click": step.get("selector"),
        "fill": f"{step.get('selector')} with {str(step.get('text'))[:40]!r}",
        "js": str(step.get("code"))[:60],
        "advance": f"{step.get('seconds')} s",
        "toast": step.get("answer"),
        "error-answer": "Try again" if step.get("retry") else "Close",
        "select-provider": step.get("operator"),
        "control": step.get("control"),
    }.get(action, describe_operator_step(step))
    return f"{action} {detail}" if detail is not None else action


def _behaviour(document: Any) -> Any:
    from esim.smdp import OrderBehaviour

    return OrderBehaviour.from_json(json.dumps(document))


def replay(
    recording: Recording | Path | str,
    runtime: Runtime,
    data_dir: Path,
    *,
    portal_url: str | None = None,
    portal_dir: Path | str | None = None,
    timeout: float = 30.0,
    operator_config: OperatorConfig | None = None,
) -> ReplayResult:
    """Replay `recording` against its portal (or `portal_url`/`portal_dir` instead) on a fresh
    simulator, with the operators it was recorded with (or `operator_config` instead: needed
    when the recording left credentials out). Close the result (`result.close()` or `with`)
    when done; the pytest fixture `mobile_plans_replay` does it for you."""
    if not isinstance(recording, Recording):
        recording = Recording.load(Path(recording))
    replayer = Replayer(
        recording,
        runtime,
        data_dir,
        portal_url=portal_url,
        portal_dir=portal_dir,
        operator_config=operator_config,
    )
    try:
        return replayer.run(timeout)
    except BaseException:
        replayer.driver.close()
        raise
