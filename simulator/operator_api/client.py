"""Calls an operator's API the way the Mobile Plans service does, and checks the answer.

Async (httpx): the app runs it on the background loop, `check-api` with asyncio.run. The body
is read up to a bound; transport failures become violations, never exceptions.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import httpx

from simulator.operator_api.config import ServiceConfiguration
from simulator.operator_api.contract import (
    MAX_BODY_BYTES,
    ApiResponse,
    CheckedResponse,
    check_response,
)
from simulator.operator_api.requests import ApiRequest

__all__ = ["Exchange", "OperatorApiClient", "client_tls_context"]


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (``response`` is None when nothing did)."""

    request: ApiRequest
    response: ApiResponse | None
    checked: CheckedResponse
    elapsed_ms: float


def client_tls_context(config: ServiceConfiguration, extra_ca_pem: bytes = b"") -> ssl.SSLContext:
    """The system's trust store, plus the configured CA file and ``extra_ca_pem``; the client
    certificate when mutual TLS is configured."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.trusted_ca is not None:
        context.load_verify_locations(cafile=str(config.trusted_ca))
    if extra_ca_pem:
        context.load_verify_locations(cadata=extra_ca_pem.decode("ascii"))
    if config.client_certificate is not None:
        context.load_cert_chain(
            str(config.client_certificate.certificate), str(config.client_certificate.key)
        )
    return context


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
        self._deadline = timeout_seconds * 2
        self._http = httpx.AsyncClient(
            verify=tls or client_tls_context(config),
            timeout=timeout_seconds,
            follow_redirects=False,
            trust_env=False,
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
            return self._failed(request, started, "transport.timeout", f"no answer: {error}")
        except httpx.ConnectError as error:
            text = str(error)
            if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
                return self._failed(
                    request, started, "transport.tls", f"TLS with {request.url} failed: {text}"
                )
            return self._failed(
                request, started, "transport.unreachable", f"cannot reach {request.url}: {text}"
            )
        except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as error:
            rule = "transport.tls" if isinstance(error, ssl.SSLError) else "transport.unreachable"
            return self._failed(request, started, rule, f"{request.url}: {error}")
        checked = check_response(request, response, self.config)
        return Exchange(request, response, checked, _elapsed(started))

    async def _exchange(self, request: ApiRequest) -> ApiResponse:
        async with self._http.stream("GET", request.url, headers=request.headers) as answer:
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
            return ApiResponse(
                answer.status_code,
                {name.lower(): value for name, value in answer.headers.items()},
                bytes(body),
            )

    def _failed(self, request: ApiRequest, started: float, rule: str, message: str) -> Exchange:
        checked = CheckedResponse(request.api, 0)
        checked.add(rule, message)
        return Exchange(request, None, checked, _elapsed(started))

    async def aclose(self) -> None:
        await self._http.aclose()


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
