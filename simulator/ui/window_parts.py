"""The main window's parts that are not the window: the portal's frame, a dock's scroll area,
the `Furnished` attribute behind the window's second step, and the LPA message as a page shows it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QScrollArea, QWidget

from simulator.events import Event
from simulator.flows.screens import Screen
from simulator.ui.layout import PORTAL_FRAME, SIDE_DOCK_WIDTH

if TYPE_CHECKING:
    from PySide6.QtWebEngineWidgets import QWebEngineView

_BRACKETED_REFERENCES = re.compile(r"\s*\[[^\]]*\]\s*$")
# "(SGP.22 §6.5.2 …)", "(ITU-T E.118)", "(… notes.md …)": where a rule comes from, not what failed
_NOTE_REFERENCES = re.compile(
    r"\s*\((?:[^()]*\.md\b|(?:SGP|ITU|ISO|RFC|GlobalPlatform|X\.\d)[^()]*?\d)"
    r"(?:[^()]|\([^()]*\))*\)"
)

# Events that change nothing on screen until the window is furnished (the panels that show them
# are furnished later and get them then); any other kind furnishes the window at once.
_SHELL_QUIET_KINDS = frozenset(
    {
        "app.started",
        "portal.launch",
        "portal.loaded",
        "walled_garden.state",
        "bridge.ready",
        "bridge.call",
        "bridge.rejected",
        "contract.command",
        "contract.violation",
        "clock.advanced",
    }
)
T = TypeVar("T")


def plain_detail(message: str) -> str:
    """An LPA message without its trailing references to the project's notes: the page
    shows what failed; the Timeline keeps the whole message."""
    return _NOTE_REFERENCES.sub("", _BRACKETED_REFERENCES.sub("", message)).strip()


class PanelScroller(QScrollArea):
    """A dock's scroll area: it scrolls only when the dock is narrower than its panel needs."""

    def sizeHint(self) -> QSize:
        return QSize(SIDE_DOCK_WIDTH, 400)


class PortalFrame(QWidget):
    """The web view at exactly the portal's frame, with the banner and popup floating over it."""

    def __init__(self, view: QWebEngineView, parent: QWidget) -> None:
        super().__init__(parent)
        # Fixed, so never resized: the view keeps the geometry set here (no resizeEvent
        # override, which would cost PySide's QEvent.Type enum on the first show).
        self.setFixedSize(PORTAL_FRAME)
        view.setParent(self)
        view.setGeometry(0, 0, PORTAL_FRAME.width(), PORTAL_FRAME.height())
        self.view = view


class Furnished(Generic[T]):
    """A part of the window made when it is furnished: reading it furnishes the window first
    (a no-op once done), so code and tests use `window.banner` whenever they like."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_furnished_{name}"

    def __get__(self, window: Any, owner: type | None = None) -> T:
        if window is None:
            return cast(T, self)
        window.furnish()
        try:
            return cast(T, window.__dict__[self._slot])
        except KeyError:  # read while furnishing, before it was made
            raise AttributeError(self._slot.removeprefix("_furnished_")) from None

    def __set__(self, window: Any, value: T) -> None:
        window.__dict__[self._slot] = value


def shell_shows_it_already(event: Event) -> bool:
    """Whether the window's shell shows what `event` asks for (nothing, or the portal without a
    banner): if not, the window is furnished at once."""
    if event.kind in _SHELL_QUIET_KINDS:
        return True
    fields = event.fields
    return (
        event.kind == "ui.screen"
        and fields.get("screen") == Screen.PORTAL.value
        and not fields.get("text")
    )
