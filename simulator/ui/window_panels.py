"""The main window's Timeline and Contract panels, built shortly after the portal's first load.

Building them, and importing their modules (their models, the rules page behind the Contract
panel), takes the GUI thread for 30-45 ms that the portal's first load does not need. Their
docks exist from the start, holding a placeholder with the panel's size hints, so the window
is laid out (and its saved layout restored) once, as it will stay. Until the panels exist the
window keeps the events it observed and hands them over, in order, when they are built: a
panel shows every event from the start however late it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDockWidget, QWidget

from simulator.events import Event

if TYPE_CHECKING:
    from simulator.ui.panels.contract import ContractPanel
    from simulator.ui.panels.timeline import TimelinePanel

# Built (with the app's pages) once the portal's first load has finished, either way, and its
# bridge calls and downloads have left this quiet moment, so the page's own work right after
# its load comes first; at the latest this long after the load; this long after the window was
# made when no load finishes first (a run that shows the operator catalog first, a dead portal).
BUILT_AFTER_QUIET_MS = 100
BUILT_AFTER_LOAD_AT_LATEST_MS = 2000
PANELS_AT_LATEST_MS = 1500
# The panels' minimum and preferred sizes with Qt's default style and fonts (a test holds them
# equal): the minimums set the window's own (the Timeline's width, the Contract's height).
PLACEHOLDER_SIZES = {
    "timeline": (QSize(208, 180), QSize(305, 420)),
    "contract": (QSize(316, 180), QSize(316, 420)),
}


class PanelPlaceholder(QWidget):
    """Holds a dock's place until its panel is built, with that panel's size hints."""

    def __init__(self, minimum: QSize, preferred: QSize) -> None:
        super().__init__()
        self._minimum = minimum
        self._preferred = preferred

    def minimumSizeHint(self) -> QSize:
        return self._minimum

    def sizeHint(self) -> QSize:
        return self._preferred


class SidePanels:
    """The Timeline and Contract panels, once built (`WindowPanels.built`)."""

    def __init__(self, parent: QWidget) -> None:
        from simulator.ui.panels.contract import OBSERVED_KINDS, ContractPanel
        from simulator.ui.panels.timeline import TimelinePanel

        self.timeline: TimelinePanel = TimelinePanel(parent)
        self.contract: ContractPanel = ContractPanel(parent)
        self.contract.eventRequested.connect(self.timeline.show_event)
        # Each batch's list and timer start, held here: `observe` does what the batches' `add`
        # does without calling it (the lists are never replaced, see RowBatch.items).
        self._timeline_rows = self.timeline.pending.items
        self._arm_timeline = self.timeline.pending.arm
        self._contract_rows = self.contract.pending.items
        self._arm_contract = self.contract.pending.arm
        self._contract_kinds = OBSERVED_KINDS

    def observe(self, event: Event) -> None:
        """`timeline.add(event)` and `contract.add(event)`, in one function: every event comes
        here on the GUI thread (a bridge call makes two to four), where each Python function
        on the way costs microseconds when its code is cold in the CPU's caches."""
        rows = self._timeline_rows
        rows.append(event)
        if len(rows) == 1:  # the first since the last batch arms the timer
            self._arm_timeline()
        if event.kind in self._contract_kinds:  # violations, and the launches and calls behind
            rows = self._contract_rows
            rows.append(event)
            if len(rows) == 1:
                self._arm_contract()


class WindowPanels:
    """Builds the window's Timeline and Contract panels once, at the first `built` (or
    `build`); meanwhile their docks hold placeholders and the observed events are kept."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self._docks: dict[str, QDockWidget] = {}
        self._early: list[Event] | None = []  # None once built
        self._panels: SidePanels | None = None
        # What `observe` calls: keeps the events until the panels exist, then is theirs (the
        # window calls it for every event: one function less on the way than a method would be).
        self.observe: Callable[[Event], None] = self._keep_early

    @staticmethod
    def placeholder(name: str) -> QWidget:
        """What `name`'s dock (timeline, contract) holds until its panel exists."""
        return PanelPlaceholder(*PLACEHOLDER_SIZES[name])

    def attach(self, name: str, dock: QDockWidget) -> None:
        """The dock that receives `name`'s panel when it is built."""
        self._docks[name] = dock

    @property
    def is_built(self) -> bool:
        return self._panels is not None

    def _keep_early(self, event: Event) -> None:
        if self._early is not None:
            self._early.append(event)

    def build(self) -> None:
        """Build the panels now, if not yet, and give them what the window has seen."""
        self.built()

    def built(self) -> SidePanels:
        """The panels, built now if need be."""
        if self._panels is None:
            panels = SidePanels(self._parent)
            for name, panel in (("timeline", panels.timeline), ("contract", panels.contract)):
                dock = self._docks[name]
                placeholder = dock.widget()
                dock.setWidget(panel)
                if placeholder is not None:
                    placeholder.deleteLater()
            self._panels = panels
            early, self._early = self._early or [], None
            for event in early:
                panels.observe(event)
            self.observe = panels.observe
        return self._panels
