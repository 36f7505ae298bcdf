"""Listener throughput on loopback with keep-alive (target ≥ 1,000 callbacks/s). Prints only.

The listener runs in its own process (as it would in production); N concurrent senders share
one aiohttp connector with keep-alive. Every callback is distinct, so each one is parsed,
authenticated, de-duplicated and applied to the SQLite carrier model (one transaction each).

Run: .venv/bin/python tests/bench/bench_listener.py [--senders 32] [--count 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

from esim.identifiers import Iccid
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import (
    CallbackMessage,
    DeviceId,
    PromoChange,
    build_rest_callback,
    build_soap_callback,
)
from simulator.thingspace.listener import CallbackListener

USERNAME, PASSWORD = "bench-user", "bench-pass"


def _serve(data_dir: str, pipe: Connection) -> None:
    carrier = CarrierModel.open(Path(data_dir))
    for n in range(100):
        iccid = Iccid.with_check_digit(f"8901260{n:011d}")
        promotions = [Promotion(f"P{k}", datetime(2017, 4, 1)) for k in range(5)]
        carrier.create_line(iccid, "M2M_4G", promotions)

    async def main() -> None:
        listener = CallbackListener(carrier, USERNAME, PASSWORD)
        pipe.send(await listener.start())
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # wait for "stop"
        pipe.send((listener.stats.accepted, listener.stats.rejected))
        await listener.stop()

    asyncio.run(main())


def _bodies(count: int, soap: bool, mdns: list[str]) -> list[bytes]:
    bodies = []
    for n in range(count):
        message = CallbackMessage(
            PromoChange(f"PromoCode Dropped: P{n % 5}", "4/1/2017 12:00:00 AM"),
            request_id=f"bench-{soap}-{n}",
            devices=(DeviceId.parse("Mdn", mdns[n % len(mdns)]),),
            username=USERNAME,
            password=PASSWORD,
            callback_count=1,
            max_callback_threshold=4,
        )
        bodies.append(build_soap_callback(message) if soap else build_rest_callback(message))
    return bodies


async def _blast(port: int, bodies: list[bytes], senders: int, content_type: str) -> float:
    url = f"http://127.0.0.1:{port}/callbacks"
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=senders, keepalive_timeout=30)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def sender() -> None:
            for body in queue:
                async with session.post(
                    url, data=body, headers={"Content-Type": content_type}
                ) as reply:
                    await reply.read()
                    assert reply.status == 200, reply.status

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--count", type=int, default=5000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        ours, theirs = multiprocessing.Pipe()
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(data_dir, theirs)
        )
        server.start()
        port = ours.recv()
        probe = CarrierModel.open(Path(data_dir))
        mdns = [str(line.mdn) for line in probe.lines()]
        probe.close()
        for label, soap, content_type in (
            ("SOAP", True, "text/xml; charset=utf-8"),
            ("REST", False, "application/json"),
        ):
            bodies = _bodies(options.count, soap, mdns)
            asyncio.run(_blast(port, bodies[:200], options.senders, content_type))  # warm-up
            elapsed = asyncio.run(_blast(port, bodies[200:], options.senders, content_type))
            rate = (len(bodies) - 200) / elapsed
            print(
                f"{label}: {len(bodies) - 200} callbacks, {options.senders} keep-alive senders: "
                f"{rate:,.0f} callbacks/s ({elapsed * 1e3 / (len(bodies) - 200):.2f} ms each)"
            )
        ours.send("stop")
        accepted, rejected = ours.recv()
        server.join(timeout=10)
        print(f"listener: {accepted} accepted, {rejected} rejected")


if __name__ == "__main__":
    main()
