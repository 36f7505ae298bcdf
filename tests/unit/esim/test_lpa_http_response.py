"""The ES9+ client's answer reader against h11 (the reader it replaced) and hostile bytes."""

from __future__ import annotations

import itertools
from typing import Any

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.lpa.http_response import (
    END_OF_MESSAGE,
    MAX_HEAD_BYTES,
    NEED_DATA,
    HttpProtocolError,
    ResponseHead,
    ResponseReader,
)

TOKEN = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
    min_size=1,
    max_size=12,
)
VALUE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ;=/.,-", max_size=30).map(str.strip)
RESERVED = {"content-length", "transfer-encoding", "connection"}


@st.composite
def answers(draw: st.DrawFn, bare_lf: bool = False) -> tuple[bytes, int]:
    """An answer's bytes (1xx heads first, maybe) and how many answers it holds; with
    ``bare_lf``, the head's and trailers' lines end in LF or CRLF, line by line (RFC 9112 §2.2
    lets a recipient take a bare LF, and h11 does)."""

    def end() -> str:
        return draw(st.sampled_from(["\r\n", "\n"])) if bare_lf else "\r\n"

    wire = b""
    heads = 0
    for _ in range(draw(st.integers(0, 2))):
        wire += f"HTTP/1.1 100 Continue{end()}{end()}".encode()
        heads += 1
    status = draw(st.sampled_from([200, 204, 400, 404, 500, 201]))
    headers = [
        (name, value)
        for name, value in draw(st.lists(st.tuples(TOKEN, VALUE), max_size=4))
        if name.lower() not in RESERVED
    ]
    body = draw(st.binary(max_size=3000))
    framing = "none" if status == 204 else draw(st.sampled_from(["length", "chunked", "close"]))
    if framing == "length":
        headers.append(("Content-Length", str(len(body))))
        payload = body
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        sizes = draw(st.lists(st.integers(1, 700), max_size=6))
        payload, offset = b"", 0
        for size in sizes:
            piece = body[offset : offset + size]
            offset += size
            if piece:
                payload += b"%x\r\n%s\r\n" % (len(piece), piece)
        if offset < len(body):
            payload += b"%x;ext=1\r\n%s\r\n" % (len(body) - offset, body[offset:])
        trailer = f"X-Trailer: 1{end()}" if draw(st.booleans()) else ""
        payload += f"0\r\n{trailer}{end()}".encode()
    elif framing == "close":
        headers.append(("Connection", "close"))
        payload = body
    else:
        payload = b""
    head = f"HTTP/1.1 {status} Reason Phrase{end()}" + "".join(
        f"{n}: {v}{end()}" for n, v in headers
    )
    wire += (head + end()).encode() + payload
    return wire, heads + 1


def read_with(feed: Any, next_event: Any, pieces: list[bytes], close: bool) -> list[Any]:
    events: list[Any] = []
    queue = list(pieces) + ([b""] if close else [])
    while True:
        event = next_event()
        if event == "need":
            if not queue:
                return events
            feed(queue.pop(0))
            continue
        events.append(event)
        if event == "end":
            return events


def ours(pieces: list[bytes], close: bool) -> list[Any]:
    reader = ResponseReader()

    def next_event() -> Any:
        event = reader.next_event()
        if event is NEED_DATA:
            return "need"
        if event is END_OF_MESSAGE:
            return "end"
        if isinstance(event, ResponseHead):
            return ("head", event.status_code, event.headers)
        return ("data", event)

    return merge(read_with(reader.receive_data, next_event, pieces, close))


def theirs(pieces: list[bytes], close: bool) -> list[Any]:
    connection = h11.Connection(h11.CLIENT)
    connection.send(
        h11.Request(method="POST", target="/", headers=[("Host", "x"), ("Content-Length", "0")])
    )
    connection.send(h11.EndOfMessage())

    def next_event() -> Any:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            return "need"
        if isinstance(event, h11.EndOfMessage):
            return "end"
        if isinstance(event, (h11.Response, h11.InformationalResponse)):
            return ("head", event.status_code, tuple((n, v) for n, v in event.headers))
        assert isinstance(event, h11.Data)
        return ("data", bytes(event.data))

    return merge(read_with(connection.receive_data, next_event, pieces, close))


def merge(events: list[Any]) -> list[Any]:
    """Body pieces joined: where a body is cut is the readers' own business."""
    merged: list[Any] = []
    for event in events:
        if event[0] == "data" and merged and merged[-1][0] == "data":
            merged[-1] = ("data", merged[-1][1] + event[1])
        elif not (event[0] == "data" and not event[1]):
            merged.append(event)
    return merged


def cut(data: bytes, points: list[int]) -> list[bytes]:
    marks = sorted({point % (len(data) + 1) for point in points} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(marks)]


@settings(max_examples=400, deadline=None)
@given(answers(), st.lists(st.integers(min_value=0), max_size=6))
def test_valid_answers_read_as_h11_reads_them(answer: tuple[bytes, int], points: list[int]) -> None:
    wire, _ = answer
    close = b"Connection: close" in wire
    assert ours(cut(wire, points), close) == theirs(cut(wire, points), close)


@settings(max_examples=300, deadline=None)
@given(answers(bare_lf=True), st.lists(st.integers(min_value=0), max_size=6))
def test_heads_and_trailers_with_bare_lf_lines_read_as_h11_reads_them(
    answer: tuple[bytes, int], points: list[int]
) -> None:
    wire, _ = answer
    close = b"Connection: close" in wire
    assert ours(cut(wire, points), close) == theirs(cut(wire, points), close)


def test_keep_alive_answers_follow_each_other() -> None:
    reader = ResponseReader()
    reader.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
    assert isinstance(reader.next_event(), ResponseHead)
    assert reader.next_event() == b"hi"
    assert reader.next_event() is END_OF_MESSAGE
    assert reader.reusable
    reader.start_next_cycle()
    reader.receive_data(b"HTTP/1.0 204 No Content\r\n\r\n")
    assert reader.next_event() == ResponseHead(204, (), b"1.0")
    assert reader.done
    assert not reader.reusable  # HTTP/1.0 closes
    with pytest.raises(HttpProtocolError):
        reader.start_next_cycle()


def drain(reader: ResponseReader, refill: bytes = b"") -> None:
    """Ask for events until the reader raises (at most a few thousand), feeding ``refill``
    whenever it needs data."""
    for _ in range(4 * MAX_HEAD_BYTES):
        if reader.next_event() is NEED_DATA:
            if not refill:
                return
            reader.receive_data(refill)


@pytest.mark.parametrize(
    ("wire", "says"),
    [
        (b"SMTP ready\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "number of bytes"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "chunked"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "CRLF"),
        (b"HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n", "control characters"),
        # the client asks for no Upgrade: a switch is refused, as h11 refused it
        (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "Upgrade"),
    ],
)
def test_malformed_answers_name_what_is_wrong(wire: bytes, says: str) -> None:
    reader = ResponseReader()
    reader.receive_data(wire)
    with pytest.raises(HttpProtocolError, match=says):
        drain(reader)


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Le",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ],
)
def test_an_early_end_of_stream_is_an_error(wire: bytes) -> None:
    reader = ResponseReader()
    reader.receive_data(wire)
    reader.receive_data(b"")
    with pytest.raises(HttpProtocolError, match="closed"):
        drain(reader)


@pytest.mark.parametrize(
    ("prefix", "refill"),
    [
        (b"HTTP/1.1 200 OK\r\nX: ", b"a" * 4096),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1", b"a" * 4096),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", b"X-T: 1\r\n" * 50),
    ],
    ids=["head", "chunk-line", "trailers"],
)
def test_an_endless_head_chunk_line_or_trailer_block_stops_at_the_bound(
    prefix: bytes, refill: bytes
) -> None:
    reader = ResponseReader()
    reader.receive_data(prefix)
    with pytest.raises(HttpProtocolError, match=str(MAX_HEAD_BYTES)):
        drain(reader, refill=refill)


@settings(max_examples=400, deadline=None)
@given(answers(), st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4))
def test_damaged_answers_end_in_events_or_a_protocol_error(
    answer: tuple[bytes, int], changes: list[tuple[int, int]]
) -> None:
    wire = bytearray(answer[0])
    for position, byte in changes:
        wire[position % len(wire)] = byte
    reader = ResponseReader()
    reader.receive_data(bytes(wire))
    reader.receive_data(b"")
    try:
        for _ in range(len(wire) + 10):
            event = reader.next_event()
            assert event is not NEED_DATA  # the stream ended: never a wait for more
            if event is END_OF_MESSAGE:
                if reader.reusable:
                    reader.start_next_cycle()
                else:
                    return
    except HttpProtocolError:
        return
