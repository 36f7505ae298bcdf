"""Toasts are drawn in full, stacked in the bottom-right corner, and go when answered."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from simulator.ui.toast_book import ShownToast
from simulator.ui.toasts import MARGIN, TOAST_WIDTH, ToastStack

LONG = (
    "Your Contoso Mobile eSIM profile is ready to download. It was ordered on this PC and "
    "will replace nothing that is already on the card."
)


def shown(toast_id: str, text: str = LONG, *actions: str) -> ShownToast:
    return ShownToast(toast_id, text, actions, "op", outcome=False)


def make(qtbot: QtBot) -> tuple[QWidget, ToastStack]:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1200, 800)
    stack = ToastStack("Mobile Plans", host)
    host.show()
    qtbot.waitExposed(host)
    return host, stack


def test_one_toast_in_the_bottom_right_corner_with_its_full_text(qtbot: QtBot) -> None:
    host, stack = make(qtbot)
    card = stack.add(shown("toast-1", LONG, "Download", "Not now"))
    qtbot.wait(10)
    assert stack.isVisible()
    assert card.isVisible()
    assert stack.geometry().right() == host.width() - MARGIN - 1
    assert stack.geometry().bottom() == host.height() - MARGIN - 1
    assert card.width() == TOAST_WIDTH
    # The whole text is drawn: the label got at least the height its wrapped text needs.
    assert card.text.height() >= card.text.heightForWidth(card.text.width())
    assert card.text.text() == LONG
    for button in card.buttons.values():
        assert button.height() >= button.sizeHint().height()
        assert button.width() >= button.sizeHint().width()
        assert card.rect().contains(button.geometry())


def test_several_toasts_stack_upwards_newest_lowest(qtbot: QtBot) -> None:
    host, stack = make(qtbot)
    first = stack.add(shown("toast-1", "Will be installed later."))
    second = stack.add(shown("toast-2", LONG, "Download", "Not now"))
    qtbot.wait(10)
    assert first.geometry().bottom() < second.geometry().top()
    assert stack.height() == first.height() + second.height() + 8
    assert stack.toast_ids() == ["toast-1", "toast-2"]
    stack.remove("toast-1")
    assert stack.toast_ids() == ["toast-2"]
    assert stack.height() == second.height()
    assert stack.geometry().bottom() == host.height() - MARGIN - 1


def test_a_button_answers_and_removes_the_toast(qtbot: QtBot) -> None:
    _host, stack = make(qtbot)
    stack.add(shown("toast-1", LONG, "Download", "Not now"))
    button = stack.button("toast-1", "Download")
    assert button is not None
    assert button.objectName() == "toast-1-download"
    with qtbot.waitSignal(stack.answered) as answered:
        button.click()
    assert answered.args == ["toast-1", "Download"]
    assert stack.toast_ids() == []
    assert not stack.isVisible()


def test_the_close_cross_closes_without_answering(qtbot: QtBot) -> None:
    _host, stack = make(qtbot)
    card = stack.add(shown("toast-1", "You're connected."))
    answers: list[object] = []
    stack.answered.connect(lambda *args: answers.append(args))
    with qtbot.waitSignal(stack.closed) as closed:
        card.close_button.click()
    assert closed.args == ["toast-1"]
    assert answers == []
    assert stack.toast_ids() == []


def test_more_toasts_than_fit_keep_the_newest_in_view(qtbot: QtBot) -> None:
    host, stack = make(qtbot)
    host.resize(1200, 300)
    for number in range(6):
        stack.add(shown(f"toast-{number}", LONG, "Download"))
    qtbot.wait(10)
    newest = stack.card("toast-5")
    assert newest is not None
    assert stack.height() <= host.height() - 2 * MARGIN
    assert newest.geometry().bottom() == stack.height() - 1


def test_the_stack_follows_its_host_when_resized(qtbot: QtBot) -> None:
    host, stack = make(qtbot)
    stack.add(shown("toast-1", "short"))
    host.resize(900, 700)
    qtbot.waitUntil(lambda: stack.geometry().right() == 900 - MARGIN - 1)
    assert stack.geometry().bottom() == 700 - MARGIN - 1


def test_an_operator_notifications_title_is_bold_above_its_body(qtbot: QtBot) -> None:
    # "Mobile Plans notifications": the toast pictures show the title in bold, the body under it
    _, stack = make(qtbot)
    title = "Running low on data"
    toast = ShownToast("mo-1", f"{title}\n{LONG}", ("Get more data", "Not now"), "op", False, title)
    card = stack.add(toast)
    qtbot.wait(10)
    assert card.title.isVisible()
    assert card.title.text() == title
    assert card.title.font().bold()
    assert not card.text.font().bold()
    assert card.text.text() == LONG
    assert card.title.geometry().bottom() < card.text.geometry().top()
    assert card.text.height() >= card.text.heightForWidth(card.text.width())
    assert card.rect().contains(card.text.geometry())
    # the app's own toasts have no title line
    plain = stack.add(shown("toast-2", "Will be installed later."))
    assert not plain.title.isVisible()
    assert plain.text.text() == "Will be installed later."
