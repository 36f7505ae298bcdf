"""'Leave the third party website?' (Mobile Plans appendix doc, from the docs' screenshot)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from simulator.flows import screens
from simulator.ui.style import DIALOG_STYLE, plain_label


class LeaveDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("app-dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(DIALOG_STYLE)
        self.setWindowTitle(screens.LEAVE_TITLE)
        self.setModal(True)
        self.setMinimumWidth(440)
        title = plain_label(screens.LEAVE_TITLE, self)
        title.setObjectName("screen-title")
        title.setWordWrap(True)
        body = plain_label(screens.LEAVE_BODY, self)
        body.setObjectName("screen-body")
        body.setWordWrap(True)
        # Cancel then Continue, as in the docs' screenshot (not the platform's own order).
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("leave-cancel")
        self.cancel_button.setDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        self.continue_button = QPushButton("Continue", self)
        self.continue_button.setObjectName("leave-continue")
        self.continue_button.setProperty("primary", True)
        self.continue_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addSpacing(8)
        layout.addLayout(buttons)
