"""The main window: the portal in the middle, the app's screens around it, panels docked."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from simulator.bridge.page import PortalPage
from simulator.device import SimulatedDevice
from simulator.events import Event
from simulator.flows import screens
from simulator.flows.screens import Screen
from simulator.ui.leave_dialog import LeaveDialog
from simulator.ui.overlays import Banner, ProgressPopup, ToastArea
from simulator.ui.panels.contract import ContractPanel
from simulator.ui.panels.device import DevicePanel
from simulator.ui.panels.timeline import TimelinePanel
from simulator.ui.screens import LoadFailedPage, MessagePage, ProviderPage

PORTAL_FRAME = QSize(800, 600)  # the documented default frame (mobile-plans.md §4.12)


class PanelScroller(QScrollArea):
    """A dock's scroll area that asks for a side panel's width, not its table's full width."""

    def sizeHint(self) -> QSize:
        return QSize(300, 400)


class MainWindow(QMainWindow):
    backRequested = Signal()
    continueRequested = Signal()
    retryRequested = Signal()
    leaveAnswered = Signal(bool)
    errorAnswered = Signal(bool)  # True: Try again
    balanceClosed = Signal()
    toastAnswered = Signal(str, str)
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
        self.error_page = MessagePage(screens.ERROR_TITLE, "", self)
        self.error_page.setObjectName("error-page")
        self.error_page.add_button("Try again").clicked.connect(
            lambda: self.errorAnswered.emit(True)
        )
        self.error_page.add_button("Close").clicked.connect(lambda: self.errorAnswered.emit(False))
        self.connecting_page = MessagePage(operator_name, screens.CONNECTING, self)
        self.connecting_page.add_button("Close app").clicked.connect(self._close_app)
        self.installing_page = MessagePage(operator_name, "", self)
        self.balance_page = MessagePage("Balance added", "", self)
        self.balance_page.add_button("Close").clicked.connect(self.balanceClosed)

        # The portal area: the web view, the app's banner below it, overlays on top.
        self.portal_area = QWidget(self)
        area_layout = QVBoxLayout(self.portal_area)
        area_layout.setContentsMargins(0, 0, 0, 0)
        area_layout.setSpacing(0)
        area_layout.addWidget(self.view, 1)
        self.banner = Banner(self.portal_area)
        area_layout.addWidget(self.banner)
        self.progress_popup = ProgressPopup(operator_name, self.portal_area)
        self.toasts = ToastArea(self)
        self.toasts.answered.connect(self.toastAnswered)

        self.stack = QStackedWidget(self)
        for widget in (
            self.provider_page,
            self.portal_area,
            self.plan_page,
            self.load_failed_page,
            self.message_page,
            self.error_page,
            self.connecting_page,
            self.installing_page,
            self.balance_page,
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
        self.contract.eventRequested.connect(self.timeline.show_event)
        self.device_panel = DevicePanel(device, self)
        timeline_dock = self.add_dock(
            "Timeline", self.timeline, Qt.DockWidgetArea.RightDockWidgetArea
        )
        contract_dock = self.add_dock(
            "Contract", self.contract, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        device_dock = self.add_dock(
            "Device", self.device_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.docks = {"timeline": timeline_dock, "contract": contract_dock, "device": device_dock}
        self._laid_out = False

        self.leave_dialog = LeaveDialog(self)
        self.leave_dialog.finished.connect(
            lambda result: self.leaveAnswered.emit(result == LeaveDialog.DialogCode.Accepted)
        )
        # The portal gets its documented 800×600 frame; the panels fit around it.
        self.resize(800 + 300 + 380 + 24, 600 + 200 + 70)
        self.resizeDocks([device_dock, timeline_dock], [300, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([contract_dock], [200], Qt.Orientation.Vertical)

    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
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
        self.contract.add(event)  # keeps violations, and the launches and calls behind them
        if event.kind == "ui.toast":
            self.toasts.add(
                str(event.fields["toast"]), str(event.fields["text"]), list(event.fields["actions"])
            )
            self._place_toasts()
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
        if screen is Screen.PROGRESS_POPUP:
            self.stack.setCurrentWidget(self.portal_area)
            self.progress_popup.show_text(text)
            return
        self.progress_popup.hide()
        pages: dict[Screen, QWidget] = {
            Screen.PORTAL: self.portal_area,
            Screen.PROVIDER: self.provider_page,
            Screen.PLAN_ACTIVE: self.plan_page,
            Screen.LOAD_FAILED: self.load_failed_page,
            Screen.ERROR: self.error_page,
            Screen.CONNECTING: self.connecting_page,
            Screen.INSTALLING: self.installing_page,
            Screen.BALANCE: self.balance_page,
        }
        page = pages.get(screen, self.message_page)
        if screen is Screen.PORTAL and text:
            self.banner.show_text(text)
        elif screen is Screen.PLAN_ACTIVE:
            self.plan_page.body.setText(text)
        elif screen is Screen.LOAD_FAILED:
            self.load_failed_page.set_cv(text.rpartition("CV: ")[2])
        elif screen in (Screen.ERROR, Screen.CONNECTING, Screen.INSTALLING, Screen.BALANCE):
            page.body.setText(text)  # type: ignore[attr-defined]
        elif page is self.message_page:
            self.message_page.title.setText(screen.value.title())
            self.message_page.body.setText(text)
        self.stack.setCurrentWidget(page)
        self.back_action.setEnabled(screen is Screen.PORTAL)

    def _close_app(self) -> None:
        # The real app may close here; Windows keeps re-registering in the background. The
        # simulator goes back to the provider page and keeps its timers running.
        self.stack.setCurrentWidget(self.provider_page)

    def _place_toasts(self) -> None:
        width = 320
        self.toasts.setFixedWidth(width)
        self.toasts.adjustSize()
        height = min(self.toasts.sizeHint().height(), self.height() - 40)
        self.toasts.setGeometry(
            self.width() - width - 16, self.height() - height - 16, width, height
        )
        self.toasts.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_toasts()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._laid_out:
            # Dock sizes only stick once the window exists: give the portal its 800 pixels.
            self._laid_out = True
            self.resizeDocks(
                [self.docks["device"], self.docks["timeline"]],
                [300, 380],
                Qt.Orientation.Horizontal,
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
