"""Draws gateway.png, the sample operator's (Contoso Mobile) Gateway page picture: 740 x 480
pixels, the size its template "0" declares (the docs' example size), flat colours so the file
stays small. Run from the repository root after changing the drawing:

    QT_QPA_PLATFORM=offscreen python resources/operator/draw_gateway_png.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen

WIDTH, HEIGHT = 740, 480
NIGHT = QColor("#08243d")
SKY = QColor("#00b0f0")  # the template's button and link colour
PALE = QColor("#bfeaff")
WHITE = QColor("#ffffff")


def draw() -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(NIGHT)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # rolling hills
    for colour, top, lift in ((QColor("#0d3558"), 330, 60), (QColor("#114672"), 380, 40)):
        hill = QPainterPath(QPointF(0, HEIGHT))
        hill.lineTo(0, top)
        hill.cubicTo(WIDTH * 0.3, top - lift, WIDTH * 0.6, top + lift, WIDTH, top - lift / 2)
        hill.lineTo(WIDTH, HEIGHT)
        painter.fillPath(hill, colour)
    # a laptop on the hill
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(PALE)
    painter.drawRoundedRect(QRectF(430, 215, 200, 130), 10, 10)
    painter.setBrush(NIGHT)
    painter.drawRect(QRectF(442, 227, 176, 106))
    painter.setBrush(PALE)
    painter.drawRoundedRect(QRectF(405, 345, 250, 16), 6, 6)
    # the signal reaching it: a mast and its waves
    painter.setPen(QPen(SKY, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(530, 300), QPointF(530, 262))
    painter.setBrush(SKY)
    painter.drawEllipse(QPointF(530, 255), 9, 9)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for radius in (30, 55, 80):
        painter.drawArc(QRectF(530 - radius, 255 - radius, 2 * radius, 2 * radius), 35 * 16, 110 * 16)
    # the words
    painter.setPen(WHITE)
    title = QFont("DejaVu Sans", 40, QFont.Weight.Bold)
    painter.setFont(title)
    painter.drawText(QRectF(48, 70, 380, 60), "Contoso")
    painter.setPen(SKY)
    painter.drawText(QRectF(48, 125, 380, 60), "Mobile")
    painter.setPen(PALE)
    painter.setFont(QFont("DejaVu Sans", 18))
    painter.drawText(QRectF(50, 200, 340, 80), Qt.TextFlag.TextWordWrap, "30 GB free trial.\nNo contract.")
    painter.end()
    return _indexed(image)


def _indexed(image: QImage) -> QImage:
    """The 256 most used colours, each pixel mapped to the nearest without dithering (the flat
    areas stay flat): a third of the size of the RGB file."""
    counts: Counter[int] = Counter(
        image.pixel(x, y) for y in range(image.height()) for x in range(image.width())
    )
    palette = [colour for colour, _count in counts.most_common(256)]
    return image.convertToFormat(
        QImage.Format.Format_Indexed8, palette, Qt.ImageConversionFlag.ThresholdDither
    )


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    target = Path(__file__).with_name("gateway.png")
    if not draw().save(str(target), "PNG", 9):
        print(f"could not write {target}", file=sys.stderr)
        return 1
    print(f"{target}: {target.stat().st_size} bytes")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
