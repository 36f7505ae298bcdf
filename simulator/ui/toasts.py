"""Windows-style notifications, stacked in the window's bottom-right corner, newest lowest."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from simulator.ui.style import plain_label
from simulator.ui.toast_book import ShownToast

TOAST_WIDTH = 364  # Windows 10/11 notifications are 364 px wide at 100 % scale
MARGIN = 16
GAP = 8
TOAST_STYLE = """
#toast { background: #1f1f1f; border: 1px solid #454545; border-radius: 8px; }
#toast QLabel { color: #ffffff; background: transparent; }
#toast QLabel#toast-app { color: #c8c8c8; }
#toast QPushButton {
    color: #ffffff; background: #3b3b3b; border: 1px solid #555555; border-radius: 4px;
    padding: 6px 12px; min-height: 20px;
}
#toast QPushButton:hover { background: #4a4a4a; }
#toast QPushButton:pressed { background: #2e2e2e; }
#toast QPushButton#toast-close { background: transparent; border: none; padding: 0px 4px; }
#toast QPushButton#toast-close:hover { background: #3b3b3b; }
"""


def button_name(toast_id: str, action: str) -> str:
    return f"{toast_id}-{action.lower().replace(' ', '-')}"


def _title_and_body(toast: ShownToast) -> tuple[str, str]:
    prefix = f"{toast.title}\n"
    if toast.title and toast.text.startswith(prefix):
        return toast.title, toast.text[len(prefix) :]
    return "", toast.text


class ToastCard(QFrame):
    """One notification: the app's name, the text in full, a close cross and its buttons."""

    def __init__(self, toast: ShownToast, app_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.toast = toast
        self.setObjectName("toast")
        self.setProperty("toast_id", toast.toast_id)
        self.setStyleSheet(TOAST_STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        app = plain_label(app_name, self)
        app.setObjectName("toast-app")
        self.close_button = QPushButton("\u2715", self)
        self.close_button.setObjectName("toast-close")
        self.close_button.setToolTip("Close this notification")
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        # An operator notification's title is bold on its own line above the body, as in the
        # docs' toast pictures; the app's own toasts are one text.
        title, body = _title_and_body(toast)
        self.title = plain_label(title, self)
        self.title.setObjectName("toast-title")
        self.title.setWordWrap(True)
        self.title.setVisible(bool(title))
        self.text = plain_label(body, self)
        self.text.setObjectName("toast-text")
        self.text.setWordWrap(True)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.text.setFont(font)
        font.setBold(True)
        self.title.setFont(font)
        header = QHBoxLayout()
        header.addWidget(app, 1)
        header.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.buttons: dict[str, QPushButton] = {}
        if toast.actions:
            row = QHBoxLayout()
            row.setSpacing(8)
            for action in toast.actions:
                button = QPushButton(action, self)
                button.setObjectName(button_name(toast.toast_id, action))
                row.addWidget(button, 1)  # equal widths, as Windows lays out toast buttons
                self.buttons[action] = button
            layout.addLayout(row)

    def height_for(self, width: int) -> int:
        layout = self.layout()
        assert layout is not None
        return max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height())


class ToastStack(QWidget):
    """The notifications on screen, laid out over ``host``'s bottom-right corner.

    Not in any layout: the stack sits on top of whatever is there (docks, the portal) and moves
    when the window is resized, as notifications sit over other windows on the desktop.
    """

    answered = Signal(str, str)  # toast id, action
    closed = Signal(str)  # toast id: the person closed it without answering

    def __init__(self, app_name: str, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("toasts")
        self._app_name = app_name
        self._cards: dict[str, ToastCard] = {}
        host.installEventFilter(self)
        self.hide()

    def add(self, toast: ShownToast) -> ToastCard:
        card = ToastCard(toast, self._app_name, self)
        card.close_button.clicked.connect(lambda: self._close(toast.toast_id))
        for action, button in card.buttons.items():
            button.clicked.connect(
                lambda _checked=False, a=action, t=toast.toast_id: self._answer(t, a)
            )
        self._cards[toast.toast_id] = card
        card.show()
        self.place()
        return card

    def remove(self, toast_id: str) -> None:
        card = self._cards.pop(toast_id, None)
        if card is not None:
            card.hide()
            card.deleteLater()
        self.place()

    def toast_ids(self) -> list[str]:
        return list(self._cards)

    def card(self, toast_id: str) -> ToastCard | None:
        return self._cards.get(toast_id)

    def button(self, toast_id: str, action: str) -> QPushButton | None:
        card = self._cards.get(toast_id)
        return None if card is None else card.buttons.get(action)

    def _answer(self, toast_id: str, action: str) -> None:
        self.remove(toast_id)
        self.answered.emit(toast_id, action)

    def _close(self, toast_id: str) -> None:
        self.remove(toast_id)
        self.closed.emit(toast_id)

    def place(self) -> None:
        """Stack the cards upwards from the host's bottom-right corner, oldest on top."""
        host = self.parentWidget()
        if host is None or not self._cards:
            self.hide()
            return
        heights = [card.height_for(TOAST_WIDTH) for card in self._cards.values()]
        room = max(0, host.height() - 2 * MARGIN)
        total = sum(heights) + GAP * (len(heights) - 1)
        # When there are more than fit, the oldest go off the top (as Windows queues them).
        top = max(0, total - room)
        y = -top
        for card, height in zip(self._cards.values(), heights, strict=True):
            card.setGeometry(0, y, TOAST_WIDTH, height)
            y += height + GAP
        shown = min(total, room)
        self.setGeometry(
            host.width() - TOAST_WIDTH - MARGIN, host.height() - shown - MARGIN, TOAST_WIDTH, shown
        )
        self.show()
        self.raise_()

    def sizeHint(self) -> QSize:
        return QSize(TOAST_WIDTH, self.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.LayoutRequest,
        ):
            self.place()
        return super().eventFilter(watched, event)
