"""HTTP/1.1 answers read from bytes, for the ES9+ client: the subset an SM-DP+ uses, bounded.

A sans-I/O reader in the manner of h11's client side, for one connection's answers in turn:
feed it what the socket gave (:meth:`ResponseReader.receive_data`, ``b""`` at the end of the
stream) and ask for :meth:`~ResponseReader.next_event`: a :class:`ResponseHead` (1xx ones
included), body bytes, :data:`END_OF_MESSAGE` or :data:`NEED_DATA`. Framing follows RFC 9112
§6.3 for answers to a POST: 1xx, 204 and 304 have no body, ``Transfer-Encoding: chunked``, else
``Content-Length``, else the body ends with the connection. A head or a chunk line longer than
:data:`MAX_HEAD_BYTES`, a malformed line, conflicting lengths, another transfer coding or a
stream that ends early raise :class:`HttpProtocolError` naming what is wrong; nothing grows
beyond what the caller reads. The lines of a head and of a trailer block may end in a bare LF,
as h11 accepted (RFC 9112 §2.2); chunk lines need CRLF, as in h11. h11 did this before; it
cost the LPA a third of a millisecond of Python per download, for generality the client never
used (property tests hold the two equal on valid answers,
``tests/unit/esim/test_lpa_http_response.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MAX_HEAD_BYTES = 16 * 1024
"""The longest answer head (and chunk line, and trailer block) accepted, as h11's default."""

_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?")
_FIELD_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FIELD_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,20})[\t ]*(?:;[^\r\n]*)?")
# The end of a head or a trailer block: its lines may end in a bare LF (RFC 9112 §2.2 lets a
# recipient accept one; h11 did, so servers that send them kept working). Chunk lines need CRLF.
_BLANK_LINE = re.compile(rb"\n\r?\n")


class HttpProtocolError(Exception):
    """The server's bytes are not an HTTP/1.1 answer this client reads; the message says why."""


class _Marker(Enum):
    NEED_DATA = "need data"
    END_OF_MESSAGE = "end of message"


NEED_DATA = _Marker.NEED_DATA
END_OF_MESSAGE = _Marker.END_OF_MESSAGE


@dataclass(frozen=True, slots=True)
class ResponseHead:
    """A status line and its header fields (names in lower case, values trimmed)."""

    status_code: int
    headers: tuple[tuple[bytes, bytes], ...]
    http_version: bytes


class _State(Enum):
    HEAD = 0
    LENGTH = 1
    CHUNK_LINE = 2
    CHUNK_DATA = 3
    CHUNK_END = 4
    TRAILERS = 5
    UNTIL_CLOSE = 6
    DONE = 7


class ResponseReader:
    """The answers of one connection, in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._closed = False
        self._state = _State.HEAD
        self._remaining = 0
        self._keep_alive = True

    @property
    def done(self) -> bool:
        """The current answer was read to its end."""
        return self._state is _State.DONE

    @property
    def reusable(self) -> bool:
        """The answer was read to its end and the connection may carry another request."""
        return self._state is _State.DONE and self._keep_alive and not self._closed

    def receive_data(self, data: bytes) -> None:
        if data:
            self._buffer += data
        else:
            self._closed = True

    def start_next_cycle(self) -> None:
        """Expect the next answer (only once this one is :attr:`done` and reusable)."""
        if not self.reusable:
            raise HttpProtocolError("the connection cannot carry another request")
        self._state = _State.HEAD

    def next_event(self) -> ResponseHead | bytes | _Marker:
        state = self._state
        if state is _State.HEAD:
            return self._head()
        if state is _State.LENGTH:
            return self._counted()
        if state is _State.UNTIL_CLOSE:
            if self._buffer:
                return self._take(len(self._buffer))
            if self._closed:
                self._state = _State.DONE
                return END_OF_MESSAGE
            return NEED_DATA
        if state is _State.DONE:
            return END_OF_MESSAGE
        return self._chunked()

    # -- the head ---------------------------------------------------------------------------

    def _block(self) -> list[bytes] | None:
        """The lines before the buffer's first blank line (taken from it), CR before each LF
        dropped; None while there is no blank line within the bound."""
        found = _BLANK_LINE.search(self._buffer, 0, MAX_HEAD_BYTES + 3)
        if found is None:
            return None
        end = found.start()
        if end and self._buffer[end - 1] == 0x0D:  # the last line's CR
            end -= 1
        block = bytes(self._buffer[:end])
        del self._buffer[: found.end()]
        return block.replace(b"\r\n", b"\n").split(b"\n")

    def _head(self) -> ResponseHead | _Marker:
        lines = self._block()
        if lines is None:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HttpProtocolError(f"the answer's head exceeds {MAX_HEAD_BYTES} bytes")
            if self._closed:
                raise HttpProtocolError(
                    "the server closed the connection before a whole answer head"
                    if self._buffer
                    else "the server closed the connection without answering"
                )
            return NEED_DATA
        status = _STATUS_LINE.fullmatch(lines[0])
        if status is None:
            raise HttpProtocolError(f"not an HTTP/1.x status line: {lines[0][:60]!r}")
        headers = _fields(lines[1:])
        code = int(status.group(2))
        version = b"1." + status.group(1)
        head = ResponseHead(code, headers, version)
        if code == 101:  # a switch answers an Upgrade request, and this client sends none
            raise HttpProtocolError("101 Switching Protocols, but no Upgrade was asked for")
        if code < 200:
            return head  # informational: the real answer follows
        self._frame(code, version, headers)
        return head

    def _frame(self, code: int, version: bytes, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        connection = b",".join(value for name, value in headers if name == b"connection")
        tokens = {token.strip().lower() for token in connection.split(b",")}
        self._keep_alive = version == b"1.1" and b"close" not in tokens
        if code in (204, 304):
            self._state = _State.DONE
            return
        codings = [value for name, value in headers if name == b"transfer-encoding"]
        if codings:
            if len(codings) != 1 or codings[0].lower() != b"chunked":
                raise HttpProtocolError("only Transfer-Encoding: chunked is understood")
            self._state = _State.CHUNK_LINE
            return
        lengths = {
            part.strip()
            for name, value in headers
            if name == b"content-length"
            for part in value.split(b",")
        }
        if not lengths:
            self._keep_alive = False
            self._state = _State.UNTIL_CLOSE
            return
        if len(lengths) != 1:
            raise HttpProtocolError("conflicting Content-Length values")
        (length,) = lengths
        if not length.isdigit() or len(length) > 20:
            raise HttpProtocolError(f"Content-Length {length[:30]!r} is not a number of bytes")
        self._remaining = int(length)
        self._state = _State.LENGTH if self._remaining else _State.DONE

    # -- bodies -----------------------------------------------------------------------------

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _counted(self) -> bytes | _Marker:
        if self._buffer:
            data = self._take(min(self._remaining, len(self._buffer)))
            self._remaining -= len(data)
            if not self._remaining:
                self._state = _State.DONE
            return data
        if self._remaining == 0:
            self._state = _State.DONE
            return END_OF_MESSAGE
        if self._closed:
            raise HttpProtocolError(
                f"the connection closed {self._remaining} bytes before the end of the answer"
            )
        return NEED_DATA

    def _line(self, what: str) -> bytes | None:
        end = self._buffer.find(b"\r\n", 0, MAX_HEAD_BYTES + 2)
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HttpProtocolError(f"a {what} longer than {MAX_HEAD_BYTES} bytes")
            if self._closed:
                raise HttpProtocolError(f"the connection closed inside a {what}")
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    def _chunked(self) -> bytes | _Marker:
        while True:
            state = self._state
            if state is _State.CHUNK_DATA:
                if not self._buffer:
                    if self._closed:
                        raise HttpProtocolError("the connection closed inside a chunk")
                    return NEED_DATA
                data = self._take(min(self._remaining, len(self._buffer)))
                self._remaining -= len(data)
                if not self._remaining:
                    self._state = _State.CHUNK_END
                return data
            if state is _State.CHUNK_END:
                if len(self._buffer) < 2:
                    if self._closed:
                        raise HttpProtocolError("the connection closed after a chunk's data")
                    return NEED_DATA
                if self._buffer[:2] != b"\r\n":
                    raise HttpProtocolError("a chunk's data does not end with CRLF")
                del self._buffer[:2]
                self._state = _State.CHUNK_LINE
                continue
            if state is _State.TRAILERS:
                return self._trailers()
            line = self._line("chunk line")
            if line is None:
                return NEED_DATA
            size = _CHUNK_SIZE.fullmatch(line)
            if size is None:
                raise HttpProtocolError(f"not a chunk size line: {line[:40]!r}")
            self._remaining = int(size.group(1), 16)
            self._state = _State.CHUNK_DATA if self._remaining else _State.TRAILERS

    def _trailers(self) -> _Marker:
        """The trailer block after the last chunk: checked, then dropped (nothing uses it)."""
        for empty in (b"\n", b"\r\n"):  # no trailers: the blank line alone
            if self._buffer.startswith(empty):
                del self._buffer[: len(empty)]
                self._state = _State.DONE
                return END_OF_MESSAGE
        lines = None if len(self._buffer) < 2 else self._block()  # "" or a lone CR: wait
        if lines is None:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise HttpProtocolError(f"trailers longer than {MAX_HEAD_BYTES} bytes")
            if self._closed:
                raise HttpProtocolError("the connection closed inside a trailer")
            return NEED_DATA
        _fields(lines)
        self._state = _State.DONE
        return END_OF_MESSAGE


def _fields(lines: list[bytes]) -> tuple[tuple[bytes, bytes], ...]:
    fields: list[tuple[bytes, bytes]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):  # obsolete line folding (RFC 9112 §5.2): one space
            if not fields or not _FIELD_VALUE.fullmatch(line):
                raise HttpProtocolError("a folded header line with nothing to continue")
            name, value = fields.pop()
            fields.append((name, (value + b" " + line.strip(b" \t")).strip(b" \t")))
            continue
        name, colon, value = line.partition(b":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            raise HttpProtocolError(f"not a header line: {line[:60]!r}")
        value = value.strip(b" \t")
        if not _FIELD_VALUE.fullmatch(value):
            raise HttpProtocolError(f"the {name.decode('ascii')} header holds control characters")
        fields.append((name.lower(), value))
    return tuple(fields)
