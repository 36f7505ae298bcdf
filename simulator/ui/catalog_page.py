"""The Select Provider page: one tile per operator, as the docs' screenshot shows it (heading
"Select a mobile operator to get online now", square tiles with the brand name under each).

Widgets only: which operators, in which order, is decided in
:mod:`simulator.operator_api.catalog`. The operators' logos are assets Microsoft holds; the
simulator draws each tile in a colour of its own with the brand's initials.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from simulator.operator_api.catalog import CATALOG_TITLE
from simulator.ui.style import PAGE_STYLE, plain_label, plain_tooltip

__all__ = ["CatalogPage", "tile_color"]

TILE = 142  # the screenshot's tiles are about 142 pixels square
_COLUMNS = 5  # five tiles fit the screenshot's 800-pixel frame; fewer on a narrower page


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


def _caption(brand: str, font: QFont) -> str:
    """The brand under its tile: cut to the tile's width (the tooltip has all of it), and with
    "&" doubled, which a button would otherwise take for a keyboard shortcut ("AT&T")."""
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    shown = QFontMetrics(bold).elidedText(brand, Qt.TextElideMode.ElideRight, TILE + 8)
    return shown.replace("&", "&&")


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
            "QScrollArea#catalog-scroll, QWidget#catalog-tiles { background: transparent; }"
        )
        self.title = plain_label(CATALOG_TITLE, self)
        self.title.setObjectName("screen-title")
        self.title.setWordWrap(True)
        self.empty = plain_label("", self)
        self.empty.setObjectName("screen-body")
        self.empty.setWordWrap(True)
        self.empty.hide()
        # A country may have more operators than fit: the tiles scroll, at their full size.
        self.tiles_host = QWidget(self)
        self.tiles_host.setObjectName("catalog-tiles")
        self.grid = QGridLayout(self.tiles_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(16)
        self.tiles_scroll = QScrollArea(self)
        self.tiles_scroll.setObjectName("catalog-scroll")
        self.tiles_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tiles_scroll.setWidgetResizable(True)
        self.tiles_scroll.setWidget(self.tiles_host)
        self.tiles_scroll.viewport().setAutoFillBackground(False)
        self.tiles_scroll.viewport().installEventFilter(self)
        self.tiles_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tiles: dict[str, QToolButton] = {}
        self._columns = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 48, 22, 48)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addWidget(self.tiles_scroll, 1)

    def show_operators(self, brands: list[str], empty_text: str = "") -> None:
        """Tiles for these operators, in this order (the catalog decided it)."""
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        for brand in brands:
            tile = QToolButton(self.tiles_host)
            tile.setObjectName("catalog-tile")
            tile.setText(_caption(brand, tile.font()))
            tile.setToolTip(plain_tooltip(brand))  # operator text, never HTML
            tile.setFixedWidth(TILE + 16)
            tile.setIcon(_tile_icon(brand))
            tile.setIconSize(QSize(TILE, TILE))
            tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.setAccessibleName(brand)
            tile.clicked.connect(lambda _=False, chosen=brand: self.providerChosen.emit(chosen))
            self.tiles[brand] = tile
        self._columns = 0
        self._reflow()
        self.empty.setText(empty_text)
        self.empty.setVisible(not brands and bool(empty_text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The scroll area's viewport, once the layout has given it its new size.
        if watched is self.tiles_scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(watched, event)

    def _reflow(self) -> None:
        """As many columns as the page's width holds (at most five, as on the screenshot), so
        the tiles only ever scroll down, never sideways."""
        spacing = self.grid.horizontalSpacing()
        # The viewport narrows by a scroll bar's width once there is one: keep room for it.
        room = self.tiles_scroll.width() - self.tiles_scroll.verticalScrollBar().sizeHint().width()
        columns = max(1, min(_COLUMNS, (room + spacing) // (TILE + 16 + spacing)))
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for index, tile in enumerate(self.tiles.values()):
            row, column = divmod(index, columns)
            self.grid.addWidget(tile, row, column, Qt.AlignmentFlag.AlignLeft)
        self.grid.setColumnStretch(columns, 1)
        self.grid.setRowStretch(len(self.tiles) // columns + 1, 1)  # tiles stay at the top

    def tile_labels(self) -> list[str]:
        """The brand names the tiles stand for (a long one is cut short on its tile)."""
        return [tile.accessibleName() for tile in self.tiles.values()]
