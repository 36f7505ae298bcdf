"""HTTPS to SM-DP+s: TLS trusting only the RSP CIs, and host names resolved from a table.

* TLS is verified against the CI certificates of the certificate set (CERT.DPtls chains to a
  GSMA-style CI, not to the WebPKI), never against the system store.
* With a ``resolver`` (host → (ip, port)) the connection goes to that address while SNI, the
  certificate host-name check and the ``Host`` header keep the SM-DP+ name; the system resolver
  is never asked. A host missing from the table fails with :class:`UnresolvedHost`.
"""

from __future__ import annotations

import functools
import ssl
import typing
from collections.abc import Iterable, Mapping, Sequence

import httpcore
import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from esim.lpa.tls_sessions import ResumingClientContext

Resolver = Mapping[str, tuple[str, int]]
"""SM-DP+ host name (lower case) → (IP address, TCP port)."""


class UnresolvedHost(httpcore.ConnectError):
    """The host is not in the resolver table (no DNS lookup was attempted)."""


def trust_context(anchors: Iterable[x509.Certificate]) -> ResumingClientContext:
    """A TLS ≥ 1.2 client context trusting exactly ``anchors`` (the CI certificates).

    Shared by every client trusting the same anchors (an LPA makes one client per download and
    loading the anchors is most of a context's cost): callers never change it. Its
    ``sessions`` remember each SM-DP+'s TLS session for the next connection
    (:mod:`esim.lpa.tls_sessions`)."""
    pem = "".join(anchor.public_bytes(Encoding.PEM).decode("ascii") for anchor in anchors)
    if not pem:
        raise ValueError("an ES9+ client needs at least one CI certificate as trust anchor")
    return _context_trusting(pem)


@functools.lru_cache(maxsize=16)
def _context_trusting(pem: str) -> ResumingClientContext:
    context = ResumingClientContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cadata=pem)
    return context


class _ResolvingBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        resolver: Resolver | None,
        expired_tls_anchors: Sequence[x509.Certificate] | None = None,
    ) -> None:
        self._resolver = (
            None
            if resolver is None
            else {host.lower().rstrip("."): target for host, target in resolver.items()}
        )
        self._expired_tls_anchors = expired_tls_anchors
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._resolver is None:
            target: tuple[str, int] | None = (host, port)
        else:
            target = self._resolver.get(host.lower().rstrip("."))
        if target is None:
            raise UnresolvedHost(
                f"{host} is not a simulated SM-DP+ known to this LPA (resolver table: "
                f"{', '.join(sorted(self._resolver or {})) or 'empty'})"
            )
        address, mapped_port = target
        stream = await self._backend.connect_tcp(
            address, mapped_port, timeout, local_address, socket_options
        )
        if self._expired_tls_anchors is not None:
            from esim.lpa.tls_trust import ExpiredTlsAcceptingStream

            return ExpiredTlsAcceptingStream(stream, self._expired_tls_anchors)
        return stream

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("an SM-DP+ is reached over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


# httpcore's exceptions as httpx's, so callers of the AsyncClient see one family.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
)


class ResolvingTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that connects where ``resolver`` says."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        resolver: Resolver | None,
        *,
        expired_tls_anchors: Sequence[x509.Certificate] | None = None,
    ) -> None:
        """``expired_tls_anchors``: accept an expired server certificate issued by one of them
        (test use only, see :mod:`esim.lpa.tls_trust`); None verifies fully with OpenSSL."""
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            network_backend=_ResolvingBackend(resolver, expired_tls_anchors),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=await request.aread(),
            extensions=request.extensions,
        )
        try:
            core_response = await self._pool.handle_async_request(core_request)
            try:
                body = await core_response.aread()
            finally:
                await core_response.aclose()
        except Exception as error:
            for core_type, httpx_type in _EXCEPTIONS:
                if isinstance(error, core_type):
                    raise httpx_type(str(error), request=request) from error
            raise
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            content=body,
            extensions={
                key: value
                for key, value in core_response.extensions.items()
                if key != "network_stream"
            },
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
