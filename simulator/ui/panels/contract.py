"""The Contract panel: each violation with its call, rule, message and a link to the rule.

Violations are grouped by portal launch (a header row per launch); a call is numbered by its
`bridge.call` event, so numbers stay unique across launches. Clicking a row shows the rule's
entry from docs/rules.md and the call's event; clicking the call asks the Timeline to show
that event (`eventRequested`). Clear empties the panel; Export writes the violations shown as
JSON Lines.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from simulator.contract.violations import RULES_PAGE, rule_link
from simulator.events import Event
from simulator.report.rules_page import rule_entry
from simulator.ui.panels.contract_model import (
    CALL,
    COLUMNS,
    LINK,
    MESSAGE,
    ContractRow,
    ContractTableModel,
)
from simulator.ui.panels.timeline import write_json_lines
from simulator.ui.panels.timeline_batch import RowBatch

__all__ = ["CALL", "LINK", "ContractPanel"]

#: The kinds of event the panel keeps (`add` drops the others).
OBSERVED_KINDS = frozenset({"portal.launch", "bridge.call", "contract.violation"})


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class ContractPanel(QWidget):
    #: The `seq` of the `bridge.call` event a row's call is, when the user asks to see it.
    eventRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("No contract violations.", self)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Remove the violations shown so far")
        self.clear_button.clicked.connect(self.clear)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save the violations shown as JSON Lines")
        self.export_button.clicked.connect(self._ask_export)
        self.model = ContractTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._index_clicked)
        self.rule_view = QTextBrowser(self)
        self.rule_view.setOpenLinks(False)
        self.rule_view.anchorClicked.connect(self._open_source)
        self.rule_view.setPlaceholderText(
            f"Click a violation to read its rule ({RULES_PAGE}) and see its call"
        )
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self._launches = 0
        self._calls: dict[object, Event] = {}  # the launch's call number -> its bridge.call
        # The events of OBSERVED_KINDS not yet shown (`add` puts them here).
        self.pending: RowBatch[Event] = RowBatch(self._append, self)
        tools = QHBoxLayout()
        tools.addWidget(self.summary, 1)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.rule_view)
        splitter.setSizes([300, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(tools)
        layout.addWidget(splitter)

    def add(self, event: Event) -> None:
        """Observe an event: launches start a group, calls are remembered, violations shown."""
        if event.kind not in OBSERVED_KINDS:
            return
        # Batched like the Timeline: a noisy portal must not slow the bridge down.
        self.pending.add(event)

    def _append_pending(self) -> None:
        self.pending.flush_now()

    def _append(self, pending: list[Event]) -> None:
        rows: list[ContractRow] = []
        for event in sorted(pending, key=lambda e: e.seq):
            if event.kind == "portal.launch":
                self._launches += 1
                self._calls.clear()  # call numbers start again in each document
                rows.append(ContractRow.launch(self._launches, event))
            elif event.kind == "bridge.call":
                self._calls[event.fields.get("seq")] = event
            else:
                rows.append(self._violation_row(event))
        if not rows:
            return
        first = self.model.rowCount()
        self.model.extend(rows)
        for offset, row in enumerate(rows):
            if row.violation is None:  # a launch's header spans the table
                self.table.setSpan(first + offset, 0, 1, len(COLUMNS))
        self.table.scrollToBottom()
        self._update_summary()

    def _update_summary(self) -> None:
        if not any(self.counts.values()):
            self.summary.setText("No contract violations.")
            return
        self.summary.setText(
            ", ".join(
                (
                    _plural(self.counts["error"], "error", "errors"),
                    _plural(self.counts["warning"], "warning", "warnings"),
                    _plural(self.counts["info"], "note", "notes"),
                )
            )
        )

    def _violation_row(self, event: Event) -> ContractRow:
        fields = event.fields
        severity = str(fields.get("severity", ""))
        call = self._calls.get(fields.get("call_seq")) if fields.get("call_seq") else None
        self.counts[severity] = self.counts.get(severity, 0) + 1
        return ContractRow.of(event, call)

    def _index_clicked(self, index: QModelIndex) -> None:
        self._clicked(index.row(), index.column())

    def _clicked(self, row: int, column: int) -> None:
        rows = self.model.rows
        violation = rows[row].violation if 0 <= row < len(rows) else None
        if violation is None:
            return
        call = rows[row].call
        spec = str(violation.fields.get("spec") or "") or None
        self.show_rule(str(violation.fields.get("rule", "")), call, spec)
        if column == CALL and call is not None:
            self.eventRequested.emit(call.seq)

    def show_rule(self, rule: str, call: Event | None = None, spec: str | None = None) -> None:
        """Show the rule's entry (from its own page when the violation names one), then the call."""
        entry = rule_entry(rule)
        if entry is None:
            missing = f"This rule has no entry in {RULES_PAGE}."
            entry = f"### `{rule}`\n\n" + (f"Read about it in `{spec}`." if spec else missing)
        text = f"{entry}\n\nFull page: `{spec or rule_link(rule)}`\n"
        if call is not None:
            text += (
                f"\n### The call (event #{call.seq})\n\n```json\n"
                + json.dumps(dict(call), indent=2, ensure_ascii=False)
                + "\n```\n"
            )
        self.rule_view.setMarkdown(text)

    @staticmethod
    def _open_source(url: QUrl) -> None:
        # the Microsoft page a rule comes from, in the user's browser; nothing else is opened
        if url.scheme() == "https":
            QDesktopServices.openUrl(url)

    def violations(self) -> list[Event]:
        """The violations shown, in order."""
        self._append_pending()
        return [row.violation for row in self.model.rows if row.violation is not None]

    def clear(self) -> None:
        """Empty the panel (the event log keeps everything)."""
        self.pending.discard()
        self.table.clearSpans()
        self.model.clear()
        self.counts = dict.fromkeys(self.counts, 0)
        self.rule_view.clear()
        self._update_summary()

    def export(self, path: Path) -> Path:
        """Write the violations shown as JSON Lines."""
        return write_json_lines(self.violations(), path)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the contract violations", "violations.jsonl", "JSON Lines (*.jsonl)"
        )
        if name:
            self.export(Path(name))
