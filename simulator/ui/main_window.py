"""The main window: the portal in a fixed frame in the middle, the app's screens in its place,
panels docked around it, a menu bar, and notifications in the bottom-right corner.

It is made in two steps. At once, the shell: the portal's frame in the stack that holds the
app's screens, at the window's size, so the portal's first load starts as soon as it can (the
rest, with its modules and the Python enums PySide makes for every Qt type it touches, took
the GUI thread 60-70 ms); the tool bar is there, and the left dock column's room is kept.
Then the furniture: the docks and their panels, the menus, the banner, popup, notifications
and the leave dialog, with the saved dock layout. The window is furnished in the first quiet
moment after the portal's first load (either way; `FURNISHED_AFTER_LOAD_AT_LATEST_MS` at the
latest), when anything reads one of those parts (`Furnished`), when an event needs them on
screen, or `PANELS_AT_LATEST_MS` after it was made (a catalog first, a portal that never
answers).
Events observed before then are kept and handed over in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QToolBar, QWidget

from simulator.events import Event
from simulator.flows import screens
from simulator.flows.screens import Screen
from simulator.network import Registration
from simulator.ui.layout import (
    DOCK_SEPARATOR,
    PORTAL_FRAME,
    SIDE_DOCK_WIDTH,
    TIMELINE_DOCK_WIDTH,
    default_window_size,
    fits_portal_and_bottom_dock,
    restore_geometry,
    restore_state,
    save_window,
)
from simulator.ui.toast_book import OUTCOME_STATES
from simulator.ui.window_pages import AppPages, BuiltOnFirstUse
from simulator.ui.window_panels import (
    BUILT_AFTER_LOAD_AT_LATEST_MS,
    BUILT_AFTER_QUIET_MS,
    PANELS_AT_LATEST_MS,
    WindowPanels,
)
from simulator.ui.window_parts import (
    Furnished,
    PanelScroller,
    PortalFrame,
    plain_detail,
    shell_shows_it_already,
)

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QDockWidget, QLabel

    from simulator.bridge.page import PortalPage
    from simulator.device import SimulatedDevice
    from simulator.ui.error_page import ErrorPage
    from simulator.ui.leave_dialog import LeaveDialog
    from simulator.ui.menus import WindowMenus
    from simulator.ui.overlays import Banner, ProgressPopup
    from simulator.ui.panels.contract import ContractPanel
    from simulator.ui.panels.device import DevicePanel
    from simulator.ui.panels.timeline import TimelinePanel
    from simulator.ui.screens import AppPage, LoadFailedPage, ProviderPage
    from simulator.ui.toast_book import ToastBook
    from simulator.ui.toasts import ToastStack

__all__ = ["PORTAL_FRAME", "MainWindow", "PanelScroller"]

CONNECTED_TITLE = "You’re connected"
_BUSY_EVENTS = frozenset({"bridge.call", "lpa.progress"})
# The furniture comes in the first quiet moment after the portal's first load, or this long
# after it at the latest (a portal that keeps calling): its docks should not wait long.
FURNISHED_AFTER_LOAD_AT_LATEST_MS = 300
_TOAST_KINDS = frozenset({"ui.toast", "ui.toast-answered", "flow.state"})
NOT_CONNECTED_TITLE = "Not connected"


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

    banner: Furnished[Banner] = Furnished()
    progress_popup: Furnished[ProgressPopup] = Furnished()
    provider_page: Furnished[ProviderPage] = Furnished()
    toasts: Furnished[ToastStack] = Furnished()
    toast_book: Furnished[ToastBook] = Furnished()
    panels: Furnished[WindowPanels] = Furnished()
    docks: Furnished[dict[str, QDockWidget]] = Furnished()
    device_panel: Furnished[DevicePanel] = Furnished()
    menus: Furnished[WindowMenus] = Furnished()
    leave_dialog: Furnished[LeaveDialog] = Furnished()

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
        self._device = device
        self._furnished = False
        self._furnishing = False
        self._when_furnished: list[Callable[[], None]] = []
        # What the window observed before it was furnished, handed over then (None after).
        self._early_events: list[Event] | None = []
        self._screen_shown = False  # a ui.screen came: the window no longer starts on Provider
        self.view = QWebEngineView()
        self.view.setPage(page)
        self.portal_area = PortalFrame(self.view, self)
        self._last_lpa_error = ""
        self._last_cv = ""
        # A fixed frame: switching between the portal and the app's pages never moves a dock.
        # The provider page joins when the window is furnished; the app's other pages when
        # first used or just after the portal's first load (`simulator.ui.window_pages`).
        self.stack = QStackedWidget(self)
        self.stack.setFixedSize(PORTAL_FRAME)
        self.pages: dict[Screen, QWidget] = {Screen.PORTAL: self.portal_area}
        self.stack.addWidget(self.portal_area)
        self._app_pages: AppPages | None = None
        self.setCentralWidget(self.stack)
        toolbar = QToolBar("Navigation", self)
        toolbar.setObjectName("navigation")
        toolbar.setMovable(False)
        # Text set apart: PySide's overload look-up for QAction(str, parent) builds the
        # QIcon.ThemeIcon enum (1.4 ms on the way to the first load).
        self.back_action = QAction(self)
        self.back_action.setText("\u2190 Back")
        self.back_action.setToolTip("Back, as the Mobile Plans app\u2019s title-bar back button")
        self.back_action.triggered.connect(self.backRequested)
        toolbar.addAction(self.back_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        # The left dock column's room stays empty, so the portal's frame does not move sideways
        # when the docks come (with the default layout; a saved one may move it once). The
        # separator is a constant: asking the style makes PySide build QStyle's 16 enums (7 ms).
        self.setContentsMargins(SIDE_DOCK_WIDTH + DOCK_SEPARATOR, 0, 0, 0)
        self._quiet = QTimer(self)  # restarted by the portal's bursts of calls, as the back office
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(BUILT_AFTER_QUIET_MS)
        self._quiet.timeout.connect(self._build_deferred)
        self._loaded = False
        self._geometry_restored = False
        self._laid_out = False  # the docks' layout, applied once furnished and shown
        page.loadFinished.connect(self._build_panels_after_load)
        QTimer.singleShot(PANELS_AT_LATEST_MS, self, self._build_unless_loaded)
        self.resize(default_window_size(self))

    @property
    def is_furnished(self) -> bool:
        return self._furnished

    def when_furnished(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the window is furnished (now, if it is): a part that adds docks
        of its own (the back office's) adds them before the saved dock layout is applied."""
        if self._furnished:
            callback()
        else:
            self._when_furnished.append(callback)

    def furnish(self) -> None:
        """Make everything around the portal's frame, if not yet (see the module's doc)."""
        if self._furnished or self._furnishing:
            return
        self._furnishing = True
        try:
            self._furnish()
            self._furnished = True
            callbacks, self._when_furnished = self._when_furnished, []
            for callback in callbacks:
                callback()
        finally:
            self._furnishing = False
        if self.isVisible():  # else at the first show
            # Made after the window was shown, so hidden until shown themselves (docks too:
            # `add_dock`); the banner, popup and notifications show themselves when needed.
            self.menuBar().show()
            self._lay_out_docks()
            self.toasts.place()
        early, self._early_events = self._early_events or [], None
        for event in early:
            self.observe(event)

    def _furnish(self) -> None:
        from PySide6.QtCore import Qt

        from simulator.ui.leave_dialog import LeaveDialog
        from simulator.ui.menus import install_menus
        from simulator.ui.overlays import Banner, ProgressPopup
        from simulator.ui.panels.device import DevicePanel
        from simulator.ui.screens import ProviderPage
        from simulator.ui.toast_book import ToastBook
        from simulator.ui.toasts import ToastStack

        self.setContentsMargins(0, 0, 0, 0)  # the docks take the room the shell kept
        operator_name = self.operator_name
        self.banner = Banner(self.portal_area)
        self.progress_popup = ProgressPopup(operator_name, self.portal_area)
        self.provider_page = ProviderPage(operator_name, self)
        self.provider_page.continueClicked.connect(self.continueRequested)
        self.pages[Screen.PROVIDER] = self.provider_page
        self.stack.insertWidget(0, self.provider_page)
        if not self._screen_shown:  # nothing shown yet: the window starts on the provider page
            self.stack.setCurrentWidget(self.provider_page)
        self.toasts = ToastStack("Mobile Plans", self)
        self.toast_book = ToastBook()
        self.toasts.answered.connect(self._toast_answered)
        self.toasts.closed.connect(self.toast_book.closed)

        # The Timeline and Contract panels are built once the portal has loaded (or at first
        # use): their docks hold placeholders until then (`simulator.ui.window_panels`).
        self.panels = WindowPanels(self)
        # What `observe` reads for every event: a plain attribute, not the `Furnished` one
        # (each read of which also asks whether the window is furnished: 3-4 µs a bridge call).
        self._observed_panels = self.panels
        self.docks = {}
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
        self.device_panel = DevicePanel(self._device, self)
        self.add_dock("Device", self.device_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.menus = install_menus(self)
        if not fits_portal_and_bottom_dock(self):
            # A laptop screen: the Contract panel joins the Timeline so the portal keeps 800x600.
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.docks["contract"])
            self.tabifyDockWidget(self.docks["timeline"], self.docks["contract"])
            self.docks["timeline"].raise_()

        self.leave_dialog = LeaveDialog(self)
        self.leave_dialog.finished.connect(
            lambda result: self.leaveAnswered.emit(result == LeaveDialog.DialogCode.Accepted)
        )

    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        from PySide6.QtWidgets import QDockWidget

        self.furnish()  # a part's own dock comes after the window's (a no-op while furnishing)
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        if self.isVisible():  # a child made after its window was shown stays hidden till shown
            dock.show()
        self.docks[title.lower()] = dock
        if hasattr(self, "menus"):
            self.menus.add_dock(dock)
        return dock

    @Slot(bool)
    def _build_panels_after_load(self, _ok: bool) -> None:
        # After the first load (either way), once the portal's calls and downloads leave a
        # quiet moment: the page's first paint, its load handlers and their calls come first.
        # The furniture comes in that moment too, or FURNISHED_AFTER_LOAD_AT_LATEST_MS after the
        # load, whichever is first.
        if not self._loaded:
            self._loaded = True
            self._quiet.start()
            QTimer.singleShot(FURNISHED_AFTER_LOAD_AT_LATEST_MS, self, self.furnish)
            QTimer.singleShot(BUILT_AFTER_LOAD_AT_LATEST_MS, self, self._build_deferred)

    def _build_unless_loaded(self) -> None:
        if not self._loaded:  # no load finished in time: a catalog first, a dead portal
            self._build_deferred()

    def _build_deferred(self) -> None:
        self.furnish()
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
        kind = event.kind  # read once: each bridge call makes two to four events
        if kind in _BUSY_EVENTS and self._quiet.isActive():
            self._quiet.start()  # a burst of calls or a download: build in a quiet moment
        early = self._early_events
        if early is not None:  # not furnished yet: kept, or furnished now if it shows something
            early.append(event)
            if kind == "ui.screen":
                self._screen_shown = True
            if not shell_shows_it_already(event):
                self.furnish()
            return
        self._observed_panels.observe(event)  # Timeline and Contract, or kept for them
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
        from simulator.ui.leave_dialog import LeaveDialog
        from simulator.ui.screens import AppPage

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

    def setVisible(self, visible: bool) -> None:
        # Not `showEvent`: the first event that reaches a Python override makes PySide build
        # QEvent.Type (2 ms, on the way to the portal's first load); `show()` comes here too.
        if visible and not self._geometry_restored:
            self._geometry_restored = True
            if self.settings is not None:
                restore_geometry(self, self.settings)
        super().setVisible(visible)
        if visible and self._furnished:
            self._lay_out_docks()
            self.toasts.place()

    def _lay_out_docks(self) -> None:
        """Once, with the window shown and furnished (dock sizes only stick once the window
        exists): the saved dock layout, or else the docks' default sizes."""
        if self._laid_out:
            return
        self._laid_out = True
        if self.settings is None or not restore_state(self, self.settings):
            from PySide6.QtCore import Qt

            self.resizeDocks(
                [self.docks["device"], self.docks["timeline"]],
                [SIDE_DOCK_WIDTH, TIMELINE_DOCK_WIDTH],
                Qt.Orientation.Horizontal,
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None and self._laid_out:
            save_window(self, self.settings)
        self.closing.emit()
        super().closeEvent(event)
