"""Helpers shared by the end-to-end tests (imported by conftest and by tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from simulator.app import Simulator
from simulator.events import Event


@dataclass
class Harness:
    """A launched simulator and the few verbs the e2e tests need."""

    simulator: Simulator
    qtbot: QtBot

    def js(self, code: str, timeout: int = 5000) -> Any:
        """Run `code` in the page's main world and return its (JSON-able) value."""
        box: list[Any] = []
        self.simulator.page.runJavaScript(
            f"JSON.stringify((function () {{ return ({code}); }})())", 0, box.append
        )
        self.qtbot.waitUntil(lambda: bool(box), timeout=timeout)
        text = box[0]
        return None if text in (None, "") else json.loads(text)

    def wait_for(self, kind: str, timeout: int = 10000, after: int = 0, **fields: str) -> Event:
        found: list[Event] = []

        def check() -> bool:
            found[:] = [
                e
                for e in self.simulator.events
                if e.seq > after and e.matches(kind, {k: str(v) for k, v in fields.items()})
            ]
            return bool(found)

        self.qtbot.waitUntil(check, timeout=timeout)
        return found[0]

    def events(self, kind: str) -> list[Event]:
        return self.simulator.events.of_kind(kind)

    def load(self, url: str) -> None:
        before = len(self.simulator.events)
        self.simulator.page.load(QUrl(url))
        self.wait_for("portal.loaded", after=before)

    def launch_and_wait(self) -> None:
        before = len(self.simulator.events)
        self.simulator.launch()
        self.wait_for("portal.loaded", after=before)
        self.wait_for("bridge.ready", after=before)
