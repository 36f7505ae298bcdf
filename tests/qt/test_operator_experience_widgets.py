"""The Gateway page and the MO service panel as widgets (pytest-qt, no web engine).

Public pages "Mobile Plans gateway page" (template colours 0xRRGGBBAA, the fixed disclaimer,
the Continue button) and "Mobile Operator account management in Windows 10" (flyout entries).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import (
    GatewayImage,
    GatewayTemplate,
    NotificationType,
    ServiceConfiguration,
)
from simulator.operator_api.experience import MobilePlansService, PcState
from simulator.operator_api.sample_config import sample_configuration
from simulator.ui.gateway_page import DISCLAIMER, GatewayPage, standard_body
from simulator.ui.panels.flyout import FlyoutPanel

CONFIG = sample_configuration("https://127.0.0.1:1/v1/")


def test_enhanced_gateway_page_uses_the_template(qtbot: QtBot) -> None:
    page = GatewayPage()
    qtbot.addWidget(page)
    template = CONFIG.gateway_template("0")
    assert template is not None
    page.show_enhanced("Contoso Mobile", template)
    assert page.template_id == "0"
    assert page.body.text() == "Stay connected from virtually anywhere."
    assert page.button.text() == "Get started"
    assert page.disclaimer.text() == DISCLAIMER
    style = page.styleSheet()
    assert "#gateway-page { background: rgba(0, 0, 0, 1.0); }" in style  # 0x000000FF
    assert "color: rgba(255, 255, 255, 1.0); border: none" in style  # buttonFontColor
    assert "background: rgba(0, 176, 240, 1.0)" in style  # buttonColor 0x00B0F0FF
    with qtbot.waitSignal(page.continueClicked):
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)


_LONGEST_BODY = ("Stay connected with plans that fit the way you work and travel. " * 16)[:1000]


def test_the_longest_body_under_the_largest_picture_scrolls_instead_of_overlapping(
    qtbot: QtBot,
) -> None:
    """bodyText may hold 1000 characters; under the docs' 740 x 480 example picture (drawn
    370 x 240) the page is taller than the app's 800 x 600 frame."""
    page = GatewayPage()
    qtbot.addWidget(page)
    page.resize(800, 600)
    image = GatewayImage("https://cdn.example/740x480.png", 740, 480)
    page.show_enhanced("Contoso Mobile", GatewayTemplate("0", _LONGEST_BODY, images=(image,)))
    page.show()
    qtbot.waitExposed(page)
    view = page.image_view
    assert view is not None
    assert view.geometry().bottom() < page.body.geometry().top()  # text below the picture
    assert page.body.geometry().bottom() < page.disclaimer.geometry().top()
    assert page.scroll_area.verticalScrollBar().maximum() > 0  # the rest is a scroll away


def test_a_body_word_longer_than_the_page_wraps_inside_it(qtbot: QtBot) -> None:
    """A URL in the body has no space to wrap at; it is broken, not cut at the page's edge."""
    page = GatewayPage()
    qtbot.addWidget(page)
    page.resize(800, 600)
    url = "https://www.contoso.example/offers/" + "spring" * 40
    page.show_enhanced("Contoso Mobile", GatewayTemplate("0", f"See {url} for more."))
    page.show()
    qtbot.waitExposed(page)
    content = page.scroll_area.widget()
    assert page.body.geometry().right() <= content.width() - 48  # within the page's margin
    assert page.body_text == f"See {url} for more."  # as the template says (ui.screen)
    assert page.body.text().replace("\u200b", "") == page.body_text


def test_standard_gateway_page(qtbot: QtBot) -> None:
    page = GatewayPage()
    qtbot.addWidget(page)
    page.show_standard("Fabrikam")
    assert page.template_id is None
    assert page.body.text() == standard_body("Fabrikam")
    # the standard page's picture ("Mobile Plans gateway page")
    assert page.body.text().startswith("We\u2019ll take you to the Fabrikam website, so you can")
    assert [link.text() for link in page.links] == ["Learn more about what info we share", "About"]
    assert page.disclaimer.text().endswith("so they know what type of device you\u2019re using.")
    assert page.button.text() == "Continue"
    assert "background: rgba(255, 255, 255, 1.0)" in page.styleSheet()  # white by default
    assert "palette(highlight)" in page.styleSheet()  # button: the system highlight colour


class _World:
    config: ServiceConfiguration = CONFIG

    def get_balance(self, iccid: str, done: Callable[[Exchange], None] | None = None) -> None:
        raise AssertionError("no profile: no call")

    def get_offers(
        self, iccid: str, imei: str | None, done: Callable[[Exchange], None] | None = None
    ) -> None:
        raise AssertionError("no profile: no call")

    def get_notifications(
        self,
        iccid: str,
        notification_type: NotificationType,
        imei: str | None,
        done: Callable[[Exchange], None] | None = None,
    ) -> None:
        raise AssertionError("no profile: no call")


def test_flyout_panel_shows_what_the_service_decided(qtbot: QtBot) -> None:
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    pc = PcState(lambda: None, lambda _: False, list)
    service = MobilePlansService(_World(), pc, events, "1")
    panel = FlyoutPanel(service, None, lambda: None)
    qtbot.addWidget(panel)
    events.subscribe(panel.observe)
    panel.show()
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert panel.connect_plan.isVisible()
    assert not panel.view_account.isVisible()
    with qtbot.waitSignal(panel.connectRequested):
        qtbot.mouseClick(panel.connect_plan, Qt.MouseButton.LeftButton)
    events.emit(
        "flyout.shown",
        entries=["View my account"],
        balance="123 MB · 23 days 23 hours left",
        mobile_plans_disabled=False,
        reason="MODIRECTPAYG",
    )
    assert panel.view_account.isVisible()
    assert panel.balance.text() == "123 MB · 23 days 23 hours left"
    # the SMS button reports why nothing happens without the operator's profile
    send = panel.findChild(type(panel.open_button), "sms-send")
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    ignored = events.of_kind("sms.received")[-1].fields["ignored"]
    assert ignored == "no active profile of the operator"
    assert panel.sms_outcome.text() == "SMS ignored: no active profile of the operator."


def test_the_panel_says_why_the_end_of_setup_shows_no_promotion(qtbot: QtBot) -> None:
    """ "Mobile Plans notifications": the app-triggered promotion is for a PC without a
    profile; on one with a profile the button did nothing visible."""
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    profiles: list[str] = []
    pc = PcState(lambda: None, lambda _: False, lambda: profiles)
    panel = FlyoutPanel(MobilePlansService(_World(), pc, events, "1"), None, lambda: None)
    qtbot.addWidget(panel)
    qtbot.mouseClick(panel.setup_button, Qt.MouseButton.LeftButton)
    assert [e.kind for e in events][-1] == "ui.toast"  # the trialOffer template's toast
    assert panel.sms_outcome.text() == ""
    profiles.append("8999001000000000018")
    qtbot.mouseClick(panel.setup_button, Qt.MouseButton.LeftButton)
    assert [e.kind for e in events][-1] == "ui.control"  # no toast
    assert panel.sms_outcome.text() == (
        "No promotion: the PC has an eSIM profile; the promotion is for a PC without one."
    )


def test_iccid_ranges_are_edited_in_the_panel(qtbot: QtBot) -> None:
    """ "Mobile Plans service configuration": the operator's ICCID range or ranges."""
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    pc = PcState(lambda: None, lambda _: False, list)
    panel = FlyoutPanel(MobilePlansService(_World(), pc, events, "1"), None, lambda: None)
    qtbot.addWidget(panel)
    assert panel.ranges.text() == "8999001"
    panel.ranges.setText("8999-8988")
    panel.ranges.editingFinished.emit()
    assert panel.ranges_error.text().startswith("iccid-range.reversed")
    # What a person types comes back in the message: shown as typed, never read as HTML.
    panel.ranges.setText("<img src=file:///etc/hostname>")
    panel.ranges.editingFinished.emit()
    assert "<img" in panel.ranges_error.text()
    assert panel.ranges_error.textFormat() == Qt.TextFormat.PlainText
    panel.ranges.setText("894411, 8988247000100000000-8988247000199999999")
    with qtbot.waitSignal(panel.rangesChanged) as changed:
        panel.ranges.editingFinished.emit()
    assert [str(r) for r in changed.args[0]] == [
        "894411", "8988247000100000000-8988247000199999999"
    ]  # fmt: skip
    assert panel.ranges_error.text() == ""
