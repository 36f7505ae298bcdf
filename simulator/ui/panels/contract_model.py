"""The Contract panel's rows as a Qt model: a batch of violations is one list extension and one
row insertion; text, colours and tool tips are computed only for the rows a view paints."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from simulator.contract.violations import rule_link
from simulator.events import Event

COLUMNS = ("call", "severity", "rule", "message", "read about it")
CALL, SEVERITY, RULE, MESSAGE, LINK = range(len(COLUMNS))
_COLOURS = {"error": QColor("#b3261e"), "warning": QColor("#8a5300"), "info": QColor("#3b5b8c")}
_LINK_COLOUR = QColor("#1f4e8c")

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(slots=True, eq=False)
class ContractRow:
    """A launch's header row (``violation`` is None) or one violation and the call it was.

    Its cells are worded when a view first asks for them (the rows it paints): a portal's burst
    adds hundreds of rows at a time on the GUI thread, where bridge calls wait meanwhile.
    """

    header: str | None = None
    violation: Event | None = None
    call: Event | None = None
    _cells: tuple[str, ...] | None = field(default=None, repr=False)

    @classmethod
    def launch(cls, number: int, event: Event) -> ContractRow:
        return cls(f"Launch {number} · {event.fields.get('url', '')}")

    @classmethod
    def of(cls, violation: Event, call: Event | None) -> ContractRow:
        return cls(None, violation, call)

    @property
    def cells(self) -> tuple[str, ...]:
        """The row's texts: the header alone, or call, severity, rule, message and link."""
        if self._cells is None:
            self._cells = self._worded()
        return self._cells

    def _worded(self) -> tuple[str, ...]:
        violation, call = self.violation, self.call
        if violation is None:
            return (self.header or "",)
        fields = violation.fields
        rule = str(fields.get("rule", ""))
        name = f"{fields.get('object', '')}.{fields.get('method', '')}"
        where = f"{name} (event #{call.seq})" if call is not None else name
        values = (where, fields.get("severity"), rule, fields.get("message"))
        # Operator-API and walled-garden rules live on their own pages and name them in "spec".
        link = str(fields.get("spec") or "") or (rule_link(rule) if rule else "")
        return (*(str(value or "") for value in values), link)

    @property
    def severity(self) -> str:
        return self.cells[SEVERITY] if self.violation is not None else ""


class ContractTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ContractRow] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._underlined = QFont()
        self._underlined.setUnderline(True)

    def extend(self, rows: list[ContractRow]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        text = row.cells[column] if column < len(row.cells) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if row.violation is None:
            return self._bold if role == Qt.ItemDataRole.FontRole and column == 0 else None
        linked = column == LINK or (column == CALL and row.call is not None)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == SEVERITY:
                return _COLOURS.get(row.severity)
            return _LINK_COLOUR if linked else None
        if role == Qt.ItemDataRole.FontRole and linked:
            return self._underlined
        return None
