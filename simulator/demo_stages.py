"""What `mobileplans-sim demo` prints: one line per stage, then PASS or FAIL. Pure (no Qt).

A stage is one thing the demo does (open the portal, run the portal's script, skip the clock,
answer a toast); its line says what happened because of it, in the words a presenter uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.events import Event

LINE_LIMIT = 220
DEMO_HEADLESS_TIMEOUT = 120.0  # real seconds; a demo takes a few


def stays_open_at_end(command: str, headless: bool, exit_at_end: bool) -> bool:
    """A windowed demo leaves its last screen up for the presenter until the window closes."""
    return command == "demo" and not headless and not exit_at_end


def effective_timeout(command: str, headless: bool, timeout: float | None) -> float | None:
    """A headless demo that never reaches its last event fails after a while instead of hanging."""
    if timeout is None and command == "demo" and headless:
        return DEMO_HEADLESS_TIMEOUT
    return timeout


def duration_text(seconds: float) -> str:
    """Virtual time as a person reads it: "8 s", "30 min", "1 h 8 s", "0.25 s"."""
    whole = round(seconds)
    if abs(seconds - whole) > 1e-6:
        return f"{seconds:.3g} s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts) or "0 s"


def describe(event: Event) -> str | None:
    """A few words for the events a presenter cares about; None for the rest."""
    fields = event.fields
    if event.kind == "flow.state":
        state = str(fields.get("state"))
        return None if state == "started" else state
    if event.kind == "portal.callback":
        if fields.get("delivered") is not True:
            return f"{fields.get('property')} not delivered"
        try:
            argument = json.loads(str(fields.get("argument")))
        except ValueError:
            argument = {}
        value = argument.get("activationResult") or argument.get("networkRegistrationState")
        return f"portal heard {value}" if value else "portal called back"
    if event.kind == "ui.screen" and fields.get("screen") not in ("portal", "progress-popup"):
        return f"{fields.get('screen')} screen"
    if event.kind == "ui.toast":
        return f"toast \u201c{fields.get('text')}\u201d"
    if event.kind == "lpa.error":
        return f"error {fields.get('activation_error')}"
    if event.kind == "portal.loaded":
        return "portal loaded"
    if event.kind == "contract.violation" and fields.get("severity") == "error":
        return f"contract violation {fields.get('rule')}"
    return None


@dataclass
class Stage:
    number: int
    caption: str
    happened: list[str] = field(default_factory=list)

    def line(self, now: float) -> str:
        summary = ", ".join(self.happened) or "nothing happened"
        text = f"  {self.number}. {self.caption} (t={duration_text(now)}): {summary}"
        return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1] + "\u2026"


class StageLog:
    """Numbers the stages, collects what each caused, and writes one line as each ends."""

    def __init__(self, flow_name: str, write: Callable[[str], None]) -> None:
        self.flow_name = flow_name
        self._write = write
        self.current: Stage | None = None
        self.count = 0
        self.verdict: str | None = None

    def say(self, text: str) -> None:
        self._write(text)

    def begin(self, caption: str, now: float) -> Stage:
        self.end(now)
        self.count += 1
        self.current = Stage(self.count, caption)
        return self.current

    def end(self, now: float) -> None:
        if self.current is not None:
            self._write(self.current.line(now))
            self.current = None

    def observe(self, event: Event) -> None:
        if self.current is None or self.verdict is not None:
            return
        words = describe(event)
        if words and (not self.current.happened or self.current.happened[-1] != words):
            self.current.happened.append(words)

    def finish(self, passed: bool, detail: str, now: float) -> str:
        """Write the last stage's line and the verdict (once); returns the verdict line."""
        if self.verdict is None:
            self.end(now)
            self.verdict = f"{'PASS' if passed else 'FAIL'} {self.flow_name}: {detail}"
            self._write(self.verdict)
        return self.verdict
