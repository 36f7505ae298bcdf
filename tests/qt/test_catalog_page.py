"""The Select Provider page, the Gateway page's way back to it, and the walled garden's group in
the MO service panel, as widgets (pytest-qt).

Public pages "Mobile Plans operator catalog" (tiles in the order the catalog gives, the heading
of its screenshot) and "Mobile Plans gateway page" (the screenshot's "Choose a different mobile
operator" link).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.catalog import CATALOG_TITLE
from simulator.portal.walled_garden import GardenMode
from simulator.ui.catalog_page import TILE, CatalogPage, tile_color
from simulator.ui.gateway_page import CHOOSE_OPERATOR, GatewayPage
from simulator.ui.panels.walled_garden import WalledGardenGroup


def test_tiles_in_the_given_order_and_a_click_names_the_operator(qtbot: QtBot) -> None:
    page = CatalogPage()
    qtbot.addWidget(page)
    page.show_operators(["Contoso Cellular", "Datum Telekom", "Fabrikam Mobile"])
    assert page.title.text() == CATALOG_TITLE == "Select a mobile operator to get online now"
    assert page.tile_labels() == ["Contoso Cellular", "Datum Telekom", "Fabrikam Mobile"]
    assert not page.empty.isVisibleTo(page)
    with qtbot.waitSignal(page.providerChosen) as chosen:
        qtbot.mouseClick(page.tiles["Datum Telekom"], Qt.MouseButton.LeftButton)
    assert chosen.args == ["Datum Telekom"]


def test_showing_again_replaces_the_tiles_and_says_when_none_are_left(qtbot: QtBot) -> None:
    page = CatalogPage()
    qtbot.addWidget(page)
    page.show_operators(["Contoso Cellular", "Fabrikam Mobile"])
    page.show_operators([], "No mobile operator sells plans through Mobile Plans in JP.")
    assert page.tile_labels() == []
    assert page.empty.isVisibleTo(page)
    assert "JP" in page.empty.text()


def test_a_brand_keeps_its_tile_colour() -> None:
    assert tile_color("Fabrikam Mobile") == tile_color("fabrikam mobile")
    assert tile_color("Fabrikam Mobile").startswith("#")


def test_the_gateway_page_offers_the_catalog_only_when_there_is_a_choice(qtbot: QtBot) -> None:
    page = GatewayPage()
    qtbot.addWidget(page)
    page.show_standard("Fabrikam Mobile")
    assert not page.choose_operator.isVisibleTo(page)  # one operator: no way back to choose
    page.set_can_choose_operator(True)
    assert page.choose_operator.isVisibleTo(page)
    assert page.choose_operator.text() == CHOOSE_OPERATOR
    with qtbot.waitSignal(page.chooseOperatorClicked):
        qtbot.mouseClick(page.choose_operator, Qt.MouseButton.LeftButton)


def test_operator_text_on_the_gateway_page_is_never_html(qtbot: QtBot) -> None:
    page = GatewayPage()
    qtbot.addWidget(page)
    page.show_standard("<b>Fabrikam</b>")
    for label in (page.brand, page.body, page.logo):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert page.brand.text() == "<b>Fabrikam</b>"


def test_the_walled_garden_group_switches_and_shows_what_happened(qtbot: QtBot) -> None:
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    chosen: list[GardenMode] = []
    group = WalledGardenGroup(GardenMode.REPORT, chosen.append)
    qtbot.addWidget(group)
    events.subscribe(group.observe)
    group.mode.setCurrentText("enforce")
    assert chosen == [GardenMode.ENFORCE]
    events.emit("portal.launch", url="https://portal.example/")
    events.emit("walled_garden.state", state="closed", mode="enforce", hosts=["a", "b"])
    assert group.state.text() == "closed: 2 hosts reachable"
    events.emit("network.blocked", host="fonts.example.net", url="https://fonts.example.net/")
    events.emit("network.blocked", host="fonts.example.net", url="https://fonts.example.net/2")
    assert group.outside.text() == "fonts.example.net (blocked)"
    # a mode set elsewhere (the fixture) is shown, not set again
    events.emit("walled_garden.state", state="off", mode="off")
    assert group.mode.currentText() == "off"
    assert chosen == [GardenMode.ENFORCE]
    events.emit("portal.launch", url="https://portal.example/")
    assert group.outside.text() == ""


def test_a_gateway_image_uri_is_shown_as_text_never_as_html(qtbot: QtBot) -> None:
    """The placeholder names the operator's image URI; a URI with markup stays markup, so a
    template cannot make the page load a local file through an <img> tag."""
    from PySide6.QtWidgets import QFrame, QLabel

    from simulator.operator_api.config import GatewayImage, GatewayTemplate

    page = GatewayPage()
    qtbot.addWidget(page)
    uri = "https://cdn.example/<img/src=file:///etc/hostname>" + "x" * 2000
    page.show_enhanced("Contoso", GatewayTemplate("0", images=(GatewayImage(uri, 740, 480),)))
    (label,) = page.findChild(QFrame, "gateway-image").findChildren(QLabel)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert len(label.text()) < 100  # cut to fit the placeholder; the tooltip has all of it
    # the whole URI in the tooltip, escaped: Qt would render a tooltip that looks like HTML
    assert "&lt;img/src=file:///etc/hostname&gt;" + "x" * 2000 in label.toolTip()
    assert "<img" not in label.toolTip()


def test_fifty_operators_scroll_at_full_tile_size(qtbot: QtBot) -> None:
    """The page once squeezed 50 tiles into the frame: 24-pixel squares with no names."""
    page = CatalogPage()
    qtbot.addWidget(page)
    page.resize(800, 600)
    brands = [f"Operator {n:02}" for n in range(50)]
    page.show_operators(brands)
    page.show()
    qtbot.waitExposed(page)
    tile = page.tiles["Operator 49"]
    assert tile.height() >= TILE
    assert tile.width() >= TILE
    assert page.tiles_scroll.verticalScrollBar().maximum() > 0  # the rest is a scroll away
    assert page.tile_labels() == brands


def test_a_long_brand_is_cut_on_its_tile_and_whole_in_its_tooltip(qtbot: QtBot) -> None:
    page = CatalogPage()
    qtbot.addWidget(page)
    long_brand = "Contoso Telecommunications International Holdings Limited Mobile"
    page.show_operators([long_brand, "AT&T"])
    tile = page.tiles[long_brand]
    assert tile.text().endswith("…")
    assert tile.toolTip() == f"<p>{long_brand}</p>"
    assert tile.width() == TILE + 16
    # "&" is not a keyboard shortcut marker on a tile: it shows as "&".
    assert page.tiles["AT&T"].text() == "AT&&T"
    assert page.tile_labels() == [long_brand, "AT&T"]


def test_a_narrow_page_has_fewer_columns_and_never_scrolls_sideways(qtbot: QtBot) -> None:
    page = CatalogPage()
    qtbot.addWidget(page)
    page.resize(420, 600)
    page.show_operators([f"Operator {n}" for n in range(7)])
    page.show()
    qtbot.waitExposed(page)
    columns = {page.grid.getItemPosition(page.grid.indexOf(t))[1] for t in page.tiles.values()}
    assert columns == {0, 1}
    page.resize(1000, 600)
    qtbot.waitUntil(
        lambda: page.grid.getItemPosition(page.grid.indexOf(page.tiles["Operator 4"]))[1] == 4
    )


def test_a_long_outside_host_is_shortened_in_the_group(qtbot: QtBot) -> None:
    """A portal chooses its hosts; a 253-character one once widened the whole MO service panel."""
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    group = WalledGardenGroup(GardenMode.REPORT, lambda _: None)
    qtbot.addWidget(group)
    events.subscribe(group.observe)
    events.emit("portal.launch", url="https://portal.example/")
    host = ".".join(["a" * 60] * 4) + ".example"
    events.emit("network.outside-garden", host=host, url=f"https://{host}/")
    assert len(group.outside.text()) < 60
    assert group.outside.toolTip() == host
    assert group.sizeHint().width() < 600


def test_a_long_brand_wraps_on_the_gateway_page(qtbot: QtBot) -> None:
    page = GatewayPage()
    qtbot.addWidget(page)
    brand = "Contoso Mobile Long Brand Name For Layout Testing Purposes Only"  # 64 at most
    page.show_standard(brand)
    page.resize(640, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.brand.wordWrap()
    assert page.brand.geometry().right() <= page.width()
    assert page.minimumSizeHint().width() <= 640
