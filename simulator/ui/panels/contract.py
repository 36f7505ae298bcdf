"""The Contract panel: each violation with its rule, message and spec section."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from simulator.events import Event

_COLUMNS = ("severity", "rule", "message", "spec", "call")
_COLOURS = {"error": QColor("#b3261e"), "warning": QColor("#8a5300"), "info": QColor("#3b5b8c")}


class ContractPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("No contract violations.", self)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self._pending: list[Event] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(100)
        self._flush.timeout.connect(self._append_pending)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)

    def add(self, event: Event) -> None:
        # Batched like the Timeline: a noisy portal must not slow the bridge down.
        self._pending.append(event)
        if not self._flush.isActive():
            self._flush.start()

    def _append_pending(self) -> None:
        pending, self._pending = self._pending, []
        self.table.setUpdatesEnabled(False)
        for event in pending:
            self._append(event)
        self.table.setUpdatesEnabled(True)
        self.table.scrollToBottom()
        self.summary.setText(
            f"{self.counts['error']} errors, {self.counts['warning']} warnings, "
            f"{self.counts['info']} notes"
        )

    def _append(self, event: Event) -> None:
        fields = event.fields
        severity = str(fields.get("severity", ""))
        row = self.table.rowCount()
        self.table.insertRow(row)
        call = (
            f"{fields.get('object', '')}.{fields.get('method', '')} #{fields.get('call_seq', '')}"
        )
        values = (severity, fields.get("rule"), fields.get("message"), fields.get("spec"), call)
        for column, value in enumerate(values):
            item = QTableWidgetItem(str(value or ""))
            item.setToolTip(str(value or ""))
            if column == 0 and severity in _COLOURS:
                item.setForeground(_COLOURS[severity])
            self.table.setItem(row, column, item)
        self.counts[severity] = self.counts.get(severity, 0) + 1
