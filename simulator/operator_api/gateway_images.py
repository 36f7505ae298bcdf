"""Fetching and checking one Gateway page image, the way the app gets it before drawing it.

Public page "Mobile Plans gateway page": a template's ``images[]`` give a ``uri``, a ``width``
and a ``height``; "Maximum image size is 1200 x 600 pixels, file format png"; with several
sizes "the Mobile Plans app uses the optimum size for the screen resolution". The docs' example
(``https://picsum.photos/id/1/740/480`` declared 740 x 480) is a picture of exactly the declared
size, so the declared size is read as the picture's pixel size, and the page draws it at that
size whatever the file holds.

Bounded against a hostile or broken host: https only (a redirect too), at most
:data:`MAX_REDIRECTS` redirects, :data:`MAX_IMAGE_BYTES` read at most (checked while reading),
a timeout per read and a deadline for the whole exchange, and the PNG header's pixel size
checked before anything decodes it. Failures are values (a violation with its rule), never
exceptions. Pure: no Qt; the caller hands in the PNG decoder (QImage in the app).
"""

from __future__ import annotations

import asyncio
import ssl
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from esim.http_cancel_safe import cancel_safe
from simulator.contract.violations import Violation
from simulator.operator_api.client import BodyDecodingError, decode_body
from simulator.operator_api.config import MAX_IMAGE_HEIGHT, MAX_IMAGE_WIDTH, GatewayImage
from simulator.operator_api.rules import violation

__all__ = [
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "MAX_REDIRECTS",
    "FetchLimits",
    "ImageRefusedError",
    "ImageResult",
    "Picture",
    "PngHeader",
    "fetch_gateway_image",
    "fitted_size",
    "image_client",
    "png_pixel_size",
    "read_png_header",
    "shown_image_index",
]

MAX_IMAGE_BYTES = 4 * 1024 * 1024  # a 1200 x 600 PNG is at most ~2.9 MB uncompressed RGBA
MAX_IMAGES = 8  # sizes of one picture for different screens; more is a runaway template
MAX_REDIRECTS = 3  # a CDN may redirect once or twice; a loop ends here
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SHOWN = 80  # characters of a URI or header quoted in a message


class Picture(Protocol):
    """A decoded image (QImage in the app)."""

    def width(self) -> int: ...
    def height(self) -> int: ...


P = TypeVar("P", bound=Picture)


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = MAX_IMAGE_BYTES
    timeout_seconds: float = 10.0  # each connect and read
    deadline_seconds: float = 20.0  # the whole exchange: a server trickling bytes ends here
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class ImageResult(Generic[P]):
    """What became of one image: the decoded ``picture`` (None when it cannot be drawn), the
    bytes read, the pixel size found and every finding (errors and warnings)."""

    image: GatewayImage
    picture: P | None
    byte_count: int = 0
    pixel_size: tuple[int, int] | None = None
    findings: tuple[Violation, ...] = ()
    status: int = 0  # HTTP status of the last answer; 0 when none came

    @property
    def loaded(self) -> bool:
        return self.picture is not None

    @property
    def failure(self) -> Violation | None:
        """The finding that kept the image off the page (None when it loaded)."""
        return None if self.loaded or not self.findings else self.findings[0]


class ImageRefusedError(Exception):
    """An image that cannot be used; ``found`` is its finding."""

    def __init__(self, found: Violation, byte_count: int = 0) -> None:
        super().__init__(found.message)
        self.found = found
        self.byte_count = byte_count


def _refuse(rule: str, message: str, byte_count: int = 0) -> ImageRefusedError:
    return ImageRefusedError(violation(rule, message), byte_count)


def _quoted(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN else repr(text[: _SHOWN - 1] + "…")


def png_pixel_size(data: bytes) -> tuple[int, int]:
    """The width and height a PNG's header (IHDR, the first chunk) declares;
    :class:`ImageRefusedError` with ``gateway.image-not-png`` when ``data`` is no PNG."""
    if not data.startswith(PNG_SIGNATURE):
        start = data[:8].hex(" ") or "nothing"
        raise _refuse(
            "gateway.image-not-png",
            f"the file does not start with the PNG signature (89 50 4E 47 0D 0A 1A 0A) but "
            f"with {start}",
            len(data),
        )
    header = data[8:33]
    if len(header) < 25 or header[:8] != b"\x00\x00\x00\x0dIHDR":
        raise _refuse(
            "gateway.image-not-png",
            "the PNG signature is not followed by its IHDR header chunk",
            len(data),
        )
    width, height = struct.unpack(">II", header[8:16])
    if width == 0 or height == 0:
        raise _refuse(
            "gateway.image-not-png", f"the PNG header says {width} x {height} pixels", len(data)
        )
    return width, height


async def fetch_gateway_image(
    http: httpx.AsyncClient,
    image: GatewayImage,
    decode: Callable[[bytes], P | None],
    limits: FetchLimits | None = None,
) -> ImageResult[P]:
    """``image`` fetched over ``http`` (whose TLS and timeouts the caller set), checked, and
    decoded with ``decode`` off the event loop's thread."""
    limits = limits or FetchLimits()
    statuses: list[int] = []  # of each answer, redirects included
    result = await _fetched(http, image, decode, limits, statuses)
    return replace(result, status=statuses[-1] if statuses else 0)


def image_client(tls: ssl.SSLContext, limits: FetchLimits) -> httpx.AsyncClient:
    """An HTTP client for images: ``tls`` (the operator APIs' trust), no proxy from the
    environment, redirects left to :func:`fetch_gateway_image` (https only, bounded), and no
    compression asked for (a host that compresses anyway is inflated within the cap)."""
    return cancel_safe(
        httpx.AsyncClient(
            verify=tls,
            timeout=limits.timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            # One connection per exchange: a host whose body outruns its Content-Length leaves
            # bytes a reused connection would read as the next image's answer, blaming that image.
            headers={"Accept": "image/png", "Accept-Encoding": "identity", "Connection": "close"},
        )
    )


async def _fetched(
    http: httpx.AsyncClient,
    image: GatewayImage,
    decode: Callable[[bytes], P | None],
    limits: FetchLimits,
    statuses: list[int],
) -> ImageResult[P]:
    try:
        async with asyncio.timeout(limits.deadline_seconds):
            data, content_type = await _download(http, image.uri, limits, statuses)
    except ImageRefusedError as refused:
        return ImageResult(image, None, refused.byte_count, findings=(refused.found,))
    except TimeoutError:
        found = violation(
            "gateway.image-timeout",
            f"{_quoted(image.uri)} did not arrive in {limits.deadline_seconds:g} s",
        )
        return ImageResult(image, None, findings=(found,))
    except httpx.TimeoutException as error:
        found = violation(
            "gateway.image-timeout",
            f"{_quoted(image.uri)}: no answer within {limits.timeout_seconds:g} s "
            f"({type(error).__name__})",
        )
        return ImageResult(image, None, findings=(found,))
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError) as error:
        return ImageResult(image, None, findings=(_transport_finding(image.uri, error),))
    try:
        return await _checked(image, data, content_type, decode)
    except ImageRefusedError as refused:
        return ImageResult(image, None, refused.byte_count, findings=(refused.found,))


def _transport_finding(uri: str, error: Exception) -> Violation:
    text = str(error)[:200] or type(error).__name__
    upper = text.upper()
    if isinstance(error, ssl.SSLError) or any(word in upper for word in ("CERTIFICATE", "SSL")):
        return violation("gateway.image-tls", f"TLS with the host of {_quoted(uri)} failed: {text}")
    if isinstance(error, httpx.RemoteProtocolError | httpx.DecodingError):
        return violation(
            "gateway.image-unreachable", f"{_quoted(uri)} answered no readable HTTP: {text}"
        )
    return violation("gateway.image-unreachable", f"cannot reach {_quoted(uri)}: {text}")


def _https(url: str, what: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname:
        raise _refuse(
            "gateway.image-unreachable",
            f"{what} {_quoted(url)}, not an https URL; the app fetches images over https only",
        )


async def _download(
    http: httpx.AsyncClient, uri: str, limits: FetchLimits, statuses: list[int]
) -> tuple[bytes, str]:
    """The body of the first non-redirect answer, read up to ``limits.max_bytes``."""
    url = uri
    _https(url, "the image URI is")
    for _hop in range(limits.max_redirects + 1):
        async with http.stream("GET", url) as answer:
            status = answer.status_code
            statuses.append(status)
            if status in (301, 302, 303, 307, 308):
                location = answer.headers.get("location", "")
                if not location:
                    raise _refuse(
                        "gateway.image-unreachable",
                        f"{_quoted(url)} answered HTTP {status} without a Location",
                    )
                url = urljoin(url, location)
                _https(url, f"{_quoted(uri)} redirects to")
                continue
            if status != 200:
                what = " (not found)" if status == 404 else ""
                raise _refuse(
                    "gateway.image-unreachable",
                    f"{_quoted(url)} answered HTTP {status}{what}; an image is a 200 answer",
                )
            declared = answer.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limits.max_bytes:
                raise _refuse(
                    "gateway.image-too-large",
                    f"{_quoted(url)} is {int(declared)} bytes (Content-Length); an image may be "
                    f"at most {limits.max_bytes} bytes",
                )
            raw = bytearray()
            async for chunk in answer.aiter_raw():
                raw += chunk
                if len(raw) > limits.max_bytes:
                    raise _refuse(
                        "gateway.image-too-large",
                        f"{_quoted(url)} sent more than {limits.max_bytes} bytes (read no further)",
                        len(raw),
                    )
            encoding = answer.headers.get("content-encoding", "")
            try:
                body = decode_body(bytes(raw), encoding, limits.max_bytes + 1)
            except BodyDecodingError as error:
                raise _refuse("gateway.image-unreachable", str(error), len(raw)) from None
            if len(body) > limits.max_bytes:
                raise _refuse(
                    "gateway.image-too-large",
                    f"{_quoted(url)} inflates to more than {limits.max_bytes} bytes",
                    len(raw),
                )
            return body, answer.headers.get("content-type", "")
    raise _refuse(
        "gateway.image-unreachable",
        f"{_quoted(uri)} redirects more than {limits.max_redirects} times (last to {_quoted(url)})",
    )


async def _checked(
    image: GatewayImage, data: bytes, content_type: str, decode: Callable[[bytes], P | None]
) -> ImageResult[P]:
    findings: list[Violation] = []
    media_type = content_type.split(";")[0].strip().lower()
    if content_type and media_type != "image/png":
        findings.append(
            violation(
                "gateway.image-content-type",
                f"{_quoted(image.uri)} is served as {_quoted(content_type)}, not image/png",
            )
        )
    try:
        width, height = png_pixel_size(data)
    except ImageRefusedError as refused:  # named by its URI, as every other finding
        found = refused.found
        raise _refuse(found.rule, f"{_quoted(image.uri)}: {found.message}", len(data)) from None
    if width > MAX_IMAGE_WIDTH or height > MAX_IMAGE_HEIGHT:
        raise _refuse(
            "gateway.image-pixels-over-limit",
            f"{_quoted(image.uri)} is {width} x {height} pixels; the docs allow at most "
            f"{MAX_IMAGE_WIDTH} x {MAX_IMAGE_HEIGHT}",
            len(data),
        )
    picture = await asyncio.to_thread(decode, data)
    if picture is None:
        raise _refuse(
            "gateway.image-not-png",
            f"{_quoted(image.uri)} has a PNG header ({width} x {height}) but does not decode",
            len(data),
        )
    size = (picture.width(), picture.height())
    if size != (image.width, image.height):
        findings.append(
            violation(
                "gateway.image-size-mismatch",
                f"{_quoted(image.uri)} is {size[0]} x {size[1]} pixels; the template says "
                f"{image.width} x {image.height}, the size the page draws it at",
            )
        )
    return ImageResult(image, picture, len(data), size, tuple(findings))


@dataclass(frozen=True)
class PngHeader:
    """A PNG read up to its header: what `check-api` checks without drawing the picture."""

    pixels: tuple[int, int]

    def width(self) -> int:
        return self.pixels[0]

    def height(self) -> int:
        return self.pixels[1]


def read_png_header(data: bytes) -> PngHeader:
    """A decoder for :func:`fetch_gateway_image` that reads the header only (no Qt)."""
    return PngHeader(png_pixel_size(data))


def fitted_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """``width`` x ``height``, scaled down proportionally only when it does not fit ``box``."""
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def shown_image_index(images: tuple[GatewayImage, ...], box: tuple[int, int]) -> int:
    """The image the page draws, as the app picks "the optimum size for the screen": the
    largest that fits ``box`` unscaled, else the smallest (scaled down)."""
    fitting = [
        (image.width * image.height, index)
        for index, image in enumerate(images)
        if image.width <= box[0] and image.height <= box[1]
    ]
    if fitting:  # on a tie, the first listed
        return max(fitting, key=lambda pair: (pair[0], -pair[1]))[1]
    return min((image.width * image.height, index) for index, image in enumerate(images))[1]
