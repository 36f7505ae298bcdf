"""The error dialog as the docs' screenshot shows it ("Mobile Plans appendix": "Can’t complete
your order", a "Learn more" link, the code and CV, Close | Try again), and what Learn more opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from simulator.flows import screens
from simulator.flows.errors import error_text
from simulator.ui import error_page
from simulator.ui.error_page import ERROR_CODES_PAGE, LEARN_MORE, ErrorPage


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What the page asked the desktop to open (nothing is really launched)."""
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(error_page.QDesktopServices, "openUrl", open_url)
    return urls


def shown_page(qtbot: QtBot, **options: Path) -> ErrorPage:
    page = ErrorPage("Contoso", **options)
    qtbot.addWidget(page)
    page.resize(800, 600)
    page.set_message(error_text("serverFailure"))
    page.detail.setText("Details: ES9+ 8.8.5 / 6.4")
    page.cv.setText("CV: t42PkW74hUuj8jrx.1")
    page.show()
    qtbot.waitExposed(page)
    return page


def click_link(qtbot: QtBot, link: QToolButton) -> None:
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)


def test_the_dialog_reads_in_the_order_of_the_screenshot(qtbot: QtBot) -> None:
    page = shown_page(qtbot)
    labels = [page.title, page.body, page.learn_more, page.code, page.detail, page.cv]
    tops = [label.geometry().top() for label in labels]
    assert tops == sorted(tops)
    assert page.title.text() == screens.ERROR_TITLE
    assert page.body.text() == screens.ERROR_SERVER
    assert page.code.text() == "REMOTE_SERVER_GENERAL_FAILURE (serverFailure)"
    assert page.learn_more.text() == LEARN_MORE
    buttons = list(page.findChildren(QPushButton))
    assert [b.text() for b in sorted(buttons, key=lambda b: b.x())] == ["Close", "Try again"]
    answers: list[bool] = []
    page.answered.connect(answers.append)
    buttons[0].click()
    buttons[1].click()
    assert answers == [False, True]


def test_learn_more_opens_the_error_codes_page(qtbot: QtBot, opened: list[QUrl]) -> None:
    page = shown_page(qtbot)
    assert ERROR_CODES_PAGE.is_file()  # the page ships in docs/
    with qtbot.waitSignal(page.learnMoreOpened):
        click_link(qtbot, page.learn_more)
    assert [url.toLocalFile() for url in opened] == [str(ERROR_CODES_PAGE)]
    assert not page.status.isVisible()
    assert page.isVisible()  # the dialog stays: Close and Try again still answer it


def test_without_the_docs_folder_the_dialog_says_where_the_page_is(
    qtbot: QtBot, tmp_path: Path, opened: list[QUrl]
) -> None:
    page = shown_page(qtbot, docs_page=tmp_path / "error-codes.md")
    click_link(qtbot, page.learn_more)
    assert opened == []
    assert page.status.isVisible()
    assert "docs/error-codes.md" in page.status.text()
    # shown again for the next failure, the note is gone
    page.hide()
    page.show()
    assert not page.status.isVisible()


def test_a_desktop_without_a_viewer_gets_the_page_in_a_window(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(error_page.QDesktopServices, "openUrl", lambda _url: False)
    page = shown_page(qtbot)
    click_link(qtbot, page.learn_more)
    dialog = page.docs_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    shown = dialog.browser.toPlainText()
    assert "Codes and sentences" in shown
    assert "REMOTE_SERVER_GENERAL_FAILURE" in shown
    assert "|" not in shown.splitlines()[0]  # rendered, not the Markdown source
    dialog.accept()
    assert not dialog.isVisible()
    assert page.isVisible()


def test_a_message_without_a_code_line_shows_no_code(qtbot: QtBot) -> None:
    page = shown_page(qtbot)
    page.set_message("Something else went wrong.")
    assert page.body.text() == "Something else went wrong."
    assert not page.code.isVisible()


def test_a_failure_without_an_internal_code_shows_its_value_once(qtbot: QtBot) -> None:
    page = shown_page(qtbot)
    page.set_message(error_text("cardGeneralFailure"))
    assert page.code.text() == "cardGeneralFailure"
