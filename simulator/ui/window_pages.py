"""The app's own pages in the window's frame, built on first use or just after the portal's
first load: plan active, load failed, error, connecting, installing, balance, and the page for
any other screen.

The window starts on the provider page and then shows the portal; the others appear only when
a flow reaches them, and building them (seven pages with their layouts and style) took the
GUI thread 15-20 ms before the portal's load could start. The window reads them through
`BuiltOnFirstUse` attributes, so code and tests use `window.error_page` as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from PySide6.QtWidgets import QLabel, QWidget

from simulator.flows import screens
from simulator.flows.screens import Screen

if TYPE_CHECKING:
    from simulator.ui.main_window import MainWindow
    from simulator.ui.screens import AppPage

T = TypeVar("T")


class AppPages:
    """The pages, made for `window` (its operator's name as it is now), signals connected."""

    def __init__(self, window: MainWindow) -> None:
        from simulator.ui.error_page import ErrorPage  # with its Markdown dialog: only now
        from simulator.ui.screens import AppPage, LoadFailedPage

        operator_name = window.operator_name

        def page_(title: str, body: str = "", *, busy: bool = False) -> AppPage:
            return AppPage(title, body, window, operator_name=operator_name, busy=busy)

        self.plan_page = page_("Plan active")
        self.plan_page.add_button("Close", primary=True).clicked.connect(window.close_app)
        self.load_failed_page = LoadFailedPage(operator_name, window)
        self.message_page = page_("")
        self.error_page = ErrorPage(operator_name, window)
        self.error_page.answered.connect(window.errorAnswered)
        self.error_detail: QLabel = self.error_page.detail
        self.error_cv: QLabel = self.error_page.cv
        self.connecting_page = page_("Connecting", screens.CONNECTING, busy=True)
        self.connecting_page.add_button("Close app").clicked.connect(window.close_app)
        self.installing_page = page_("Setting up your cellular plan", busy=True)
        self.balance_page = page_("Balance added")
        self.balance_page.add_button("Close", primary=True).clicked.connect(window.balanceClosed)

    def by_screen(self) -> dict[Screen, QWidget]:
        return {
            Screen.PLAN_ACTIVE: self.plan_page,
            Screen.LOAD_FAILED: self.load_failed_page,
            Screen.ERROR: self.error_page,
            Screen.CONNECTING: self.connecting_page,
            Screen.INSTALLING: self.installing_page,
            Screen.BALANCE: self.balance_page,
        }


class BuiltOnFirstUse(Generic[T]):
    """A window attribute read from its `AppPages`, which are built at the first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, window: Any, owner: type | None = None) -> T:
        return cast(T, getattr(window.app_pages(), self._name))
