"""The Operator panel: the stub SM-DP+'s orders, a form for new ones, each order's behaviour,
and the behaviour of the next order the bundled portal places.

What an operator's back office would do by hand: create a download order (optionally bound to
this PC's EID, optionally with a confirmation code), copy its activation code, make the
SM-DP+ misbehave for one order (not released yet, expired, failing at a step, slow), release a
failed or used order again, and arm the next portal order with a misbehaviour before a demo.
Every change goes through :class:`EsimWorld` and its order store; the panel only shows and asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from esim.smdp import Order, OrderBehaviour, StoreError
from simulator.esim_world import EsimWorld
from simulator.portal.sample_backend.next_order import NextOrderPlan, NextOrderSlot
from simulator.ui.panels.order_behaviour import (
    MAX_LATENCY_SECONDS,
    MAX_RELEASE_MINUTES,
    BehaviourForm,
    describe_behaviour,
)
from simulator.ui.panels.tables import selection_table

__all__ = [
    "COLUMNS",
    "MAX_LATENCY_SECONDS",
    "MAX_RELEASE_MINUTES",
    "OperatorPanel",
    "describe_behaviour",
]

COLUMNS = (
    "matching ID",
    "state",
    "activation code",
    "behaviour",
    "plan",
    "EID-bound",
    "CC",
    "ICCID",
)
ACTIVATION_CODE_COLUMN = 2
ACTIVATION_CODE_WIDTH = 170  # elided in the table; the tooltip and Copy give it whole
DEFAULT_PLAN = "Contoso 5 GB"


def default_plan_name(operator_name: str) -> str:
    """The sample plan's name, or one named after another operator."""
    return DEFAULT_PLAN if operator_name == "Contoso Mobile" else f"{operator_name} 5 GB"


class OperatorPanel(QWidget):
    """The orders of ``world.orders``; new orders through ``world.create_order``; the plan
    for the sample backend's next order in ``next_order`` (None: no bundled portal)."""

    def __init__(
        self,
        world: EsimWorld,
        next_order: NextOrderSlot | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._world = world
        self._next_order = next_order
        self._orders: list[Order] = []
        self._editing: str | None = None  # matching ID shown in the behaviour editor

        self._default_plan = default_plan_name(world.operator_name)
        self.plan_name = QLineEdit(self._default_plan, self)
        self.plan_name.setObjectName("operator-plan-name")
        self.bind_eid = QCheckBox("Bind to this PC's EID", self)
        self.bind_eid.setObjectName("operator-bind-eid")
        self.bind_eid.setToolTip(f"EID {world.eid}: any other eUICC is refused (8.1.1/3.8)")
        self.confirmation_code = QLineEdit(self)
        self.confirmation_code.setObjectName("operator-confirmation-code")
        self.confirmation_code.setPlaceholderText("none")
        self.create_button = QPushButton("Create order", self)
        self.create_button.setObjectName("operator-create")
        self.create_button.clicked.connect(lambda: self._create())
        self.create_from_file = QPushButton("Serve a profile package…", self)
        self.create_from_file.setObjectName("operator-create-from-package")
        self.create_from_file.setToolTip(
            "An order for a real SAIP unprotected profile package (.der, e.g. GSMA TS.48); "
            "its ICCID and name come from the package"
        )
        self.create_from_file.clicked.connect(self._choose_package)
        new_order = QGroupBox("New order", self)
        grid = QGridLayout(new_order)
        grid.addWidget(QLabel("Plan", new_order), 0, 0)
        grid.addWidget(self.plan_name, 0, 1)
        grid.addWidget(QLabel("Confirmation code", new_order), 1, 0)
        grid.addWidget(self.confirmation_code, 1, 1)
        grid.addWidget(self.bind_eid, 2, 0)
        grid.addWidget(self.create_button, 2, 1)
        grid.addWidget(self.create_from_file, 3, 1)
        grid.setColumnStretch(1, 1)

        self.table = selection_table("operator-orders", COLUMNS, self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ACTIVATION_CODE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ACTIVATION_CODE_COLUMN, ACTIVATION_CODE_WIDTH)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.copy = QPushButton("Copy activation code", self)
        self.copy.setObjectName("operator-copy-code")
        self.copy.clicked.connect(self._copy_code)
        self.release_again = QPushButton("Release again", self)
        self.release_again.setObjectName("operator-release-again")
        self.release_again.setToolTip(
            "Make the selected order downloadable again (after a failure or a download)"
        )
        self.release_again.clicked.connect(lambda: self._release(reset=False))
        self.reset = QPushButton("Reset", self)
        self.reset.setObjectName("operator-reset")
        self.reset.setToolTip("Release the selected order again as a plain order")
        self.reset.clicked.connect(lambda: self._release(reset=True))

        # Two editors of one kind, in tabs to leave the orders table its height.
        self.behaviour_tabs = QTabWidget(self)
        self.behaviour_tabs.setObjectName("operator-behaviour-tabs")
        self.behaviour = QWidget(self.behaviour_tabs)
        self.behaviour_form = BehaviourForm("operator", self.behaviour)
        self.apply = QPushButton("Apply to the selected order", self.behaviour)
        self.apply.setObjectName("operator-apply-behaviour")
        self.apply.clicked.connect(self._apply_behaviour)
        behaviour_layout = QVBoxLayout(self.behaviour)
        behaviour_layout.addWidget(self.behaviour_form)
        behaviour_layout.addWidget(self.apply, alignment=Qt.AlignmentFlag.AlignLeft)
        behaviour_layout.addStretch(1)
        # The names the panel had before the form was shared.
        self.release_minutes = self.behaviour_form.release_minutes
        self.expired = self.behaviour_form.expired
        self.attempts = self.behaviour_form.attempts
        self.fail_at = self.behaviour_form.fail_at
        self.latency = self.behaviour_form.latency

        self.next_group = self._next_order_group()
        self.behaviour_tabs.addTab(self.next_group, "Next portal order")
        self.behaviour_tabs.addTab(self.behaviour, "Selected order")

        self.status = QLabel(self)
        self.status.setObjectName("operator-status")
        self.status.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(self.copy)
        actions.addWidget(self.release_again)
        actions.addWidget(self.reset)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(new_order)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.behaviour_tabs)
        self.table.setMinimumHeight(120)
        self.refresh()

    def _next_order_group(self) -> QWidget:
        group = QWidget(self)
        group.setObjectName("operator-next-order")
        self.next_form = BehaviourForm("next", group)
        self.next_eid_mismatch = QCheckBox("Bound to another eUICC", group)
        self.next_eid_mismatch.setToolTip("The SM-DP+ refuses this PC's eUICC: EID mismatch")
        self.next_eid_mismatch.setObjectName("next-eid-mismatch")
        self.next_confirmation_code = QLineEdit(group)
        self.next_confirmation_code.setObjectName("next-confirmation-code")
        self.next_confirmation_code.setPlaceholderText("none")
        self.next_form.form.insertRow(0, "", self.next_eid_mismatch)
        self.next_form.form.insertRow(1, "Confirmation code", self.next_confirmation_code)
        self.next_summary = QLabel(group)
        self.next_summary.setObjectName("next-summary")
        self.next_summary.setWordWrap(True)
        self.next_arm = QPushButton("Use for the next order", group)
        self.next_arm.setObjectName("next-arm")
        self.next_arm.clicked.connect(self._arm_next)
        self.next_clear = QPushButton("Clear", group)
        self.next_clear.setObjectName("next-clear")
        self.next_clear.clicked.connect(self._clear_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.next_arm)
        buttons.addWidget(self.next_clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(group)
        layout.addWidget(self.next_form)
        layout.addLayout(buttons)
        layout.addWidget(self.next_summary)
        if self._next_order is None:
            group.setEnabled(False)
            self.next_summary.setText("Only the bundled sample portal places orders itself.")
        else:
            self._show_next()
        return group

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
                order.activation_code,
                describe_behaviour(order.behaviour, now),
                order.spec.profile_name,
                "yes" if order.eid else "",
                "required" if order.confirmation_code_required else "",
                order.iccid,
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
        if self._next_order is not None:
            self._show_next()

    def selected_order(self) -> Order | None:
        rows = self.table.selectionModel().selectedRows()
        return self._orders[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        order = self.selected_order()
        for widget in (self.copy, self.release_again, self.reset, self.behaviour):
            widget.setEnabled(order is not None)
        matching_id = None if order is None else order.matching_id
        if matching_id != self._editing:
            self._editing = matching_id
            if order is not None:
                self.behaviour_tabs.setTabText(1, f"Order {order.matching_id[:12]}")
            else:
                self.behaviour_tabs.setTabText(1, "Selected order")
            self.behaviour_form.load(
                OrderBehaviour() if order is None else order.behaviour, self._world.clock.now()
            )

    # -- actions -----------------------------------------------------------------------------
    def _choose_package(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Serve a profile package", "", "SAIP profile packages (*.der);;All files (*)"
        )
        if path:
            self.create_from_package(Path(path))

    def create_from_package(self, path: Path) -> None:
        """An order for the SAIP package at `path` (the file dialog's choice; tests call it)."""
        self._create(profile=path)

    def _create(self, profile: Path | None = None) -> None:
        code = self.confirmation_code.text().strip()
        try:
            order = self._world.create_order(
                plan_name=self.plan_name.text().strip() or self._default_plan,
                eid=self._world.eid if self.bind_eid.isChecked() else None,
                confirmation_code=code or None,
                profile=profile,
            )
        except (StoreError, ValueError, OSError) as error:
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
        behaviour = self.behaviour_form.behaviour(order.behaviour, self._world.clock.now())
        try:
            self._world.orders.set_behaviour(order.matching_id, behaviour)
        except (StoreError, ValueError) as error:
            self.status.setText(f"Behaviour refused: {error}")
            return
        summary = describe_behaviour(behaviour, self._world.clock.now())
        self.status.setText(f"{order.matching_id}: {summary}.")
        self._editing = None  # show what the store now holds
        self.refresh()

    def _release(self, *, reset: bool) -> None:
        order = self.selected_order()
        if order is None:
            return
        try:
            released = self._world.release_again(order.matching_id, reset=reset)
        except StoreError as error:
            self.status.setText(f"Not released: {error.message}.")
            return
        done = "reset and released" if reset else "released again"
        note = ""
        if released.iccid in self._world.iccids():
            note = f" Its profile {released.iccid} is still on the card: delete it first."
        self.status.setText(f"{released.matching_id} {done}.{note}")
        self._editing = None
        self.refresh()

    def _copy_code(self) -> None:
        order = self.selected_order()
        if order is None:
            return
        QGuiApplication.clipboard().setText(order.activation_code)
        self.status.setText(f"Copied {order.activation_code}")

    # -- the next portal order -----------------------------------------------------------------
    def next_plan(self) -> NextOrderPlan:
        """The plan the next-order form describes (release relative to when it is placed)."""
        behaviour = self.next_form.behaviour(OrderBehaviour(), None)
        code = self.next_confirmation_code.text().strip()
        return NextOrderPlan(
            behaviour=behaviour,
            release_after_minutes=self.next_form.release_minutes.value(),
            eid_mismatch=self.next_eid_mismatch.isChecked(),
            confirmation_code=code or None,
        )

    def _arm_next(self) -> None:
        if self._next_order is None:
            return
        try:
            plan = self.next_plan()
        except ValueError as error:
            self.next_summary.setText(f"Not set: {error}.")
            return
        self._next_order.set(plan)
        self._show_next()

    def _clear_next(self) -> None:
        if self._next_order is None:
            return
        self._next_order.set(None)
        self._show_next()

    def _show_next(self) -> None:
        assert self._next_order is not None
        plan = self._next_order.peek()
        self.next_summary.setText(
            "The next order is a plain one."
            if plan is None
            else f"The next order the portal places: {plan.describe()}."
        )
