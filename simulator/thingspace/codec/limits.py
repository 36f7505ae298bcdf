"""Edge checks done before any parsing: body size and content type (spec §5, §2.7)."""

from __future__ import annotations

from typing import Protocol

from .errors import CallbackDecodeError, spec_ref

# §5 suggests 64 KiB for real callbacks (a few KB each); 1 MiB leaves room for batches and tests.
DEFAULT_MAX_BYTES = 1024 * 1024

SOAP_CONTENT_TYPES = frozenset({"text/xml", "application/soap+xml"})
REST_CONTENT_TYPES = frozenset({"application/json"})

_SPEC_SAFE = spec_ref("§5")


class Readable(Protocol):
    """Anything with a bounded ``read`` (a socket file, aiohttp's sync shim, ``io.BytesIO``)."""

    def read(self, size: int = ..., /) -> bytes: ...


def _too_large(size: int | str, max_bytes: int) -> CallbackDecodeError:
    return CallbackDecodeError(
        "body.too-large",
        f"Callback body of {size} bytes exceeds the cap of {max_bytes} bytes; it was not parsed.",
        spec=_SPEC_SAFE,
        status=413,
    )


def check_body_size(body: bytes, max_bytes: int) -> None:
    """Reject an empty body or one over *max_bytes*, looking only at its length."""
    if len(body) > max_bytes:
        raise _too_large(len(body), max_bytes)
    if not body.strip():
        raise CallbackDecodeError("body.empty", "Callback body is empty.", spec=_SPEC_SAFE)


def read_capped(stream: Readable, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a request body, never holding more than ``max_bytes + 1`` bytes of it.

    A listener should use this (or its server's equivalent) so an oversized upload is
    refused while streaming, not after it has been buffered.
    """
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise _too_large(f"more than {max_bytes}", max_bytes)
    return body


def check_content_type(content_type: str | None, allowed: frozenset[str]) -> None:
    """Reject a ``Content-Type`` whose media type is not one of *allowed* (HTTP 415)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in allowed:
        raise CallbackDecodeError(
            "body.content-type",
            f"Content-Type {content_type!r} is not accepted here; expected one of "
            f"{', '.join(sorted(allowed))}.",
            spec=_SPEC_SAFE,
            status=415,
        )
