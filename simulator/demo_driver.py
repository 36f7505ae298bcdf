"""Plays a `Demo` against a running simulator: order, portal script, clock, toast answers."""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QTimer

from esim.smdp import OrderBehaviour, Step
from simulator.app import Simulator
from simulator.demos import Demo
from simulator.events import Event

_BUSY_STATES = {"downloading", "enabling", "retrying", "started", "installed"}


class DemoDriver(QObject):
    """Waits for the portal to load, runs the demo's script, then skips the clock from timer
    to timer whenever no download is under way, so hours of virtual time pass in moments."""

    def __init__(self, simulator: Simulator, demo: Demo) -> None:
        super().__init__(simulator)
        self._simulator = simulator
        self._demo = demo
        self._started = False
        self._stopped = False
        self._stepper = QTimer(self)
        self._stepper.setInterval(20)
        self._stepper.timeout.connect(self._step)
        simulator.events.subscribe(self._observe)

    def _observe(self, event: Event) -> None:
        if event.kind == "app.exit":
            self._stopped = True
            self._stepper.stop()
        elif event.kind == "portal.loaded" and not self._started:
            self._started = True
            QTimer.singleShot(0, self, self._run_script)
        elif event.kind == "ui.toast" and event.fields.get("actions") and self._demo.toast_action:
            toast = str(event.fields["toast"])
            action = self._demo.toast_action
            QTimer.singleShot(0, self, lambda: self._answer(toast, action))

    def _answer(self, toast: str, action: str) -> None:
        if not self._stopped:
            self._simulator.flows.toast_answered(toast, action)

    def _order_code(self) -> str:
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

    def _step(self) -> None:
        if self._stopped:
            return
        flows = self._simulator.flows.flows.values()
        if any(flow.state in _BUSY_STATES for flow in flows):
            return
        clock = self._simulator.clock
        if clock.held:
            return  # a callback is on its way into the portal: it comes first
        pending = clock.pending()
        if pending and clock.scale == 0:
            # Logged first, so the events the timer causes follow the skip that caused them.
            self._simulator.events.emit(
                "clock.skipped", to=round(pending[0].due, 3), timer=json.dumps(pending[0].label)
            )
            clock.advance_to_next()
