"""Loads a Gateway template's images for the page: fetched on the background loop with the same
trust as the operator's APIs, handed back on the GUI thread, and logged. No Qt.

Each image is logged as `gateway.image` (loaded, uri, status, bytes, size, declared, template,
error), followed by one `contract.violation` per finding (object "MO service", api "Gateway
image"), in the template's order whatever order the images arrive in, so a log is the same on
every run.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic

from simulator.background import BackgroundLoop, InFlight
from simulator.contract.violations import Violation
from simulator.events import EventLog
from simulator.operator_api.config import ConfigurationError, GatewayImage, ServiceConfiguration
from simulator.operator_api.gateway_images import (
    MAX_IMAGES,
    FetchLimits,
    ImageResult,
    P,
    fetch_gateway_image,
    image_client,
)
from simulator.operator_api.rules import log_finding, violation

__all__ = ["GatewayImageLoader"]

Post = Callable[[Callable[[], None]], None]
TlsFor = Callable[[ServiceConfiguration], ssl.SSLContext]
API = "Gateway image"


class _InOrder(Generic[P]):
    """Results as they arrive; logged in the template's order."""

    def __init__(self, log: Callable[[ImageResult[P]], None]) -> None:
        self._results: dict[int, ImageResult[P]] = {}
        self._next = 0
        self._log = log

    def add(self, index: int, result: ImageResult[P]) -> None:
        self._results[index] = result
        while self._next in self._results:
            self._log(self._results.pop(self._next))
            self._next += 1


class GatewayImageLoader:
    def __init__(
        self,
        loop: BackgroundLoop,
        post: Post,
        events: EventLog,
        tls_for: TlsFor,
        limits: FetchLimits | None = None,
    ) -> None:
        """``tls_for(config)`` gives the TLS the operator's APIs use (its CA, its client
        certificate); it runs on the background loop."""
        self.loop = loop
        self.post = post
        self.events = events
        self.tls_for = tls_for
        self.limits = limits or FetchLimits()
        self._pending: set[Future[None]] = set()
        self._batches = InFlight()  # cancelled together when the loader closes
        # the last configuration's TLS: loading the system's CAs takes tens of milliseconds
        self._tls: tuple[ServiceConfiguration, ssl.SSLContext] | None = None
        self._closed = False

    def load(
        self,
        config: ServiceConfiguration,
        template_id: str,
        images: tuple[GatewayImage, ...],
        decode: Callable[[bytes], P | None],
        arrived: Callable[[int, ImageResult[P]], None],
    ) -> None:
        """Fetch ``images`` (at most :data:`MAX_IMAGES`); ``arrived(index, result)`` is called
        on the GUI thread as each one ends. Call on the GUI thread."""
        if self._closed or not images:
            return
        if len(images) > MAX_IMAGES:
            self._log_finding(
                violation(
                    "gateway.images-over-limit",
                    f"template {template_id!r} has {len(images)} images; the first {MAX_IMAGES} "
                    "are fetched",
                ),
                "",
            )
        fetched = images[:MAX_IMAGES]
        in_order: _InOrder[P] = _InOrder(lambda r: self._log(template_id, r))

        def on_gui(index: int, result: ImageResult[P]) -> None:
            if self._closed:
                return
            arrived(index, result)
            in_order.add(index, result)

        def from_loop(index: int, result: ImageResult[P]) -> None:
            self.post(lambda: on_gui(index, result))

        future = self.loop.submit(
            self._batches.run(self._batch(config, fetched, decode, from_loop))
        )
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    async def _batch(
        self,
        config: ServiceConfiguration,
        images: tuple[GatewayImage, ...],
        decode: Callable[[bytes], P | None],
        arrived: Callable[[int, ImageResult[P]], None],
    ) -> None:
        try:
            tls = self._tls_of(config)
        except (ConfigurationError, ssl.SSLError, OSError, ValueError) as error:
            for index, image in enumerate(images):
                found = violation("gateway.image-tls", f"no TLS set-up for the images: {error}")
                arrived(index, ImageResult(image, None, findings=(found,)))
            return
        async with image_client(tls, self.limits) as http:

            async def one(index: int, image: GatewayImage) -> None:
                try:
                    result = await fetch_gateway_image(http, image, decode, self.limits)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # a value for the page, never a crash
                    found = violation(
                        "gateway.image-unreachable", f"{type(error).__name__}: {error}"
                    )
                    result = ImageResult(image, None, findings=(found,))
                arrived(index, result)

            await asyncio.gather(*(one(n, image) for n, image in enumerate(images)))

    def _tls_of(self, config: ServiceConfiguration) -> ssl.SSLContext:
        if self._tls is None or self._tls[0] != config:
            self._tls = (config, self.tls_for(config))
        return self._tls[1]

    def _log(self, template_id: str, result: ImageResult[Any]) -> None:
        image = result.image
        failure = result.failure
        self.events.emit(
            "gateway.image",
            template=template_id,
            uri=image.uri,
            loaded=result.loaded,
            status=result.status,
            bytes=result.byte_count,
            size=list(result.pixel_size) if result.pixel_size else None,
            declared=[image.width, image.height],
            # the rule that kept it off the page ("" when drawn); a problem key for the Timeline
            error=failure.rule if failure is not None else "",
        )
        for found in result.findings:
            self._log_finding(found, image.uri)

    def _log_finding(self, found: Violation, uri: str) -> None:
        log_finding(self.events, found, API, uri=uri)

    def close(self) -> None:
        """Stop: fetches in flight are cancelled, their connections closed before this returns
        (the loop may stop right after), and nothing more is reported. Call on the GUI thread."""
        self._closed = True
        if self._pending:
            self.loop.run(self._batches.cancel_all())
