"""The messages bridge_channel.js posts to Python, parsed at the edge (no Qt here).

Everything in an envelope is untrusted: its body comes from the portal's page. A malformed envelope
becomes an `EnvelopeError` naming the rule; it never raises anything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from simulator.contract.values import JsValue, WireFormatError, decode_js_value

MAX_ENVELOPE_CHARS = 8 * 1024 * 1024  # a few 1 MB strings, tagged; anything larger is hostile
_DOC_ID = re.compile(r"[0-9a-f]{32}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"
_SPEC = "bridge wire format (resources/js/bridge_channel.js)"


class EnvelopeError(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.spec = _SPEC


@dataclass(frozen=True)
class Envelope:
    kind: Literal["ready", "call", "set", "callback-result"]
    seq: int
    doc: str
    token: str
    href: str
    body: dict[str, Any]


@dataclass(frozen=True)
class CallEnvelope:
    """A method call or a property assignment, arguments decoded."""

    object_name: str
    member: str
    kind: Literal["call", "set"]
    args: tuple[JsValue, ...]
    operation_id: str | None


def _without_lone_surrogates(root: Any) -> Any:
    """`root` with every lone surrogate in its strings (keys too) replaced by U+FFFD.

    A JavaScript string may hold half of a UTF-16 pair; JSON carries it as an escape, and Python
    keeps it in a str that no UTF-8 writer (the event log file, SQLite) accepts. Browsers make
    the same replacement whenever they encode such a string as UTF-8.
    """

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, value)
        return value

    if isinstance(root, str):
        return clean(root)
    pending: list[Any] = [root]
    while pending:
        holder = pending.pop()
        if isinstance(holder, dict):
            for key in list(holder):
                value = holder[key]
                if isinstance(value, str):
                    holder[key] = clean(value)
                elif isinstance(value, dict | list):
                    pending.append(value)
                if isinstance(key, str) and _LONE_SURROGATE.search(key):
                    holder[clean(key)] = holder.pop(key)
        elif isinstance(holder, list):
            for index, value in enumerate(holder):
                if isinstance(value, str):
                    holder[index] = clean(value)
                elif isinstance(value, dict | list):
                    pending.append(value)
    return root


def parse_envelope(text: str) -> Envelope:
    if len(text) > MAX_ENVELOPE_CHARS:
        raise EnvelopeError("envelope.size", f"{len(text):,} characters is over the limit")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise EnvelopeError("envelope.json", f"not JSON ({error})") from None
    except RecursionError:
        raise EnvelopeError("envelope.json", "JSON nested too deeply to decode") from None
    if not isinstance(data, dict):
        raise EnvelopeError("envelope.shape", "not a JSON object")
    if _LONE_SURROGATE.search(text) or "\\ud" in text or "\\uD" in text:
        data = _without_lone_surrogates(data)
    kind = data.get("kind")
    if kind not in ("ready", "call", "set", "callback-result"):
        raise EnvelopeError("envelope.kind", f"unknown kind {str(kind)[:40]!r}")
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise EnvelopeError("envelope.seq", "seq must be a positive integer")
    doc = data.get("doc")
    if not isinstance(doc, str) or not _DOC_ID.fullmatch(doc):
        raise EnvelopeError("envelope.doc", "doc must be 32 lower-case hex digits")
    token = data.get("token")
    href = data.get("href")
    if not isinstance(token, str) or not isinstance(href, str):
        raise EnvelopeError("envelope.fields", "token and href must be strings")
    return Envelope(kind=kind, seq=seq, doc=doc, token=token, href=href, body=data)


def parse_call(envelope: Envelope) -> CallEnvelope:
    body = envelope.body
    object_name = body.get("object")
    member = body.get("member")
    if not isinstance(object_name, str) or not isinstance(member, str):
        raise EnvelopeError("envelope.call.names", "object and member must be strings")
    raw_args = body.get("args")
    if not isinstance(raw_args, list):
        raise EnvelopeError("envelope.call.args", "args must be a list")
    operation_id = body.get("operationId")
    if operation_id is not None and not isinstance(operation_id, str):
        raise EnvelopeError("envelope.call.operationId", "operationId must be a string or null")
    try:
        args = tuple(decode_js_value(arg) for arg in raw_args)
    except WireFormatError as error:
        raise EnvelopeError(f"envelope.args.{error.rule}", error.message) from None
    kind: Literal["call", "set"] = "set" if envelope.kind == "set" else "call"
    return CallEnvelope(object_name[:200], member[:200], kind, args, operation_id)
