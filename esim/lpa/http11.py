"""The ES9+ client's HTTP: one keep-alive HTTPS connection, HTTP/1.1 answers read by
:mod:`esim.lpa.http_response`.

An LPA talks to one SM-DP+ at a time with a handful of sequential POSTs, so a connection pool,
anyio's cancel scopes and httpx's request models are pure overhead: through httpx they cost
the LPA several times the CPU of the TLS handshake on every download. This client does what
:class:`esim.lpa.es9_client.Es9Client` needs and nothing more: ``stream(method, url, content=)``
and ``aclose()`` with the meaning and the exception types (``httpx.ConnectError`` with the
cause, ``httpx.ReadTimeout``, …) of ``httpx.AsyncClient``, so either serves the ES9+ client.

* TLS trusts only the given context (the RSP CIs); the host name is checked by OpenSSL. The
  connection is an ``ssl.SSLSocket`` driven from the loop's selector, or asyncio's streams on
  loops that cannot watch sockets (:mod:`esim.lpa.tls_socket`).
* With a resolver (host → (ip, port)) the connection goes there and no DNS is asked; SNI, the
  certificate check and ``Host`` keep the SM-DP+ name. A host missing from the table fails
  with :class:`~esim.lpa.transport.UnresolvedHost` as the cause.
* ``expired_tls_anchors`` (tests only): the handshake accepts an expired CERT.DPtls that is
  otherwise valid, checked before a request byte is sent (:mod:`esim.lpa.tls_trust`).
* gzip and deflate answers are decoded incrementally, bounded by what the caller reads.
* ``timeout`` bounds connecting, the TLS handshake and sending, and the whole answer from the
  request's sending to its last byte: a server dripping a byte at a time ends in
  ``httpx.ReadTimeout`` like a silent one.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import zlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from cryptography import x509

from esim.lpa.http_response import (
    END_OF_MESSAGE,
    NEED_DATA,
    HttpProtocolError,
    ResponseHead,
    ResponseReader,
)
from esim.lpa.tls_sessions import ResumingClientContext, SessionKey
from esim.lpa.tls_socket import (
    TlsConnection,
    can_watch_sockets,
    connect_socket,
    connect_stream,
    start_socket_tls,
    start_stream_tls,
)
from esim.lpa.tls_trust import SPEC as TLS_SPEC
from esim.lpa.tls_trust import accepting_context, check_server_certificate
from esim.lpa.transport import Resolver, UnresolvedHost

_READ_SIZE = 65536
_MAX_INFORMATIONAL = 8  # 1xx answers before the real one; an endless stream must not hold us
_HEADER_LINE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+: [\t\x20-\x7e]*")
_TARGET = re.compile(r"/[\x21-\x7e]*")
_METHOD = re.compile(r"[A-Z]+")


class TlsHandshakeError(OSError):
    """The TCP connection stood but the TLS handshake failed for another reason than the
    certificate: no common curve or cipher, an alert, the peer closing (the cause says which)."""


class StreamedResponse:
    """An answer whose body is read with :meth:`aiter_bytes` (httpx.Response's subset)."""

    def __init__(self, status_code: int, body: AsyncIterator[bytes]) -> None:
        self.status_code = status_code
        self._body = body

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self._body


class Http11Client:
    """HTTP/1.1 over one TLS connection at a time, reopened when the server closed it."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        *,
        resolver: Resolver | None,
        timeout: float,
        headers: Mapping[str, str],
        expired_tls_anchors: Sequence[x509.Certificate] | None = None,
        socket_tls: bool = True,
    ) -> None:
        """``socket_tls`` False uses asyncio's streams and TLS even where the loop could watch
        the socket (the path of Windows' proactor, kept testable everywhere)."""
        self._ssl = ssl_context
        self._socket_tls = socket_tls
        self._resolver = (
            None
            if resolver is None
            else {host.lower().rstrip("."): target for host, target in resolver.items()}
        )
        self._timeout = timeout
        lines = [f"{name}: {value}" for name, value in headers.items()]
        # Non-ASCII fails here, as it always did; a control character in a header fails each
        # request as an HTTP error (the ES9+ client then reports it like any other).
        self._header_lines = "".join(f"{line}\r\n" for line in lines).encode("ascii")
        invalid = [line for line in lines if not _HEADER_LINE.fullmatch(line)]
        self._header_problem = (
            f"not a valid request header: {invalid[0][:60]!r}" if invalid else None
        )
        self._expired_tls_anchors = expired_tls_anchors
        self._origin: tuple[str, int] | None = None
        self._connection: TlsConnection | None = None
        self._reader: ResponseReader | None = None
        self._session_key: SessionKey | None = None
        """Set while the open connection's TLS session is still to be remembered."""

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, *, content: bytes = b""
    ) -> AsyncIterator[StreamedResponse]:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise httpx.UnsupportedProtocol(f"an SM-DP+ is reached over https only, not {url!r}")
        host, port = parts.hostname, parts.port or 443
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not _TARGET.fullmatch(target):
            raise httpx.LocalProtocolError(f"not a valid request target: {target[:60]!r}")
        if not _METHOD.fullmatch(method):
            raise httpx.LocalProtocolError(f"not a valid request method: {method[:20]!r}")
        if self._header_problem is not None:
            raise httpx.LocalProtocolError(self._header_problem)
        authority = host.encode("idna") if port == 443 else f"{host}:{port}".encode("idna")
        connection, reader = await self._open(host, port)
        done = False
        try:
            await self._write(
                connection,
                b"%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n%s"
                % (
                    method.encode("ascii"),
                    target.encode("ascii"),
                    authority,
                    self._header_lines,
                    len(content),
                    content,
                ),
            )
            # One deadline for the whole answer (head, 1xx, body): a byte now and then must not
            # hold the download beyond the timeout.
            deadline = asyncio.get_running_loop().time() + self._timeout
            head = await self._next_event(connection, reader, deadline)
            informational = 0
            while isinstance(head, ResponseHead) and head.status_code < 200:  # 100 Continue, …
                informational += 1
                if informational > _MAX_INFORMATIONAL:
                    raise httpx.RemoteProtocolError(
                        f"the server sent more than {_MAX_INFORMATIONAL} 1xx answers"
                    )
                head = await self._next_event(connection, reader, deadline)
            if not isinstance(head, ResponseHead):
                raise httpx.RemoteProtocolError("the server's answer has no head")
            encoding = _content_encoding(head.headers)
            body = self._body(connection, reader, encoding, deadline)
            yield StreamedResponse(head.status_code, body)
            done = reader.done
        except HttpProtocolError as error:
            raise httpx.RemoteProtocolError(f"the server broke HTTP/1.1: {error}") from error
        finally:
            if done and reader.reusable:
                self._remember_session(connection)
                reader.start_next_cycle()
            else:  # read partly, failed, cancelled or closing: this connection ends here
                if done:
                    self._remember_session(connection)
                await self.aclose()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        self._reader, self._origin = None, None
        if connection is None:
            return
        self._remember_session(connection)
        await connection.close()

    # -- connection ------------------------------------------------------------------------------

    async def _open(self, host: str, port: int) -> tuple[TlsConnection, ResponseReader]:
        connection, reader = self._connection, self._reader
        if (
            connection is not None
            and reader is not None
            and self._origin == (host.lower(), port)
            and connection.still_open()
        ):
            return connection, reader
        await self.aclose()
        connection = await self._connect(host, port)
        self._connection, self._origin = connection, (host.lower(), port)
        self._reader = ResponseReader()
        return connection, self._reader

    async def _connect(self, host: str, port: int) -> TlsConnection:
        address, mapped_port = host, port
        if self._resolver is not None:
            target = self._resolver.get(host.lower().rstrip("."))
            if target is None:
                missing = UnresolvedHost(
                    f"{host} is not a simulated SM-DP+ known to this LPA (resolver table: "
                    f"{', '.join(sorted(self._resolver)) or 'empty'})"
                )
                raise httpx.ConnectError(str(missing)) from missing
            address, mapped_port = target
        context = self._ssl if self._expired_tls_anchors is None else accepting_context()
        # A session is offered only through the trusting context that made it: the expired-
        # anchor context checks the certificate after the handshake, which a resumption skips.
        sessions = context.sessions if isinstance(context, ResumingClientContext) else None
        key: SessionKey = (host.lower().rstrip("."), address, mapped_port)
        on_socket = self._socket_tls and can_watch_sockets(asyncio.get_running_loop())
        try:
            async with asyncio.timeout(self._timeout):
                if on_socket:
                    tcp = await connect_socket(address, mapped_port)
                else:
                    streams = await connect_stream(address, mapped_port)
        except TimeoutError as error:
            raise httpx.ConnectTimeout(f"connecting to {host} timed out") from error
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        connection: TlsConnection
        try:
            async with asyncio.timeout(self._timeout):
                if on_socket:
                    session = None if sessions is None else sessions.get(key)
                    connection = await start_socket_tls(tcp, context, host, session)
                elif sessions is None:
                    connection = await start_stream_tls(streams, context, host)
                else:
                    with sessions.offering(key):
                        connection = await start_stream_tls(streams, context, host)
        except ssl.SSLCertVerificationError as error:
            raise httpx.ConnectError(str(error)) from error
        except (TimeoutError, OSError) as error:  # ssl.SSLError is an OSError
            if sessions is not None:  # never offer that session again
                sessions.forget(key)
            failure = TlsHandshakeError(str(error) or type(error).__name__)
            raise httpx.ConnectError(str(failure)) from failure
        if self._expired_tls_anchors is not None:
            await self._check_accepted_certificate(connection, host, self._expired_tls_anchors)
        self._session_key = None if sessions is None else key
        return connection

    def _remember_session(self, connection: TlsConnection) -> None:
        """Keep this connection's session for the next one to the same server, once: a TLS 1.3
        ticket arrives with the first answer, so after it is soon enough. A resumed connection
        keeps the session it resumed (still valid): reading ``SSLSocket.session`` costs as
        much as half a handshake, CPython copies it through DER, certificates and all."""
        key, self._session_key = self._session_key, None
        if key is None or not isinstance(self._ssl, ResumingClientContext):
            return
        tls = connection.ssl_object
        if tls is not None and not tls.session_reused:
            self._ssl.sessions.remember(key, tls.session, tls.version())

    @staticmethod
    async def _check_accepted_certificate(
        connection: TlsConnection, host: str, anchors: Sequence[x509.Certificate]
    ) -> None:
        tls = connection.ssl_object
        der = None if tls is None else tls.getpeercert(binary_form=True)
        problem = (
            "the server sent no certificate"
            if der is None
            else check_server_certificate(der, host, anchors)
        )
        if problem is not None:
            await connection.close()
            raise httpx.ConnectError(f"TLS: {problem} ({TLS_SPEC})")

    # -- exchange ----------------------------------------------------------------------------------

    async def _write(self, connection: TlsConnection, data: bytes) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await connection.send(data)
        except TimeoutError as error:
            raise httpx.WriteTimeout("sending the request timed out") from error
        except OSError as error:
            raise httpx.WriteError(str(error) or type(error).__name__) from error

    async def _next_event(
        self, connection: TlsConnection, reader: ResponseReader, deadline: float
    ) -> ResponseHead | bytes | object:
        while True:
            event = reader.next_event()
            if event is not NEED_DATA:
                return event
            try:
                async with asyncio.timeout_at(deadline):
                    data = await connection.receive()
            except TimeoutError as error:
                raise httpx.ReadTimeout("no answer in time") from error
            except (OSError, ssl.SSLError) as error:
                raise httpx.ReadError(str(error) or type(error).__name__) from error
            reader.receive_data(data)  # b"" is the end of the stream: the reader judges framing

    async def _body(
        self, connection: TlsConnection, reader: ResponseReader, encoding: bytes, deadline: float
    ) -> AsyncIterator[bytes]:
        decoder = _decoder(encoding)
        try:
            while True:
                event = await self._next_event(connection, reader, deadline)
                if isinstance(event, bytes):
                    chunk = event
                    if decoder is None:
                        yield chunk
                        continue
                    while chunk:  # a small compressed chunk may expand enormously: in pieces
                        yield decoder.decompress(chunk, _READ_SIZE)
                        chunk = decoder.unconsumed_tail
                elif event is END_OF_MESSAGE:
                    if decoder is not None:
                        yield decoder.flush()
                    return
                else:
                    raise httpx.RemoteProtocolError("a second answer head inside a body")
        except HttpProtocolError as error:
            raise httpx.RemoteProtocolError(f"the server broke HTTP/1.1: {error}") from error
        except zlib.error as error:
            raise httpx.DecodingError(f"the {encoding.decode()} body does not decode") from error


def _content_encoding(headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    for name, value in headers:
        if name == b"content-encoding":
            return value.strip().lower()
    return b"identity"


def _decoder(encoding: bytes) -> zlib._Decompress | None:
    """A streaming decoder for ``encoding``; None for identity. An unknown coding is passed on
    as is (the JSON check then refuses it)."""
    if encoding == b"gzip":
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == b"deflate":
        return zlib.decompressobj()
    return None
