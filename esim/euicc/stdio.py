"""lpac's stdio backends, served by an :class:`~esim.euicc.Euicc` (lpac docs/backends/stdio.md).

With ``LPAC_APDU=stdio`` (and ``LPAC_HTTP=stdio``) lpac writes one JSON object a line (ndJSON)
on its standard output and reads one answer a line on its standard input:

* ``{"type":"apdu","payload":{"func":"connect|disconnect|logic_channel_open|
  logic_channel_close|transmit","param":"<hex>"|null}}`` → ``{"type":"apdu","payload":
  {"ecode":<int>,"data":"<HEX>"}}``. ``logic_channel_open`` carries the AID and answers the
  channel number in ``ecode`` (negative on failure); ``transmit`` carries a C-APDU and answers
  ``ecode`` 0 with the R-APDU, status word included, in ``data``.
* ``{"type":"http","payload":{"url":...,"tx":"<hex>","headers":[...]}}`` → ``{"type":"http",
  "payload":{"rcode":<status>,"rx":"<hex>"}}``, answered only when an :data:`HttpExchange` is
  given (``esim euicc stdio --http``).

lpac writes its own ``progress`` and final ``lpa`` lines on the same stream. Those are not
requests: lpac reads the *next* line as the answer to its pending request, so answering them
would shift every later answer by one. They pass to ``passthrough`` unchanged, as does any line
that is not a request (not JSON, another type). A malformed *request* gets a refusal lpac
understands (``ecode`` -1; for ``http`` a payload without ``rcode``, which lpac treats like a
failed connection), with the reason on ``passthrough``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from esim.euicc.card import Euicc

FAILURE = -1
MAX_LINE_CHARS = 1 << 20
"""A request line longer than this is refused unread (lpac's largest is a few kB)."""
MAX_JSON_DEPTH = 32
"""lpac's requests nest 3 deep; deeper input is not a request (and must not recurse)."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One lpac ``http`` request: POST ``body`` to ``url`` with ``headers`` ("Name: value")."""

    url: str
    body: bytes
    headers: tuple[str, ...]


class HttpExchangeError(Exception):
    """The request could not be delivered (unknown host, TLS, connection); says why."""


HttpExchange = Callable[[HttpRequest], tuple[int, bytes]]
"""Deliver one request; returns (HTTP status, body) or raises :class:`HttpExchangeError`."""


def _answer(ecode: int, data: bytes | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"ecode": ecode}
    if data is not None:
        payload["data"] = data.hex().upper()
    return {"type": "apdu", "payload": payload}


def _hex(param: Any) -> bytes | None:
    if not isinstance(param, str):
        return None
    try:
        return bytes.fromhex(param)
    except ValueError:
        return None


def _too_deep(line: str) -> bool:
    """True when brackets nest deeper than :data:`MAX_JSON_DEPTH` (checked before parsing)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def decode_line(line: str) -> dict[str, Any] | None:
    """The JSON object on ``line``, or None when the line is not one (never raises)."""
    if len(line) > MAX_LINE_CHARS or _too_deep(line):
        return None
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


def handle_apdu(card: Euicc, payload: Any) -> dict[str, Any]:
    """The answer to one ``apdu`` request's payload (never raises)."""
    if not isinstance(payload, dict):
        return _answer(FAILURE)
    func = payload.get("func")
    if func in ("connect", "disconnect"):
        if func == "disconnect":
            card.reset()
        return _answer(0)
    param = _hex(payload.get("param"))
    if param is None:
        return _answer(FAILURE)
    if func == "transmit":
        return _answer(0, card.transmit(param))
    if func == "logic_channel_open":
        return _answer(_open_channel(card, param))
    if func == "logic_channel_close":
        if len(param) != 1:
            return _answer(FAILURE)
        closed = card.transmit(bytes([0x00, 0x70, 0x80, param[0]]))
        return _answer(0 if closed == b"\x90\x00" else FAILURE)
    return _answer(FAILURE)


def _open_channel(card: Euicc, aid: bytes) -> int:
    if not 5 <= len(aid) <= 16:
        return FAILURE
    opened = card.transmit(bytes.fromhex("0070000001"))
    if len(opened) != 3 or opened[-2:] != b"\x90\x00":
        return FAILURE
    channel = opened[0]
    cla = channel if channel < 4 else 0x40 | (channel - 4)
    selected = card.transmit(bytes([cla, 0xA4, 0x04, 0x00, len(aid)]) + aid)
    if selected[-2:] != b"\x90\x00" and selected[-2] != 0x61:
        card.transmit(bytes([0x00, 0x70, 0x80, channel]))
        return FAILURE
    return channel


def _http_refusal(reason: str) -> dict[str, Any]:
    # No "rcode": lpac's stdio HTTP driver then fails the transfer as a lost connection would.
    return {"type": "http", "payload": {"error": reason}}


def parse_http(payload: Any) -> HttpRequest | str:
    """The request in an ``http`` payload, or the reason it is not one."""
    if not isinstance(payload, dict):
        return "http request: payload is not an object"
    url, tx, headers = payload.get("url"), payload.get("tx"), payload.get("headers", [])
    if not isinstance(url, str) or not url.startswith("https://"):
        return "http request: url must be an https:// URL"
    body = _hex(tx if tx is not None else "")
    if body is None:
        return "http request: tx is not hex"
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        return "http request: headers must be a list of strings"
    return HttpRequest(url, body, tuple(headers))


def handle_http(exchange: HttpExchange | None, payload: Any) -> tuple[dict[str, Any], str | None]:
    """The answer to one ``http`` request and, when it failed, the reason for the user."""
    if exchange is None:
        reason = (
            "esim: an lpac http request arrived but this backend answers APDUs only; "
            "run `esim euicc stdio --http` for LPAC_HTTP=stdio"
        )
        return _http_refusal(reason), reason
    request = parse_http(payload)
    if isinstance(request, str):
        return _http_refusal(request), f"esim: {request}"
    try:
        status, body = exchange(request)
    except HttpExchangeError as error:
        return _http_refusal(str(error)), f"esim: {request.url}: {error}"
    return {"type": "http", "payload": {"rcode": status, "rx": body.hex()}}, None


def _write(stream: IO[str], text: str) -> None:
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


def serve(
    card: Euicc,
    requests: IO[str],
    answers: IO[str],
    passthrough: IO[str],
    *,
    http: HttpExchange | None = None,
    diagnostics: IO[str] | None = None,
) -> None:
    """Answer lpac's requests until end of input; every other line goes to ``passthrough``.

    Why a request was refused goes to ``diagnostics`` (default: ``passthrough``).
    """
    notes = passthrough if diagnostics is None else diagnostics
    while True:
        line = requests.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            _discard_rest(requests)
            _write(notes, f"esim: a line over {MAX_LINE_CHARS} characters was skipped")
            continue
        message = decode_line(line)
        kind = message.get("type") if message is not None else None
        if message is None or kind not in ("apdu", "http"):
            if line.strip():
                _write(passthrough, line)
            continue
        if kind == "apdu":
            answer = handle_apdu(card, message.get("payload"))
        else:
            answer, reason = handle_http(http, message.get("payload"))
            if reason is not None:
                _write(notes, reason)
        _write(answers, json.dumps(answer, separators=(",", ":")))


def _discard_rest(requests: IO[str]) -> None:
    while True:
        chunk = requests.readline(MAX_LINE_CHARS)
        if not chunk or chunk.endswith("\n"):
            return


def header_pairs(headers: Sequence[str]) -> list[tuple[str, str]]:
    """lpac's "Name: value" header lines as pairs (lines without a colon are dropped)."""
    pairs = []
    for header in headers:
        name, colon, value = header.partition(":")
        if colon and name.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs
