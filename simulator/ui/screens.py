"""The app's own pages around the portal, one family: operator, title, body, buttons.

Installing, connecting, balance, plan active, error, load failed and the provider page all
use :class:`AppPage`; the leave dialog uses the same style sheet (simulator.ui.style).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from simulator.flows import screens
from simulator.ui.style import PAGE_STYLE, plain_label


class AppPage(QWidget):
    """The operator's name, a title, a body and a row of buttons, in the app's style."""

    def __init__(
        self,
        title: str,
        body: str = "",
        parent: QWidget | None = None,
        *,
        operator_name: str = "",
        busy: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("app-page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PAGE_STYLE)
        self.operator = plain_label(operator_name, self)
        self.operator.setObjectName("screen-operator")
        self.operator.setVisible(bool(operator_name))
        self.title = plain_label(title, self)
        self.title.setObjectName("screen-title")
        self.title.setWordWrap(True)
        self.body = plain_label(body, self)
        self.body.setObjectName("screen-body")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # the app shows moving dots, not a percentage
        self.progress.setTextVisible(False)
        self.progress.setVisible(busy)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(56, 48, 56, 48)
        self.layout_.setSpacing(12)
        self.layout_.addWidget(self.operator)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.body)
        self.layout_.addWidget(self.progress)
        self.layout_.addSpacing(12)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        self.buttons.addStretch(1)
        self.layout_.addLayout(self.buttons)
        self.layout_.addStretch(1)

    def add_button(self, text: str, *, primary: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"button-{text.lower().replace(' ', '-')}")
        button.setProperty("primary", primary)
        button.setDefault(primary)
        # Buttons sit left-aligned under the text; the stretch stays last.
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        return button

    def set_operator(self, operator_name: str) -> None:
        self.operator.setText(operator_name)
        self.operator.setVisible(bool(operator_name))


class ProviderPage(AppPage):
    """The cellular data provider page the portal is opened from (Mobile Plans appendix doc)."""

    continueClicked = Signal()

    def __init__(self, operator_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            screens.PROVIDER_TITLE,
            f"It looks like this is a {operator_name} account. We’ll take you to the "
            f"{operator_name} website, so you can add this device to your existing mobile "
            "account, or create a new one.\n\nYou’ll be going to a third-party website. Their "
            "terms, conditions, and privacy policy apply when you use their site.",
            parent,
            operator_name=operator_name,
        )
        self.add_button("Continue", primary=True).clicked.connect(self.continueClicked)


class LoadFailedPage(AppPage):
    """What the docs' screenshot shows: the message and the CV, and no button (the app offers
    no retry there; the person goes back or closes the app)."""

    def __init__(self, operator_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(
            screens.LOAD_FAILED, screens.LOAD_FAILED_DETAIL, parent, operator_name=operator_name
        )
        self.cv = plain_label("", self)
        self.cv.setObjectName("screen-cv")
        self.cv.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.insertWidget(3, self.cv)

    def set_cv(self, cv: str) -> None:
        self.cv.setText(f"CV: {cv}")
