"""Fetching the Gateway page's images against a hostile loopback HTTPS host (no Qt).

Public page "Mobile Plans gateway page": images[] are png, at most 1200 x 600 pixels, declared
with their width and height. Every way an image host can fail ends in a named finding, within
bounded bytes and time; the picture is decoded only after its header's size passed.
"""

from __future__ import annotations

import asyncio
import gzip
import queue
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.client import client_tls_context
from simulator.operator_api.config import GatewayImage
from simulator.operator_api.gateway_image_loader import GatewayImageLoader
from simulator.operator_api.gateway_images import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    FetchLimits,
    ImageRefusedError,
    ImageResult,
    fetch_gateway_image,
    fitted_size,
    image_client,
    png_pixel_size,
    shown_image_index,
)
from simulator.operator_api.rules import RULES
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.tls import OperatorTls
from simulator.resources import resource_path


def png(width: int, height: int, *, declared: tuple[int, int] | None = None) -> bytes:
    """A solid RGB PNG (``declared`` overrides the header's size, for a lying header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    head_w, head_h = declared or (width, height)
    header = struct.pack(">IIBBBBB", head_w, head_h, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x10\x80\xc0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Size:
    """The decoded picture of the tests' pure decoder."""

    w: int
    h: int

    def width(self) -> int:
        return self.w

    def height(self) -> int:
        return self.h


def decode(data: bytes) -> Size | None:
    """A strict pure stand-in for QImage: every chunk's CRC, and the pixel rows inflate to
    exactly the header's size (RGB, 8 bits)."""
    width, height = struct.unpack(">II", data[16:24])
    at, idat = 8, b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return None
        idat += body if kind == b"IDAT" else b""
        at += 12 + length
    expected = height * (1 + 3 * width)
    try:
        rows = zlib.decompressobj().decompress(idat, expected + 1)
    except zlib.error:
        return None
    return Size(width, height) if len(rows) == expected else None


GOOD = png(74, 48)


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "image/png"})
    await response.prepare(request)  # chunked: no Content-Length
    await response.write(GOOD[:33])
    try:
        while True:
            await response.write(b"\0" * 65536)
    except ConnectionError:  # the client stopped reading, as it should
        return response


async def _slow_loris(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "image/png"})
    await response.prepare(request)
    try:
        for byte in GOOD:
            await response.write(bytes([byte]))
            await asyncio.sleep(0.05)
    except ConnectionError:  # the client gave up, as it should
        pass
    return response


def _answer(body: bytes, content_type: str = "image/png") -> Callable[..., object]:
    async def handler(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type)

    return handler


def _gzipped(body: bytes) -> Callable[..., object]:
    packed = gzip.compress(body, compresslevel=9)

    async def handler(_request: web.Request) -> web.Response:
        headers = {"Content-Encoding": "gzip", "Content-Type": "image/png"}
        return web.Response(body=packed, headers=headers)

    return handler


def _redirect(location: str) -> Callable[..., object]:
    async def handler(_request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": location})

    return handler


@dataclass
class Host:
    loop: BackgroundLoop
    tls: OperatorTls
    base: str
    http: httpx.AsyncClient

    def fetch(
        self, path: str, width: int = 74, height: int = 48, limits: FetchLimits | None = None
    ) -> ImageResult[Size]:
        uri = path if "://" in path else self.base + path
        image = GatewayImage(uri, width, height)
        return self.loop.run(fetch_gateway_image(self.http, image, decode, limits))


@pytest.fixture(scope="module", name="host")
def host_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tls = OperatorTls.load_or_create(Path(tmp_path_factory.mktemp("image-tls")))
    loop = BackgroundLoop("gateway-image-test")
    app = web.Application()
    routes = {
        "/ok.png": _answer(GOOD),
        "/small.png": _answer(png(37, 24)),
        "/as-text.png": _answer(GOOD, "text/plain"),
        "/page.html": _answer(b"<html><body>Not found</body></html>", "text/html"),
        "/bomb.png": _answer(png(2, 2, declared=(100_000, 100_000))),
        "/wide.png": _answer(png(1201, 1)),
        "/corrupt.png": _answer(GOOD[:40] + b"\xff" * 40 + GOOD[80:]),
        "/ten-megabytes.png": _answer(GOOD + b"\0" * (10 * 1024 * 1024)),
        "/endless.png": _endless,
        "/slow.png": _slow_loris,
        "/gzip-bomb.png": _gzipped(GOOD + b"\0" * (64 * 1024 * 1024)),
        "/loop.png": _redirect("/loop.png"),
        "/bad-location.png": _redirect("https://bad host:99999/x.png"),
        "/once.png": _redirect("/ok.png"),
        "/to-http.png": _redirect("http://127.0.0.1:9/ok.png"),
    }
    for path, handler in routes.items():
        app.router.add_get(path, handler)  # type: ignore[arg-type]

    async def start() -> tuple[web.AppRunner, int]:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context())
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    runner, port = loop.run(start())
    config = sample_configuration("https://127.0.0.1/v1/")
    http = httpx.AsyncClient(
        verify=client_tls_context(config, tls.ca_pem), timeout=5.0, trust_env=False
    )
    yield Host(loop, tls, f"https://127.0.0.1:{port}", http)
    loop.run(http.aclose())
    loop.run(runner.cleanup())
    loop.stop()


def _rule(result: ImageResult[Size]) -> str:
    assert not result.loaded
    assert result.failure is not None
    return result.failure.rule


def test_a_png_of_the_declared_size_loads(host: Host) -> None:
    result = host.fetch("/ok.png")
    assert result.picture == Size(74, 48)
    assert result.pixel_size == (74, 48)
    assert result.byte_count == len(GOOD)
    assert result.findings == ()
    assert result.status == 200


def test_a_redirect_to_https_is_followed(host: Host) -> None:
    assert host.fetch("/once.png").picture == Size(74, 48)


def test_a_missing_image_is_unreachable_and_says_404(host: Host) -> None:
    result = host.fetch("/no-such.png")
    assert _rule(result) == "gateway.image-unreachable"
    assert "HTTP 404 (not found)" in result.findings[0].message
    assert result.status == 404


def test_an_http_uri_is_refused_without_a_connection(host: Host) -> None:
    result = host.fetch("http://127.0.0.1:9/ok.png")
    assert _rule(result) == "gateway.image-unreachable"
    assert "https only" in result.findings[0].message


def test_a_redirect_to_http_is_not_followed(host: Host) -> None:
    result = host.fetch("/to-http.png")
    assert _rule(result) == "gateway.image-unreachable"
    assert "redirects to 'http://127.0.0.1:9/ok.png', not an https URL" in (
        result.findings[0].message
    )


def test_a_redirect_to_no_url_is_unreachable(host: Host) -> None:
    assert _rule(host.fetch("/bad-location.png")) == "gateway.image-unreachable"


def test_a_redirect_loop_ends_after_three_hops(host: Host) -> None:
    result = host.fetch("/loop.png")
    assert _rule(result) == "gateway.image-unreachable"
    assert "redirects more than 3 times" in result.findings[0].message


def test_a_web_page_is_not_a_png(host: Host) -> None:
    result = host.fetch("/page.html")
    assert _rule(result) == "gateway.image-not-png"
    assert "3c 68 74 6d 6c" in result.findings[0].message  # "<html", what came instead
    # named by its URI, like every other finding: a template may list several images
    assert result.findings[0].message.startswith(f"'{host.base}/page.html': the file does not")
    # the Content-Type warning is not what the page reports first; the signature is
    assert result.findings[0].rule == "gateway.image-not-png"


def test_a_png_that_does_not_decode_is_not_a_png(host: Host) -> None:
    result = host.fetch("/corrupt.png")
    assert _rule(result) == "gateway.image-not-png"
    assert "does not decode" in result.findings[0].message


def test_a_png_bomb_is_refused_from_its_header_without_decoding(host: Host) -> None:
    decoded: list[bytes] = []

    def watching(data: bytes) -> Size | None:
        decoded.append(data)
        return decode(data)

    image = GatewayImage(host.base + "/bomb.png", 740, 480)
    result = host.loop.run(fetch_gateway_image(host.http, image, watching))
    assert _rule(result) == "gateway.image-pixels-over-limit"
    assert "100000 x 100000" in result.findings[0].message
    assert decoded == []


def test_one_pixel_too_wide_is_over_the_limit(host: Host) -> None:
    assert _rule(host.fetch("/wide.png", 1200, 1)) == "gateway.image-pixels-over-limit"


def test_ten_megabytes_with_a_length_are_refused_unread(host: Host) -> None:
    result = host.fetch("/ten-megabytes.png")
    assert _rule(result) == "gateway.image-too-large"
    assert "(Content-Length)" in result.findings[0].message
    assert result.byte_count == 0


def test_an_endless_chunked_body_stops_at_the_cap(host: Host) -> None:
    result = host.fetch("/endless.png")
    assert _rule(result) == "gateway.image-too-large"
    assert MAX_IMAGE_BYTES < result.byte_count <= MAX_IMAGE_BYTES + 65536


def test_a_gzip_bomb_inflates_no_further_than_the_cap(host: Host) -> None:
    """The client asks for no encoding; a host that compresses anyway is inflated, bounded."""
    result = host.fetch("/gzip-bomb.png")
    assert _rule(result) == "gateway.image-too-large"
    assert "inflates to more than" in result.findings[0].message
    assert result.byte_count < MAX_IMAGE_BYTES  # what came over the wire was small


_HEAD = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"  # the signature and the IHDR chunk's start


@given(st.binary(max_size=48) | st.binary(max_size=40).map(_HEAD.__add__))
def test_any_bytes_are_a_png_header_or_refused_as_not_png(data: bytes) -> None:
    header = data[8:24]
    sizes = struct.unpack(">II", header[8:16]) if len(header) == 16 else (0, 0)
    if data.startswith(_HEAD) and len(data) >= 33 and all(sizes):
        assert png_pixel_size(data) == sizes
    else:
        with pytest.raises(ImageRefusedError) as refused:
            png_pixel_size(data)
        assert refused.value.found.rule == "gateway.image-not-png"


@given(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1))
def test_the_header_size_is_read_back(width: int, height: int) -> None:
    assert png_pixel_size(png(1, 1, declared=(width, height))) == (width, height)


def test_a_slow_loris_host_times_out(host: Host) -> None:
    limits = FetchLimits(timeout_seconds=5.0, deadline_seconds=0.5)
    result = host.fetch("/slow.png", limits=limits)
    assert _rule(result) == "gateway.image-timeout"
    assert "did not arrive in 0.5 s" in result.findings[0].message


def test_an_untrusted_certificate_is_a_tls_failure(host: Host) -> None:
    async def without_the_test_ca() -> ImageResult[Size]:
        async with httpx.AsyncClient(trust_env=False) as http:  # the system's CAs only
            image = GatewayImage(host.base + "/ok.png", 74, 48)
            return await fetch_gateway_image(http, image, decode)

    result = host.loop.run(without_the_test_ca())
    assert _rule(result) == "gateway.image-tls"


def test_a_size_other_than_declared_loads_with_a_warning(host: Host) -> None:
    result = host.fetch("/small.png", 740, 480)
    assert result.picture == Size(37, 24)
    (finding,) = result.findings
    assert finding.rule == "gateway.image-size-mismatch"
    assert RULES[finding.rule].severity == "warning"
    assert "37 x 24 pixels; the template says 740 x 480" in finding.message


def test_a_png_served_as_text_loads_with_a_warning(host: Host) -> None:
    result = host.fetch("/as-text.png")
    assert result.loaded
    assert [f.rule for f in result.findings] == ["gateway.image-content-type"]


def test_every_finding_links_its_section_of_the_operator_api_page(host: Host) -> None:
    (finding,) = host.fetch("/no-such.png").findings
    assert finding.spec == "docs/operator-apis.md#gateway.image-unreachable"


def test_the_drawn_size_is_the_declared_one_fitted_to_the_frame() -> None:
    assert fitted_size(300, 200, (704, 240)) == (300, 200)  # fits: never enlarged or shrunk
    assert fitted_size(740, 480, (704, 240)) == (370, 240)  # proportionally down
    assert fitted_size(1200, 1, (704, 240)) == (704, 1)


def test_the_page_draws_the_largest_size_that_fits() -> None:
    sizes = [(1200, 600), (600, 300), (300, 150)]
    images = tuple(GatewayImage(f"https://cdn.example/{w}.png", w, h) for w, h in sizes)
    assert shown_image_index(images, (704, 400)) == 1
    assert shown_image_index(images, (200, 100)) == 2  # none fits: the smallest, scaled down


class _LyingLengthHost(asyncio.Protocol):
    """A raw HTTPS host: ``/lying.png`` sends more body than its Content-Length says (the
    rest looks like no HTTP at all), every other path the good PNG."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport, self.received = transport, b""

    def data_received(self, data: bytes) -> None:
        self.received += data
        while b"\r\n\r\n" in self.received:
            head, _, self.received = self.received.partition(b"\r\n\r\n")
            lying = head.startswith(b"GET /lying.png ")
            body = GOOD[:33] if lying else GOOD
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                + b"Content-Length: %d\r\n\r\n" % len(body)
                + body
                + (b"\0garbage after the body\r\n\r\n" if lying else b"")
            )


def test_a_body_longer_than_its_length_is_not_blamed_on_the_next_image(host: Host) -> None:
    """check-api fetches a template's images one after another through one client; the extra
    bytes of one answer must not become the next image's answer."""

    async def fetch_both() -> list[ImageResult[Size]]:
        server = await asyncio.get_running_loop().create_server(
            _LyingLengthHost, "127.0.0.1", 0, ssl=host.tls.server_context()
        )
        port = server.sockets[0].getsockname()[1]
        config = sample_configuration("https://127.0.0.1/v1/")
        tls = client_tls_context(config, host.tls.ca_pem)
        try:
            async with image_client(tls, FetchLimits()) as http:
                return [
                    await fetch_gateway_image(
                        http, GatewayImage(f"https://127.0.0.1:{port}{path}", 74, 48), decode
                    )
                    for path in ("/lying.png", "/ok.png")
                ]
        finally:
            server.close()

    lying, good = host.loop.run(fetch_both())
    assert _rule(lying) == "gateway.image-not-png"  # its own 33 bytes do not decode
    assert good.findings == ()
    assert good.picture == Size(74, 48)


# -- the loader: the app's side (background loop, results posted, events in order) ----------


class Loader:
    def __init__(self, host: Host) -> None:
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
        tls = host.tls
        self.loader = GatewayImageLoader(
            host.loop,
            self.posted.put,
            self.events,
            lambda config: client_tls_context(config, tls.ca_pem),
        )
        self.config = sample_configuration("https://127.0.0.1/v1/")

    def load(self, images: tuple[GatewayImage, ...]) -> dict[int, ImageResult[Size]]:
        arrived: dict[int, ImageResult[Size]] = {}
        self.loader.load(self.config, "0", images, decode, arrived.__setitem__)
        while len(arrived) < min(len(images), MAX_IMAGES):
            self.posted.get(timeout=30)()
        return arrived


def test_the_loader_logs_each_image_and_its_findings_in_the_template_order(host: Host) -> None:
    loader = Loader(host)
    slow_first = FetchLimits(deadline_seconds=0.3)
    loader.loader.limits = slow_first
    images = (
        GatewayImage(host.base + "/slow.png", 74, 48),  # ends last, logged first
        GatewayImage(host.base + "/ok.png", 74, 48),
        GatewayImage(host.base + "/no-such.png", 74, 48),
    )
    arrived = loader.load(images)
    assert arrived[1].loaded
    logged = [
        (e.kind, e.fields.get("uri"), e.fields.get("rule", e.fields.get("error")))
        for e in loader.events
    ]
    assert logged == [
        ("gateway.image", images[0].uri, "gateway.image-timeout"),
        ("contract.violation", images[0].uri, "gateway.image-timeout"),
        ("gateway.image", images[1].uri, ""),
        ("gateway.image", images[2].uri, "gateway.image-unreachable"),
        ("contract.violation", images[2].uri, "gateway.image-unreachable"),
    ]
    loaded = list(loader.events)[2].fields
    assert loaded["loaded"] is True
    assert loaded["bytes"] == len(GOOD)
    assert loaded["size"] == [74, 48]
    assert loaded["template"] == "0"
    violation = list(loader.events)[4].fields
    assert violation["object"] == "MO service"
    assert violation["severity"] == "error"
    assert violation["spec"] == "docs/operator-apis.md#gateway.image-unreachable"


def test_the_loader_fetches_at_most_eight_images_and_says_so(host: Host) -> None:
    loader = Loader(host)
    images = tuple(GatewayImage(f"{host.base}/ok.png?{n}", 74, 48) for n in range(MAX_IMAGES + 2))
    assert len(loader.load(images)) == MAX_IMAGES
    rules = [e.fields["rule"] for e in loader.events if e.kind == "contract.violation"]
    assert rules == ["gateway.images-over-limit"]
    assert sum(e.kind == "gateway.image" for e in loader.events) == MAX_IMAGES


def test_a_closed_loader_reports_nothing(host: Host) -> None:
    loader = Loader(host)
    arrived: dict[int, ImageResult[Size]] = {}
    image = GatewayImage(host.base + "/slow.png", 74, 48)
    loader.loader.load(loader.config, "0", (image,), decode, arrived.__setitem__)
    in_flight = set(loader.loader._pending)
    assert in_flight
    loader.loader.close()
    assert all(future.done() for future in in_flight)  # ended, connections closed, on return
    assert all(future.cancelled() for future in in_flight)
    while not loader.posted.empty():
        loader.posted.get_nowait()()
    assert arrived == {}
    assert list(loader.events) == []


# -- the sample operator's own picture ------------------------------------------------------


def test_the_sample_operator_serves_the_picture_its_template_declares(host: Host) -> None:
    """`run` out of the box: template "0"'s URI answers the bundled PNG, of the declared size,
    over the sample operator's loopback HTTPS (its test CA, as the APIs)."""
    from simulator.operator_api.sample_operator import SampleOperator

    def header_size(data: bytes) -> Size:
        width, height = png_pixel_size(data)
        return Size(width, height)

    server = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), host.tls)
    host.loop.run(server.start())
    try:
        template = sample_configuration(server.base_url).gateway_template("0")
        assert template is not None
        (image,) = template.images
        assert image.uri == f"https://127.0.0.1:{server.port}/images/gateway.png"
        result = host.loop.run(fetch_gateway_image(host.http, image, header_size))
    finally:
        host.loop.run(server.stop())
    assert result.findings == ()
    assert result.pixel_size == (image.width, image.height) == (740, 480)
    bundled = resource_path("operator", "gateway.png").read_bytes()
    assert result.byte_count == len(bundled) < 16 * 1024  # small: a few kilobytes


def test_a_teams_endpoint_alone_gets_the_sample_template_without_its_picture(
    tmp_path: Path,
) -> None:
    """`--operator-api URL`: template "0" is the sample's stand-in; its picture lives only on
    the sample operator, so asking the team's host for it would report the team for nothing."""
    from simulator.operator_api.world import OperatorApiWorld

    loop = BackgroundLoop("gateway-image-team")
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    world = OperatorApiWorld(
        tmp_path, loop, events, lambda _f: None, base_url="https://staging.example/v1/"
    )
    try:
        template = world.config.gateway_template("0")
        assert template is not None
        assert template.body_text == "Stay connected from virtually anywhere."
        assert template.images == ()
    finally:
        world.close()
        loop.stop()
