"""The Gateway page draws the template's picture fetched from a real loopback HTTPS host (the
sample operator, as `run` has it), and says so in plain text when it cannot be loaded.

Public page "Mobile Plans gateway page": the enhanced template's images[] (png, declared width
and height); the page draws the picture at the declared size, fitted to the app's frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.config import GatewayImage
from simulator.operator_api.world import OperatorApiWorld
from simulator.qt_clock import MainThreadPoster
from simulator.resources import resource_path
from simulator.ui.gateway_images import NOT_LOADED, decode_png
from simulator.ui.gateway_page import GatewayPage


@pytest.fixture(name="world")
def world_fixture(tmp_path: Path, qapp: object) -> Iterator[OperatorApiWorld]:
    loop = BackgroundLoop("gateway-page-images")
    poster = MainThreadPoster()
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    world = OperatorApiWorld(tmp_path, loop, events, poster.post)
    yield world
    world.close()
    poster.close()
    loop.stop()


def _page(qtbot: QtBot, world: OperatorApiWorld) -> GatewayPage:
    page = GatewayPage(
        load_images=lambda template_id, images, arrived: world.gateway_images.load(
            world.config, template_id, images, decode_png, arrived
        )
    )
    qtbot.addWidget(page)
    page.resize(800, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_the_sample_operators_picture_is_drawn_at_its_declared_size(
    qtbot: QtBot, world: OperatorApiWorld
) -> None:
    page = _page(qtbot, world)
    template = world.config.gateway_template("0")
    assert template is not None
    (image,) = template.images
    assert image.uri.startswith("https://127.0.0.1:")  # the sample operator's own host
    page.show_enhanced("Contoso Mobile", template)
    view = page.image_view
    assert view is not None
    assert view.state == "loading"
    qtbot.waitUntil(lambda: view.state == "loaded", timeout=20_000)
    drawn = view.label.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB32)
    ratio = view.devicePixelRatioF()  # device pixels per logical pixel (1 offscreen)
    width, height = round(370 * ratio), round(240 * ratio)
    assert (drawn.width(), drawn.height()) == (width, height)  # 740 x 480 fitted to the frame
    qtbot.waitUntil(lambda: view.label.geometry() == view.rect())  # no placeholder border
    bundled = QImage(str(resource_path("operator", "gateway.png"))).scaled(
        width,
        height,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    bundled = bundled.convertToFormat(QImage.Format.Format_RGB32)
    for x, y in ((5, 5), (120, 60), (265, 125), (185, 230)):
        at = (round(x * ratio), round(y * ratio))
        assert drawn.pixel(*at) == bundled.pixel(*at), (x, y)
    assert drawn.pixelColor(5, 5).name() == "#08243d"  # the picture's night sky, not gray
    loaded = [e.fields for e in world.events if e.kind == "gateway.image"]
    assert loaded == [
        {
            "template": "0",
            "uri": image.uri,
            "loaded": True,
            "status": 200,
            "bytes": resource_path("operator", "gateway.png").stat().st_size,
            "size": [740, 480],
            "declared": [740, 480],
            "error": "",
        }
    ]


def test_a_missing_picture_is_named_in_plain_text_and_reported(
    qtbot: QtBot, world: OperatorApiWorld
) -> None:
    page = _page(qtbot, world)
    template = world.config.gateway_template("0")
    assert template is not None
    missing = template.images[0].uri.replace("gateway.png", "<b>missing</b>.png")
    page.show_enhanced(
        "Contoso Mobile", replace(template, images=(GatewayImage(missing, 740, 480),))
    )
    view = page.image_view
    assert view is not None
    qtbot.waitUntil(lambda: view.state == "failed", timeout=20_000)
    assert view.label.textFormat() == Qt.TextFormat.PlainText
    assert view.label.text().startswith(f"{NOT_LOADED}\ngateway.image-unreachable\n")
    assert view.label.pixmap().isNull()
    assert "HTTP 404" in view.label.toolTip()
    assert "&lt;b&gt;missing&lt;/b&gt;" in view.label.toolTip()  # never read as HTML
    (found,) = [e.fields for e in world.events if e.kind == "contract.violation"]
    assert found["rule"] == "gateway.image-unreachable"
    assert found["object"] == "MO service"
    assert found["spec"] == "docs/operator-apis.md#gateway.image-unreachable"


def test_a_page_shown_again_ignores_the_earlier_pictures_answer(
    qtbot: QtBot, world: OperatorApiWorld
) -> None:
    page = _page(qtbot, world)
    template = world.config.gateway_template("0")
    assert template is not None
    page.show_enhanced("Contoso Mobile", template)
    page.show_standard("Contoso Mobile")  # before the picture arrives
    qtbot.waitUntil(lambda: any(e.kind == "gateway.image" for e in world.events), timeout=20_000)
    assert page.image_view is None
