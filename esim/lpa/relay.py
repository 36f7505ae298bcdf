"""lpac's HTTP requests delivered over the LPA's own HTTPS transport (``esim euicc stdio --http``).

lpac (``LPAC_HTTP=stdio``) hands each ES9+/ES11 POST to its stdio peer as a URL, a hex body
and header lines. :class:`HttpsRelay` sends it exactly as asked, but over this project's
transport: the host is looked up in the resolver table (the simulated SM-DP+s of the data
directory; no DNS) and TLS is verified against the RSP CI certificates. lpac's own curl backend
never verifies TLS; the relay does, so a certificate problem is reported, not hidden.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable

import httpx
from cryptography import x509

from esim.euicc.stdio import HttpExchangeError, HttpRequest, header_pairs
from esim.http_cancel_safe import cancel_safe
from esim.lpa.tls_trust import tls_failure_message
from esim.lpa.transport import Resolver, ResolvingTransport, trust_context

MAX_RESPONSE_BYTES = 16 << 20
"""A bound profile package is tens of kB; an answer above this is refused."""


class HttpsRelay:
    """A blocking :data:`~esim.euicc.stdio.HttpExchange` over one event loop and one pool."""

    def __init__(
        self,
        trust_anchors: Iterable[x509.Certificate],
        resolver: Resolver,
        *,
        timeout: float = 30.0,
        allow_expired_tls: bool = False,
    ) -> None:
        anchors = list(trust_anchors)
        context: ssl.SSLContext = trust_context(anchors)
        self._loop = asyncio.new_event_loop()
        transport = ResolvingTransport(
            context, resolver, expired_tls_anchors=anchors if allow_expired_tls else None
        )
        self._client = cancel_safe(httpx.AsyncClient(transport=transport, timeout=timeout))

    def __call__(self, request: HttpRequest) -> tuple[int, bytes]:
        return self._loop.run_until_complete(self._post(request))

    async def _post(self, request: HttpRequest) -> tuple[int, bytes]:
        try:
            response = await self._client.post(
                request.url, content=request.body, headers=header_pairs(request.headers)
            )
        except httpx.InvalidURL as error:
            raise HttpExchangeError(f"not a usable URL ({error})") from None
        except httpx.HTTPError as error:
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in str(error).upper():
                host = httpx.URL(request.url).host
                raise HttpExchangeError(tls_failure_message(error, host)) from None
            raise HttpExchangeError(
                f"cannot reach the SM-DP+ ({type(error).__name__}: {error})"
            ) from None
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise HttpExchangeError(f"answer over {MAX_RESPONSE_BYTES} bytes refused")
        return response.status_code, response.content

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()
