"""The menu bar: File (Quit), View (every dock and the tool bar), Help (documentation, About)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox

import simulator

DOCS_README = Path(simulator.__file__).resolve().parent.parent / "docs" / "README.md"
ABOUT = (
    "<b>Mobile Plans Simulator</b> {version}<p>Runs a mobile operator's portal the way "
    "Windows' Mobile Plans app does: the injected JavaScript objects, every call checked "
    "against the contract, an emulated eUICC downloading its profile from a stub SM-DP+ "
    "over SGP.22, on a virtual clock.</p><p>Operator: {operator}</p>"
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mobileplans-simulator")
    except PackageNotFoundError:
        return ""


class WindowMenus:
    """The window's menus; docks added later (the app's panels) join the View menu."""

    def __init__(self, window: QMainWindow, operator_name: str) -> None:
        self._window = window
        self._operator = operator_name
        bar = window.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.quit_action = QAction("&Quit", window)
        self.quit_action.setObjectName("action-quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(window.close)
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("&View")
        self._toolbar_separator = self.view_menu.addSeparator()
        self.help_menu = bar.addMenu("&Help")
        self.docs_action = QAction("&Documentation", window)
        self.docs_action.setObjectName("action-documentation")
        self.docs_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.docs_action.triggered.connect(self.open_documentation)
        self.about_action = QAction("&About Mobile Plans Simulator", window)
        self.about_action.setObjectName("action-about")
        self.about_action.triggered.connect(self.about)
        self.help_menu.addAction(self.docs_action)
        self.help_menu.addAction(self.about_action)
        self.opened: list[QUrl] = []  # what Documentation asked the desktop to open

    def add_dock(self, dock: QDockWidget) -> None:
        action = dock.toggleViewAction()
        action.setObjectName(f"action-view-{dock.objectName().removeprefix('dock-')}")
        self.view_menu.insertAction(self._toolbar_separator, action)

    def add_toolbar_toggle(self, action: QAction) -> None:
        self.view_menu.addAction(action)

    def open_documentation(self) -> None:
        if not DOCS_README.is_file():
            QMessageBox.information(
                self._window,
                "Documentation",
                "The documentation is docs/README.md in the simulator's source repository; "
                "this installation does not include it.",
            )
            return
        url = QUrl.fromLocalFile(str(DOCS_README))
        self.opened.append(url)
        QDesktopServices.openUrl(url)

    def about(self) -> None:
        import html  # here: only About needs it, and it costs the window's start ~1.5 ms

        QMessageBox.about(
            self._window,
            "About Mobile Plans Simulator",
            ABOUT.format(version=html.escape(_version()), operator=html.escape(self._operator)),
        )


def install_menus(window: QMainWindow) -> WindowMenus:
    """Build the menus and list the docks the window already has."""
    menus = WindowMenus(window, str(getattr(window, "operator_name", "")))
    for dock in window.findChildren(QDockWidget):
        menus.add_dock(dock)
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        menus.add_toolbar_toggle(toolbar.toggleViewAction())
    return menus
