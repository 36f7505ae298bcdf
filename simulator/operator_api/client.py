"""Calls an operator's API the way the Mobile Plans service does, and checks the answer.

Async (httpx): the app runs it on the background loop, `check-api` with asyncio.run. The body
is read up to a bound; transport failures become violations, never exceptions.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from esim.http_cancel_safe import cancel_safe
from simulator.operator_api.config import ConfigurationError, ServiceConfiguration
from simulator.operator_api.contract import (
    MAX_BODY_BYTES,
    ApiResponse,
    CheckedResponse,
    check_response,
)
from simulator.operator_api.requests import ApiRequest

__all__ = ["Exchange", "OperatorApiClient", "client_tls_context", "decode_body"]


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (``response`` is None when nothing did)."""

    request: ApiRequest
    response: ApiResponse | None
    checked: CheckedResponse
    elapsed_ms: float


def client_tls_context(config: ServiceConfiguration, extra_ca_pem: bytes = b"") -> ssl.SSLContext:
    """The system's trust store, plus the configured CA file and ``extra_ca_pem``; the client
    certificate when mutual TLS is configured. ConfigurationError naming ``config.trustedCa``
    or ``config.clientCertificate`` when a file cannot be used."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.trusted_ca is not None:
        _load(config.trusted_ca, "config.trustedCa", "a PEM CA certificate")
        try:
            context.load_verify_locations(cafile=str(config.trusted_ca))
        except (ssl.SSLError, OSError, ValueError) as error:
            raise _unusable("config.trustedCa", config.trusted_ca, "a CA", error) from None
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    if config.client_certificate is not None:
        pair = config.client_certificate
        for path in (pair.certificate, pair.key):
            _load(path, "config.clientCertificate", "a PEM certificate or key")
        try:
            # An encrypted key would make OpenSSL prompt on the terminal: a headless run would
            # hang there. An empty password makes it fail instead, with a message.
            context.load_cert_chain(str(pair.certificate), str(pair.key), password=lambda: "")
        except (ssl.SSLError, OSError, ValueError) as error:
            what = "a certificate and its unencrypted private key"
            raise _unusable("config.clientCertificate", pair.certificate, what, error) from None
    return context


_MAX_PEM_BYTES = 1024 * 1024  # a CA bundle or a key is kilobytes


def _load(path: Path, rule: str, what: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ConfigurationError(rule, f"{path}: {error.strerror or error}") from None
    if not path.is_file():  # a device or a pipe: /dev/zero would be read for ever
        raise ConfigurationError(rule, f"{path} is not a regular file")
    if size > _MAX_PEM_BYTES:
        raise ConfigurationError(rule, f"{path} is over 1 MiB; {what} is a few kilobytes")


def _unusable(rule: str, path: Path, what: str, error: Exception) -> ConfigurationError:
    return ConfigurationError(rule, f"{path} does not hold {what} TLS can use: {error}")


class OperatorApiClient:
    def __init__(
        self,
        config: ServiceConfiguration,
        *,
        tls: ssl.SSLContext | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.config = config
        # httpx bounds each read; this bounds the whole exchange (a server trickling bytes)
        self._timeout = timeout_seconds
        self._deadline = timeout_seconds * 2
        self._http = cancel_safe(
            httpx.AsyncClient(
                verify=tls or client_tls_context(config),
                timeout=timeout_seconds,
                follow_redirects=False,
                trust_env=False,
                # Only encodings the client decodes itself, within the body bound (see _exchange).
                headers={"Accept-Encoding": "gzip, deflate"},
            )
        )

    async def send(self, request: ApiRequest) -> Exchange:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._exchange(request)
        except TimeoutError:
            return self._failed(
                request, started, "transport.timeout", f"no full answer in {self._deadline:g} s"
            )
        except httpx.TimeoutException as error:
            return self._failed(
                request,
                started,
                "transport.timeout",
                f"no answer within {self._timeout:g} s ({type(error).__name__})",
            )
        except (httpx.RemoteProtocolError, httpx.DecodingError, BodyDecodingError) as error:
            return self._failed(
                request,
                started,
                "transport.protocol",
                f"{request.url} answered something that is not readable HTTP/1.1: "
                f"{str(error)[:120] or type(error).__name__}",
            )
        except httpx.ConnectError as error:
            text = str(error)
            if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
                return self._failed(
                    request, started, "transport.tls", f"TLS with {request.url} failed: {text}"
                )
            return self._failed(
                request, started, "transport.unreachable", f"cannot reach {request.url}: {text}"
            )
        except httpx.InvalidURL as error:  # not an HTTPError: a URL no request can be made to
            return self._failed(
                request, started, "transport.unreachable", f"{request.url!r} is no URL: {error}"
            )
        except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as error:
            rule = "transport.tls" if isinstance(error, ssl.SSLError) else "transport.unreachable"
            return self._failed(request, started, rule, f"{request.url}: {error}")
        checked = check_response(request, response, self.config)
        return Exchange(request, response, checked, _elapsed(started))

    async def _exchange(self, request: ApiRequest) -> ApiResponse:
        async with self._http.stream("GET", request.url, headers=request.headers) as answer:
            # The raw bytes, bounded, then decoded with an output bound: httpx's own decoding
            # would inflate a small gzip bomb chunk by chunk into hundreds of megabytes.
            raw = bytearray()
            async for chunk in answer.aiter_raw():
                raw += chunk
                if len(raw) > MAX_BODY_BYTES:
                    break
            encoding = answer.headers.get("content-encoding", "")
            return ApiResponse(
                answer.status_code,
                {name.lower(): value for name, value in answer.headers.items()},
                decode_body(bytes(raw), encoding, MAX_BODY_BYTES + 1),
            )

    def _failed(self, request: ApiRequest, started: float, rule: str, message: str) -> Exchange:
        checked = CheckedResponse(request.api, 0)
        checked.add(rule, message)
        return Exchange(request, None, checked, _elapsed(started))

    async def aclose(self) -> None:
        await self._http.aclose()


class BodyDecodingError(ValueError):
    """A compressed body that does not inflate."""


def decode_body(raw: bytes, content_encoding: str, limit: int) -> bytes:
    """``raw`` inflated per ``content_encoding`` (gzip or deflate; anything else is returned
    as it came, for the contract to judge), never longer than ``limit`` bytes."""
    encoding = content_encoding.strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return raw[:limit]
    # 32 + MAX_WBITS reads a gzip or a zlib header; a bare deflate stream is tried after.
    attempts = (zlib.MAX_WBITS | 32,) if encoding != "deflate" else (zlib.MAX_WBITS | 32, -15)
    for wbits in attempts:
        try:
            return zlib.decompressobj(wbits).decompress(raw, limit)
        except zlib.error as error:
            failure = error
    raise BodyDecodingError(f"the {encoding} body does not inflate: {failure}")


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
