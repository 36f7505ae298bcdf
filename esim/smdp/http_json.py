"""The SGP.22 JSON binding over HTTP, shared by ES9+ and ES2+ (SGP.22 §6.1).

* Requests: POST, ``Content-Type: application/json`` exactly, charset UTF-8 if any (else
  1.2.1/2.1, osmo-smdpp's check); a body that does not decode (false ``Content-Encoding``,
  numbers too long for Python, bad UTF-8) is 1.6/2.1 like any malformed JSON,
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
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import pybase64

from esim.smdp import status
from esim.smdp.http_server import MAX_BODY_BYTES, HttpRequest, HttpResponse, Route
from esim.smdp.status import Es9Error

_LOG = logging.getLogger(__name__)
ADMIN_PROTOCOL = "gsma/rsp/v2.2.2"
"""The X-Admin-Protocol the stub answers with (lpac declares v2.2.2, §2.1)."""
CONTENT_TYPE = "application/json;charset=UTF-8"
_SPEC_TRANSPORT = "SGP.22 §6.1 (JSON binding)"
_SPEC_FIELDS = "SGP.22 §6.5.2 (request fields)"
_WHITESPACE = re.compile(r"[\s]+")

Body = dict[str, Any]
Handler = Callable[[Body, HttpRequest], Awaitable[Body | None]]


def success_header() -> Body:
    return {"functionExecutionStatus": {"status": "Executed-Success"}}


class Base64Field:
    """A binary output field written into the answer as base64 without passing through
    ``json.dumps``: a BoundProfilePackage is ~80 KB of base64, and scanning that text for
    characters to escape (base64 has none) and encoding it again cost the SM-DP+ more CPU than
    building the package's segments."""

    __slots__ = ("encoded",)

    def __init__(self, data: bytes) -> None:
        # pybase64 writes the standard library's bytes (a test holds it) in ~2 µs for a 60 KB
        # package instead of ~65 µs
        self.encoded = pybase64.b64encode(data)


def _encode(body: Body) -> bytes:
    """``body`` as compact JSON; :class:`Base64Field` values follow the other fields."""
    spliced = [(name, value) for name, value in body.items() if isinstance(value, Base64Field)]
    if not spliced:
        return json.dumps(body, separators=(",", ":")).encode()
    plain = {name: value for name, value in body.items() if not isinstance(value, Base64Field)}
    # One join for the whole text: each ``+`` copied the ~80 KB of a BPP's base64 again.
    pieces = [json.dumps(plain, separators=(",", ":")).encode()[:-1]] if plain else [b"{"]
    for name, value in spliced:
        separator = b"," if len(pieces) > 1 or plain else b""
        pieces += (separator, json.dumps(name).encode(), b':"', value.encoded, b'"')
    pieces.append(b"}")
    return b"".join(pieces)


_HEADERS = (("X-Admin-Protocol", ADMIN_PROTOCOL),)


def _response(body: Body | None) -> HttpResponse:
    if body is None:
        return HttpResponse(204, b"", None, _HEADERS)
    return HttpResponse(200, _encode(body), CONTENT_TYPE, _HEADERS)


def failure_response(error: Es9Error) -> HttpResponse:
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


def _media_type(header: str) -> tuple[str, str | None]:
    """(media type, charset or None) of a Content-Type value, both lower case."""
    media_type, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


def _check_content_type(request: HttpRequest) -> None:
    # Exactly application/json, optionally with charset=utf-8; application/jsonXYZ is not JSON.
    header = request.headers.get("Content-Type", "")
    media_type, charset = _media_type(header)
    if media_type != "application/json" or (charset or "utf-8") not in ("utf-8", "utf8"):
        raise Es9Error(
            status.BAD_CONTENT_TYPE,
            "http.content-type",
            f"Content-Type is {header[:80] or 'missing'!r}, not application/json (charset UTF-8)",
            _SPEC_TRANSPORT,
        )


_DECOMPRESSORS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 0}


def _encoding_error(encoding: str, why: str) -> Es9Error:
    return Es9Error(
        status.INVALID_PARAMETER,
        "http.content-encoding",
        f"the body cannot be read with Content-Encoding {encoding[:40]!r}: {why}",
        _SPEC_TRANSPORT,
    )


def decode_content_encoding(raw: bytes, encoding: str) -> bytes:
    """Undo ``Content-Encoding`` (identity, gzip, deflate) within :data:`MAX_BODY_BYTES`.

    The server hands bodies over undecoded so that a false or oversized compressed body is
    this refusal; :data:`MAX_BODY_BYTES` bounds the body before and after decoding.
    """
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return raw
    if name not in _DECOMPRESSORS:
        raise _encoding_error(encoding, "only identity, gzip and deflate are understood")
    wbits = _DECOMPRESSORS[name]
    # RFC 9110 deflate is zlib-wrapped; some clients send raw deflate: accept both.
    for bits in (wbits,) if wbits else (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(bits)
        try:
            body = inflater.decompress(raw, MAX_BODY_BYTES + 1)
        except zlib.error:
            continue
        if len(body) > MAX_BODY_BYTES:
            raise _encoding_error(encoding, f"it inflates beyond {MAX_BODY_BYTES} bytes")
        if not inflater.eof or inflater.unused_data:
            raise _encoding_error(encoding, "the compressed data is cut short or followed by more")
        return body
    raise _encoding_error(encoding, "the body is not valid compressed data")


def read_json_body(request: HttpRequest) -> Body:
    """The request's JSON object after the transport checks; raises :class:`Es9Error`."""
    _check_content_type(request)
    protocol = request.headers.get("X-Admin-Protocol")
    if protocol is not None and not protocol.startswith("gsma/rsp/v"):
        raise Es9Error(
            status.BAD_ADMIN_PROTOCOL,
            "http.admin-protocol",
            f"X-Admin-Protocol {protocol[:40]!r} does not start with gsma/rsp/v",
            _SPEC_TRANSPORT,
        )
    raw = decode_content_encoding(request.body, request.headers.get("Content-Encoding", ""))
    try:
        # ValueError covers JSONDecodeError, bad UTF-8 and Python's limit on integer digits
        # (a number of thousands of digits); RecursionError covers deep nesting.
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:
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
        # Nearly every client sends plain, exactly padded base64, which pybase64 reads without
        # the standard library's regular expression over the text (0.6 instead of 4.8 µs for
        # 1.5 KB); anything it refuses (whitespace, excess padding) is decided by the standard
        # library as before. A test holds the two paths to the same bytes or the same refusal.
        return pybase64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
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
    """Standard base64 with padding, unwrapped, as text (the same bytes as ``base64``'s)."""
    return pybase64.b64encode_as_string(data)


def _transport_refusal(rule: str, message: str) -> HttpResponse:
    """The answer to a request whose body the server would not read (too large, chunked)."""
    return failure_response(Es9Error(status.INVALID_PARAMETER, rule, message, _SPEC_TRANSPORT))


def json_route(handler: Handler) -> Route:
    """Wrap a handler with the transport checks and the never-5xx rule."""

    async def route(request: HttpRequest) -> HttpResponse:
        try:
            body = read_json_body(request)
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

    return Route(route, _transport_refusal)
