"""The error dialog the docs' screenshot shows: title, message, a "Learn more" link, what
failed underneath and the launch's CV, then Close | Try again.

"Learn more" opens the product's own page about error codes (docs/error-codes.md) in the
system's browser or viewer, as the real app's link leaves the app for a help page; the dialog
stays, so the person can still choose Close or Try again. A desktop with no program for the page
gets it rendered in a window of ours instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from simulator.flows import screens
from simulator.ui.menus import DOCS_README
from simulator.ui.screens import AppPage
from simulator.ui.style import ACCENT, plain_label

__all__ = ["ERROR_CODES_PAGE", "LEARN_MORE", "ErrorPage"]

ERROR_CODES_PAGE = DOCS_README.with_name("error-codes.md")
LEARN_MORE = "Learn more"


class ErrorPage(AppPage):
    """ "Can’t complete your order" with its link, details and buttons in the docs' order."""

    answered = Signal(bool)  # True: Try again
    learnMoreOpened = Signal(QUrl)

    def __init__(
        self,
        operator_name: str = "",
        parent: QWidget | None = None,
        *,
        docs_page: Path = ERROR_CODES_PAGE,
    ) -> None:
        super().__init__(screens.ERROR_TITLE, "", parent, operator_name=operator_name)
        self.docs_page = docs_page
        # Close | Try again, in the order of the docs' screenshot of this dialog.
        self.add_button("Close").clicked.connect(lambda: self.answered.emit(False))
        self.add_button("Try again", primary=True).clicked.connect(lambda: self.answered.emit(True))
        # A link-looking tool button, not a rich-text label: it takes keyboard focus, and no
        # label on the app's pages ever reads text as HTML.
        self.learn_more = QToolButton(self)
        self.learn_more.setText(LEARN_MORE)
        self.learn_more.setObjectName("screen-learn-more")
        self.learn_more.setAutoRaise(True)
        self.learn_more.setCursor(Qt.CursorShape.PointingHandCursor)
        self.learn_more.setStyleSheet(
            f"QToolButton {{ color: {ACCENT}; border: none; padding: 0; margin: 0;"
            " font-size: 10pt; }"
        )
        font = self.learn_more.font()
        font.setUnderline(True)
        self.learn_more.setFont(font)
        self.learn_more.setToolTip("Opens the simulator\u2019s page about error codes")
        self.learn_more.clicked.connect(self.open_learn_more)
        # The internal code, under the link as on the screenshot (REMOTE_SERVER_GENERAL_FAILURE).
        self.code = plain_label("", self)
        self.code.setObjectName("screen-error-code")
        self.code.setWordWrap(True)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.hide()
        # What went wrong underneath, for the portal developer.
        self.detail = plain_label("", self)
        self.detail.setObjectName("screen-cv")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The code is followed by the launch's correlation vector, as on the real dialog.
        self.cv = plain_label("", self)
        self.cv.setObjectName("screen-error-cv")
        self.cv.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown_in_order = (self.learn_more, self.code, self.detail, self.cv)
        for position, widget in enumerate(shown_in_order, start=3):
            self.layout_.insertWidget(position, widget)
        self.status = plain_label("", self)
        self.status.setObjectName("screen-learn-more-status")
        self.status.setWordWrap(True)
        self.status.hide()
        self.layout_.insertWidget(7, self.status)
        self.docs_dialog: DocsPageDialog | None = None

    def set_message(self, text: str) -> None:
        """The flow's error text: its sentence above the link, its code line (after a blank
        line, see simulator.flows.errors.error_text) below it."""
        sentence, _, code = text.partition("\n\n")
        self.body.setText(sentence)
        self.code.setText(code)
        self.code.setVisible(bool(code))

    def showEvent(self, event: QShowEvent) -> None:
        # A note about the page belongs to the failure it was asked for, not the next one.
        self.status.hide()
        super().showEvent(event)

    def open_learn_more(self) -> None:
        """Open the error-codes page; without the docs (an installed wheel) say where it is."""
        if not self.docs_page.is_file():
            self.status.setText(
                "The page about error codes is docs/error-codes.md in the simulator\u2019s source "
                "repository; this installation does not include it."
            )
            self.status.show()
            return
        url = QUrl.fromLocalFile(str(self.docs_page))
        self.learnMoreOpened.emit(url)
        if QDesktopServices.openUrl(url):
            return
        # No program for the page on this desktop (a bare Linux, a CI box): show it ourselves.
        try:
            text = self.docs_page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.status.setText(f"Could not read {self.docs_page}: {error}")
            self.status.show()
            return
        if self.docs_dialog is None:
            self.docs_dialog = DocsPageDialog(self)
        self.docs_dialog.show_page(text)


class DocsPageDialog(QDialog):
    """The error-codes page rendered from its Markdown, for a desktop with no program to open
    it. The text is the simulator's own file, never the portal's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("docs-page-dialog")
        self.setWindowTitle("Error codes \u2014 Mobile Plans Simulator")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("docs-page-text")
        self.browser.setOpenLinks(False)  # other pages are files beside it, not loaded here
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.resize(760, 620)

    def show_page(self, markdown: str) -> None:
        self.browser.setMarkdown(markdown)
        self.open()
        self.raise_()
