"""Gateway image benchmark: how long the page waits for the sample operator's picture, from the
moment it asks to the moment the decoded picture is back on the GUI thread's side, through the
loader the app uses (loopback HTTPS with the operator APIs' TLS, checks, QImage decode); and how
long a hostile host can hold it (an endless body, stopped at the 4 MiB cap).

Run directly; prints figures, asserts nothing.
"""

from __future__ import annotations

import queue
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from simulator.background import BackgroundLoop
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.client import client_tls_context
from simulator.operator_api.config import GatewayImage
from simulator.operator_api.gateway_image_loader import GatewayImageLoader
from simulator.operator_api.gateway_images import ImageResult
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.sample_operator import SampleOperator
from simulator.operator_api.tls import OperatorTls
from simulator.ui.gateway_images import decode_png

ROUNDS = 50


def main() -> None:
    loop = BackgroundLoop("bench-gateway-images")
    with tempfile.TemporaryDirectory() as folder:
        tls = OperatorTls.load_or_create(Path(folder))
        server = SampleOperator(sample_configuration("https://127.0.0.1/v1/"), tls)
        loop.run(server.start())
        config = sample_configuration(server.base_url)
        posted: queue.Queue[Callable[[], None]] = queue.Queue()
        events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
        loader = GatewayImageLoader(
            loop, posted.put, events, lambda c: client_tls_context(c, tls.ca_pem)
        )
        template = config.gateway_template("0")
        assert template is not None

        def fetch(images: tuple[GatewayImage, ...]) -> tuple[float, ImageResult[object]]:
            got: list[ImageResult[object]] = []
            started = time.perf_counter()
            loader.load(config, "0", images, decode_png, lambda _n, r: got.append(r))
            while not got:
                posted.get(timeout=60)()
            return (time.perf_counter() - started) * 1000, got[0]

        first, result = fetch(template.images)
        times = [fetch(template.images)[0] for _ in range(ROUNDS)]

        async def endless(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "image/png"})
            await response.prepare(request)
            try:
                while True:
                    await response.write(b"\0" * 65536)
            except ConnectionError:  # the client stopped reading, as it should
                return response

        app = web.Application()
        app.router.add_get("/endless.png", endless)
        runner = web.AppRunner(app, access_log=None)

        async def serve() -> int:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context())
            await site.start()
            return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

        port = loop.run(serve())
        hostile_ms, hostile = fetch((GatewayImage(f"https://127.0.0.1:{port}/endless.png", 1, 1),))
        loader.close()
        loop.run(runner.cleanup())
        loop.run(server.stop())
    loop.stop()
    times.sort()
    print(f"The sample operator's picture ({result.byte_count} bytes, {result.pixel_size}):")
    print(f"  first (TLS set-up)   {first:.1f} ms")
    print(f"  then, x{ROUNDS} mean  {statistics.mean(times):.1f} ms")
    print(f"  p50 / max            {times[len(times) // 2]:.1f} / {times[-1]:.1f} ms")
    failure = hostile.failure.rule if hostile.failure else "none"
    print(f"An endless body: {failure} after {hostile.byte_count} bytes, {hostile_ms:.0f} ms")


if __name__ == "__main__":
    main()
