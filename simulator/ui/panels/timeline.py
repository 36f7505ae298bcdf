"""The Timeline: every event, filterable; a click shows its JSON."""

from __future__ import annotations

import json

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from simulator.events import Event

_COLUMNS = ("#", "t (s)", "kind", "summary")
_SUMMARY_KEYS = (
    "method",
    "rule",
    "state",
    "screen",
    "url",
    "function",
    "stage",
    "iccid",
    "message",
)
AnyIndex = QModelIndex | QPersistentModelIndex


def summarize(event: Event) -> str:
    parts = []
    for key in _SUMMARY_KEYS:
        if key in event.fields:
            value = event.fields[key]
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            parts.append(f"{key}={text[:120]}")
    if "object" in event.fields and "method" in event.fields:
        parts.insert(0, f"{event.fields['object']}.{event.fields['method']}")
    return "  ".join(parts)


class EventTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._events: list[Event] = []

    def extend(self, events: list[Event]) -> None:
        if not events:
            return
        first = len(self._events)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self._events.extend(events)
        self.endInsertRows()

    def event_at(self, row: int) -> Event:
        return self._events[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        event = self._events[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return summarize(event)
        if column == 0:
            return event.seq
        if column == 1:
            return f"{event.t:.3f}"
        if column == 2:
            return event.kind
        return summarize(event)


class TimelinePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EventTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter events (kind, method, rule, …)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Fixed widths: resizing to contents re-measures every row on every event.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((48, 70, 140)):
            self.table.setColumnWidth(column, width)
        # Events arrive in bursts (a portal may call thousands of times); rows are added in
        # batches so the GUI thread stays free for the bridge.
        self._pending: list[Event] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(100)
        self._flush.timeout.connect(self._append_pending)
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Click an event to see its JSON")
        self.table.clicked.connect(self._show)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([300, 120])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(splitter)

    def add(self, event: Event) -> None:
        self._pending.append(event)
        if not self._flush.isActive():
            self._flush.start()

    def _append_pending(self) -> None:
        pending, self._pending = self._pending, []
        self.model.extend(pending)
        self.table.scrollToBottom()

    def _show(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        event = self.model.event_at(source.row())
        self.detail.setPlainText(json.dumps(json.loads(event.to_json()), indent=2))
