"""The SGP.22 JSON binding over HTTP, shared by ES9+ and ES2+ (esim-rsp.md §2.1-§2.3).

* Requests: POST, ``Content-Type: application/json`` (else 1.2.1/2.1, osmo-smdpp's check),
  ``X-Admin-Protocol`` starting ``gsma/rsp/v`` when present (else 1.2.2/2.1), a JSON object.
* Binary fields are standard base64; whitespace inside is tolerated (lpac strips it, §2.1).
* Success: HTTP 200, ``header.functionExecutionStatus.status = "Executed-Success"`` plus the
  output fields; handleNotification answers 204 with an empty body.
* Failure: HTTP 200, status ``Failed`` with ``statusCodeData`` and **no** success fields (lpac
  only notices failure through missing keys, §2.3).
* Nothing a client sends yields a 5xx: unexpected errors become 1.2/4.2 (logged).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from esim.smdp import status
from esim.smdp.status import Es9Error

_LOG = logging.getLogger(__name__)
ADMIN_PROTOCOL = "gsma/rsp/v2.2.2"
"""The X-Admin-Protocol the stub answers with (lpac declares v2.2.2, §2.1)."""
CONTENT_TYPE = "application/json;charset=UTF-8"
_SPEC_TRANSPORT = "SGP.22 §6.1, esim-rsp.md §2.1 (JSON binding)"
_SPEC_FIELDS = "SGP.22 §6.5.2, esim-rsp.md §2.2 (request fields)"
_WHITESPACE = re.compile(r"[\s]+")

Body = dict[str, Any]
Handler = Callable[[Body, web.Request], Awaitable[Body | None]]


def success_header() -> Body:
    return {"functionExecutionStatus": {"status": "Executed-Success"}}


def _response(body: Body | None, http_status: int = 200) -> web.Response:
    headers = {"X-Admin-Protocol": ADMIN_PROTOCOL}
    if body is None:
        return web.Response(status=204, headers=headers)
    text = json.dumps(body, separators=(",", ":"))
    headers["Content-Type"] = CONTENT_TYPE
    return web.Response(status=http_status, text=text, headers=headers)


def failure_response(error: Es9Error) -> web.Response:
    return _response(
        {
            "header": {
                "functionExecutionStatus": {
                    "status": "Failed",
                    "statusCodeData": error.status_code_data(),
                }
            }
        }
    )


async def read_json_body(request: web.Request) -> Body:
    """The request's JSON object after the transport checks; raises :class:`Es9Error`."""
    content_type = request.headers.get("Content-Type", "")
    if not content_type.lower().startswith("application/json"):
        raise Es9Error(
            status.BAD_CONTENT_TYPE,
            "http.content-type",
            f"Content-Type is {content_type or 'missing'!r}, not application/json",
            _SPEC_TRANSPORT,
        )
    protocol = request.headers.get("X-Admin-Protocol")
    if protocol is not None and not protocol.startswith("gsma/rsp/v"):
        raise Es9Error(
            status.BAD_ADMIN_PROTOCOL,
            "http.admin-protocol",
            f"X-Admin-Protocol {protocol[:40]!r} does not start with gsma/rsp/v",
            _SPEC_TRANSPORT,
        )
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Es9Error(
            status.INVALID_PARAMETER, "http.body-too-large", "the body is too large"
        ) from None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise Es9Error(
            status.INVALID_PARAMETER,
            "json.malformed",
            f"the body is not UTF-8 JSON: {str(error)[:120]}",
            _SPEC_TRANSPORT,
        ) from None
    if not isinstance(body, dict):
        raise Es9Error(
            status.INVALID_PARAMETER,
            "json.not-an-object",
            "the body must be a JSON object",
            _SPEC_TRANSPORT,
        )
    return body


def text_field(body: Body, name: str, *, required: bool = True) -> str | None:
    """A string field; missing is 1.6/2.2, the wrong type 1.6/2.1."""
    value = body.get(name)
    if value is None:
        if required:
            raise Es9Error(
                status.MANDATORY_ELEMENT_MISSING,
                f"field.{name}.missing",
                f"the request has no {name}",
                _SPEC_FIELDS,
            )
        return None
    if not isinstance(value, str):
        raise Es9Error(
            status.INVALID_PARAMETER,
            f"field.{name}.type",
            f"{name} must be a string, not {type(value).__name__}",
            _SPEC_FIELDS,
        )
    return value


def binary_field(body: Body, name: str) -> bytes:
    """A mandatory base64 field (whitespace tolerated, padding required)."""
    text = text_field(body, name)
    assert text is not None
    try:
        return base64.b64decode(_WHITESPACE.sub("", text), validate=True)
    except (binascii.Error, ValueError):
        raise Es9Error(
            status.INVALID_PARAMETER,
            f"field.{name}.base64",
            f"{name} is not standard base64",
            _SPEC_FIELDS,
        ) from None


def transaction_id_field(body: Body, name: str = "transactionId") -> bytes:
    """The transactionId: hex of 1..16 bytes (upper case on the wire, any case accepted)."""
    text = text_field(body, name)
    assert text is not None
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if not 1 <= len(value) <= 16 or len(text) != 2 * len(value):
        raise Es9Error(
            status.INVALID_PARAMETER,
            f"field.{name}.hex",
            f"{name} must be 2 to 32 hexadecimal characters (SGP.22 §6.5.2.6)",
            _SPEC_FIELDS,
        )
    return value


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def json_route(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap a handler with the transport checks and the never-5xx rule."""

    async def route(request: web.Request) -> web.Response:
        try:
            body = await read_json_body(request)
            result = await handler(body, request)
            return _response(None if result is None else {"header": success_header(), **result})
        except Es9Error as error:
            return failure_response(error)
        except Exception:
            _LOG.exception("unexpected error in %s", request.path)
            return failure_response(
                Es9Error(
                    status.EXECUTION_ERROR,
                    "server.unexpected",
                    "the SM-DP+ failed unexpectedly; see its log",
                    _SPEC_TRANSPORT,
                )
            )

    return route
