"""The operator's Gateway page, shown before the portal: standard or enhanced.

Public pages "Mobile Plans gateway page" and "Mobile Plans service configuration": the page
carries the operator's brand, a few links, a privacy disclaimer that cannot be changed and a
button (text `buttonText`, default "Continue") that opens the portal. The enhanced page takes
its colours (`0xRRGGBBAA`), body text and images from the template GetOffers chose; a colour left
out takes the documented default. The image is fetched and drawn by
:mod:`simulator.ui.gateway_images`. Widgets only: what to show is decided in
:mod:`simulator.operator_api.experience`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from simulator.operator_api.config import Color, GatewayImage, GatewayTemplate
from simulator.operator_api.gateway_images import MAX_IMAGES, ImageResult, shown_image_index
from simulator.ui.gateway_images import IMAGE_BOX, GatewayImageView, ImageSource, image_style

__all__ = ["CHOOSE_OPERATOR", "DISCLAIMER", "GatewayPage", "standard_body"]

# The wording of "Mobile Plans gateway page"'s pictures (standard page and enhanced template).
DISCLAIMER = (
    "You\u2019ll be going to a third-party website. Their terms, conditions, and privacy policy "
    "apply when you use their site. We\u2019ll give them your device IDs, so they know what type "
    "of device you\u2019re using."
)
_LINKS = ("Learn more about what info we share", "About")
_WHITE = Color(255, 255, 255, 255)
_BLACK = Color(0, 0, 0, 255)
_HIGHLIGHT = "palette(highlight)"  # "the user-selected system highlight color"


def standard_body(brand: str) -> str:
    return (
        f"We\u2019ll take you to the {brand} website, so you can find a plan that\u2019s right "
        "for you. If you already have an account, you can sign in and add your device to your "
        "current plan."
    )


_UNBROKEN = re.compile(r"\S{41,}")


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 40 characters of a run without spaces (a URL in
    the body): a label wraps only at spaces, and such a run ran off the page's edge."""
    return _UNBROKEN.sub(
        lambda run: "\u200b".join(
            run.group(0)[at : at + 40] for at in range(0, len(run.group(0)), 40)
        ),
        text,
    )


def _css(color: Color | None, default: Color | None) -> str:
    chosen = color or default
    return chosen.css() if chosen is not None else _HIGHLIGHT


# The link under the button in the docs' screenshot, back to the Select Provider page.
CHOOSE_OPERATOR = "Choose a different mobile operator"


class GatewayPage(QWidget):
    continueClicked = Signal()
    chooseOperatorClicked = Signal()

    def __init__(
        self, parent: QWidget | None = None, load_images: ImageSource | None = None
    ) -> None:
        """``load_images`` fetches a template's images (none: the placeholders stay)."""
        super().__init__(parent)
        self._load_images = load_images
        self._generation = 0
        self.image_view: GatewayImageView | None = None
        self.setObjectName("gateway-page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.logo = QLabel(self)
        self.logo.setTextFormat(Qt.TextFormat.PlainText)  # operator text, never HTML
        self.logo.setObjectName("gateway-logo")
        self.logo.setFixedSize(72, 72)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.brand = QLabel(self)
        self.brand.setTextFormat(Qt.TextFormat.PlainText)  # operator text, never HTML
        self.brand.setObjectName("gateway-brand")
        self.brand.setWordWrap(True)  # a 64-character brand ran off the page's edge
        font = self.brand.font()
        font.setPointSize(font.pointSize() + 6)
        self.brand.setFont(font)
        self.images = QHBoxLayout()
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)  # operator text, never HTML
        self.body.setObjectName("gateway-body")
        self.body.setWordWrap(True)
        self.button = QPushButton("Continue", self)
        self.button.setObjectName("gateway-continue")
        self.button.clicked.connect(self.continueClicked)
        self.links = [QLabel(text, self) for text in _LINKS]
        self.choose_operator = QPushButton(CHOOSE_OPERATOR, self)
        self.choose_operator.setObjectName("gateway-choose-operator")
        self.choose_operator.setFlat(True)
        self.choose_operator.setCursor(Qt.CursorShape.PointingHandCursor)
        self.choose_operator.clicked.connect(self.chooseOperatorClicked)
        self.choose_operator.hide()  # only when the catalog offers a choice
        self.disclaimer = QLabel(DISCLAIMER, self)
        self.disclaimer.setObjectName("gateway-disclaimer")
        self.disclaimer.setWordWrap(True)
        self.template_id: str | None = None
        self.body_text = ""  # as the template says it (the label's may carry break points)

        header = QHBoxLayout()
        header.addWidget(self.logo)
        header.addWidget(self.brand, 1)
        links = QHBoxLayout()
        for link in self.links:
            link.setObjectName("gateway-link")
            links.addWidget(link)
        links.addStretch(1)
        # Everything scrolls together when it does not fit the frame (a 1000-character body
        # under a 240-pixel picture): a fixed-size picture would otherwise be drawn over the
        # text the layout could not make room for.
        content = QWidget(self)
        content.setObjectName("gateway-content")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("gateway-scroll")
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)  # the layout below moves the widgets into it
        self.scroll_area.viewport().setAutoFillBackground(False)  # the page's colour shows through
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.addLayout(header)
        layout.addLayout(self.images)
        layout.addWidget(self.body)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.choose_operator, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(links)
        layout.addStretch(1)
        layout.addWidget(self.disclaimer)

    def set_can_choose_operator(self, can: bool) -> None:
        self.choose_operator.setVisible(can)

    def show_standard(self, brand: str) -> None:
        """The basic template no operator can customise."""
        self.template_id = None
        self._header(brand)
        self._set_images(())
        self._set_body(standard_body(brand))
        self.button.setText("Continue")
        self._style(None, brand)

    def show_enhanced(self, brand: str, template: GatewayTemplate) -> None:
        self.template_id = template.id
        self._header(brand)
        self._set_images(template.images)
        self._set_body(template.body_text or standard_body(brand))
        self.button.setText(template.button_text or "Continue")
        self._style(template, brand)

    def show_choice(self, brand: str, template: GatewayTemplate | None) -> None:
        if template is None:
            self.show_standard(brand)
        else:
            self.show_enhanced(brand, template)

    def _set_body(self, text: str) -> None:
        self.body_text = text
        self.body.setText(breakable(text))
        self.scroll_area.verticalScrollBar().setValue(0)  # a new page starts at its top

    def _header(self, brand: str) -> None:
        self.brand.setText(brand)
        # The onboarded 300×300 logo is an asset Microsoft holds; we draw the initials.
        self.logo.setText("".join(word[0] for word in brand.split()[:2]).upper())

    def _set_images(self, images: tuple[GatewayImage, ...]) -> None:
        self._generation += 1  # results for a page shown before are dropped
        self.image_view = None
        while self.images.count():
            item = self.images.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if images:
            # the app picks the best size for the screen and draws that one
            shown = shown_image_index(images[:MAX_IMAGES], IMAGE_BOX)
            self.image_view = GatewayImageView(images[shown], self.scroll_area.widget())
            self.images.addWidget(self.image_view)
            if self._load_images is not None:
                generation = self._generation

                def arrived(index: int, result: ImageResult[QImage]) -> None:
                    if generation == self._generation and index == shown:
                        self._image_arrived(result)

                self._load_images(self.template_id or "", images, arrived)
        self.images.addStretch(1)

    def _image_arrived(self, result: ImageResult[QImage]) -> None:
        if self.image_view is None:
            return
        if result.picture is not None:
            self.image_view.show_picture(result.picture)
        else:
            self.image_view.show_failure(result.failure)

    def _style(self, template: GatewayTemplate | None, brand: str) -> None:
        t = template
        background = _css(t.background_color if t else None, _WHITE)
        body = _css(t.body_font_color if t else None, _BLACK)
        button = _css(t.button_color if t else None, None)
        button_text = _css(t.button_font_color if t else None, _WHITE)
        link = _css(t.hyperlink_font_color if t else None, None)
        self.setStyleSheet(
            f"#gateway-page {{ background: {background}; }}"
            "#gateway-scroll, #gateway-content { background: transparent; }"
            f"#gateway-brand, #gateway-body, #gateway-disclaimer {{ color: {body}; }}"
            f"#gateway-logo {{ background: #3a3a3a; color: white; font-weight: bold; }}"
            f"#gateway-continue {{ background: {button}; color: {button_text}; border: none;"
            " padding: 6px 24px; }"
            f"#gateway-link {{ color: {link}; text-decoration: underline; }}"
            f"#gateway-choose-operator {{ color: {link}; border: none; background: transparent;"
            " padding: 0; text-align: left; }" + image_style(body)
        )
        self.setAccessibleName(f"{brand} Gateway page")
