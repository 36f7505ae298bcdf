"""The portal front's requests and answers: plain values, so handlers need no web framework.

A request arrives whole (head and body, both bounded by the server) before any handler sees it;
an answer is a status, headers and either bytes or a file to stream.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl


class Headers(Mapping[str, str]):
    """Header fields as received: looked up by any case, listed with the sender's names."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields
        self._by_name: dict[str, str] = {}
        for name, value in fields:
            # A repeated field is one value, comma-joined (RFC 9110 §5.3).
            key = name.lower()
            self._by_name[key] = f"{self._by_name[key]}, {value}" if key in self._by_name else value

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name, _ in self._fields:
            if name.lower() not in seen:
                seen.add(name.lower())
                yield name

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(frozen=True)
class Request:
    """One HTTP request to a hosted site, body included."""

    method: str
    target: str  # as sent: the path, percent-encoded, and the query
    headers: Headers
    body: bytes = b""
    scheme: str = "https"

    @property
    def path(self) -> str:
        """The target's path (still percent-encoded), without the query."""
        return self.target.partition("?")[0]

    @property
    def path_qs(self) -> str:
        return self.target

    @property
    def query(self) -> dict[str, str]:
        """The query's fields, decoded; the first value of a repeated name."""
        fields: dict[str, str] = {}
        for name, value in parse_qsl(self.target.partition("?")[2], keep_blank_values=True):
            fields.setdefault(name, value)
        return fields

    @property
    def host(self) -> str:
        """The Host header's name, lower case, without a port."""
        host = self.headers.get("host", "").strip().lower()
        if host.startswith("["):  # an IPv6 literal keeps its colons
            return host.partition("]")[0] + "]"
        return host.partition(":")[0]

    @property
    def content_length(self) -> int | None:
        text = self.headers.get("content-length")
        return int(text) if text is not None and text.strip().isdigit() else None

    async def read(self) -> bytes:
        """The body (already received in full)."""
        return self.body


@dataclass
class Response:
    """An answer held in memory."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
        fields = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        return cls(status, text.encode("utf-8"), fields)

    @classmethod
    def json(
        cls, body: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        fields = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(body).encode("utf-8"), fields)


@dataclass
class FileResponse:
    """A file too large to hold in memory: streamed from a worker thread, ranges honoured."""

    path: Path
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


Answer = Response | FileResponse
Handler = Callable[[Request], Awaitable[Answer]]
