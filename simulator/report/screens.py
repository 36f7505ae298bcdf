"""Screenshots of the app window at each change of app screen (`ui.screen`), for reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.events import Event


@dataclass(frozen=True)
class Screenshot:
    """One PNG of the window, taken just after event `seq` changed the screen to `screen`."""

    seq: int
    t: float
    screen: str
    text: str
    png: bytes


class ScreenCollector:
    """Subscribes to a simulator's events and grabs the window when the app screen changes.

    App screens (pop-up, error, balance…) are grabbed at once: the window has already switched
    when the event arrives. The portal screen is grabbed a moment later, once the page has had
    time to paint; if another screen replaces it first, that portal picture is skipped rather
    than mislabelled. `flush()` takes a pending grab now (the end of a run).
    """

    def __init__(self, simulator: Simulator, portal_delay_ms: int = 400) -> None:
        from PySide6.QtCore import QTimer

        self._simulator = simulator
        self._last_screen: str | None = None
        self._pending: Event | None = None
        self.screenshots: list[Screenshot] = []
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(portal_delay_ms)
        self._timer.timeout.connect(self.flush)
        simulator.events.subscribe(self._observe)

    def _observe(self, event: Event) -> None:
        if event.kind != "ui.screen":
            return
        screen = str(event.fields.get("screen", ""))
        if screen == self._last_screen:
            return
        self._last_screen = screen
        self._pending = None
        self._timer.stop()
        if screen == "portal":
            self._pending = event
            self._timer.start()
        else:
            self._grab(event)

    def flush(self) -> None:
        """Grab the window now for a portal screen still waiting to be captured."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._grab(pending)

    def _grab(self, event: Event) -> None:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self._simulator.window.grab().save(buffer, "PNG")
        buffer.close()
        self.screenshots.append(
            Screenshot(
                event.seq,
                event.t,
                str(event.fields.get("screen", "")),
                str(event.fields.get("text", "")),
                bytes(data.data()),
            )
        )

    def close(self) -> None:
        self._timer.stop()
        self._simulator.events.unsubscribe(self._observe)
