"""Help → About shows the operator's name as text: it is rich text there, and the name comes
from the command line or the portal (html is imported only when About opens)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from simulator.ui import menus


def test_about_escapes_the_operators_name(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []

    def about(parent: QWidget, title: str, text: str) -> None:
        shown.append(text)

    monkeypatch.setattr(menus.QMessageBox, "about", about)
    window = QMainWindow()
    qtbot.addWidget(window)
    menus.WindowMenus(window, "<b>Fabrikam</b> & Co").about()
    assert len(shown) == 1
    assert "&lt;b&gt;Fabrikam&lt;/b&gt; &amp; Co" in shown[0]
    assert "<b>Fabrikam" not in shown[0]
