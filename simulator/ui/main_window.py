"""The main window: the portal in a fixed frame in the middle, the app's screens in its place,
panels docked around it, a menu bar, and notifications in the bottom-right corner."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from simulator.bridge.page import PortalPage
from simulator.device import SimulatedDevice
from simulator.events import Event
from simulator.flows import screens
from simulator.flows.screens import Screen
from simulator.network import Registration
from simulator.ui.layout import (
    PORTAL_FRAME,
    SIDE_DOCK_WIDTH,
    TIMELINE_DOCK_WIDTH,
    default_window_size,
    fits_portal_and_bottom_dock,
    restore_window,
    save_window,
)
from simulator.ui.leave_dialog import LeaveDialog
from simulator.ui.menus import install_menus
from simulator.ui.overlays import Banner, ProgressPopup
from simulator.ui.panels.device import DevicePanel
from simulator.ui.screens import AppPage, LoadFailedPage, ProviderPage
from simulator.ui.toast_book import OUTCOME_STATES, ToastBook
from simulator.ui.toasts import ToastStack
from simulator.ui.window_pages import AppPages, BuiltOnFirstUse
from simulator.ui.window_panels import (
    BUILT_AFTER_LOAD_AT_LATEST_MS,
    BUILT_AFTER_QUIET_MS,
    PANELS_AT_LATEST_MS,
    WindowPanels,
)

if TYPE_CHECKING:
    from simulator.ui.error_page import ErrorPage
    from simulator.ui.panels.contract import ContractPanel
    from simulator.ui.panels.timeline import TimelinePanel

__all__ = ["PORTAL_FRAME", "MainWindow", "PanelScroller"]

CONNECTED_TITLE = "You’re connected"
_BUSY_EVENTS = frozenset({"bridge.call", "lpa.progress"})
_TOAST_KINDS = frozenset({"ui.toast", "ui.toast-answered", "flow.state"})
NOT_CONNECTED_TITLE = "Not connected"
_BRACKETED_REFERENCES = re.compile(r"\s*\[[^\]]*\]\s*$")
# "(SGP.22 §6.5.2 …)", "(ITU-T E.118)", "(… notes.md …)": where a rule comes from, not what failed
_NOTE_REFERENCES = re.compile(
    r"\s*\((?:[^()]*\.md\b|(?:SGP|ITU|ISO|RFC|GlobalPlatform|X\.\d)[^()]*?\d)"
    r"(?:[^()]|\([^()]*\))*\)"
)


def plain_detail(message: str) -> str:
    """An LPA message without its trailing references to the project's notes: the page
    shows what failed; the Timeline keeps the whole message."""
    return _NOTE_REFERENCES.sub("", _BRACKETED_REFERENCES.sub("", message)).strip()


class PanelScroller(QScrollArea):
    """A dock's scroll area: it scrolls only when the dock is narrower than its panel needs."""

    def sizeHint(self) -> QSize:
        return QSize(SIDE_DOCK_WIDTH, 400)


class PortalFrame(QWidget):
    """The web view at exactly the portal's frame, with the banner and popup floating over it."""

    def __init__(self, view: QWebEngineView, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedSize(PORTAL_FRAME)
        view.setParent(self)
        view.setGeometry(0, 0, PORTAL_FRAME.width(), PORTAL_FRAME.height())
        self.view = view

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.view.setGeometry(0, 0, self.width(), self.height())


class MainWindow(QMainWindow):
    plan_page: BuiltOnFirstUse[AppPage] = BuiltOnFirstUse()
    load_failed_page: BuiltOnFirstUse[LoadFailedPage] = BuiltOnFirstUse()
    message_page: BuiltOnFirstUse[AppPage] = BuiltOnFirstUse()
    error_page: BuiltOnFirstUse[ErrorPage] = BuiltOnFirstUse()
    error_detail: BuiltOnFirstUse[QLabel] = BuiltOnFirstUse()
    error_cv: BuiltOnFirstUse[QLabel] = BuiltOnFirstUse()
    connecting_page: BuiltOnFirstUse[AppPage] = BuiltOnFirstUse()
    installing_page: BuiltOnFirstUse[AppPage] = BuiltOnFirstUse()
    balance_page: BuiltOnFirstUse[AppPage] = BuiltOnFirstUse()

    backRequested = Signal()
    continueRequested = Signal()
    leaveAnswered = Signal(bool)
    errorAnswered = Signal(bool)  # True: Try again
    balanceClosed = Signal()
    toastAnswered = Signal(str, str)
    closing = Signal()

    def __init__(
        self,
        page: PortalPage,
        device: SimulatedDevice,
        operator_name: str,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"Mobile Plans Simulator \u2014 {operator_name}")
        self.operator_name = operator_name
        self.settings = settings
        self.view = QWebEngineView()
        self.view.setPage(page)
        self.portal_area = PortalFrame(self.view, self)
        self.banner = Banner(self.portal_area)
        self.progress_popup = ProgressPopup(operator_name, self.portal_area)

        self.provider_page = ProviderPage(operator_name, self)
        self.provider_page.continueClicked.connect(self.continueRequested)
        self._last_lpa_error = ""
        self._last_cv = ""
        # A fixed frame: switching between the portal and the app's pages never moves a dock.
        # The window starts on the provider page; the app's other pages come when first used
        # or just after the portal's first load (`simulator.ui.window_pages`).
        self.stack = QStackedWidget(self)
        self.stack.setFixedSize(PORTAL_FRAME)
        self.pages: dict[Screen, QWidget] = {
            Screen.PROVIDER: self.provider_page,
            Screen.PORTAL: self.portal_area,
        }
        for widget in self.pages.values():
            self.stack.addWidget(widget)
        self._app_pages: AppPages | None = None
        self.setCentralWidget(self.stack)
        self.toasts = ToastStack("Mobile Plans", self)
        self.toast_book = ToastBook()
        self.toasts.answered.connect(self._toast_answered)
        self.toasts.closed.connect(self.toast_book.closed)

        toolbar = QToolBar("Navigation", self)
        toolbar.setObjectName("navigation")
        toolbar.setMovable(False)
        self.back_action = QAction("\u2190 Back", self)
        self.back_action.setToolTip("Back, as the Mobile Plans app\u2019s title-bar back button")
        self.back_action.triggered.connect(self.backRequested)
        toolbar.addAction(self.back_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        # The Timeline and Contract panels are built once the portal has loaded (or at first
        # use): their docks hold placeholders until then (`simulator.ui.window_panels`).
        self.panels = WindowPanels(self)
        self._loaded = False
        self._quiet = QTimer(self)  # restarted by the portal's bursts of calls, as the back office
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(BUILT_AFTER_QUIET_MS)
        self._quiet.timeout.connect(self._build_deferred)
        page.loadFinished.connect(self._build_panels_after_load)
        QTimer.singleShot(PANELS_AT_LATEST_MS, self, self._build_unless_loaded)
        self.docks: dict[str, QDockWidget] = {}
        # The side panels run the window's full height; the Contract dock sits under the portal.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        for title, area in (
            ("Timeline", Qt.DockWidgetArea.RightDockWidgetArea),
            ("Contract", Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            name = title.lower()
            self.panels.attach(name, self.add_dock(title, self.panels.placeholder(name), area))
        # Built now: it costs well under a millisecond and its width sets the left column's.
        self.device_panel = DevicePanel(device, self)
        self.add_dock("Device", self.device_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.menus = install_menus(self)
        if not fits_portal_and_bottom_dock(self):
            # A laptop screen: the Contract panel joins the Timeline so the portal keeps 800x600.
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.docks["contract"])
            self.tabifyDockWidget(self.docks["timeline"], self.docks["contract"])
            self.docks["timeline"].raise_()
        self._laid_out = False

        self.leave_dialog = LeaveDialog(self)
        self.leave_dialog.finished.connect(
            lambda result: self.leaveAnswered.emit(result == LeaveDialog.DialogCode.Accepted)
        )
        self.resize(default_window_size(self))

    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        self.docks[title.lower()] = dock
        if hasattr(self, "menus"):
            self.menus.add_dock(dock)
        return dock

    @Slot(bool)
    def _build_panels_after_load(self, _ok: bool) -> None:
        # After the first load (either way), once the portal's calls and downloads leave a
        # quiet moment: the page's first paint, its load handlers and their calls come first.
        if not self._loaded:
            self._loaded = True
            self._quiet.start()
            QTimer.singleShot(BUILT_AFTER_LOAD_AT_LATEST_MS, self, self._build_deferred)

    def _build_unless_loaded(self) -> None:
        if not self._loaded:  # no load finished in time: a catalog first, a dead portal
            self._build_deferred()

    def _build_deferred(self) -> None:
        self._quiet.stop()
        self.panels.build()
        self.app_pages()

    def app_pages(self) -> AppPages:
        """The app's pages other than the provider's, built now if they were not yet."""
        if self._app_pages is None:
            built = AppPages(self)
            self._app_pages = built
            self.pages.update(built.by_screen())
            for widget in (*built.by_screen().values(), built.message_page):
                self.stack.addWidget(widget)
        return self._app_pages

    @property
    def timeline(self) -> TimelinePanel:
        """The Timeline panel (built now if it was not yet)."""
        return self.panels.built().timeline

    @property
    def contract(self) -> ContractPanel:
        """The Contract panel (built now if it was not yet)."""
        return self.panels.built().contract

    # The window only observes events (DESIGN.md §2).
    def observe(self, event: Event) -> None:
        self.panels.observe(event)  # the Timeline and Contract panels, or kept for them
        kind = event.kind  # read once: each bridge call makes two to four events
        if kind in _BUSY_EVENTS and self._quiet.isActive():
            self._quiet.start()  # a burst of calls or a download: build in a quiet moment
        if kind in _TOAST_KINDS:
            self._observe_toasts(event)
        if kind == "ui.screen":
            self._show_screen(
                Screen(str(event.fields["screen"])),
                str(event.fields.get("text", "")),
                str(event.fields.get("title") or ""),
            )
        elif kind == "lpa.progress":
            self._progress(str(event.fields.get("screen", "")), event.fields.get("text"))
        elif kind == "lpa.error":
            self._last_lpa_error = str(event.fields.get("message", ""))
        elif kind == "portal.launch":
            self._last_cv = str((event.fields.get("params") or {}).get("transactionId", ""))
        elif kind == "network.registration":
            self._registration(str(event.fields.get("state", "")))
        elif kind == "flow.state" and event.fields.get("state") in OUTCOME_STATES:
            self.banner.hide()  # "updating your cellular network settings" is over
        if kind in ("euicc.profile", "portal.launch"):
            self.device_panel.refresh()

    def _observe_toasts(self, event: Event) -> None:
        added, withdrawn = self.toast_book.observe(event)
        for toast_id in withdrawn:
            self.toasts.remove(toast_id)
        if added is not None:
            self.toasts.add(added)

    def _toast_answered(self, toast_id: str, action: str) -> None:
        self.toast_book.closed(toast_id)
        self.toastAnswered.emit(toast_id, action)

    def _progress(self, screen: str, text: object) -> None:
        """The "(xKB of yKB)" text of the popup or page already shown (one ui.screen for all)."""
        if not isinstance(text, str) or not text:
            return
        if screen == Screen.PROGRESS_POPUP and self.progress_popup.isVisible():
            self.progress_popup.show_text(text)
        elif (
            screen == Screen.INSTALLING
            and self._app_pages is not None
            and self.stack.currentWidget() is self.installing_page
        ):
            self.installing_page.body.setText(text)

    def _registration(self, state: str) -> None:
        try:
            registration = Registration(state)
        except ValueError:
            return
        # Only an outcome counts: searching goes on, and none/deregistered is another line
        # being switched off.
        if not registration.connected and registration is not Registration.DENIED:
            return
        self.banner.hide()
        if self._app_pages is None or self.stack.currentWidget() is not self.connecting_page:
            return
        # The connecting screen says what happened instead of "connecting" forever.
        if registration.connected:
            self.connecting_page.title.setText(CONNECTED_TITLE)
            self.connecting_page.body.setText(
                f"You’re connected to the cellular network with {self.operator_name}."
            )
        else:
            self.connecting_page.title.setText(NOT_CONNECTED_TITLE)
            self.connecting_page.body.setText(
                f"We couldn’t connect you to {self.operator_name} ({registration})."
            )
        self.connecting_page.progress.hide()

    def _show_screen(self, screen: Screen, text: str, title: str = "") -> None:
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
        page = self.pages.get(screen)
        if page is None:  # one of the app's pages, or a screen shown on the message page
            page = self.app_pages().by_screen().get(screen, self.message_page)
        if screen is Screen.PORTAL:
            if text:
                self.banner.show_text(text)
        elif screen is Screen.LOAD_FAILED:
            self.load_failed_page.set_cv(text.rpartition("CV: ")[2])
        elif screen is Screen.ERROR:
            self.error_page.set_message(text)
            self.error_cv.setText(f"CV: {self._last_cv}" if self._last_cv else "")
            self.error_cv.setVisible(bool(self._last_cv))
            detail, self._last_lpa_error = self._last_lpa_error, ""
            self.error_detail.setText(f"Details: {plain_detail(detail)}" if detail else "")
            self.error_detail.setVisible(bool(detail))
        elif screen is Screen.CONNECTING:
            self.connecting_page.title.setText("Connecting")
            self.connecting_page.body.setText(text)
            self.connecting_page.progress.show()
        elif self._app_pages is not None and page is self._app_pages.message_page:
            self.message_page.title.setText(screen.value.replace("-", " ").capitalize())
            self.message_page.body.setText(text)
        elif isinstance(page, AppPage) and screen is not Screen.PROVIDER:
            page.body.setText(text)
        if title and isinstance(page, AppPage) and screen is not Screen.PROVIDER:
            page.title.setText(title)  # the flow named this screen's title itself
        elif screen is Screen.ERROR:
            self.error_page.title.setText(screens.ERROR_TITLE)
        self.stack.setCurrentWidget(page)
        self.back_action.setEnabled(screen in (Screen.PORTAL, Screen.LOAD_FAILED))

    def close_app(self) -> None:
        # The real app may close here; Windows keeps re-registering in the background. The
        # simulator goes back to the provider page and keeps its timers running.
        self.stack.setCurrentWidget(self.provider_page)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._laid_out:
            # Dock sizes only stick once the window exists; saved ones win over the defaults.
            self._laid_out = True
            if self.settings is None or not restore_window(self, self.settings):
                self.resizeDocks(
                    [self.docks["device"], self.docks["timeline"]],
                    [SIDE_DOCK_WIDTH, TIMELINE_DOCK_WIDTH],
                    Qt.Orientation.Horizontal,
                )
        self.toasts.place()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None and self._laid_out:
            save_window(self, self.settings)
        self.closing.emit()
        super().closeEvent(event)
