"""Stopping the background loop cancels what is still in flight and closes its connections."""

from __future__ import annotations

import asyncio
import gc
import threading

from simulator.background import BackgroundLoop


def test_stop_cancels_an_exchange_in_flight_and_closes_its_connection() -> None:
    background = BackgroundLoop("test-loop")
    connected = threading.Event()
    cancelled: list[bool] = []

    async def silent_server() -> asyncio.Server:
        async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.read()  # holds the connection until the client goes
            finally:
                writer.close()

        return await asyncio.start_server(never_answer, "127.0.0.1", 0)

    async def waits_for_an_answer(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        connected.set()
        try:
            await reader.read(1)
        except asyncio.CancelledError:
            cancelled.append(True)
            writer.close()
            raise

    server = background.run(silent_server())
    in_flight = background.submit(waits_for_an_answer(server.sockets[0].getsockname()[1]))
    assert connected.wait(10)

    async def stop_listening() -> None:  # the listener only: the connection stays open
        server.close()

    background.run(stop_listening())
    background.stop()
    assert in_flight.cancelled()
    assert cancelled == [True]
    gc.collect()  # an unclosed transport would warn here (warnings are errors in the suite)
