"""The presenter's caption bar of `mobileplans-sim demo`: what happens next, and "Next"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QSizePolicy, QToolBar


class CaptionBar(QToolBar):
    """A non-modal bar across the top of the window: the demo's caption, and a Next button
    that is enabled only while a stage waits for the presenter (`--step`)."""

    nextClicked = Signal()

    def __init__(self, window: QMainWindow, flow_name: str) -> None:
        super().__init__(f"Demo {flow_name}", window)
        self.setObjectName("demo-caption")
        self.setMovable(False)
        self.caption = QLabel("", self)
        self.caption.setObjectName("demo-caption-text")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.caption.setStyleSheet("QLabel { padding: 4px 8px; font-size: 11pt; }")
        self.next_button = QPushButton("Next \u25b6", self)
        self.next_button.setObjectName("demo-next")
        # Not Space or Enter: those belong to the portal's page when it has the focus.
        self.next_button.setShortcut(QKeySequence("Ctrl+N"))
        self.next_button.setToolTip("Play the next stage (Ctrl+N)")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(self.nextClicked)
        self.addWidget(self.caption)
        self.addWidget(self.next_button)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)

    def waiting(self, text: str) -> None:
        """A stage waits for Next."""
        self.caption.setText(text)
        self.next_button.setEnabled(True)
        self.next_button.setFocus()

    def playing(self, text: str) -> None:
        self.caption.setText(text)
        self.next_button.setEnabled(False)
