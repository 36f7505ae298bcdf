"""The Clock panel: virtual time, its scale, the pending timers, and buttons that move time on."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from simulator.clock import VirtualClock

REFRESH_MS = 250
SCALES: tuple[tuple[str, float], ...] = (
    ("Real time (×1)", 1.0),
    ("×60 (a minute per second)", 60.0),
    ("×3600 (an hour per second)", 3600.0),
    ("Stepped (0: only buttons move time)", 0.0),
)
STEPS: tuple[tuple[str, str, float], ...] = (
    ("clock-plus-1min", "+1 min", 60.0),
    ("clock-plus-15min", "+15 min", 15 * 60.0),
    ("clock-plus-1h", "+1 h", 3600.0),
)
_TIMER_COLUMNS = ("timer", "due (t)", "due in")


def format_duration(seconds: float) -> str:
    """``h:mm:ss``, with whole days in front when there are any: ``2 d 3:04:05``."""
    whole = max(0, int(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days} d {clock}" if days else clock


def describe_scale(scale: float) -> str:
    return "stepped" if scale == 0 else f"×{scale:g}"


class ClockPanel(QWidget):
    """Shows and steers a :class:`VirtualClock`; decides nothing about the flows it drives.

    Refreshes every :data:`REFRESH_MS` and whenever the clock reports a change (timers or
    scale); the clock may report from any thread, so that report is queued to this one.
    """

    _clockChanged = Signal()

    def __init__(self, clock: VirtualClock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock

        self.now_label = QLabel(self)
        self.now_label.setObjectName("clock-now")
        font = self.now_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.now_label.setFont(font)
        self.now_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.seconds_label = QLabel(self)
        self.seconds_label.setObjectName("clock-seconds")

        self.scale = QComboBox(self)
        self.scale.setObjectName("clock-scale")
        self.scale.setToolTip("How fast virtual time runs against real time")
        for text, value in SCALES:
            self.scale.addItem(text, value)
        self._show_scale(clock.scale)
        self.scale.activated.connect(self._scale_chosen)

        self.skip = QPushButton("Skip to next timer", self)
        self.skip.setObjectName("clock-skip")
        self.skip.setToolTip("Jump to the next pending timer and fire it")
        self.skip.clicked.connect(self._skip)
        steps = QHBoxLayout()
        steps.addWidget(self.skip)
        self.step_buttons: dict[str, QPushButton] = {}
        for name, text, seconds in STEPS:
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setToolTip(f"Advance virtual time by {format_duration(seconds)}")
            button.clicked.connect(lambda _=False, s=seconds: self._advance(s))
            steps.addWidget(button)
            self.step_buttons[name] = button

        self.timers = QTableWidget(0, len(_TIMER_COLUMNS), self)
        self.timers.setObjectName("clock-timers")
        self.timers.setHorizontalHeaderLabels(_TIMER_COLUMNS)
        self.timers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timers.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.timers.verticalHeader().setVisible(False)
        header = self.timers.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.timers_label = QLabel(self)
        self.timers_label.setObjectName("clock-timers-summary")

        scale_row = QHBoxLayout()
        scale_row.addWidget(QLabel("Time scale", self))
        scale_row.addWidget(self.scale, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.now_label)
        layout.addWidget(self.seconds_label)
        layout.addLayout(scale_row)
        layout.addLayout(steps)
        layout.addWidget(self.timers_label)
        layout.addWidget(self.timers, 1)

        # Queued: a clock listener may run on another thread, or inside the clock's own loop.
        self._clockChanged.connect(self.refresh, Qt.ConnectionType.QueuedConnection)
        clock.subscribe(self._on_clock_changed)
        self._timer = QTimer(self)
        self._timer.setObjectName("clock-refresh")
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the time, the scale and the pending timers."""
        now = self._clock.now()
        scale = self._clock.scale
        self.now_label.setText(format_duration(now))
        self.seconds_label.setText(f"t = {now:,.1f} s virtual · {describe_scale(scale)}")
        self._show_scale(scale)
        pending = self._clock.pending()
        self.skip.setEnabled(bool(pending))
        self.timers_label.setText(
            f"{len(pending)} pending timer{'s' if len(pending) != 1 else ''}"
            if pending
            else "No pending timers"
        )
        self.timers.setRowCount(len(pending))
        for row, handle in enumerate(pending):
            wait = max(0.0, handle.due - now)
            due_in = format_duration(wait)
            if scale > 0:
                real = wait / scale
                shown = f"{real:.1f} s" if real < 60 else format_duration(real)
                due_in += f" (≈ {shown} real)"
            self._set_cell(row, 0, handle.label)
            self._set_cell(row, 1, f"{handle.due:,.1f}")
            self._set_cell(row, 2, due_in)

    def _set_cell(self, row: int, column: int, text: str) -> None:
        item = self.timers.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.timers.setItem(row, column, item)
        if item.text() != text:
            item.setText(text)
            item.setToolTip(text)

    def _show_scale(self, scale: float) -> None:
        scale = float(scale)  # the menu's data are floats; a clock may hold an int
        index = self.scale.findData(scale)
        if index < 0:  # a --time-scale the menu does not list
            self.scale.addItem(f"×{scale:g} (from the command line)", scale)
            index = self.scale.count() - 1
        if index != self.scale.currentIndex():
            self.scale.setCurrentIndex(index)

    def _scale_chosen(self, index: int) -> None:
        self._clock.set_scale(float(self.scale.itemData(index)))
        self.refresh()

    def _skip(self) -> None:
        self._clock.advance_to_next()
        self.refresh()

    def _advance(self, seconds: float) -> None:
        self._clock.advance(seconds)
        self.refresh()

    def _on_clock_changed(self) -> None:
        # The clock keeps its listeners for ever; a closed panel must ignore them.
        if shiboken6.isValid(self):
            self._clockChanged.emit()
