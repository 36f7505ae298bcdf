"""REST (ThingSpace Connectivity Management) JSON callbacks: parse and build (spec §1.3).

The envelope is strict: a JSON object, string ``requestId``, ``deviceIds`` as ``[{id, kind}]``,
whole-number attempt counters and exactly one payload key (``deviceResponse``,
``faultResponse``, ``niddResponse``, ...). Duplicate keys are refused because two parsers may
pick different values for them.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .devices import DeviceId
from .errors import CallbackDecodeError, CallbackEncodeError, shown, spec_ref
from .fields import FieldValue, UnverifiedFields
from .limits import DEFAULT_MAX_BYTES, REST_CONTENT_TYPES, check_body_size, check_content_type
from .model import CallbackMessage
from .payload_base import Wire
from .payloads import REST_PAYLOADS, payload_from_content

ENVELOPE_KEYS = frozenset(
    {
        "username",
        "password",
        "requestId",
        "deviceIds",
        "status",
        "callbackCount",
        "maxCallbackThreshold",
    }
)
MAX_DEPTH = 32  # real payloads nest three levels; deeper is refused, never recursed into

_SPEC = spec_ref("§1.3")
_SPEC_JSON = spec_ref("§5 (7)")


def _fail(rule: str, message: str, spec: str = _SPEC) -> CallbackDecodeError:
    return CallbackDecodeError(rule, message, spec=spec)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise _fail("rest.not-json", f"Body contains {name}, which is not JSON.", _SPEC_JSON)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_lone_surrogates(root: Any) -> None:
    # JSON's \uXXXX escapes can spell half of a UTF-16 pair, which is no character at all:
    # Python keeps it in a str that nothing downstream (UTF-8, SQLite, a log) can write.
    pending = [root]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            texts: list[str] = [value]
        elif isinstance(value, dict):
            texts = list(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            texts = []
            pending.extend(value)
        else:
            continue
        for text in texts:
            found = _LONE_SURROGATE.search(text)
            if found is not None:
                raise _fail(
                    "rest.lone-surrogate",
                    f"The JSON string {shown(text)} holds the lone surrogate "
                    f"\\u{ord(found.group()):04x}, half of a UTF-16 pair and no character; "
                    "the body is not valid Unicode text.",
                    _SPEC_JSON,
                )


def _load(body: bytes) -> Any:
    try:
        root = json.loads(body, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except _DuplicateKeyError as error:
        raise _fail(
            "rest.duplicate-key", f"JSON object repeats the key {shown(error.key)}.", _SPEC_JSON
        ) from None
    except RecursionError:
        raise _fail(
            "rest.too-deep", "JSON nests too deeply to be a callback.", _SPEC_JSON
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise _fail("rest.not-json", f"Body is not JSON: {error}.", _SPEC_JSON) from None
    _reject_lone_surrogates(root)
    return root


def _field_value(value: Any, depth: int, where: str) -> FieldValue:
    if depth > MAX_DEPTH:
        raise _fail("rest.too-deep", f"{where} nests more than {MAX_DEPTH} levels deep.")
    if isinstance(value, dict):
        return UnverifiedFields(
            tuple(
                (key, _field_value(item, depth + 1, f"{where}.{key}"))
                for key, item in value.items()
            )
        )
    if isinstance(value, list):
        return tuple(_field_value(item, depth + 1, f"{where}[]") for item in value)
    assert value is None or isinstance(value, str | int | float | bool)  # json.loads gives these
    return value


def _optional_text(root: dict[str, Any], key: str) -> str | None:
    value = root.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _fail("rest.field-type", f"{key!r} must be a string, got {shown(value)}.")


def _optional_count(root: dict[str, Any], key: str) -> int | None:
    value = root.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(
            "rest.count-invalid",
            f"{key!r} must be a non-negative whole number, got {shown(value)}.",
            spec_ref("§1.3, §2.4"),
        )
    return value


def _devices(root: dict[str, Any]) -> tuple[DeviceId, ...]:
    value = root.get("deviceIds", [])
    if not isinstance(value, list):
        raise _fail("rest.device-ids-shape", f"'deviceIds' must be a list, got {shown(value)}.")
    devices = []
    for index, entry in enumerate(value, 1):
        where = f"deviceIds[{index}]"
        if not isinstance(entry, dict):
            raise _fail("rest.device-ids-shape", f"{where} must be an object, got {shown(entry)}.")
        identifier, kind = entry.get("id"), entry.get("kind")
        if not isinstance(identifier, str) or not isinstance(kind, str):
            raise _fail(
                "rest.device-ids-shape",
                f"{where} needs string 'id' and 'kind', got {shown(entry)}.",
            )
        devices.append(DeviceId.parse(kind, identifier, where=where))
    return tuple(devices)


def parse_rest_callback(
    body: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, content_type: str | None = None
) -> CallbackMessage:
    """Decode a REST JSON callback body; raises :class:`CallbackDecodeError` on any broken rule.

    The length is checked against *max_bytes* before decoding (413). If *content_type* is given
    it must be ``application/json`` (415).
    """
    if content_type is not None:
        check_content_type(content_type, REST_CONTENT_TYPES)
    check_body_size(body, max_bytes)
    root = _load(body)
    if not isinstance(root, dict):
        raise _fail("rest.not-object", f"JSON root must be an object, got {type(root).__name__}.")

    request_id = _optional_text(root, "requestId")
    if request_id is None or not request_id.strip():
        raise _fail(
            "rest.request-id-missing",
            "REST callback has no 'requestId' (or it is empty).",
            spec_ref("§1.3, §2.6"),
        )
    payload_keys = [key for key in root if key not in ENVELOPE_KEYS]
    if not payload_keys:
        raise _fail(
            "rest.payload-missing",
            "REST callback has no payload key (deviceResponse, faultResponse, ...).",
        )
    if len(payload_keys) > 1:
        raise _fail(
            "rest.payload-ambiguous",
            f"REST callback has {len(payload_keys)} payload keys ({', '.join(payload_keys)}); "
            "it carries exactly one.",
        )
    (key,) = payload_keys
    data = payload_from_content(REST_PAYLOADS, key, _field_value(root[key], 0, key), Wire.REST)

    return CallbackMessage(
        data=data,
        request_id=request_id,
        devices=_devices(root),
        username=_optional_text(root, "username") or "",
        password=_optional_text(root, "password") or "",
        callback_count=_optional_count(root, "callbackCount"),
        max_callback_threshold=_optional_count(root, "maxCallbackThreshold"),
        status=_optional_text(root, "status"),
    )


def _json_value(value: FieldValue, where: str) -> Any:
    if isinstance(value, UnverifiedFields):
        result: dict[str, Any] = {}
        for key, item in value:
            if key in result:
                raise CallbackEncodeError(
                    "rest.duplicate-key",
                    f"{where}: {key!r} repeats; a JSON object cannot hold it twice.",
                    spec=_SPEC,
                )
            result[key] = _json_value(item, f"{where}.{key}")
        return result
    if isinstance(value, tuple):
        return [_json_value(item, f"{where}[]") for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise CallbackEncodeError(
            "rest.number-not-finite", f"{where}: {value!r} has no JSON form.", spec=_SPEC
        )
    return value


def build_rest_callback(message: CallbackMessage) -> bytes:
    """The REST JSON body the platform would POST for *message* (compact, UTF-8).

    Key order follows the samples: username, password, requestId, deviceIds, the payload,
    status, callbackCount, maxCallbackThreshold.
    """
    key = message.data.rest_key
    if key in ENVELOPE_KEYS:
        raise CallbackEncodeError(
            "rest.payload-key-reserved",
            f"Payload key {key!r} collides with an envelope key.",
            spec=_SPEC,
        )
    document: dict[str, Any] = {"username": message.username, "password": message.password}
    if message.request_id is not None:
        document["requestId"] = message.request_id
    document["deviceIds"] = [
        {"id": device.value, "kind": device.rest_label()} for device in message.devices
    ]
    document[key] = _json_value(message.data.to_content(Wire.REST), key)
    if message.status is not None:
        document["status"] = message.status
    if message.callback_count is not None:
        document["callbackCount"] = message.callback_count
    if message.max_callback_threshold is not None:
        document["maxCallbackThreshold"] = message.max_callback_threshold
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise CallbackEncodeError(
            "rest.character-not-allowed",
            f"A value holds {error.object[error.start : error.end]!r}, which UTF-8 cannot carry.",
            spec=_SPEC,
        ) from None
