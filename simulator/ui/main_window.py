"""The main window: the portal in the middle, the app's screens around it, panels docked."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStackedWidget, QToolBar, QWidget

from simulator.bridge.page import PortalPage
from simulator.device import SimulatedDevice
from simulator.events import Event
from simulator.flows import screens
from simulator.flows.screens import Screen
from simulator.ui.leave_dialog import LeaveDialog
from simulator.ui.panels.contract import ContractPanel
from simulator.ui.panels.device import DevicePanel
from simulator.ui.panels.timeline import TimelinePanel
from simulator.ui.screens import LoadFailedPage, MessagePage, ProviderPage

PORTAL_FRAME = QSize(800, 600)  # the documented default frame (mobile-plans.md §4.12)


class MainWindow(QMainWindow):
    backRequested = Signal()
    continueRequested = Signal()
    retryRequested = Signal()
    leaveAnswered = Signal(bool)
    closing = Signal()

    def __init__(self, page: PortalPage, device: SimulatedDevice, operator_name: str) -> None:
        super().__init__()
        self.setWindowTitle("Mobile Plans Simulator")
        self.view = QWebEngineView(self)
        self.view.setPage(page)
        self.view.setMinimumSize(QSize(480, 360))
        self.provider_page = ProviderPage(operator_name, self)
        self.provider_page.continueClicked.connect(self.continueRequested)
        self.plan_page = MessagePage("Plan active", "", self)
        self.load_failed_page = LoadFailedPage(self)
        self.load_failed_page.retryClicked.connect(self.retryRequested)
        self.message_page = MessagePage("", "", self)
        self.stack = QStackedWidget(self)
        for widget in (
            self.provider_page,
            self.view,
            self.plan_page,
            self.load_failed_page,
            self.message_page,
        ):
            self.stack.addWidget(widget)
        self.setCentralWidget(self.stack)

        toolbar = QToolBar("Navigation", self)
        toolbar.setObjectName("navigation")
        toolbar.setMovable(False)
        self.back_action = QAction("\u2190 Back", self)
        self.back_action.setToolTip("Back, as the app's title-bar back button (§2.5)")
        self.back_action.triggered.connect(self.backRequested)
        toolbar.addAction(self.back_action)
        self.addToolBar(toolbar)

        self.timeline = TimelinePanel(self)
        self.contract = ContractPanel(self)
        self.device_panel = DevicePanel(device, self)
        self._dock("Timeline", self.timeline, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Contract", self.contract, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("Device", self.device_panel, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.leave_dialog = LeaveDialog(self)
        self.leave_dialog.finished.connect(
            lambda result: self.leaveAnswered.emit(result == LeaveDialog.DialogCode.Accepted)
        )
        self.resize(800 + 280 + 380, 600 + 220 + 60)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    # The window only observes events (DESIGN.md §2).
    def observe(self, event: Event) -> None:
        self.timeline.add(event)
        if event.kind == "contract.violation":
            self.contract.add(event)
        elif event.kind == "ui.screen":
            self._show_screen(
                Screen(str(event.fields["screen"])), str(event.fields.get("text", ""))
            )
        elif event.kind in ("euicc.profile", "portal.launch"):
            self.device_panel.refresh()

    def _show_screen(self, screen: Screen, text: str) -> None:
        if screen is Screen.LEAVE_DIALOG:
            self.leave_dialog.open()
            return
        if self.leave_dialog.isVisible():
            self.leave_dialog.done(LeaveDialog.DialogCode.Rejected)
        if screen is Screen.PORTAL:
            self.stack.setCurrentWidget(self.view)
        elif screen is Screen.PROVIDER:
            self.stack.setCurrentWidget(self.provider_page)
        elif screen is Screen.PLAN_ACTIVE:
            self.plan_page.title.setText("Plan active")
            self.plan_page.body.setText(text)
            self.stack.setCurrentWidget(self.plan_page)
        elif screen is Screen.LOAD_FAILED:
            self.load_failed_page.set_cv(text.rpartition("CV: ")[2])
            self.stack.setCurrentWidget(self.load_failed_page)
        else:
            self.message_page.title.setText(
                screens.ERROR_TITLE if screen is Screen.ERROR else screen.value.title()
            )
            self.message_page.body.setText(text)
            self.stack.setCurrentWidget(self.message_page)
        self.back_action.setEnabled(screen is Screen.PORTAL)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
