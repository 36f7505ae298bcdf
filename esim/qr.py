"""Activation-code QR codes: render a PNG with segno, read codes back from a PNG with zxing-cpp.

Reading needs no Pillow or numpy: the PNG is decoded here into an 8-bit greyscale buffer, which
zxing-cpp accepts as a 2-D memoryview.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import segno
import zxingcpp

from .activation_code import QR_PREFIX

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.QRCode)
_MAX_PIXELS = 25_000_000  # refuse decompression bombs before inflating


class QrError(ValueError):
    """A PNG could not be read. ``rule`` names the problem; ``str()`` is the message."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        return self.message


def qr_text(text: str) -> str:
    """The QR payload for an activation code: ``LPA:`` + code, unless the prefix is already there.

    The code is not validated, so tests can render deliberately broken codes; validate with
    ``ActivationCode.parse`` first when that matters.
    """
    return text if text[: len(QR_PREFIX)].upper() == QR_PREFIX else QR_PREFIX + text


def render_png(text: str, path: Path | None = None, scale: int = 6) -> bytes:
    """Render *text* as a QR code PNG (``LPA:`` added per SGP.22 §4.1); also write it to *path*.

    segno picks the alphanumeric mode for all-upper-case codes and byte mode otherwise.
    """
    symbol = segno.make(qr_text(text), micro=False, error="m")
    buffer = io.BytesIO()
    symbol.save(buffer, kind="png", scale=scale, border=4)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def read_png(data_or_path: bytes | str | os.PathLike[str]) -> list[str]:
    """The text of every QR code found in a PNG, given as bytes or as a file path."""
    data = (
        bytes(data_or_path)
        if isinstance(data_or_path, bytes | bytearray)
        else Path(data_or_path).read_bytes()
    )
    width, height, grey = _decode_png_to_grey(data)
    image = memoryview(grey).cast("B", (height, width))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image, formats=_QR_ONLY)]


def _decode_png_to_grey(data: bytes) -> tuple[int, int, bytes]:
    """Decode a non-interlaced PNG (any colour type, bit depth 1–16) to 8-bit grey on white."""
    if not data.startswith(_PNG_SIGNATURE):
        raise QrError("png.signature", "the data is not a PNG file (wrong signature).")
    offset = len(_PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    palette = b""
    transparency = b""
    compressed = bytearray()
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR" and len(body) == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    if header is None or len(header) != 7:
        raise QrError("png.header", "the PNG has no valid IHDR chunk.")
    width, height, depth, colour, _, _, interlace = header
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or interlace != 0:
        raise QrError(
            "png.unsupported",
            f"PNG colour type {colour}, bit depth {depth}, interlace {interlace} is not supported "
            "(only non-interlaced PNGs are read).",
        )
    if not 0 < width * height <= _MAX_PIXELS:
        raise QrError("png.size", f"a {width}×{height} PNG is too large to scan.")
    bits_per_pixel = _CHANNELS[colour] * depth
    stride = (width * bits_per_pixel + 7) // 8
    try:
        raw = zlib.decompress(bytes(compressed))
    except zlib.error as error:
        raise QrError("png.data", f"the PNG image data is corrupt ({error}).") from None
    if len(raw) < (stride + 1) * height:
        raise QrError("png.data", "the PNG image data is shorter than its header says.")
    rows = _unfilter(raw, stride, height, max(1, bits_per_pixel // 8))
    return width, height, _to_grey(rows, width, depth, colour, palette, transparency)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + predictor) & 0xFF
        elif kind != 0:
            raise QrError("png.filter", f"PNG row {y} uses unknown filter type {kind}.")
        rows.append(bytes(line))
        previous = rows[-1]
    return rows


def _samples(row: bytes, count: int, depth: int) -> list[int]:
    """Unpack *count* samples of *depth* bits; 16-bit samples keep their high byte."""
    if depth == 8:
        return list(row[:count])
    if depth == 16:
        return list(row[0 : 2 * count : 2])
    per_byte = 8 // depth
    mask = (1 << depth) - 1
    values = []
    for i in range(count):
        shift = 8 - depth * (i % per_byte + 1)
        values.append((row[i // per_byte] >> shift) & mask)
    return values


def _to_grey(
    rows: list[bytes], width: int, depth: int, colour: int, palette: bytes, transparency: bytes
) -> bytes:
    channels = _CHANNELS[colour]
    scale = 255 // ((1 << min(depth, 8)) - 1) if colour != 3 else 1
    out = bytearray()
    for row in rows:
        samples = _samples(row, width * channels, depth)
        for x in range(width):
            pixel = samples[x * channels : (x + 1) * channels]
            alpha = 255
            if colour == 3:
                index = pixel[0]
                entry = palette[3 * index : 3 * index + 3]
                r, g, b = entry if len(entry) == 3 else b"\xff\xff\xff"
                alpha = transparency[index] if index < len(transparency) else 255
            else:
                values = [value * scale for value in pixel]
                if colour in (4, 6):
                    alpha = values.pop()
                r, g, b = values if len(values) == 3 else (values[0],) * 3
            luma = (299 * r + 587 * g + 114 * b) // 1000
            # Composite on white, as a scanner sees a transparent QR on a light page.
            out.append((luma * alpha + 255 * (255 - alpha)) // 255)
    return bytes(out)
