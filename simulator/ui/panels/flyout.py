"""The "MO service" panel: the network flyout as GetBalance shapes it, the operator's SMS that
triggers a notification, the end of device setup (the app-triggered promotion), and the sample
operator's balance for the active profile. Widgets only: every decision is in
:mod:`simulator.operator_api.experience`; the panel shows the events it emits.

Each control a person uses is said first, as a ``ui.control`` event naming the control (its
object name) and the values it was used with, so a recording replays the click at the same
point (:mod:`simulator.replay`); ``press`` is that replay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from simulator.events import Event
from simulator.operator_api.config import BalanceType, NotificationType
from simulator.operator_api.experience import (
    CONNECT_WITH_A_DATA_PLAN,
    VIEW_MY_ACCOUNT,
    MobilePlansService,
)
from simulator.operator_api.iccid_ranges import IccidRange, IccidRangeError
from simulator.operator_api.sample_operator import SampleBalance, SampleOperator
from simulator.ui.style import plain_label

__all__ = ["FlyoutPanel"]


class FlyoutPanel(QWidget):
    connectRequested = Signal()  # "Connect with a data plan": the Mobile Plans app, Gateway page
    viewAccountRequested = Signal()  # "View my account": the operator's portal [ours]
    rangesChanged = Signal(object)  # tuple[IccidRange, ...]

    def __init__(
        self,
        service: MobilePlansService,
        sample: SampleOperator | None,
        active_iccid: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.sample = sample
        self.active_iccid = active_iccid
        layout = QVBoxLayout(self)

        configuration = QGroupBox("Service configuration", self)
        config_form = QFormLayout(configuration)
        self.ranges = QLineEdit(
            ", ".join(str(r) for r in service.world.config.iccid_ranges), configuration
        )
        self.ranges.setObjectName("iccid-ranges")
        self.ranges.setToolTip("START-END or PREFIX, comma-separated: the profiles `iccids` lists")
        self.ranges.editingFinished.connect(self._ranges_edited)
        self.ranges_error = plain_label("", configuration)  # typed or answered text, never HTML
        self.ranges_error.setObjectName("iccid-ranges-error")
        self.ranges_error.setWordWrap(True)
        config_form.addRow("ICCID ranges", self.ranges)
        config_form.addRow(self.ranges_error)
        layout.addWidget(configuration)

        flyout = QGroupBox("Network flyout", self)
        flyout_layout = QVBoxLayout(flyout)
        self.open_button = QPushButton("Open the network flyout", flyout)
        self.open_button.setObjectName("flyout-open")
        self.open_button.clicked.connect(self._open_flyout)
        self.balance = plain_label("", flyout)
        self.balance.setObjectName("flyout-balance")
        self.view_account = QPushButton(VIEW_MY_ACCOUNT, flyout)
        self.view_account.setObjectName("flyout-view-my-account")
        self.view_account.clicked.connect(self._view_account)
        self.connect_plan = QPushButton(CONNECT_WITH_A_DATA_PLAN, flyout)
        self.connect_plan.setObjectName("flyout-connect-with-a-data-plan")
        self.connect_plan.clicked.connect(self._connect_plan)
        self.note = plain_label("", flyout)
        self.note.setObjectName("flyout-note")
        self.note.setWordWrap(True)
        for widget in (
            self.open_button, self.balance, self.view_account, self.connect_plan, self.note
        ):  # fmt: skip
            flyout_layout.addWidget(widget)
        self.show_entries((), "", "")
        layout.addWidget(flyout)

        sms = QGroupBox("Operator SMS", self)
        sms_form = QFormLayout(sms)
        self.sms_type = QComboBox(sms)
        self.sms_type.setObjectName("sms-type")
        self.sms_type.addItems([t.value for t in NotificationType])
        send = QPushButton("Send SMS", sms)
        send.setObjectName("sms-send")
        send.clicked.connect(self._send_sms)
        sms_form.addRow("Type", self.sms_type)
        sms_form.addRow(send)
        self.setup_button = QPushButton("Finish device setup (promotion)", sms)
        self.setup_button.setObjectName("setup-completed")
        self.setup_button.clicked.connect(self._setup_completed)
        sms_form.addRow(self.setup_button)
        # what became of the last press when nothing else shows it (no toast, no call)
        self.sms_outcome = plain_label("", sms)
        self.sms_outcome.setObjectName("sms-outcome")
        self.sms_outcome.setWordWrap(True)
        sms_form.addRow(self.sms_outcome)
        layout.addWidget(sms)

        if sample is not None:
            balance = QGroupBox("Sample operator: balance of the active profile", self)
            form = QFormLayout(balance)
            self.balance_type = QComboBox(balance)
            self.balance_type.setObjectName("sample-balance-type")
            self.balance_type.addItems([t.value for t in BalanceType])
            self.balance_type.setCurrentText(sample.default_balance.type.value)
            self.balance_mb = QDoubleSpinBox(balance)
            self.balance_mb.setRange(0, 10_000_000)
            self.balance_mb.setValue(sample.default_balance.data_remaining_mb)
            self.balance_time = QLineEdit(sample.default_balance.time_remaining, balance)
            self.balance_time.setObjectName("sample-balance-time")
            apply = QPushButton("Apply", balance)
            apply.setObjectName("sample-balance-apply")
            apply.clicked.connect(self._apply_balance)
            form.addRow("type", self.balance_type)
            form.addRow("dataRemainingInMB", self.balance_mb)
            form.addRow("timeRemaining", self.balance_time)
            form.addRow(apply)
            layout.addWidget(balance)
        layout.addStretch(1)

    # -- the controls: each said first (ui.control), then taken ---------------------------------
    def _said(self, control: str, **values: Any) -> None:
        self.service.events.emit("ui.control", control=control, **values)

    def _open_flyout(self) -> None:
        self._said("flyout-open")
        self.service.open_flyout()

    def _view_account(self) -> None:
        self._said("flyout-view-my-account")
        self.viewAccountRequested.emit()

    def _connect_plan(self) -> None:
        self._said("flyout-connect-with-a-data-plan")
        self.connectRequested.emit()

    def _setup_completed(self) -> None:
        self._said("setup-completed")
        withheld = self.service.promotion_withheld()
        self.service.setup_completed()
        self.sms_outcome.setText(f"No promotion: {withheld}." if withheld else "")

    def _ranges_edited(self) -> None:
        self._said("iccid-ranges", text=self.ranges.text())
        self._apply_ranges()

    def press(self, control: str, values: Mapping[str, Any]) -> None:
        """Use ``control`` with ``values`` as a person did (a recording's ``control`` step);
        ValueError for a control or value this panel does not have."""
        if control == "sms-send":
            kind = NotificationType.parse(str(values["notification_type"]))
            self.sms_type.setCurrentText(kind.value)
            self._send_sms()
        elif control == "sample-balance-apply":
            if self.sample is None:
                raise ValueError("the sample operator's balance: this run calls another operator")
            self.balance_type.setCurrentText(BalanceType(str(values["balance_type"])).value)
            self.balance_mb.setValue(float(values["data_remaining_mb"]))
            self.balance_time.setText(str(values["time_remaining"]))
            self._apply_balance()
        elif control == "iccid-ranges":
            self.ranges.setText(str(values["text"]))
            self._ranges_edited()
        else:
            taken = {
                "flyout-open": self._open_flyout,
                "flyout-view-my-account": self._view_account,
                "flyout-connect-with-a-data-plan": self._connect_plan,
                "setup-completed": self._setup_completed,
            }.get(control)
            if taken is None:
                raise ValueError(f"the MO service panel has no control {control!r}")
            taken()

    def _apply_ranges(self) -> None:
        try:
            ranges = tuple(
                IccidRange.parse(part) for part in self.ranges.text().split(",") if part.strip()
            )
        except IccidRangeError as error:
            self.ranges_error.setText(f"{error.rule}: {error.message}")
            return
        if not ranges:
            self.ranges_error.setText("iccid-range.empty: at least one range")
            return
        self.ranges_error.setText("")
        self.rangesChanged.emit(ranges)

    def _send_sms(self) -> None:
        kind = NotificationType(self.sms_type.currentText())
        self._said("sms-send", notification_type=kind.value)
        problem = self.service.sms_problem()
        self.service.receive_sms(kind)
        self.sms_outcome.setText(f"SMS ignored: {problem}." if problem else "")

    def _apply_balance(self) -> None:
        if self.sample is None:
            return
        chosen = SampleBalance(
            BalanceType(self.balance_type.currentText()),
            self.balance_mb.value(),
            self.balance_time.text().strip() or "PT0S",
        )
        self._said(
            "sample-balance-apply",
            balance_type=chosen.type.value,
            data_remaining_mb=chosen.data_remaining_mb,
            time_remaining=chosen.time_remaining,
        )
        iccid = self.active_iccid()
        if iccid is None:
            self.sample.default_balance = chosen
        else:
            self.sample.balances[iccid] = chosen

    def show_entries(self, entries: tuple[str, ...], balance: str, note: str) -> None:
        self.view_account.setVisible(VIEW_MY_ACCOUNT in entries)
        self.connect_plan.setVisible(CONNECT_WITH_A_DATA_PLAN in entries)
        self.balance.setVisible(bool(balance))
        self.balance.setText(balance)
        self.note.setText(note)

    def observe(self, event: Event) -> None:
        if event.kind != "flyout.shown":
            return
        note = ""
        if event.fields.get("mobile_plans_disabled"):
            note = "NOTSUPPORTED: the Mobile Plans app shows a generic error for this SIM."
        self.show_entries(
            tuple(event.fields.get("entries", ())), str(event.fields.get("balance", "")), note
        )
