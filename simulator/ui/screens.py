"""The app's own pages around the portal: provider page, plan active, load failure, messages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from simulator.flows import screens


class MessagePage(QWidget):
    """A title, a body and optional buttons, centred, in the app's plain style."""

    def __init__(self, title: str, body: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setObjectName("screen-title")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 6)
        self.title.setFont(font)
        self.body = QLabel(body, self)
        self.body.setObjectName("screen-body")
        self.body.setWordWrap(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 48, 48, 48)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.buttons = QVBoxLayout()
        self.layout_.addLayout(self.buttons)
        self.layout_.addStretch(1)

    def add_button(self, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"button-{text.lower().replace(' ', '-')}")
        self.buttons.addWidget(button, alignment=Qt.AlignmentFlag.AlignLeft)
        return button


class ProviderPage(MessagePage):
    """The cellular data provider page the portal is opened from (mobile-plans.md §2.5)."""

    continueClicked = Signal()

    def __init__(self, operator_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            screens.PROVIDER_TITLE,
            f"It looks like this is a {operator_name} account. We'll take you to the "
            f"{operator_name} website.\n\nYou'll be going to a third-party website. Their terms, "
            "conditions, and privacy policy apply when you use their site.",
            parent,
        )
        self.add_button("Continue").clicked.connect(self.continueClicked)


class LoadFailedPage(MessagePage):
    retryClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(screens.LOAD_FAILED, screens.LOAD_FAILED_DETAIL, parent)
        self.cv = QLabel("", self)
        self.cv.setObjectName("screen-cv")
        self.layout_.insertWidget(2, self.cv)
        self.add_button("Try again").clicked.connect(self.retryClicked)

    def set_cv(self, cv: str) -> None:
        self.cv.setText(f"CV: {cv}")
