"""What the app draws over the portal: the progress popup, the banner, and toasts."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ProgressPopup(QFrame):
    """ "Installing eSIM profile (xKB of yKB)" over the web view (mobile-plans.md §3.2)."""

    def __init__(self, operator_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("progress-popup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#progress-popup { background: white; border: 1px solid #8a96a3; border-radius: 8px; }"
        )
        self.operator = QLabel(operator_name, self)
        font = self.operator.font()
        font.setBold(True)
        self.operator.setFont(font)
        self.text = QLabel("", self)
        self.text.setObjectName("progress-text")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # the docs' screenshot shows indeterminate progress dots
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.operator)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        self.setFixedWidth(360)
        self.hide()

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 3)
        self.show()
        self.raise_()


class Banner(QFrame):
    """The bottom banner of the docs' "Fulfillment" picture, with a close cross."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet("#banner { background: #fff4ce; border-top: 1px solid #d8c37a; }")
        self.text = QLabel("", self)
        self.text.setWordWrap(True)
        close = QPushButton("\u00d7", self)
        close.setObjectName("banner-close")
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
        self.show()


class ToastArea(QWidget):
    """Windows-style notifications, newest last; a button answers the flow that asked."""

    answered = Signal(str, str)  # toast id, action

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toasts")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addStretch(1)
        self._toasts: dict[str, QFrame] = {}

    def add(self, toast_id: str, text: str, actions: list[str]) -> None:
        frame = QFrame(self)
        frame.setObjectName(toast_id)
        frame.setStyleSheet(
            f"#{toast_id} {{ background: #1f2933; border-radius: 6px; }} QLabel {{ color: white; }}"
        )
        label = QLabel(text, frame)
        label.setWordWrap(True)
        row = QHBoxLayout()
        for action in actions or ["Dismiss"]:
            button = QPushButton(action, frame)
            button.setObjectName(f"{toast_id}-{action.lower().replace(' ', '-')}")
            button.clicked.connect(lambda _checked=False, a=action, t=toast_id: self._answer(t, a))
            row.addWidget(button)
        layout = QVBoxLayout(frame)
        layout.addWidget(label)
        layout.addLayout(row)
        self._layout.addWidget(frame)
        self._toasts[toast_id] = frame
        self.show()
        self.raise_()

    def _answer(self, toast_id: str, action: str) -> None:
        frame = self._toasts.pop(toast_id, None)
        if frame is not None:
            frame.deleteLater()
        if action != "Dismiss":
            self.answered.emit(toast_id, action)

    def button(self, toast_id: str, action: str) -> QPushButton | None:
        frame = self._toasts.get(toast_id)
        if frame is None:
            return None
        return frame.findChild(QPushButton, f"{toast_id}-{action.lower().replace(' ', '-')}")
