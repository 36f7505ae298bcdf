"""The Operator panel: the stub SM-DP+'s orders, a form for new ones, each order's behaviour.

What an operator's back office would do by hand: create a download order (optionally bound to
this PC's EID, optionally with a confirmation code), copy its activation code, and make the
SM-DP+ misbehave for one order (not released yet, expired, failing at a step, slow). Every
change goes through :class:`EsimWorld` and its order store; the panel only shows and asks.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from esim.smdp import Order, OrderBehaviour, Step, StoreError
from simulator.esim_world import EsimWorld, with_behaviour
from simulator.ui.panels.tables import selection_table

COLUMNS = (
    "matching ID",
    "state",
    "behaviour",
    "plan",
    "EID-bound",
    "CC",
    "ICCID",
    "activation code",
)
DEFAULT_PLAN = "Contoso 5 GB"
MAX_RELEASE_MINUTES = 7 * 24 * 60
MAX_LATENCY_SECONDS = 600.0


def describe_behaviour(behaviour: OrderBehaviour, now: float) -> str:
    """One line for the orders table: only what differs from a plain order."""
    parts = []
    if not behaviour.is_released(now) and behaviour.release_at is not None:
        parts.append(f"released in {math.ceil((behaviour.release_at - now) / 60)} min")
    if behaviour.is_expired(now):
        parts.append("expired")
    if behaviour.confirmation_code_attempts != OrderBehaviour().confirmation_code_attempts:
        parts.append(f"{behaviour.confirmation_code_attempts} CC attempts")
    if behaviour.fail_at is not None:
        parts.append(f"fails at {behaviour.fail_at.value}")
    if behaviour.latency_seconds:
        parts.append(f"+{behaviour.latency_seconds:g} s latency")
    return ", ".join(parts) or "normal"


class OperatorPanel(QWidget):
    """The orders of ``world.orders``; new orders through ``world.create_order``."""

    def __init__(self, world: EsimWorld, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._world = world
        self._orders: list[Order] = []
        self._editing: str | None = None  # matching ID shown in the behaviour editor

        self.plan_name = QLineEdit(DEFAULT_PLAN, self)
        self.plan_name.setObjectName("operator-plan-name")
        self.bind_eid = QCheckBox("Bind to this PC's EID", self)
        self.bind_eid.setObjectName("operator-bind-eid")
        self.bind_eid.setToolTip(f"EID {world.eid}: any other eUICC is refused (8.1.1/3.8)")
        self.confirmation_code = QLineEdit(self)
        self.confirmation_code.setObjectName("operator-confirmation-code")
        self.confirmation_code.setPlaceholderText("none")
        self.create_button = QPushButton("Create order", self)
        self.create_button.setObjectName("operator-create")
        self.create_button.clicked.connect(self._create)
        new_order = QGroupBox("New order", self)
        grid = QGridLayout(new_order)
        grid.addWidget(QLabel("Plan", new_order), 0, 0)
        grid.addWidget(self.plan_name, 0, 1)
        grid.addWidget(self.bind_eid, 0, 2)
        grid.addWidget(QLabel("Confirmation code", new_order), 1, 0)
        grid.addWidget(self.confirmation_code, 1, 1)
        grid.addWidget(self.create_button, 1, 2)
        grid.setColumnStretch(1, 1)

        self.table = selection_table("operator-orders", COLUMNS, self)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.copy = QPushButton("Copy activation code", self)
        self.copy.setObjectName("operator-copy-code")
        self.copy.clicked.connect(self._copy_code)

        self.behaviour = QGroupBox("Behaviour of the selected order", self)
        self.release_minutes = QSpinBox(self.behaviour)
        self.release_minutes.setObjectName("operator-release-minutes")
        self.release_minutes.setRange(0, MAX_RELEASE_MINUTES)
        self.release_minutes.setSuffix(" virtual min")
        self.release_minutes.setSpecialValueText("released now")
        self.expired = QCheckBox("Expired", self.behaviour)
        self.expired.setObjectName("operator-expired")
        self.attempts = QSpinBox(self.behaviour)
        self.attempts.setObjectName("operator-cc-attempts")
        self.attempts.setRange(1, 99)
        self.fail_at = QComboBox(self.behaviour)
        self.fail_at.setObjectName("operator-fail-at")
        self.fail_at.addItem("none", None)
        for step in Step:
            self.fail_at.addItem(step.value, step.value)
        self.latency = QDoubleSpinBox(self.behaviour)
        self.latency.setObjectName("operator-latency")
        self.latency.setRange(0.0, MAX_LATENCY_SECONDS)
        self.latency.setDecimals(1)
        self.latency.setSuffix(" s")
        self.apply = QPushButton("Apply", self.behaviour)
        self.apply.setObjectName("operator-apply-behaviour")
        self.apply.clicked.connect(self._apply_behaviour)
        left, right = QFormLayout(), QFormLayout()
        left.addRow("Not released for", self.release_minutes)
        left.addRow("Confirmation code attempts", self.attempts)
        left.addRow("Extra latency", self.latency)
        right.addRow("", self.expired)
        right.addRow("Fail at", self.fail_at)
        right.addRow("", self.apply)
        columns = QHBoxLayout(self.behaviour)
        columns.addLayout(left)
        columns.addLayout(right)

        self.status = QLabel(self)
        self.status.setObjectName("operator-status")
        self.status.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(self.copy)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(new_order)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.behaviour)
        layout.addWidget(self.status)
        self.refresh()

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the orders (one quick local SQLite read); keeps the selected order."""
        selected = self.selected_order()
        self._orders = self._world.orders.orders()
        now = self._world.clock.now()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._orders))
        for row, order in enumerate(self._orders):
            values = (
                order.matching_id,
                str(order.state),
                describe_behaviour(order.behaviour, now),
                order.spec.profile_name,
                "yes" if order.eid else "",
                "required" if order.confirmation_code_required else "",
                order.iccid,
                order.activation_code,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.clearSelection()
        for row, order in enumerate(self._orders):
            if selected is not None and order.matching_id == selected.matching_id:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._selection_changed()

    def selected_order(self) -> Order | None:
        rows = self.table.selectionModel().selectedRows()
        return self._orders[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        order = self.selected_order()
        self.copy.setEnabled(order is not None)
        self.behaviour.setEnabled(order is not None)
        matching_id = None if order is None else order.matching_id
        if matching_id != self._editing:
            self._editing = matching_id
            self._load_behaviour(order)

    def _load_behaviour(self, order: Order | None) -> None:
        self.behaviour.setTitle(
            "Behaviour of the selected order"
            if order is None
            else f"Behaviour of {order.matching_id}"
        )
        behaviour = OrderBehaviour() if order is None else order.behaviour
        now = self._world.clock.now()
        wait = 0.0 if behaviour.release_at is None else behaviour.release_at - now
        self.release_minutes.setValue(max(0, math.ceil(wait / 60)))
        self.expired.setChecked(behaviour.expired)
        self.attempts.setValue(behaviour.confirmation_code_attempts)
        step = None if behaviour.fail_at is None else behaviour.fail_at.value
        self.fail_at.setCurrentIndex(max(0, self.fail_at.findData(step)))
        self.latency.setValue(behaviour.latency_seconds)

    # -- actions -----------------------------------------------------------------------------
    def _create(self) -> None:
        code = self.confirmation_code.text().strip()
        try:
            order = self._world.create_order(
                plan_name=self.plan_name.text().strip() or DEFAULT_PLAN,
                eid=self._world.eid if self.bind_eid.isChecked() else None,
                confirmation_code=code or None,
            )
        except (StoreError, ValueError) as error:
            self.status.setText(f"Order refused: {error}")
            return
        self.status.setText(f"Created order {order.matching_id} for ICCID {order.iccid}.")
        self.refresh()
        for row, listed in enumerate(self._orders):
            if listed.matching_id == order.matching_id:
                self.table.selectRow(row)

    def _apply_behaviour(self) -> None:
        order = self.selected_order()
        if order is None:
            return
        minutes = self.release_minutes.value()
        step = self.fail_at.currentData()
        behaviour = with_behaviour(
            order,
            release_at=self._world.clock.now() + minutes * 60 if minutes else None,
            expired=self.expired.isChecked(),
            confirmation_code_attempts=self.attempts.value(),
            fail_at=None if step is None else Step(step),
            latency_seconds=self.latency.value(),
        )
        try:
            self._world.orders.set_behaviour(order.matching_id, behaviour)
        except (StoreError, ValueError) as error:
            self.status.setText(f"Behaviour refused: {error}")
            return
        summary = describe_behaviour(behaviour, self._world.clock.now())
        self.status.setText(f"{order.matching_id}: {summary}.")
        self._editing = None  # show what the store now holds
        self.refresh()

    def _copy_code(self) -> None:
        order = self.selected_order()
        if order is None:
            return
        QGuiApplication.clipboard().setText(order.activation_code)
        self.status.setText(f"Copied {order.activation_code}")
