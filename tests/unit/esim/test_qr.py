"""QR codes: segno renders, our PNG decoder + zxing-cpp read back (SGP.22 §4.1)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.activation_code import ActivationCode
from esim.qr import QrError, qr_text, read_png, render_png


def test_qr_text_adds_lpa_prefix_once() -> None:
    assert qr_text("1$SMDP.GSMA.COM$ABC") == "LPA:1$SMDP.GSMA.COM$ABC"
    assert qr_text("LPA:1$SMDP.GSMA.COM$ABC") == "LPA:1$SMDP.GSMA.COM$ABC"
    assert qr_text("lpa:1$x.example$ABC") == "lpa:1$x.example$ABC"


@pytest.mark.parametrize(
    "code",
    [
        "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815",  # upper case: alphanumeric mode
        "1$rsp.truphone.com$QRF-BETTERROAMING-PMRDGIR2EARDEIT5",  # byte mode
        "1$huk.prod.ondemandconnectivity.com$LBHWREN8ASCLTOTF$$1",
    ],
)
def test_render_then_read_round_trips(code: str) -> None:
    png = render_png(code)
    assert png.startswith(b"\x89PNG")
    (text,) = read_png(png)
    assert text == "LPA:" + code
    assert ActivationCode.parse(text) == ActivationCode.parse(code)


def test_render_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "ac.png"
    data = render_png("1$SMDP.GSMA.COM$ABC", target, scale=3)
    assert target.read_bytes() == data
    assert read_png(target) == ["LPA:1$SMDP.GSMA.COM$ABC"]
    assert read_png(str(target)) == ["LPA:1$SMDP.GSMA.COM$ABC"]


@pytest.mark.parametrize(
    "options",
    [
        {"dark": "#102030", "light": "#f0e0d0"},  # RGB
        {"dark": "black", "light": None},  # transparent background
        {"dark": "darkblue", "light": "yellow", "finder_dark": "red"},  # palette
    ],
)
def test_reads_coloured_and_transparent_pngs(options: dict[str, str | None]) -> None:
    buffer = io.BytesIO()
    segno.make("LPA:1$SMDP.GSMA.COM$ABC", micro=False).save(buffer, kind="png", scale=4, **options)
    assert read_png(buffer.getvalue()) == ["LPA:1$SMDP.GSMA.COM$ABC"]


def test_image_without_code_gives_empty_list() -> None:
    blank = segno.make("x", micro=False)
    buffer = io.BytesIO()
    blank.save(buffer, kind="png", scale=2, dark="white", light="white")
    assert read_png(buffer.getvalue()) == []


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"GIF89a", "png.signature"),
        (b"\x89PNG\r\n\x1a\n", "png.header"),
    ],
)
def test_bad_png_is_a_qr_error(data: bytes, rule: str) -> None:
    with pytest.raises(QrError) as caught:
        read_png(data)
    assert caught.value.rule == rule


def _reencoded_with(png: bytes, *, idat: bytes) -> bytes:
    """*png* with its image data replaced, keeping the signature and IHDR chunk."""
    ihdr_end = 8 + 8 + 13 + 4
    chunk = len(idat).to_bytes(4, "big") + b"IDAT" + idat + b"\0\0\0\0"
    return png[:ihdr_end] + chunk + b"\0\0\0\0IEND\0\0\0\0"


def test_corrupt_and_short_image_data_are_qr_errors() -> None:
    png = render_png("1$SMDP.GSMA.COM$ABC", scale=1)
    for idat, rule in [(b"not zlib", "png.data"), (zlib.compress(b"\0" * 10), "png.data")]:
        with pytest.raises(QrError) as caught:
            read_png(_reencoded_with(png, idat=idat))
        assert caught.value.rule == rule


@settings(max_examples=50)
@given(st.binary(max_size=200))
def test_read_png_fuzz(tail: bytes) -> None:
    try:
        result = read_png(b"\x89PNG\r\n\x1a\n" + tail)
    except QrError as error:
        failure: QrError | None = error
    else:
        failure = None
        assert isinstance(result, list)
    assert failure is None or failure.rule.startswith("png.")
