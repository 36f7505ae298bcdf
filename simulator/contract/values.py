"""JavaScript values as the bridge sends them, decoded into typed Python values.

``bridge.js`` encodes every argument as a *tagged* JSON value so that nothing is
lost (``undefined`` vs ``null``, functions, ``NaN``) and nothing can be
prototype-polluted (object keys travel as a list of pairs, ``"__proto__"`` is a
plain key)::

    {"t":"undefined"} | {"t":"null"} | {"t":"boolean","v":true}
    {"t":"number","v":1.5}  (non-finite: "v":"NaN"|"Infinity"|"-Infinity")
    {"t":"string","v":"..."} | {"t":"function","name":"fnName"}
    {"t":"array","v":[tagged, ...]} | {"t":"object","v":[["key", tagged], ...]}
    {"t":"bigint","v":"123"} | {"t":"symbol","v":"Symbol(x)"}
    {"t":"cycle"} | {"t":"truncated"}   (depth > 32 or > 10,000 nodes)

The bridge is untrusted: ``decode_js_value`` checks the shape strictly and
raises ``WireFormatError`` (never anything else) on the first malformed node.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final, TypeAlias

__all__ = [
    "MAX_WIRE_DEPTH",
    "MAX_WIRE_NODES",
    "UNDEFINED",
    "JsArray",
    "JsFunction",
    "JsObject",
    "JsOpaque",
    "JsUndefined",
    "JsValue",
    "WireFormatError",
    "decode_js_value",
    "encode_js_value",
    "from_json",
]

#: bridge.js stops at depth 32 and 10,000 nodes (replacing the rest by "truncated");
#: anything deeper or larger did not come from a well-behaved bridge.
MAX_WIRE_DEPTH: Final = 34
MAX_WIRE_NODES: Final = 10_100


class JsUndefined(Enum):
    """JavaScript ``undefined``; ``UNDEFINED`` is its only value."""

    UNDEFINED = "undefined"

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = JsUndefined.UNDEFINED


@dataclass(frozen=True)
class JsFunction:
    """A function reference; only its name crosses the bridge (``""`` when anonymous)."""

    name: str


@dataclass(frozen=True)
class JsOpaque:
    """A value the contract never interprets: ``bigint``, ``symbol``, ``cycle``, ``truncated``.

    ``text`` is what JS would show for it (``"123n"``, ``"Symbol(x)"``, ``"[Circular]"``).
    """

    type: str
    text: str


@dataclass(frozen=True)
class JsArray:
    """A JS array, its elements in order."""

    items: tuple[JsValue, ...]


@dataclass(frozen=True)
class JsObject:
    """A plain JS object: its own enumerable properties in insertion order, keys unique."""

    entries: tuple[tuple[str, JsValue], ...]

    # Built on first lookup: the checks ask an object for a dozen spellings of its fields.
    # (Not functools.cached_property: on Python 3.11 it takes a lock on every read.)
    def properties(self) -> Mapping[str, JsValue]:
        """The own properties by key, built once (a repeated key: its first entry)."""
        by_key: dict[str, JsValue] | None = self.__dict__.get("_by_key_index")
        if by_key is None:
            by_key = {}
            for name, value in self.entries:
                by_key.setdefault(name, value)  # the first wins, as a scan in order finds it
            self.__dict__["_by_key_index"] = by_key
        return by_key

    def get(self, key: str, default: JsValue = UNDEFINED) -> JsValue:
        """The property ``key``, or ``default`` (``UNDEFINED``) when it is absent."""
        return self.properties().get(key, default)

    def has(self, key: str) -> bool:
        """Whether ``key`` is an own property."""
        return key in self.properties()

    def keys(self) -> tuple[str, ...]:
        """The own keys in order."""
        return tuple(name for name, _ in self.entries)


#: A decoded JavaScript value. ``null`` is ``None``; every number is a ``float``.
JsValue: TypeAlias = (
    "JsUndefined | bool | float | str | JsFunction | JsArray | JsObject | JsOpaque | None"
)

_SPEC = "bridge wire format (contract/values.py)"


class WireFormatError(ValueError):
    """The bridge sent something that is not a tagged value; ``rule`` names what was wrong."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.spec = _SPEC


_NON_FINITE: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_ALLOWED_KEYS: Final[dict[str, frozenset[str]]] = {
    "undefined": frozenset({"t"}),
    "null": frozenset({"t"}),
    "cycle": frozenset({"t"}),
    "truncated": frozenset({"t"}),
    "boolean": frozenset({"t", "v"}),
    "number": frozenset({"t", "v"}),
    "string": frozenset({"t", "v"}),
    "array": frozenset({"t", "v"}),
    "object": frozenset({"t", "v"}),
    "bigint": frozenset({"t", "v"}),
    "symbol": frozenset({"t", "v"}),
    "function": frozenset({"t", "name"}),
}


class _Decoder:
    def __init__(self) -> None:
        self.nodes = 0

    def decode(self, tagged: object, depth: int, path: str) -> JsValue:
        self.nodes += 1
        if self.nodes > MAX_WIRE_NODES:
            raise WireFormatError(
                "wire.too-large", f"more than {MAX_WIRE_NODES:,} nodes (bridge.js truncates)"
            )
        if depth > MAX_WIRE_DEPTH:
            raise WireFormatError(
                "wire.too-deep", f"{path} is nested deeper than {MAX_WIRE_DEPTH} levels"
            )
        if not isinstance(tagged, dict):
            raise WireFormatError(
                "wire.not-tagged", f"{path} is a {type(tagged).__name__}, not a tagged object"
            )
        tag = tagged.get("t")
        if not isinstance(tag, str) or tag not in _ALLOWED_KEYS:
            raise WireFormatError("wire.unknown-tag", f"{path} has unknown tag {_short(tag)}")
        if tagged.keys() != _ALLOWED_KEYS[tag]:  # a key too many or missing
            raise WireFormatError(
                "wire.keys",
                f"{path} ({tag}) has keys {sorted(map(str, tagged))}, "
                f"expected {sorted(_ALLOWED_KEYS[tag])}",
            )
        return self._decode_tag(tag, tagged, depth, path)

    def _decode_tag(self, tag: str, tagged: dict[object, object], depth: int, path: str) -> JsValue:
        if tag == "undefined":
            return UNDEFINED
        if tag == "null":
            return None
        if tag == "cycle":
            return JsOpaque("cycle", "[Circular]")
        if tag == "truncated":
            return JsOpaque("truncated", "[Truncated]")
        if tag == "function":
            return JsFunction(_expect_str(tagged["name"], path, "function name"))
        value = tagged["v"]
        if tag == "boolean":
            if not isinstance(value, bool):
                raise WireFormatError("wire.boolean", f"{path} boolean is {_short(value)}")
            return value
        if tag == "number":
            return _decode_number(value, path)
        if tag == "string":
            return _expect_str(value, path, "string")
        if tag == "bigint":
            text = _expect_str(value, path, "bigint")
            if not re.fullmatch(r"-?[0-9]+", text):
                raise WireFormatError("wire.bigint", f"{path} bigint is {_short(text)}")
            return JsOpaque("bigint", f"{text}n")
        if tag == "symbol":
            return JsOpaque("symbol", _expect_str(value, path, "symbol"))
        if tag == "array":
            if not isinstance(value, list):
                raise WireFormatError("wire.array", f"{path} array payload is not a list")
            return JsArray(
                tuple(self.decode(item, depth + 1, f"{path}[{i}]") for i, item in enumerate(value))
            )
        return self._decode_object(value, depth, path)

    def _decode_object(self, value: object, depth: int, path: str) -> JsObject:
        if not isinstance(value, list):
            raise WireFormatError("wire.object", f"{path} object payload is not a list of pairs")
        entries: list[tuple[str, JsValue]] = []
        seen: set[str] = set()
        for i, pair in enumerate(value):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise WireFormatError("wire.object.pair", f"{path} entry {i} is not [key, value]")
            key = pair[0]
            if key in seen:
                raise WireFormatError(
                    "wire.object.duplicate-key", f"{path} repeats the key {_short(key)}"
                )
            seen.add(key)
            entries.append((key, self.decode(pair[1], depth + 1, f"{path}.{_short(key, 40)}")))
        return JsObject(tuple(entries))


def _decode_number(value: object, path: str) -> float:
    if isinstance(value, str):
        if value in _NON_FINITE:
            return _NON_FINITE[value]
        raise WireFormatError("wire.number", f"{path} number is the string {_short(value)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WireFormatError("wire.number", f"{path} number is {_short(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise WireFormatError("wire.number", f"{path} number does not fit a double") from None
    if not math.isfinite(number):
        # A finite JSON literal never decodes to inf/nan; one that does was not JSON.
        raise WireFormatError("wire.number", f"{path} non-finite number must be sent as a string")
    return number


def _expect_str(value: object, path: str, what: str) -> str:
    if not isinstance(value, str):
        raise WireFormatError("wire.string", f"{path} {what} is {_short(value)}, not a string")
    return value


def _short(value: object, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else value[: limit + 1]
    return text if len(text) <= limit else text[:limit] + "…"


class _LeftToFullDecoderError(Exception):
    """The common-case decoder met something it leaves to `_Decoder` (which names the rule)."""


_CYCLE: Final = JsOpaque("cycle", "[Circular]")
_TRUNCATED: Final = JsOpaque("truncated", "[Truncated]")
_LEAF_VALUES: Final[dict[str, JsValue]] = {
    "undefined": UNDEFINED,
    "null": None,
    "cycle": _CYCLE,
    "truncated": _TRUNCATED,
}


def _decode_common(tagged: object, depth: int, nodes: list[int]) -> JsValue:
    """What `_Decoder` returns for a well-formed tree of the common tags, in one function and
    without building the error paths (a bridge call is decoded on the GUI thread). Anything
    else, malformed or rare, raises `_LeftToFullDecoderError`."""
    nodes[0] += 1
    if type(tagged) is not dict or nodes[0] > MAX_WIRE_NODES or depth > MAX_WIRE_DEPTH:
        raise _LeftToFullDecoderError
    tag = tagged.get("t")
    if type(tag) is not str or tagged.keys() != _ALLOWED_KEYS.get(tag):
        raise _LeftToFullDecoderError
    if tag in _LEAF_VALUES:
        return _LEAF_VALUES[tag]
    if tag == "function":
        name = tagged["name"]
        if type(name) is not str:
            raise _LeftToFullDecoderError
        return JsFunction(name)
    value = tagged["v"]
    kind = type(value)
    if tag == "string" and kind is str:
        return value  # type: ignore[no-any-return]  # str, checked just above
    if tag == "number" and kind is float and math.isfinite(value):
        return value  # type: ignore[no-any-return]  # a finite float, checked just above
    if tag == "number" and kind is int:
        try:
            return float(value)
        except OverflowError:
            raise _LeftToFullDecoderError from None
    if tag == "boolean" and kind is bool:
        return value  # type: ignore[no-any-return]  # bool, checked just above
    if tag == "object" and kind is list:
        entries: list[tuple[str, JsValue]] = []
        seen: set[str] = set()
        for pair in value:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise _LeftToFullDecoderError
            key = pair[0]
            if key in seen:
                raise _LeftToFullDecoderError
            seen.add(key)
            entries.append((key, _decode_common(pair[1], depth + 1, nodes)))
        return JsObject(tuple(entries))
    if tag == "array" and kind is list:
        return JsArray(tuple(_decode_common(item, depth + 1, nodes) for item in value))
    raise _LeftToFullDecoderError  # non-finite numbers, bigint, symbol, and every error


def decode_js_value(tagged: object) -> JsValue:
    """Decode one tagged value (already ``json.loads``-ed) into a ``JsValue``.

    Raises ``WireFormatError`` — and only that — when ``tagged`` is malformed:
    an unknown tag, missing or extra keys, a wrong payload type, a duplicate
    object key, or a tree deeper or larger than bridge.js ever sends.
    """
    try:
        return _decode_common(tagged, 0, [0])
    except _LeftToFullDecoderError:
        pass  # decoded again by the full decoder, which words any error with its path
    except RecursionError:
        pass
    try:
        return _Decoder().decode(tagged, 0, "$")
    except RecursionError:
        raise WireFormatError("wire.too-deep", "value nested too deeply") from None


def encode_js_value(value: JsValue) -> object:
    """The tagged wire form of ``value``; ``decode_js_value`` inverts it (tests, replay)."""
    # Each bridge call's arguments go into its `bridge.call` event this way: the common types
    # first, by exact type (a subclass takes the general path below).
    kind = type(value)
    if kind is str:
        return {"t": "string", "v": value}
    if kind is JsObject:
        # A loop, not a comprehension: on Python 3.11 that is one more function to call.
        pairs: list[list[object]] = []
        for key, item in value.entries:  # type: ignore[union-attr]  # a JsObject, checked above
            pairs.append([key, encode_js_value(item)])
        return {"t": "object", "v": pairs}
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]  # a float, checked
        return {"t": "number", "v": value}
    if value is UNDEFINED:
        return {"t": "undefined"}
    if value is None:
        return {"t": "null"}
    if isinstance(value, bool):
        return {"t": "boolean", "v": value}
    if isinstance(value, float | int):
        number = float(value)
        if math.isnan(number):
            return {"t": "number", "v": "NaN"}
        if math.isinf(number):
            return {"t": "number", "v": "Infinity" if number > 0 else "-Infinity"}
        return {"t": "number", "v": number}
    if isinstance(value, str):
        return {"t": "string", "v": value}
    if isinstance(value, JsFunction):
        return {"t": "function", "name": value.name}
    if isinstance(value, JsArray):
        return {"t": "array", "v": [encode_js_value(item) for item in value.items]}
    if isinstance(value, JsObject):
        return {"t": "object", "v": [[k, encode_js_value(v)] for k, v in value.entries]}
    assert isinstance(value, JsOpaque)
    if value.type == "bigint":
        return {"t": "bigint", "v": value.text.removesuffix("n")}
    if value.type == "symbol":
        return {"t": "symbol", "v": value.text}
    return {"t": value.type}


def from_json(value: object, max_depth: int = MAX_WIRE_DEPTH) -> JsValue:
    """A ``json.loads`` result as the JS value ``JSON.parse`` would give (objects keep key order).

    Raises ``WireFormatError("wire.too-deep")`` past ``max_depth`` levels.
    """
    return _from_json(value, max_depth)


def _from_json(value: object, depth: int) -> JsValue:
    if depth < 0:
        raise WireFormatError("wire.too-deep", "JSON nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, list):
        return JsArray(tuple(_from_json(item, depth - 1) for item in value))
    if isinstance(value, dict):
        return JsObject(tuple((str(k), _from_json(v, depth - 1)) for k, v in value.items()))
    raise WireFormatError("wire.not-json", f"{type(value).__name__} is not a JSON value")
