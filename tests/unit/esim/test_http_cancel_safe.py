"""A request cancelled during its TLS handshake leaves no socket open (esim.http_cancel_safe)."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpx

from esim.http_cancel_safe import CancelSafeBackend, cancel_safe


async def _cancelled_in_handshake(client: httpx.AsyncClient) -> bytes:
    """What a host that never answers the ClientHello reads after the request is cancelled."""
    loop = asyncio.get_running_loop()
    with socket.create_server(("127.0.0.1", 0)) as silent:
        silent.setblocking(False)
        port = silent.getsockname()[1]
        request = asyncio.create_task(client.get(f"https://127.0.0.1:{port}/"))
        accepted, _ = await asyncio.wait_for(loop.sock_accept(silent), 30)
        with accepted:
            hello = await asyncio.wait_for(loop.sock_recv(accepted, 4096), 30)
            assert hello[:1] == b"\x16"  # a TLS handshake record: the client is waiting
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
            return await asyncio.wait_for(loop.sock_recv(accepted, 4096), 30)


def test_a_request_cancelled_in_its_handshake_closes_its_socket() -> None:
    async def scenario() -> bytes:
        async with cancel_safe(httpx.AsyncClient(verify=ssl.create_default_context())) as client:
            return await _cancelled_in_handshake(client)

    assert asyncio.run(scenario()) == b""  # the end of the stream, not a socket left open


def test_cancel_safe_wraps_each_pool_once() -> None:
    client = cancel_safe(cancel_safe(httpx.AsyncClient()))
    backend = client._transport._pool._network_backend
    assert isinstance(backend, CancelSafeBackend)
    assert not isinstance(backend._inner, CancelSafeBackend)
