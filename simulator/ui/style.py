"""One look for the app's own screens, in the spirit of Windows' Mobile Plans (Fluent, light)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

ACCENT = "#0067c0"
PAGE_STYLE = f"""
#app-page {{ background: #f9f9f9; }}
#app-page QLabel {{ background: transparent; color: #1b1b1b; }}
#app-page QLabel#screen-operator {{ color: #5f5f5f; font-size: 10pt; font-weight: 600; }}
#app-page QLabel#screen-title {{ font-size: 20pt; font-weight: 600; }}
#app-page QLabel#screen-body {{ font-size: 11pt; }}
#app-page QLabel#screen-cv {{ color: #5f5f5f; font-size: 9pt; }}
#app-page QPushButton {{
    font-size: 10pt; min-width: 104px; min-height: 20px; padding: 6px 16px;
    color: #1b1b1b; background: #fdfdfd; border: 1px solid #d0d0d0; border-radius: 4px;
}}
#app-page QPushButton:hover {{ background: #f3f3f3; }}
#app-page QPushButton[primary="true"] {{
    color: #ffffff; background: {ACCENT}; border: 1px solid {ACCENT};
}}
#app-page QPushButton[primary="true"]:hover {{ background: #1975c5; }}
#app-page QProgressBar {{
    border: none; background: #e0e0e0; max-height: 4px; border-radius: 2px;
}}
#app-page QProgressBar::chunk {{ background: {ACCENT}; border-radius: 2px; }}
"""

DIALOG_STYLE = PAGE_STYLE.replace("#app-page", "#app-dialog") + (
    "#app-dialog QLabel#screen-title { font-size: 15pt; }"
)


def plain_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A label that never reads its text as HTML: operator names, plan names and messages come
    from the command line or the portal (untrusted), and QLabel would otherwise guess."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_tooltip(text: str) -> str:
    """``text`` for a tooltip, never read as HTML: Qt renders a tooltip that merely looks like
    rich text (an operator's brand or URI with ``<img src=…>`` in it) as HTML."""
    import html  # here: the window's start shows no tooltip, and html costs it ~1.5 ms

    return f"<p>{html.escape(text)}</p>"
