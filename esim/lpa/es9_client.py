"""The LPA's ES9+ client: SGP.22 JSON over HTTPS to an SM-DP+ (SGP.22 §6).

POST ``https://<address>/gsma/rsp2/es9plus/<function>`` with ``User-Agent: gsma-rsp-lpad``,
``X-Admin-Protocol: gsma/rsp/v2.2.2`` and JSON bodies without a ``header``. Answers are
checked like pySim's client does: HTTP 200 (204 for handleNotification), a JSON object whose
``header.functionExecutionStatus.status`` is a success, and every mandatory output key. A
refusal raises :class:`Es9Error`; everything below the JSON raises :class:`Es9TransportError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import ssl
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

import httpx
import pybase64
from cryptography import x509

from esim.lpa.errors import Es9Error, Es9TransportError
from esim.lpa.http11 import Http11Client, TlsHandshakeError
from esim.lpa.tls_trust import (
    brainpool_anchor,
    brainpool_tls_message,
    ssl_error,
    tls_failure_message,
)
from esim.lpa.transport import Resolver, UnresolvedHost, trust_context

USER_AGENT = "gsma-rsp-lpad"
ADMIN_PROTOCOL = "gsma/rsp/v2.2.2"
"""The SGP.22 version this LPA follows, as lpac declares it (SGP.22 §6.1)."""
ES9_PATH = "/gsma/rsp2/es9plus/"
_SUCCESS = ("Executed-Success", "Executed-WithWarning")
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The largest answer read from an SM-DP+: a BoundProfilePackage in base64 stays far below."""


def b64(data: bytes) -> str:
    """Standard base64 with padding, unwrapped (SGP.22 §6.1)."""
    return base64.b64encode(data).decode("ascii")


class HttpResponse(Protocol):
    """What the client reads of an answer (a subset of ``httpx.Response``)."""

    @property
    def status_code(self) -> int: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


class HttpClient(Protocol):
    """What the client needs of HTTP (a subset of ``httpx.AsyncClient``, which also fits)."""

    def stream(
        self, method: str, url: str, *, content: bytes
    ) -> AbstractAsyncContextManager[HttpResponse]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class InitiateAuthenticationResult:
    """ES9+.InitiateAuthentication output; every binary field as the exact bytes received."""

    transaction_id: str
    server_signed1: bytes
    server_signature1: bytes
    """The whole ``5F37 40 ‖ r ‖ s`` TLV."""
    euicc_ci_pkid_to_be_used: bytes
    """The whole ``04 14 ‖ SKI`` TLV."""
    server_certificate: bytes


@dataclass(frozen=True, slots=True)
class AuthenticateClientResult:
    """ES9+.AuthenticateClient output."""

    transaction_id: str
    profile_metadata: bytes
    smdp_signed2: bytes
    smdp_signature2: bytes
    smdp_certificate: bytes


class Es9Client:
    """One ES9+ client; reuse it for every call of a download (an ``async with`` block).

    ``trust_anchors`` are the CI certificates TLS must chain to. ``resolver`` maps SM-DP+ host
    names to ``(ip, port)``; when given, no other host is reachable and the system resolver is
    never used. ``timeout`` bounds each step of an HTTP exchange in seconds (connecting, the TLS
    handshake, sending, and the whole answer).
    """

    def __init__(
        self,
        trust_anchors: Iterable[x509.Certificate],
        *,
        resolver: Resolver | None = None,
        timeout: float = 30.0,
        user_agent: str = USER_AGENT,
        admin_protocol: str = ADMIN_PROTOCOL,
        allow_expired_tls: bool = False,
    ) -> None:
        anchors = list(trust_anchors)
        self._brainpool = brainpool_anchor(anchors)
        context: ssl.SSLContext = trust_context(anchors)
        headers = {
            "User-Agent": user_agent,
            "X-Admin-Protocol": admin_protocol,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._http: HttpClient = Http11Client(
            context,
            resolver=resolver,
            timeout=timeout,
            headers=headers,
            expired_tls_anchors=anchors if allow_expired_tls else None,
        )

    async def __aenter__(self) -> Es9Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the five functions (SGP.22 §6.5.2) ------------------------------------------------

    async def initiate_authentication(
        self, address: str, euicc_challenge: bytes, euicc_info1: bytes
    ) -> InitiateAuthenticationResult:
        body = await self._call(
            address,
            "initiateAuthentication",
            {
                "smdpAddress": address,
                "euiccChallenge": b64(euicc_challenge),
                "euiccInfo1": b64(euicc_info1),
            },
        )
        pkid_key = "euiccCiPKIdToBeUsed" if "euiccCiPKIdToBeUsed" in body else "euiccCiPKIdTobeUsed"
        return InitiateAuthenticationResult(
            transaction_id=_text(body, "initiateAuthentication", "transactionId"),
            server_signed1=_binary(body, "initiateAuthentication", "serverSigned1"),
            server_signature1=_binary(body, "initiateAuthentication", "serverSignature1"),
            euicc_ci_pkid_to_be_used=_binary(body, "initiateAuthentication", pkid_key),
            server_certificate=_binary(body, "initiateAuthentication", "serverCertificate"),
        )

    async def authenticate_client(
        self, address: str, transaction_id: str, authenticate_server_response: bytes
    ) -> AuthenticateClientResult:
        function = "authenticateClient"
        body = await self._call(
            address,
            function,
            {
                "transactionId": transaction_id,
                "authenticateServerResponse": b64(authenticate_server_response),
            },
        )
        return AuthenticateClientResult(
            transaction_id=_text(body, function, "transactionId"),
            profile_metadata=_binary(body, function, "profileMetadata"),
            smdp_signed2=_binary(body, function, "smdpSigned2"),
            smdp_signature2=_binary(body, function, "smdpSignature2"),
            smdp_certificate=_binary(body, function, "smdpCertificate"),
        )

    async def get_bound_profile_package(
        self, address: str, transaction_id: str, prepare_download_response: bytes
    ) -> bytes:
        function = "getBoundProfilePackage"
        body = await self._call(
            address,
            function,
            {
                "transactionId": transaction_id,
                "prepareDownloadResponse": b64(prepare_download_response),
            },
        )
        return _binary(body, function, "boundProfilePackage")

    async def handle_notification(self, address: str, pending_notification: bytes) -> None:
        """Deliver one notification; success is HTTP 204 with an empty body (§2.2)."""
        await self._call(
            address,
            "handleNotification",
            {"pendingNotification": b64(pending_notification)},
            expect_status=204,
        )

    async def cancel_session(
        self, address: str, transaction_id: str, cancel_session_response: bytes
    ) -> None:
        await self._call(
            address,
            "cancelSession",
            {
                "transactionId": transaction_id,
                "cancelSessionResponse": b64(cancel_session_response),
            },
        )

    # -- plumbing --------------------------------------------------------------------------------

    async def _call(
        self, address: str, function: str, payload: dict[str, Any], *, expect_status: int = 200
    ) -> dict[str, Any]:
        url = f"https://{address}{ES9_PATH}{function}"
        try:
            request = self._http.stream("POST", url, content=json.dumps(payload).encode("utf-8"))
            async with request as response:
                content = await _bounded_body(response, function, address)
        except httpx.TimeoutException as error:
            raise Es9TransportError(
                function, "timeout", f"no answer from {address} in time ({error})"
            ) from None
        except httpx.ConnectError as error:
            cause = error.__cause__
            if isinstance(cause, UnresolvedHost):
                raise Es9TransportError(function, "resolve", str(cause)) from None
            if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in str(error).upper():
                raise Es9TransportError(
                    function, "tls", tls_failure_message(error, address)
                ) from None
            handshake = cause if isinstance(cause, TlsHandshakeError) else ssl_error(error)
            if handshake is not None:
                hint = brainpool_tls_message(address, handshake) if self._brainpool else None
                raise Es9TransportError(
                    function, "tls", hint or f"TLS handshake with {address} failed: {handshake}"
                ) from None
            raise Es9TransportError(
                function, "connect", f"cannot connect to {address}: {error}"
            ) from None
        except httpx.HTTPError as error:
            raise Es9TransportError(
                function, "connect", f"HTTP exchange with {address} failed: {error}"
            ) from None
        except ssl.SSLError as error:
            raise Es9TransportError(
                function, "tls", f"TLS with {address} failed: {error}"
            ) from None
        status = response.status_code
        if status == 204 and expect_status == 204:
            return {}
        if status != 200:
            raise Es9TransportError(
                function,
                "http-status",
                f"{address} answered HTTP {status}, expected {expect_status}",
                http_status=status,
            )
        body = _json_object(function, content)
        # For handleNotification a JSON 200 that says success is accepted too (tolerance).
        _check_status(function, body)
        return body


async def _bounded_body(response: HttpResponse, function: str, address: str) -> bytes:
    """The answer's body, refused once it exceeds :data:`MAX_ANSWER_BYTES` (after decoding)."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise Es9TransportError(
                function,
                "malformed",
                f"{address} answered more than {MAX_ANSWER_BYTES} bytes; no ES9+ answer is "
                "that large",
            )
    return bytes(body)


def _json_object(function: str, content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and 5,000-digit numbers
        raise Es9TransportError(
            function, "malformed", "the answer is not JSON (SGP.22 §6.5)"
        ) from None
    if not isinstance(body, dict):
        raise Es9TransportError(function, "malformed", "the JSON answer is not an object")
    return body


def _check_status(function: str, body: dict[str, Any]) -> None:
    header = body.get("header")
    status_object = header.get("functionExecutionStatus") if isinstance(header, dict) else None
    if not isinstance(status_object, dict):
        raise Es9TransportError(
            function, "malformed", "the answer has no header.functionExecutionStatus (§2.3)"
        )
    status = status_object.get("status")
    if status in _SUCCESS:
        return
    data = status_object.get("statusCodeData")
    data = data if isinstance(data, dict) else {}
    identifier = data.get("subjectIdentifier")
    raise Es9Error(
        function,
        str(data.get("subjectCode", "")),
        str(data.get("reasonCode", "")),
        str(data.get("message", "")),
        status=str(status),
        subject_identifier=identifier if isinstance(identifier, str) else None,
    )


def _text(body: dict[str, Any], function: str, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise Es9TransportError(function, "malformed", f"the answer lacks the string {key!r}")
    return value


def _binary(body: dict[str, Any], function: str, key: str) -> bytes:
    text = _text(body, function, key)
    try:
        # pybase64 refuses a strict subset of what the standard library's strict decoder
        # refuses and otherwise gives the same bytes (a property test holds it), 50 times faster
        return pybase64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    # lpac strips whitespace from base64 because some servers line-wrap it (§2.1).
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise Es9TransportError(
            function, "malformed", f"{key!r} is not standard base64 (§2.1)"
        ) from None
