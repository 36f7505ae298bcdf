"""The eUICC panel: the card's profiles, the buttons a user has in Settings, and the network.

Enable, disable and delete run on the world's card thread; their outcome comes back on the GUI
thread and is shown in the status line. The panel decides nothing: it calls the world and the
network, then re-reads them (the app also calls :meth:`EuiccPanel.refresh` on events).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from esim.euicc.records import ProfileRecord
from esim.smdp.profile_package import DEFAULT_SIZE_BYTES
from simulator.device import SimulatedDevice
from simulator.esim_world import CardOutcome, EsimWorld
from simulator.modem import follow_the_card
from simulator.network import OUTCOMES, NetworkPlan, Registration, SimulatedNetwork
from simulator.ui.panels.tables import selection_table

COLUMNS = (
    "ICCID",
    "state",
    "nickname",
    "provider",
    "profile name",
    "class",
    "network",
    "registers as",
    "searching",
    "ISD-P AID",
)
_NETWORK, _OUTCOME, _SEARCHING = 6, 7, 8
MAX_SEARCHING_SECONDS = 24 * 3600.0

CardOperation = Callable[[str, Callable[[CardOutcome], None]], None]


def memory_text(free: int, capacity: int) -> str:
    """'214 KB free of 279 KB · room for 3 more profiles of 60 KB' (sizes in KiB)."""
    room = free // DEFAULT_SIZE_BYTES
    profiles = "profile" if room == 1 else "profiles"
    return (
        f"{free // 1024} KB free of {capacity // 1024} KB \u00b7 room for {room} more "
        f"{profiles} of {DEFAULT_SIZE_BYTES // 1024} KB"
    )


class EuiccPanel(QWidget):
    """The emulated eUICC of ``world``, the IMEI of ``device``, registration on ``network``."""

    def __init__(
        self,
        world: EsimWorld,
        network: SimulatedNetwork,
        device: SimulatedDevice,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._world = world
        self._network = network
        self._device = device
        self._iccids: list[str] = []
        self._profiles: dict[str, ProfileRecord] = {}
        self._plan_widgets: dict[str, tuple[QComboBox, QDoubleSpinBox]] = {}
        self._running: str | None = None  # the card operation waiting for its outcome

        self.eid = QLabel(self)
        self.eid.setObjectName("euicc-eid")
        self.imei = QLabel(self)
        self.imei.setObjectName("euicc-imei")
        for label in (self.eid, self.imei):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QFormLayout()
        header.addRow("EID", self.eid)
        header.addRow("IMEI", self.imei)
        self.memory = QLabel(self)
        self.memory.setObjectName("euicc-memory")
        self.memory.setToolTip(
            "Free non-volatile memory for profiles (EUICCInfo2 extCardResource); "
            "set the card's size with --euicc-capacity"
        )
        header.addRow("Memory", self.memory)

        self.table = selection_table("euicc-profiles", COLUMNS, self)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("No profiles on the card.", self)
        self.empty.setObjectName("euicc-empty")

        self.buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for name, text, slot in (
            ("enable", "Enable", self._enable),
            ("disable", "Disable", self._disable),
            ("delete", "Delete…", self._confirm_delete),
            ("rename", "Rename…", self._ask_nickname),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"euicc-{name}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        buttons.addStretch(1)
        self.card_busy = QCheckBox("Card busy", self)
        self.card_busy.setObjectName("euicc-card-busy")
        self.card_busy.setToolTip(
            "A running toolkit session: the card answers catBusy to enable and download"
        )
        self.card_busy.setChecked(world.card_busy)
        self.card_busy.toggled.connect(world.set_card_busy)
        buttons.addWidget(self.card_busy)

        self.status = QLabel(self)
        self.status.setObjectName("euicc-status")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.refresh()

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the identity, the card's profiles and each profile's registration."""
        self.eid.setText(self._world.eid)
        self.imei.setText(str(self._device.imei))
        self.memory.setText(memory_text(self._world.free_memory(), self._world.memory_limit_bytes))
        profiles = self._world.profiles()
        self._profiles = {profile.iccid: profile for profile in profiles}
        iccids = [profile.iccid for profile in profiles]
        if iccids != self._iccids:
            selected = self.selected_iccid()
            self._rebuild(iccids)
            if selected in iccids:
                self.table.selectRow(iccids.index(selected))
        for row, profile in enumerate(profiles):
            self._show_profile(row, profile)
        self.empty.setVisible(not profiles)
        self._update_buttons()

    def selected_iccid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self._iccids[rows[0].row()] if rows else None

    def _rebuild(self, iccids: list[str]) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(len(iccids))
        self._iccids = iccids
        self._plan_widgets = {}
        for row, iccid in enumerate(iccids):
            plan = self._network.plan_for(iccid)
            outcome = QComboBox(self.table)
            outcome.setObjectName(f"euicc-outcome-{iccid}")
            outcome.setToolTip("How this profile's next network registration ends")
            for state in OUTCOMES:
                outcome.addItem(state.value, state.value)
            outcome.setCurrentIndex(outcome.findData(plan.outcome.value))
            searching = QDoubleSpinBox(self.table)
            searching.setObjectName(f"euicc-searching-{iccid}")
            searching.setToolTip("Virtual seconds the modem searches before the outcome")
            searching.setRange(0.0, MAX_SEARCHING_SECONDS)
            searching.setDecimals(1)
            searching.setSuffix(" s")
            searching.setValue(plan.searching_seconds)
            outcome.currentIndexChanged.connect(lambda _=0, i=iccid: self._set_plan(i))
            searching.valueChanged.connect(lambda _=0.0, i=iccid: self._set_plan(i))
            self.table.setCellWidget(row, _OUTCOME, outcome)
            self.table.setCellWidget(row, _SEARCHING, searching)
            self._plan_widgets[iccid] = (outcome, searching)

    def _show_profile(self, row: int, profile: ProfileRecord) -> None:
        values = {
            0: profile.iccid,
            1: profile.state,
            2: profile.nickname or "",
            3: profile.service_provider,
            4: profile.profile_name,
            5: profile.profile_class,
            _NETWORK: self._network.state(profile.iccid).value,
            9: profile.aid,
        }
        for column, text in values.items():
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            if item.text() != text:
                item.setText(text)
                item.setToolTip(text)
            if column == 1:
                font = item.font()
                font.setBold(profile.enabled)
                item.setFont(font)

    def _update_buttons(self) -> None:
        iccid = self.selected_iccid()
        profile = None if iccid is None else self._profiles.get(iccid)
        idle = self._running is None
        self.buttons["enable"].setEnabled(idle and profile is not None and not profile.enabled)
        self.buttons["disable"].setEnabled(idle and profile is not None and profile.enabled)
        self.buttons["delete"].setEnabled(idle and profile is not None)
        self.buttons["rename"].setEnabled(idle and profile is not None)

    # -- the network -------------------------------------------------------------------------
    def _set_plan(self, iccid: str) -> None:
        outcome, searching = self._plan_widgets[iccid]
        plan = NetworkPlan(Registration(outcome.currentData()), searching.value())
        self._network.set_plan(iccid, plan)

    # -- card operations ---------------------------------------------------------------------
    def _enable(self) -> None:
        self._run("Enabling", self._world.enable)

    def _disable(self) -> None:
        self._run("Disabling", self._world.disable)

    def _run(self, verb: str, operation: CardOperation) -> None:
        iccid = self.selected_iccid()
        if iccid is None:
            return
        self._running = f"{verb} {iccid}"
        self.status.setText(f"{self._running}…")
        self._update_buttons()
        operation(iccid, self._then_modem(lambda outcome: self._finished(verb, iccid, outcome)))

    def _finished(self, verb: str, iccid: str, outcome: CardOutcome) -> None:
        if not shiboken6.isValid(self):  # the panel was closed while the card worked
            return
        self._running = None
        if outcome.ok:
            self.status.setText(f"{verb} {iccid}: done.")
        else:
            self.status.setText(f"{verb} {iccid} failed: {outcome.message}")
        self.refresh()

    def _confirm_delete(self) -> None:
        iccid = self.selected_iccid()
        if iccid is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete profile",
            f"Delete profile {iccid} from the eUICC? Its data is gone for good.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("euicc-delete-dialog")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: QAbstractButton) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self._run_delete(iccid)

        box.buttonClicked.connect(answered)
        box.open()

    def _run_delete(self, iccid: str) -> None:
        self._running = f"Deleting {iccid}"
        self.status.setText(f"{self._running}…")
        self._update_buttons()
        finished = self._then_modem(lambda outcome: self._finished("Deleting", iccid, outcome))
        self._world.delete(iccid, finished)

    def _then_modem(self, finished: Callable[[CardOutcome], None]) -> Callable[[CardOutcome], None]:
        """`finished`, after the modem has followed a changed card (even if the panel was
        closed meanwhile): an enabled profile registers, a disabled or deleted one leaves."""
        world, network = self._world, self._network

        def done(outcome: CardOutcome) -> None:
            if outcome.ok:
                follow_the_card(world.profiles(), network)
            finished(outcome)

        return done

    def _ask_nickname(self) -> None:
        iccid = self.selected_iccid()
        if iccid is None:
            return
        profile = self._profiles.get(iccid)
        dialog = QInputDialog(self)
        dialog.setObjectName("euicc-rename-dialog")
        dialog.setWindowTitle("Rename profile")
        dialog.setLabelText(f"Nickname of {iccid} (empty clears it):")
        dialog.setTextValue(profile.nickname or "" if profile is not None else "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda name: self._rename(iccid, name))
        dialog.open()

    def _rename(self, iccid: str, nickname: str) -> None:
        # One quick local SQLite write on the card's store (SetNickname, SGP.22 §5.7.21).
        if self._world.euicc.set_nickname(iccid, nickname.strip()):
            self.status.setText(f"Renamed {iccid}.")
        else:
            self.status.setText(f"Rename failed: {iccid} is no longer on the card.")
        self.refresh()
