"""The Select Provider page: one tile per operator, as the docs' screenshot shows it (heading
"Select a mobile operator to get online now", square tiles with the brand name under each).

Widgets only: which operators, in which order, is decided in
:mod:`simulator.operator_api.catalog`. The operators' logos are assets Microsoft holds; the
simulator draws each tile in a colour of its own with the brand's initials.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QToolButton, QVBoxLayout, QWidget

from simulator.operator_api.catalog import CATALOG_TITLE
from simulator.ui.style import PAGE_STYLE, plain_label

__all__ = ["CatalogPage", "tile_color"]

TILE = 142  # the screenshot's tiles are about 142 pixels square
_COLUMNS = 5  # five tiles fit the 800-pixel frame


def tile_color(brand: str) -> str:
    """A hue of the brand's own, so a tile keeps its colour between runs; saturated and dark
    enough for white initials."""
    digest = hashlib.sha256(brand.casefold().encode()).digest()
    return str(QColor.fromHsl(int.from_bytes(digest[:2]) % 360, 200, 100).name())


def _initials(brand: str) -> str:
    return "".join(word[0] for word in brand.split()[:2]).upper()


def _tile_icon(brand: str) -> QIcon:
    pixmap = QPixmap(TILE, TILE)
    pixmap.fill(QColor(tile_color(brand)))
    painter = QPainter(pixmap)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(TILE // 3)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, _initials(brand))
    painter.end()
    return QIcon(pixmap)


class CatalogPage(QWidget):
    """Emits ``providerChosen(brand_name)`` when a tile is clicked."""

    providerChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalog-page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            PAGE_STYLE.replace("#app-page", "#catalog-page")
            + "#catalog-page QLabel#screen-title { font-weight: normal; }"
            "QToolButton#catalog-tile { border: none; background: transparent;"
            " font-weight: 600; text-align: left; }"
            "QToolButton#catalog-tile:hover { background: rgba(0, 0, 0, 0.06); }"
        )
        self.title = plain_label(CATALOG_TITLE, self)
        self.title.setObjectName("screen-title")
        self.title.setWordWrap(True)
        self.empty = plain_label("", self)
        self.empty.setObjectName("screen-body")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(16)
        self.tiles: dict[str, QToolButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 48, 22, 48)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        layout.addStretch(1)

    def show_operators(self, brands: list[str], empty_text: str = "") -> None:
        """Tiles for these operators, in this order (the catalog decided it)."""
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        for index, brand in enumerate(brands):
            tile = QToolButton(self)
            tile.setObjectName("catalog-tile")
            tile.setText(brand)
            tile.setIcon(_tile_icon(brand))
            tile.setIconSize(QSize(TILE, TILE))
            tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.setAccessibleName(brand)
            tile.clicked.connect(lambda _=False, chosen=brand: self.providerChosen.emit(chosen))
            row, column = divmod(index, _COLUMNS)
            self.grid.addWidget(tile, row, column, Qt.AlignmentFlag.AlignLeft)
            self.tiles[brand] = tile
        self.grid.setColumnStretch(_COLUMNS, 1)
        self.empty.setText(empty_text)
        self.empty.setVisible(not brands and bool(empty_text))

    def tile_labels(self) -> list[str]:
        return [tile.text() for tile in self.tiles.values()]
