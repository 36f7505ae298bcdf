"""Plays a `Demo` against a running simulator, stage by stage: open the portal, run its script,
skip the clock from timer to timer whenever nothing is under way, answer toasts.

Each stage is announced in the caption bar (with a window) and, once over, summed up in one
line on stdout. With `step`, every stage waits for the presenter's Next.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from simulator.app import Simulator
from simulator.clock import TimerHandle, next_awaited
from simulator.demo_caption import CaptionBar
from simulator.demo_stages import StageLog, duration_text
from simulator.demos import Demo
from simulator.events import Event

_BUSY_STATES = {"downloading", "enabling", "retrying", "started", "installed"}
# A flow in one of these waits for a timer: the demo skips the clock to it.
_WAITING_STATES = {"scheduled", "registering", "registration-error-expected", "waiting-for-sm-ds"}
# A flow in one of these is over without its demo's end having come: nothing more will happen.
_DEAD_ENDS = {"failed", "declined", "cancelled", "unsupported", "registration-failed"}
# What `DemoDriver._observe` acts on: the kinds a stage's line describes (`describe`), the end,
# and a toast answered in the window.
DEMO_KINDS = frozenset(
    {
        "flow.state",
        "portal.callback",
        "ui.screen",
        "ui.toast",
        "lpa.error",
        "portal.loaded",
        "contract.violation",
        "app.exit",
        "ui.toast-answered",
    }
)
DEAD_END_GRACE_MS = 1500  # what the flow shows after a dead end (error screen) still counts


def _always() -> bool:
    return True


def _answer_caption(toast_text: str, action: str) -> str:
    return f"the user answers the toast \u201c{toast_text}\u201d: {action}"


@dataclass(frozen=True)
class _Proposal:
    caption: str
    act: Callable[[], None]
    still_possible: Callable[[], bool] = _always  # checked again when the stage is played
    toast: tuple[str, str] | None = None  # (id, text) of the toast this stage answers


class DemoDriver(QObject):
    def __init__(
        self,
        simulator: Simulator,
        demo: Demo,
        *,
        write: Callable[[str], None],
        step: bool = False,
        caption_bar: bool = True,
        dead_end: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(simulator)
        self._simulator = simulator
        self._demo = demo
        self._step_mode = step
        self._dead_end = dead_end
        self.stages = StageLog(demo.name, write)
        self._proposal: _Proposal | None = None
        self._script_started = False
        self._stopped = False
        self.caption = CaptionBar(simulator.window, demo.name) if caption_bar or step else None
        if self.caption is not None:
            self.caption.nextClicked.connect(self._play)
        self._stepper = QTimer(self)
        self._stepper.setInterval(20)
        self._stepper.timeout.connect(self._consider_skip)
        simulator.events.subscribe(self._observe, kinds=DEMO_KINDS)

    # -- the stages ----------------------------------------------------------------------------
    def begin(self) -> None:
        """The first stage: Mobile Plans opens the operator's portal."""
        # Every demo orders a profile once the portal has loaded: its eSIM world is built
        # meanwhile instead of after.
        self._simulator.start_esim()
        self.stages.say(f"demo {self._demo.name}: {self._demo.summary}")
        self._propose("Mobile Plans opens the bundled sample operator's portal", self._launch)

    def _launch(self) -> None:
        self._simulator.launch()
        # While Chromium starts its renderer for the portal, the GUI thread has time for the
        # back office, which the demo's flow needs before its end (a carrier line).
        QTimer.singleShot(0, self, self._simulator.back_office.build)

    def _propose(
        self,
        caption: str,
        act: Callable[[], None],
        still_possible: Callable[[], bool] = _always,
        toast: tuple[str, str] | None = None,
    ) -> None:
        if self._proposal is not None or self._stopped:
            return
        self._proposal = _Proposal(caption, act, still_possible, toast)
        # What the last stage caused is over once the next one is ready: say it now, not
        # only after the presenter's Next.
        self.stages.end(self._simulator.clock.now())
        if self._step_mode and self.caption is not None:
            self.caption.waiting(f"Next: {caption}")
        else:
            QTimer.singleShot(0, self, self._play)

    def _play(self) -> None:
        proposal, self._proposal = self._proposal, None
        if proposal is None or self._stopped or not proposal.still_possible():
            return  # e.g. a download began meanwhile: the skip is proposed again later
        stage = self.stages.begin(proposal.caption, self._simulator.clock.now())
        if self.caption is not None:
            self.caption.playing(f"{stage.number}. {proposal.caption}")
        proposal.act()

    def finish(self, passed: bool, detail: str, *, stays_open: bool) -> str:
        """Stop driving; print the last stage and the verdict (once)."""
        self._stopped = True
        self._stepper.stop()
        self._proposal = None
        verdict = self.stages.finish(passed, detail, self._simulator.clock.now())
        if self.caption is not None:
            close = " \u2014 close the window to leave" if stays_open else ""
            self.caption.playing(verdict + close)
        return verdict

    # -- what the simulator says ---------------------------------------------------------------
    def _observe(self, event: Event) -> None:  # only DEMO_KINDS come here
        self.stages.observe(event)
        if event.kind == "app.exit":
            self._stopped = True
            self._stepper.stop()
        elif event.kind == "portal.loaded" and not self._script_started:
            self._script_started = True
            calls = " then ".join(self._demo.portal_calls) or "the app"
            self._propose(f"the portal calls {calls}", self._run_script)
        elif event.kind == "flow.state" and event.fields.get("state") in _DEAD_ENDS:
            detail = f"the {event.fields.get('flow')} flow ended {event.fields.get('state')}"
            if message := event.fields.get("activation_error") or event.fields.get("reason"):
                detail += f" ({message})"
            QTimer.singleShot(DEAD_END_GRACE_MS, self, lambda: self._stuck(detail))
        elif event.kind == "ui.toast" and event.fields.get("actions") and self._demo.toast_action:
            toast = (str(event.fields["toast"]), str(event.fields["text"]))
            action = self._demo.toast_action
            self._propose(
                _answer_caption(toast[1], action),
                lambda: self._answer(toast[0], action),
                toast=toast,
            )
        elif event.kind == "ui.toast-answered":
            self._answered_in_window(event)

    def _answered_in_window(self, event: Event) -> None:
        """The person clicked the toast's own button before Next: that was the stage."""
        proposal = self._proposal
        if proposal is None or proposal.toast is None:
            return
        toast_id, text = proposal.toast
        if event.fields.get("toast") != toast_id:
            return
        self._proposal = None  # its Next would answer a toast that is gone
        caption = _answer_caption(text, f"{event.fields.get('action')}, in the window")
        stage = self.stages.begin(caption, self._simulator.clock.now())
        if self.caption is not None:
            self.caption.playing(f"{stage.number}. {stage.caption}")

    def _stuck(self, detail: str) -> None:
        if not self._stopped and self.stages.verdict is None and self._dead_end is not None:
            self._dead_end(detail)

    def _answer(self, toast: str, action: str) -> None:
        self._simulator.flows.toast_answered(toast, action)

    def _order_code(self) -> str:
        from esim.smdp import OrderBehaviour, Step  # with the eSIM world, not at start-up

        behaviour = OrderBehaviour()
        if self._demo.order.get("not_released"):
            behaviour = OrderBehaviour(release_at=10.0**12)
        if fail_at := self._demo.order.get("fail_at"):
            behaviour = OrderBehaviour(fail_at=Step(str(fail_at)))
        return self._simulator.esim.create_order(behaviour=behaviour).activation_code

    def _run_script(self) -> None:
        script = self._demo.script.replace("{ac}", self._order_code())
        self._simulator.events.emit("demo.step", demo=self._demo.name, script=script[:2000])
        self._simulator.page.runJavaScript(f"(function () {{ {script} }})();", 0)
        self._stepper.start()

    # -- skipping the clock --------------------------------------------------------------------
    def _idle(self) -> bool:
        """A flow waits for a timer, and nothing is under way that a skip would overtake."""
        if self._simulator.clock.held:
            return False  # a callback is on its way into the portal: it comes first
        states = {f.state for f in self._simulator.flows.flows.values()}
        return not states & _BUSY_STATES and bool(states & _WAITING_STATES)

    def _consider_skip(self) -> None:
        clock = self._simulator.clock
        if self._stopped or self._proposal is not None or clock.scale != 0 or not self._idle():
            return
        timer = self._next_awaited_timer()
        if timer is None:
            return
        wait = duration_text(max(0.0, timer.due - clock.now()))
        self._propose(
            f"skip the virtual clock {wait} to \u201c{timer.label}\u201d",
            self._skip,
            lambda: bool(clock.pending()) and self._idle(),
        )

    def _next_awaited_timer(self) -> TimerHandle | None:
        return next_awaited(self._simulator.clock.pending())

    def _skip(self) -> None:
        clock = self._simulator.clock
        timer = self._next_awaited_timer()
        if timer is None:
            return
        # Logged first, so the events the timer causes follow the skip that caused them.
        self._simulator.events.emit(
            "clock.skipped", to=round(timer.due, 3), timer=json.dumps(timer.label)
        )
        clock.advance(max(0.0, timer.due - clock.now()))  # fires every timer on the way
