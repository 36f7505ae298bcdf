"""The main window: fixed portal frame, docks that never move with the app's screens, menus,
remembered geometry (in a settings file of the test's own), and what events change on screen."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from simulator.events import Event
from simulator.flows import screens
from simulator.ui.layout import (
    PORTAL_FRAME,
    SIDE_DOCK_WIDTH,
    TIMELINE_DOCK_WIDTH,
    window_settings,
)
from simulator.ui.main_window import MainWindow, plain_detail

OPERATOR = "Fabrikam Wireless"  # the operator of every window `make_bare_window` makes
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def make_window(make_bare_window: MakeWindow) -> MakeWindow:
    def make(settings: QSettings | None = None) -> MainWindow:
        window = make_bare_window(settings)
        # Stand-ins for the app's side panels, so the left dock has tabs as in the app.
        for name in ("eSIM", "Operator"):
            dock = window.add_dock(name, QLabel(name), Qt.DockWidgetArea.LeftDockWidgetArea)
            window.tabifyDockWidget(window.docks["device"], dock)
        return window

    return make


_seq = count(1)


def event(kind: str, **fields: Any) -> Event:
    return Event(next(_seq), 0.0, "", kind, fields)


def dock_sizes(window: MainWindow) -> dict[str, QSize]:
    return {name: dock.size() for name, dock in window.docks.items() if dock.isVisible()}


def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    return window


def test_the_portal_keeps_its_frame_and_the_docks_do_not_move(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = shown(qtbot, make_window())
    assert window.view.size() == PORTAL_FRAME
    before = dock_sizes(window)
    for screen, text in (
        ("installing", "Installing eSIM profile (10KB of 60KB)"),
        ("connecting", screens.CONNECTING),
        ("error", "We couldn't download the profile because there was a server problem. " * 6),
        ("balance", "Balance added to Contoso 5 GB with Fabrikam Wireless."),
        ("load-failed", "No services are available right now. CV: abc"),
        ("progress-popup", "Installing eSIM profile (30KB of 60KB)"),
        ("portal", screens.UPDATING_BANNER),
        ("provider", screens.PROVIDER_TITLE),
    ):
        window.observe(event("ui.screen", screen=screen, text=text))
        qtbot.wait(10)
        assert window.stack.size() == PORTAL_FRAME, screen
        assert window.view.size() == PORTAL_FRAME, screen
        assert dock_sizes(window) == before, screen


def test_default_size_shows_the_side_panels_at_their_width(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    # The default size is bounded by the screen; the offscreen test screen is small.
    window.resize(
        PORTAL_FRAME.width() + SIDE_DOCK_WIDTH + TIMELINE_DOCK_WIDTH + 60,
        PORTAL_FRAME.height() + 300,
    )
    shown(qtbot, window)
    # The tab on top of the left dock area (the last one tabified) has the side width.
    assert window.docks["operator"].width() >= SIDE_DOCK_WIDTH
    assert window.docks["timeline"].width() >= TIMELINE_DOCK_WIDTH
    assert window.minimumSizeHint().width() >= PORTAL_FRAME.width()


def test_geometry_and_docks_are_remembered_in_the_given_settings(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    settings = window_settings(tmp_path / "data")
    assert settings is not None
    assert Path(settings.fileName()).parent == tmp_path / "data" / "ui"
    first = shown(qtbot, make_window(settings))
    first.docks["timeline"].hide()
    first.resize(1150, 760)
    qtbot.wait(20)
    size = first.size()
    first.close()
    assert Path(settings.fileName()).is_file()

    again = shown(qtbot, make_window(window_settings(tmp_path / "data")))
    assert again.size() == size
    assert not again.docks["timeline"].isVisible()
    assert again.docks["contract"].isVisible()


def test_damaged_settings_leave_the_defaults(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    settings = window_settings(tmp_path / "data")
    assert settings is not None
    settings.setValue("window/geometry", "not a geometry")
    settings.setValue("window/state", b"\x00garbage")
    window = shown(qtbot, make_window(settings))
    assert window.docks["timeline"].isVisible()
    assert window.view.size() == PORTAL_FRAME


def test_menus_quit_view_every_dock_and_help(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = shown(qtbot, make_window())
    assert window.menus.quit_action.shortcut().toString() == "Ctrl+Q"
    toggles = {action.text() for action in window.menus.view_menu.actions()}
    for dock in window.findChildren(QDockWidget):
        assert dock.windowTitle() in toggles
    contract = window.docks["contract"].toggleViewAction()
    contract.trigger()
    assert not window.docks["contract"].isVisible()
    contract.trigger()
    assert window.docks["contract"].isVisible()
    with qtbot.waitSignal(window.closing):
        window.menus.quit_action.trigger()
    assert not window.isVisible()


def test_documentation_opens_the_repository_readme(
    qtbot: QtBot, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        "simulator.ui.menus.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile())
    )
    window = make_window()
    window.menus.docs_action.trigger()
    assert len(opened) == 1
    assert opened[0].endswith("docs/README.md")
    assert Path(opened[0]).is_file()


def test_pages_name_the_operator_and_connecting_turns_connected(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = shown(qtbot, make_window())
    for page in (window.connecting_page, window.installing_page, window.error_page):
        assert page.operator.text() == OPERATOR
    assert OPERATOR in window.provider_page.body.text()
    assert window.progress_popup.operator.text() == OPERATOR
    window.observe(event("ui.screen", screen="connecting", text=screens.CONNECTING))
    assert window.connecting_page.body.text() == screens.CONNECTING
    window.observe(event("network.registration", iccid="89", state="searching"))
    assert window.connecting_page.title.text() == "Connecting"
    window.observe(event("network.registration", iccid="89", state="home"))
    assert window.connecting_page.title.text() == "You’re connected"
    assert OPERATOR in window.connecting_page.body.text()
    assert not window.connecting_page.progress.isVisible()
    # Shown again for another line that the network then refuses.
    window.observe(event("ui.screen", screen="connecting", text=screens.CONNECTING))
    assert window.connecting_page.title.text() == "Connecting"
    assert window.connecting_page.progress.isVisible()
    window.observe(event("network.registration", iccid="88", state="deregistered"))
    assert window.connecting_page.title.text() == "Connecting"
    window.observe(event("network.registration", iccid="89", state="denied"))
    assert window.connecting_page.title.text() == "Not connected"
    assert window.connecting_page.body.text() == f"We couldn’t connect you to {OPERATOR} (denied)."


def test_the_updating_banner_clears_when_the_network_is_done(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = shown(qtbot, make_window())
    window.observe(event("ui.screen", screen="portal", text=screens.UPDATING_BANNER))
    assert window.banner.isVisible()
    assert window.banner.text.text() == screens.UPDATING_BANNER
    assert window.banner.geometry().bottom() == PORTAL_FRAME.height() - 1
    window.observe(event("network.registration", iccid="89", state="searching"))
    assert window.banner.isVisible()
    window.observe(event("network.registration", iccid="89", state="home"))
    assert not window.banner.isVisible()


def test_toasts_follow_their_flow(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = shown(qtbot, make_window())
    op = {"flow": "delayed-download", "operation": "op-1"}
    window.observe(event("flow.state", state="scheduled", **op))
    window.observe(event("ui.toast", toast="toast-1", text="installed later", actions=[]))
    assert window.toasts.toast_ids() == ["toast-1"]
    assert window.toasts.isVisible()
    window.observe(event("flow.state", state="toast-shown", **op))
    window.observe(
        event("ui.toast", toast="toast-2", text="ready", actions=["Download", "Not now"])
    )
    assert window.toasts.toast_ids() == ["toast-2"]
    button = window.toasts.button("toast-2", "Download")
    assert button is not None
    with qtbot.waitSignal(window.toastAnswered) as answered:
        button.click()
    assert answered.args == ["toast-2", "Download"]
    assert window.toasts.toast_ids() == []
    # After asynchronous connectivity: the result is shown and stays.
    window.observe(event("flow.state", state="connected", **op))
    window.observe(event("ui.toast", toast="toast-3", text="You're connected", actions=[]))
    window.observe(event("flow.state", state="done", **op))
    assert window.toasts.toast_ids() == ["toast-3"]


def test_the_error_page_says_what_failed_underneath(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = shown(qtbot, make_window())
    why = "the SM-DP+ smdp.other.example is not reachable: start it with --smdp-host ..."
    window.observe(event("lpa.error", activation_error="serverNotReachable", message=why))
    window.observe(event("ui.screen", screen="error", text="We couldn't download the profile."))
    assert window.stack.currentWidget() is window.error_page
    assert window.error_page.body.text() == "We couldn't download the profile."
    assert window.error_detail.text() == f"Details: {why}"
    assert window.error_detail.isVisible()
    # The next error without an LPA failure behind it shows no stale details.
    window.observe(event("ui.screen", screen="error", text="Something else."))
    assert not window.error_detail.isVisible()


def test_plain_detail_drops_note_references() -> None:
    message = (
        "AuthenticateClient: the SM-DP+ refused with 8.2/1.2 (profile not yet released): "
        "order.not-released: the profile of X is not released (SGP.22 §6.5.2 (status codes))"
        " [es9.8.2/1.2; SGP.22 §6.5.2 status codes]"
    )
    assert plain_detail(message) == (
        "AuthenticateClient: the SM-DP+ refused with 8.2/1.2 (profile not yet released): "
        "order.not-released: the profile of X is not released"
    )
    assert plain_detail("the SM-DP+ a.example is not reachable") == (
        "the SM-DP+ a.example is not reachable"
    )


def test_text_from_the_portal_is_never_read_as_html(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = shown(qtbot, make_window())
    hostile = "Your plan <img src='file:///etc/passwd'><h1>FREE</h1> is active."
    window.observe(event("ui.screen", screen="plan-active", text=hostile))
    window.observe(event("ui.toast", toast="toast-9", text=hostile, actions=[]))
    window.observe(event("ui.screen", screen="portal", text=hostile))
    card = window.toasts.card("toast-9")
    assert card is not None
    for label in (window.plan_page.body, card.text, window.banner.text):
        assert label.text() == hostile
        assert label.textFormat() == Qt.TextFormat.PlainText
    for label in window.findChildren(QLabel):
        assert label.textFormat() != Qt.TextFormat.RichText


def test_a_file_where_the_settings_folder_goes_means_no_memory_not_a_crash(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ui").write_text("not a folder")
    assert window_settings(tmp_path / "data") is None
    window = shown(qtbot, make_window(None))
    window.close()
    assert (tmp_path / "data" / "ui").read_text() == "not a folder"


def test_a_short_screen_puts_the_contract_panel_beside_the_timeline(
    qtbot: QtBot, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.ui.main_window.fits_portal_and_bottom_dock", lambda _w: False)
    window = shown(qtbot, make_window())
    assert window.dockWidgetArea(window.docks["contract"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.docks["contract"] in window.tabifiedDockWidgets(window.docks["timeline"])
    assert window.view.size() == PORTAL_FRAME


def test_download_progress_updates_the_shown_popup_or_page(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = shown(qtbot, make_window())
    window.observe(event("ui.screen", screen="progress-popup", text="Installing eSIM profile"))
    assert window.progress_popup.isVisible()
    window.observe(
        event(
            "lpa.progress",
            stage="LoadBoundProfilePackage",
            bytes=30720,
            total=61440,
            screen="progress-popup",
            text="Installing eSIM profile (30KB of 60KB)",
        )
    )
    assert window.progress_popup.text.text() == "Installing eSIM profile (30KB of 60KB)"
    window.observe(event("ui.screen", screen="installing", text="Installing eSIM profile"))
    assert not window.progress_popup.isVisible()
    window.observe(
        event("lpa.progress", screen="installing", text="Installing eSIM profile (60KB of 60KB)")
    )
    assert window.installing_page.body.text() == "Installing eSIM profile (60KB of 60KB)"
    # Progress of a screen no longer shown changes nothing; events without text are ignored.
    window.observe(event("lpa.progress", screen="progress-popup", text="late"))
    assert not window.progress_popup.isVisible()
    window.observe(event("lpa.progress", stage="Done", bytes=1, total=1))
    assert window.installing_page.body.text() == "Installing eSIM profile (60KB of 60KB)"


def test_a_screen_event_with_its_own_title(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = shown(qtbot, make_window())
    window.observe(
        event(
            "ui.screen",
            screen="error",
            title="Something else went wrong",
            body="Body.",
            text="Body.",
        )
    )
    assert window.error_page.title.text() == "Something else went wrong"
    assert window.error_page.body.text() == "Body."
    window.observe(event("ui.screen", screen="error", text="Plain."))
    assert window.error_page.title.text() == screens.ERROR_TITLE


def test_the_error_page_shows_the_launch_correlation_vector(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = shown(qtbot, make_window())
    window.observe(event("ui.screen", screen="error", text="No launch yet."))
    assert not window.error_cv.isVisible()
    params = {"market": "US", "transactionId": "t42PkW74hUuj8jrx.1"}
    window.observe(event("portal.launch", url="https://x.example/", params=params, headers={}))
    window.observe(event("ui.screen", screen="error", text="We couldn’t download the profile."))
    assert window.error_cv.text() == "CV: t42PkW74hUuj8jrx.1"
    assert window.error_cv.isVisible()
    buttons = [b.text() for b in window.error_page.findChildren(QPushButton)]
    assert buttons == ["Close", "Try again"]  # the order of the docs' screenshot
