"""The Timeline: every event in `seq` order, filterable; a click shows its JSON. Clear empties
it, Export writes what it holds as JSON Lines (the same lines as `--events`)."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from simulator.events import Event
from simulator.ui.panels.timeline_batch import RowBatch

_COLUMNS = ("#", "t (s)", "kind", "summary")
_SUMMARY_KEYS = (
    "method",
    "rule",
    "state",
    "screen",
    "url",
    "function",
    "property",
    "stage",
    "iccid",
    "text",
    "actions",
    "action",
    "message",
)
# Always shown when present: what went wrong, or that something did not happen.
_PROBLEM_KEYS = ("delivered", "reason", "error", "activation_error")
_NOISY = frozenset({"doc", "headers", "params", "args", "origin", "call_seq", "seq"})
AnyIndex = QModelIndex | QPersistentModelIndex
# A view asks data() for about ten roles per cell on every paint; these two are all we answer.
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED = frozenset({int(Qt.ItemDataRole.DisplayRole), _TOOLTIP})
# Summaries of the rows a view paints are kept; older ones are recomputed if scrolled back to.
SUMMARIES_KEPT = 2048


def _short(value: object, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize(event: Event) -> str:
    """One line for any kind: its telling fields, what went wrong, never empty."""
    fields = event.fields
    parts = [f"{key}={_short(fields[key])}" for key in _SUMMARY_KEYS if key in fields]
    if "object" in fields and "method" in fields:
        parts.insert(0, f"{fields['object']}.{fields['method']}")
    if fields.get("delivered") is False:
        parts.append("NOT delivered")
    parts += [
        f"{key}={_short(fields[key])}"
        for key in _PROBLEM_KEYS
        if key != "delivered" and fields.get(key) not in (None, "")
    ]
    if not parts:  # a kind the list above does not know: its first few fields
        parts = [
            f"{key}={_short(value, 60)}"
            for key, value in fields.items()
            if key not in _NOISY and value not in (None, "", [], {})
        ][:4]
    return "  ".join(parts) or "(no fields)"


class EventTableModel(QAbstractTableModel):
    """Events in `seq` order, whatever order they arrive in (a listener that emits makes later
    listeners see the nested event first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._events: list[Event] = []
        self._seqs: list[int] = []
        self._summaries: dict[int, str] = {}  # seq -> summary, bounded by SUMMARIES_KEPT

    def extend(self, events: list[Event]) -> None:
        ordered = sorted(events, key=lambda e: e.seq)
        if not ordered:
            return
        if not self._seqs or ordered[0].seq > self._seqs[-1]:
            # the usual case: all newer than what is shown, one insertion for the batch
            first = len(self._events)
            self.beginInsertRows(QModelIndex(), first, first + len(ordered) - 1)
            self._events.extend(ordered)
            self._seqs.extend(e.seq for e in ordered)
            self.endInsertRows()
            return
        for event in ordered:
            row = bisect.bisect_right(self._seqs, event.seq)
            self.beginInsertRows(QModelIndex(), row, row)
            self._events.insert(row, event)
            self._seqs.insert(row, event.seq)
            self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._events.clear()
        self._seqs.clear()
        self._summaries.clear()
        self.endResetModel()

    def summary(self, event: Event) -> str:
        """`summarize(event)`, remembered for the rows painted lately: a view repaints every
        visible row on each batch, and an event never changes."""
        text = self._summaries.get(event.seq)
        if text is None:
            if len(self._summaries) >= SUMMARIES_KEPT:
                self._summaries.clear()
            text = self._summaries[event.seq] = summarize(event)
        return text

    def events(self) -> list[Event]:
        return list(self._events)

    def event_at(self, row: int) -> Event:
        return self._events[row]

    def row_of(self, seq: int) -> int | None:
        row = bisect.bisect_left(self._seqs, seq)
        return row if row < len(self._seqs) and self._seqs[row] == seq else None

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
        if role not in _ANSWERED or not index.isValid():
            return None
        event = self._events[index.row()]
        column = index.column()
        if role == _TOOLTIP or column == 3:
            return self.summary(event)
        if column == 0:
            return event.seq
        if column == 1:
            return f"{event.t:.3f}"
        return event.kind


def write_json_lines(events: list[Event], path: Path) -> Path:
    """The events as JSON Lines, one event a line, as the event log writes them."""
    path.write_text("".join(event.to_json() + "\n" for event in events), encoding="utf-8")
    return path


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
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Remove the events shown so far (the event log keeps them)")
        self.clear_button.clicked.connect(self.clear)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save the events shown as JSON Lines")
        self.export_button.clicked.connect(self._ask_export)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        # Fixed widths: resizing to contents re-measures every row on every event.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((48, 70, 140)):
            self.table.setColumnWidth(column, width)
        # Events arrive in bursts (a portal may call thousands of times); rows are added in
        # batches so the GUI thread stays free for the bridge.
        self.pending: RowBatch[Event] = RowBatch(self._append, self)
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Click an event to see its JSON")
        self.table.clicked.connect(self._show)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([300, 120])
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(tools)
        layout.addWidget(splitter)

    def add(self, event: Event) -> None:
        self.pending.add(event)

    def _append_pending(self) -> None:
        self.pending.flush_now()

    def _append(self, events: list[Event]) -> None:
        self.model.extend(events)
        self.table.scrollToBottom()

    def clear(self) -> None:
        """Forget the events shown so far (and any not yet shown)."""
        self.pending.discard()
        self.model.clear()
        self.detail.clear()

    def export(self, path: Path) -> Path:
        """Write every event the Timeline holds, in `seq` order, as JSON Lines."""
        self._append_pending()
        return write_json_lines(self.model.events(), path)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the Timeline", "timeline.jsonl", "JSON Lines (*.jsonl)"
        )
        if name:
            self.export(Path(name))

    def show_event(self, seq: int) -> bool:
        """Select event `seq` and show its JSON (clearing a filter that hides it)."""
        self._append_pending()
        row = self.model.row_of(seq)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        self._show(index)
        return True

    def _show(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        event = self.model.event_at(source.row())
        self.detail.setPlainText(json.dumps(dict(event), indent=2, ensure_ascii=False))
