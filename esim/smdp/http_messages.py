"""The HTTP/1.1 messages of the SM-DP+'s server (:mod:`esim.smdp.http_server`): strict
parsing of a request head and its body length, the request and answer values, the limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

MAX_HEAD_BYTES = 16 * 1024
"""The largest request line plus header block."""
MAX_HEADERS = 64
MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest request body (before Content-Encoding is undone)."""

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
REASONS = {
    100: "Continue",
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}


class Headers(dict[str, str]):
    """Request headers by lower-case name (a repeated header's values joined by ``, ``)."""

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request as the routes see it: its body has been read whole."""

    method: str
    path: str
    headers: Headers
    body: bytes


class HttpResponse(NamedTuple):
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


class FramingError(Exception):
    """A request that breaks HTTP framing: answered with ``status`` (or, for a body the server
    will not read, ``route``'s refusal once the server names it) and the connection closes."""

    def __init__(self, status: int, rule: str, message: str, *, body_refused: bool = False):
        super().__init__(message)
        self.status, self.rule, self.message = status, rule, message
        self.body_refused = body_refused
        self.route: Any = None


def plain_response(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, message.encode() + b"\n", "text/plain; charset=utf-8")


def parse_head(head: bytes) -> tuple[str, str, bool, Headers]:
    """(method, target, keep-alive by default, headers) of a request head without its CRLFCRLF."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not parts[1].startswith(b"/"):
        raise FramingError(
            400, "http.request-line", "the request line is not 'METHOD /path HTTP/1.x'"
        )
    version = parts[2]
    if version not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise FramingError(400, "http.version", "only HTTP/1.0 and HTTP/1.1 are served")
    if len(lines) - 1 > MAX_HEADERS:
        raise FramingError(431, "http.too-many-headers", f"more than {MAX_HEADERS} header fields")
    headers = Headers()
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise FramingError(400, "http.header", "a header line is not 'Name: value'")
        key = name.decode("ascii").lower()
        text = value.strip(b" \t").decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    target = parts[1].decode("latin-1")
    return parts[0].decode("ascii"), target.partition("?")[0], version == b"HTTP/1.1", headers


def content_length(headers: Headers) -> int:
    """The body's length (0 without ``Content-Length``); FramingError for anything else."""
    if "transfer-encoding" in headers:
        raise FramingError(
            400,
            "http.transfer-encoding",
            "send the body with Content-Length; Transfer-Encoding is not accepted",
            body_refused=True,
        )
    text = headers.get("content-length")
    if text is None:
        return 0
    if not text.isdigit() or not text.isascii() or len(text) > 12:
        raise FramingError(400, "http.content-length", "Content-Length is not one decimal number")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise FramingError(
            413,
            "http.body-too-large",
            f"the body is too large ({length} bytes; at most {MAX_BODY_BYTES})",
            body_refused=True,
        )
    return length
