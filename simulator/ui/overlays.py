"""What the app draws over the portal: the progress popup and the banner (toasts: toasts.py).

Both float over the web view instead of taking room from it, so the portal keeps its frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from simulator.ui.style import PAGE_STYLE, plain_label


class ProgressPopup(QFrame):
    """ "Installing eSIM profile (xKB of yKB)" over the web view (Mobile Plans scenarios doc)."""

    def __init__(self, operator_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("progress-popup")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            PAGE_STYLE.replace("#app-page", "#progress-popup")
            + "#progress-popup { background: #ffffff; border: 1px solid #c4c4c4;"
            " border-radius: 8px; }"
        )
        self.operator = plain_label(operator_name, self)
        self.operator.setObjectName("screen-operator")
        self.text = plain_label("", self)
        self.text.setObjectName("progress-text")
        self.text.setWordWrap(True)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.text.setFont(font)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # the docs' screenshot shows indeterminate progress dots
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(10)
        layout.addWidget(self.operator)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        self.setFixedWidth(380)
        self.hide()

    def set_operator(self, operator_name: str) -> None:
        self.operator.setText(operator_name)

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = self.parentWidget()
        layout = self.layout()
        if parent is None or layout is None:
            return
        self.resize(self.width(), layout.totalHeightForWidth(self.width()))
        self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 3)


class Banner(QFrame):
    """The bottom banner of the docs' "Fulfillment" picture, with a close cross."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#banner { background: #fff4ce; border-top: 1px solid #d8c37a; }"
            " #banner QLabel { color: #1b1b1b; }"
        )
        self.text = plain_label("", self)
        self.text.setObjectName("banner-text")
        self.text.setWordWrap(True)
        close = QPushButton("\u2715", self)
        close.setObjectName("banner-close")
        close.setToolTip("Close this message")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.hide()

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = self.parentWidget()
        layout = self.layout()
        if parent is None or layout is None:
            return
        height = layout.totalHeightForWidth(parent.width())
        self.setGeometry(0, parent.height() - height, parent.width(), height)
