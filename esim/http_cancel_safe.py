"""httpx clients whose new connections close their socket when the request is cancelled.

httpcore (1.0) closes a new connection's socket when its TLS handshake fails with an error, but
not when the task is cancelled during the handshake (it catches ``Exception`` only, and
cancellation is a ``BaseException``). Closing a simulator cancels whatever is still in flight
(an operator API call, a Gateway image, an ES2+ call), and a request caught in its handshake
then left its socket open until the garbage collector found it: a ResourceWarning in whatever
ran next. :func:`cancel_safe` puts a backend under a client's connection pool that closes the
socket whenever the handshake does not finish; everything else goes to httpcore's own backend.
"""

from __future__ import annotations

import contextlib
import ssl
import typing
from collections.abc import Iterable

import httpcore
import httpx


class DelegatingStream(httpcore.AsyncNetworkStream):
    """A stream that hands every call to the stream it wraps; subclasses change one step."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._stream.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _ClosedUnlessHandshaken(DelegatingStream):
    """A new connection's stream, as httpcore's backend made it; see the module's docstring."""

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            return await self._stream.start_tls(ssl_context, server_hostname, timeout)
        except BaseException as stopped:
            if not isinstance(stopped, Exception):  # an error: httpcore closed it already
                with contextlib.suppress(Exception):
                    await self._stream.aclose()
            raise


class CancelSafeBackend(httpcore.AsyncNetworkBackend):
    """httpcore's backend, with each new TCP connection's handshake closed if cancelled."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _ClosedUnlessHandshaken(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _ClosedUnlessHandshaken(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def cancel_safe(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """``client``, its connection pools (proxies' too) on :class:`CancelSafeBackend`."""
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.AsyncConnectionPool) and not isinstance(
            pool._network_backend, CancelSafeBackend
        ):
            pool._network_backend = CancelSafeBackend(pool._network_backend)
    return client
