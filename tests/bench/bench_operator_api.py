"""Operator API benchmark: the docs' GetBalance load test shape (many ICCIDs, a few requests a
second at peak; the docs ask for 99.9 % success and 400 ms on average) against the bundled
sample operator over loopback HTTPS, through the same client and checker the app uses.

Run directly; prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from simulator.operator_api.client import OperatorApiClient, client_tls_context
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.operator_api.requests import RequestFactory
from simulator.operator_api.sample_config import sample_configuration
from simulator.operator_api.sample_operator import SampleOperator
from simulator.operator_api.tls import OperatorTls

ICCIDS = 1000
CONCURRENCY = 8


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tls = OperatorTls.load_or_create(Path(folder))
        ranges = (IccidRange("8999001", "8999001"),)
        server = SampleOperator(sample_configuration("https://127.0.0.1/v1/", ranges), tls)
        await server.start()
        config = sample_configuration(server.base_url, ranges)
        client = OperatorApiClient(config, tls=client_tls_context(config, tls.ca_pem))
        factory = RequestFactory(config)
        iccids = [f"8999001{n:011d}" for n in range(ICCIDS)]
        latencies: list[float] = []
        ok = 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(iccid: str) -> None:
            nonlocal ok
            async with gate:
                exchange = await client.send(factory.balance(iccid))
            latencies.append(exchange.elapsed_ms)
            ok += exchange.checked.ok and exchange.checked.status == 200

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in iccids))
        wall = time.perf_counter() - started
        await client.aclose()
        await server.stop()
    latencies.sort()
    print(f"GetBalance x{ICCIDS} ICCIDs, {CONCURRENCY} in flight, loopback HTTPS, checked:")
    print(f"  success        {ok / ICCIDS:.1%}")
    print(f"  throughput     {ICCIDS / wall:.0f} requests/s")
    print(f"  latency mean   {statistics.mean(latencies):.1f} ms")
    print(f"  latency p50    {latencies[len(latencies) // 2]:.1f} ms")
    print(f"  latency p99    {latencies[int(len(latencies) * 0.99)]:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
