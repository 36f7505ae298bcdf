"""The Gateway page's picture: a quiet placeholder of the template's size while it loads, then
the PNG drawn at that size, or a plain-text note that it could not be loaded.

Fetching and checking are :mod:`simulator.operator_api.gateway_images`' (off the GUI thread);
this module decodes with QImage (handed to the fetcher, which calls it on a worker thread) and
draws. The 800 x 600 frame is the app's; a picture that would push the page out of it is scaled
down proportionally (:data:`IMAGE_BOX`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from simulator.contract.violations import Violation
from simulator.operator_api.config import GatewayImage
from simulator.operator_api.gateway_images import ImageResult, fitted_size
from simulator.ui.style import plain_tooltip

__all__ = [
    "IMAGE_BOX",
    "NOT_LOADED",
    "GatewayImageView",
    "ImageSource",
    "decode_png",
]

# The 800 x 600 frame less the page's margins (48 each side), and the height its header, text,
# button, links and disclaimer leave: 740 x 480 (the docs' example) is drawn at 370 x 240.
IMAGE_BOX = (704, 240)
NOT_LOADED = "The image could not be loaded."

# (template id, its images, arrived(index, result)) -> starts loading; results on the GUI thread
ImageSource = Callable[
    [str, tuple[GatewayImage, ...], Callable[[int, ImageResult[QImage]], None]], None
]


def decode_png(data: bytes) -> QImage | None:
    """``data`` decoded as a PNG (no other format is tried), or None. Safe off the GUI thread."""
    image = QImage()
    if not image.loadFromData(QByteArray(data), "PNG") or image.isNull():
        return None
    return image


def _shortened(uri: str, keep: int = 60) -> str:
    """A long URI (up to 2048 characters, no spaces to wrap at) cut to fit the placeholder."""
    return uri if len(uri) <= keep else f"{uri[: keep - 20]}…{uri[-19:]}"


class GatewayImageView(QFrame):
    """One image's place on the page, at the template's size (fitted to the frame)."""

    def __init__(self, image: GatewayImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.setObjectName("gateway-image")
        width, height = fitted_size(image.width, image.height, IMAGE_BOX)
        self.setFixedSize(width, height)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the URI is operator text, never HTML
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setToolTip(plain_tooltip(image.uri))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.state = ""
        self.show_loading()

    def show_loading(self) -> None:
        self.label.setText(f"{self.image.width}×{self.image.height}\n{_shortened(self.image.uri)}")
        self._set_state("loading")

    def show_picture(self, picture: QImage) -> None:
        """Drawn at the template's size (fitted), whatever the file's own size; sharp on a
        high-density screen, where a logical pixel is several device pixels."""
        ratio = self.devicePixelRatioF()
        scaled = picture.scaled(
            round(self.width() * ratio),
            round(self.height() * ratio),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap = QPixmap.fromImage(scaled)
        pixmap.setDevicePixelRatio(ratio)
        self.label.setPixmap(pixmap)
        self._set_state("loaded")

    def show_failure(self, finding: Violation | None) -> None:
        rule = finding.rule if finding is not None else "gateway.image-unreachable"
        self.label.setText(f"{NOT_LOADED}\n{rule}\n{_shortened(self.image.uri)}")
        self.label.setToolTip(plain_tooltip(finding.message if finding else self.image.uri))
        self._set_state("failed")

    def _set_state(self, state: str) -> None:
        # The view's own style sheet wins over the page's, which sets the text colour.
        self.state = state
        self.setStyleSheet(_STATE_STYLES[state])


_STATE_STYLES = {
    "loading": "#gateway-image { border: 1px dashed gray; } QLabel { color: gray; }",
    "loaded": "#gateway-image { border: none; }",
    "failed": "#gateway-image { border: 1px solid gray; }",
}


def image_style(body_css: str) -> str:
    """The views' part of the page's style sheet, in the page's body colour."""
    return f"#gateway-image QLabel {{ color: {body_css}; }}"
