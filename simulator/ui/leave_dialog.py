"""'Leave the third party website?' (mobile-plans.md §2.5, from the docs' screenshot)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from simulator.flows import screens


class LeaveDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(screens.LEAVE_TITLE)
        self.setModal(True)
        title = QLabel(screens.LEAVE_TITLE, self)
        font = title.font()
        font.setPointSize(font.pointSize() + 3)
        title.setFont(font)
        body = QLabel(screens.LEAVE_BODY, self)
        body.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(
            "Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.continue_button = self.buttons.addButton(
            "Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(self.buttons)
