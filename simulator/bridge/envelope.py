"""The messages bridge_channel.js posts to Python, parsed at the edge (no Qt here).

Everything in an envelope is untrusted: its body comes from the portal's page. A malformed envelope
becomes an `EnvelopeError` naming the rule; it never raises anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from simulator.contract.model import PortalCall
from simulator.contract.values import JsObject, JsValue, WireFormatError, decode_js_value

MAX_ENVELOPE_CHARS = 8 * 1024 * 1024  # a few 1 MB strings, tagged; anything larger is hostile
_HEX_DIGITS = "0123456789abcdef"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"
_SPEC = "bridge wire format (resources/js/bridge_channel.js)"
_KINDS = ("ready", "call", "set", "callback-result")
_EXACT_LIMIT = 2**1000  # an integer below this in size is a double; above, the decoder decides
_FLAT_OBJECT_KEYS = 64  # an object of strings with more keys is left to the decoder


class EnvelopeError(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.spec = _SPEC


_new_tuple = tuple.__new__


class Envelope(NamedTuple):
    """The checked header of one message (a tuple: built for every call on the GUI thread)."""

    kind: Literal["ready", "call", "set", "callback-result"]
    seq: int
    doc: str
    token: str
    href: str
    body: dict[str, Any]


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


# json's own scanner, called directly: what `json.loads` does for an object that fills the text,
# without its wrappers (this runs on the GUI thread for every call).
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__; typeshed lacks it


def _loads(text: str) -> Any:
    if text[:1] == "{" and text[-1:] == "}":
        try:
            data, end = _scan_json(text, 0)
        except (StopIteration, ValueError):
            pass  # json.loads below says what is wrong
        else:
            if end == len(text):
                return data
    return json.loads(text)


def parse_envelope(text: str) -> Envelope:
    if len(text) > MAX_ENVELOPE_CHARS:
        raise EnvelopeError("envelope.size", f"{len(text):,} characters is over the limit")
    data: Any = None
    # `_loads`, its common case written out here (this runs on the GUI thread for every call).
    if text[:1] == "{" and text[-1:] == "}":
        try:
            data, end = _scan_json(text, 0)
        except (StopIteration, ValueError, RecursionError):
            data = None  # `_loads` below says what is wrong
        else:
            if end != len(text):
                data = None
    if data is None:
        try:
            data = _loads(text)
        except json.JSONDecodeError as error:
            raise EnvelopeError("envelope.json", f"not JSON ({error})") from None
        except RecursionError:
            raise EnvelopeError("envelope.json", "JSON nested too deeply to decode") from None
    if type(data) is not dict:
        raise EnvelopeError("envelope.shape", "not a JSON object")
    # A surrogate is never ASCII; JSON.stringify escapes a lone one, so most texts are ASCII.
    if (not text.isascii() and _LONE_SURROGATE.search(text)) or "\\ud" in text or "\\uD" in text:
        data = _without_lone_surrogates(data)
    get = data.get
    kind = get("kind")
    if kind not in _KINDS:
        raise EnvelopeError("envelope.kind", f"unknown kind {str(kind)[:40]!r}")
    seq = get("seq")
    if type(seq) is not int or seq < 1:
        raise EnvelopeError("envelope.seq", "seq must be a positive integer")
    doc = get("doc")
    # 32 lower-case hex digits: what is left once they are stripped from both ends is nothing
    # (str.strip is one C call; a regular expression's engine is colder code on this path).
    if type(doc) is not str or len(doc) != 32 or doc.strip(_HEX_DIGITS):
        raise EnvelopeError("envelope.doc", "doc must be 32 lower-case hex digits")
    token = get("token")
    href = get("href")
    if type(token) is not str or type(href) is not str:
        raise EnvelopeError("envelope.fields", "token and href must be strings")
    # tuple.__new__ directly: a NamedTuple's own __new__ is one more Python function.
    return _new_tuple(Envelope, (kind, seq, doc, token, href, data))


def parse_call(envelope: Envelope, document_url: str = "") -> PortalCall:
    """The method call or property assignment in `envelope`, arguments decoded, as the contract
    takes it (`document_url`: the page's address when its document introduced itself)."""
    get = envelope.body.get
    object_name = get("object")
    member = get("member")
    if type(object_name) is not str or type(member) is not str:
        raise EnvelopeError("envelope.call.names", "object and member must be strings")
    raw_args = get("args")
    if type(raw_args) is not list:
        raise EnvelopeError("envelope.call.args", "args must be a list")
    operation_id = get("operationId")
    if operation_id is not None and type(operation_id) is not str:
        raise EnvelopeError("envelope.call.operationId", "operationId must be a string or null")
    # `decode_js_value` for each argument, with the commonest three (script names, activation
    # codes and ICCIDs are strings; times and intervals finite numbers; purchase metadata an
    # object of strings) taken here: exactly the keys "t" and "v", "v" of the type the tag says.
    args: list[JsValue] = []
    try:
        for tagged in raw_args:
            if type(tagged) is dict and len(tagged) == 2:
                tag = tagged.get("t")
                value = tagged.get("v")
                if tag == "string" and type(value) is str:
                    args.append(value)
                    continue
                if tag == "number":
                    if type(value) is float and value - value == 0.0:
                        args.append(value)  # finite: inf - inf and nan - nan are nan
                        continue
                    if type(value) is int and -_EXACT_LIMIT < value < _EXACT_LIMIT:
                        args.append(float(value))  # JS numbers are doubles (a whole time in ms)
                        continue
                if tag == "object" and type(value) is list and len(value) <= _FLAT_OBJECT_KEYS:
                    # [[key, {"t": "string", "v": text}], ...], keys unique; else the decoder
                    entries: list[tuple[str, JsValue]] = []
                    keys: set[str] = set()
                    for pair in value:
                        if type(pair) is not list or len(pair) != 2:
                            break
                        key, item = pair
                        if type(key) is not str or key in keys or type(item) is not dict:
                            break
                        text = item.get("v")
                        if len(item) != 2 or item.get("t") != "string" or type(text) is not str:
                            break
                        keys.add(key)
                        entries.append((key, text))
                    else:
                        args.append(JsObject(tuple(entries)))
                        continue
            args.append(decode_js_value(tagged))
    except WireFormatError as error:
        raise EnvelopeError(f"envelope.args.{error.rule}", error.message) from None
    kind: Literal["call", "set"] = "set" if envelope.kind == "set" else "call"
    return _new_tuple(  # PortalCall(...) without its Python __new__, as for the Envelope
        PortalCall,
        (
            object_name[:200],
            member[:200],
            kind,
            tuple(args),
            operation_id,
            document_url,
            envelope.seq,
        ),
    )
