"""Screenshots of the app window at each change of app screen (`ui.screen`), for reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from simulator.app import Simulator
    from simulator.events import Event


# What `ScreenCollector._observe` acts on: a change of app screen, and the portal's page loaded.
SCREEN_KINDS = frozenset({"ui.screen", "portal.loaded"})


@dataclass(frozen=True)
class Screenshot:
    """One PNG of the window, taken just after event `seq` changed the screen to `screen`."""

    seq: int
    t: float
    screen: str
    text: str
    png: bytes


def looks_blank(image: QImage, size: int = 64) -> bool:
    """True when the image is one colour all over: a web view that has not painted its page
    yet. The image is first scaled down smoothly, so even a thin line of text changes some of
    the pixels compared."""
    from PySide6.QtCore import Qt

    if image.isNull() or image.width() == 0 or image.height() == 0:
        return True
    small = image.scaled(
        size,
        size,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    first = small.pixel(0, 0)
    return all(small.pixel(x, y) == first for y in range(size) for x in range(size))


class ScreenCollector:
    """Subscribes to a simulator's events and grabs the window when the app screen changes.

    App screens (pop-up, error, balance…) are Qt widgets, grabbed at once. The portal screen
    is grabbed once its page has loaded and painted: `portal_delay_ms` after `portal.loaded`
    (or after `load_wait_ms` if the page never finishes loading), and then every
    `retry_ms` until the web view is no longer one blank colour (at most `attempts` tries; the
    last try is kept, blank or not). If another screen replaces the portal first, that portal
    picture is skipped rather than mislabelled. `flush()` takes a pending grab now (the end of
    a run).
    """

    def __init__(
        self,
        simulator: Simulator,
        portal_delay_ms: int = 400,
        retry_ms: int = 150,
        attempts: int = 10,
        load_wait_ms: int = 5000,
    ) -> None:
        from PySide6.QtCore import QTimer

        self._simulator = simulator
        self._last_screen: str | None = None
        self._pending: Event | None = None
        self._tries = 0
        self._attempts = attempts
        self._retry_ms = retry_ms
        self._portal_delay_ms = portal_delay_ms
        self._load_wait_ms = load_wait_ms
        self.screenshots: list[Screenshot] = []
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._try_portal)
        simulator.events.subscribe(self._observe, kinds=SCREEN_KINDS)

    def _observe(self, event: Event) -> None:
        if event.kind == "portal.loaded" and self._pending is not None and self._tries == 0:
            # the page is loaded: give its scripts a moment to fill it in, then grab
            self._timer.start(self._portal_delay_ms)
            return
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
            self._tries = 0
            # normally restarted by portal.loaded; this bounds the wait for a page that never
            # finishes loading
            self._timer.start(self._load_wait_ms)
        else:
            self._grab(event)

    def _try_portal(self) -> None:
        if self._pending is None:
            return
        self._tries += 1
        view = getattr(self._simulator.window, "view", None)
        if view is not None and self._tries < self._attempts and looks_blank(view.grab().toImage()):
            self._timer.start(self._retry_ms)
            return
        self.flush()

    def flush(self) -> None:
        """Grab the window now for a portal screen still waiting to be captured."""
        self._timer.stop()
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
