"""SM-DP+ throughput of the authenticate → BPP exchange with 1, 4 and 16 concurrent clients.

Each download is initiateAuthentication, authenticateClient, getBoundProfilePackage over real
HTTPS (the fake eUICC of the unit tests signs and, untimed on the server side, decrypts the BPP).
Prints, never asserts.

Run: .venv/bin/python tests/bench/bench_smdp.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "esim"))

from smdp_fake_euicc import Es9Client, FakeEuicc, run_download, started_server

from esim.smdp import ProfileSpec, generate_iccid

DOWNLOADS_PER_CLIENT = 8
SIZE_BYTES = 60 * 1024


async def measure(concurrency: int, directory: Path) -> None:
    server = await started_server(directory)
    total = concurrency * DOWNLOADS_PER_CLIENT
    orders = [
        server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=SIZE_BYTES))
        for _ in range(total)
    ]
    euicc = FakeEuicc()
    clients = [Es9Client(server.port or 0) for _ in range(concurrency)]

    async def worker(index: int) -> int:
        done = 0
        for order in orders[index::concurrency]:
            outcome = await run_download(
                clients[index], euicc_for[index], order.matching_id, send_notification=False
            )
            done += outcome.ok
        return done

    euicc_for = [FakeEuicc() for _ in range(concurrency)] if concurrency > 1 else [euicc]
    # warm-up: TLS sessions, codec compilation, UPP cache
    warm = server.store.create_order(ProfileSpec(generate_iccid(), size_bytes=SIZE_BYTES))
    await run_download(clients[0], euicc, warm.matching_id, send_notification=False)
    start = time.perf_counter()
    completed = sum(await asyncio.gather(*(worker(i) for i in range(concurrency))))
    elapsed = time.perf_counter() - start
    for client in clients:
        await client.client.aclose()
    await server.stop()
    server.store.close()
    print(
        f"{concurrency:>2} concurrent clients: {completed}/{total} downloads in {elapsed:6.2f} s "
        f"= {completed / elapsed:6.1f} downloads/s, {elapsed / completed * 1e3:7.1f} ms each "
        f"({SIZE_BYTES // 1024} KB profile, client crypto included)"
    )


def main() -> None:
    for concurrency in (1, 4, 16):
        with tempfile.TemporaryDirectory() as scratch:
            asyncio.run(measure(concurrency, Path(scratch)))


if __name__ == "__main__":
    main()
