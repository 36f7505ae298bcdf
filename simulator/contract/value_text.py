"""How a JavaScript value is named and shown in the contract's findings: its wire type
(`js_type`) and a short, JavaScript-like rendering (`describe`)."""

from __future__ import annotations

import json
import math
import re
from typing import Literal

from simulator.contract.values import UNDEFINED, JsArray, JsFunction, JsObject, JsOpaque, JsValue

__all__ = ["JsTypeName", "describe", "describe_typed", "js_type"]

JsTypeName = Literal[
    "undefined", "null", "boolean", "number", "string", "function", "array", "object", "bigint",
    "symbol", "cycle", "truncated",
]  # fmt: skip


def js_type(value: JsValue) -> JsTypeName:
    """The wire tag of ``value`` ("array" and "null" kept apart from "object", unlike typeof)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float | int):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsFunction):
        return "function"
    if isinstance(value, JsArray):
        return "array"
    if isinstance(value, JsObject):
        return "object"
    assert isinstance(value, JsOpaque)
    opaque: dict[str, JsTypeName] = {
        "bigint": "bigint",
        "symbol": "symbol",
        "cycle": "cycle",
        "truncated": "truncated",
    }
    return opaque.get(value.type, "truncated")


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _number_text(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return repr(number)


def _string_text(text: str, limit: int) -> str:
    # Slice before escaping: a 1 MB string costs O(limit), not O(len).
    if len(text) <= limit:
        return json.dumps(text, ensure_ascii=False)
    head = json.dumps(text[: max(limit - 2, 1)], ensure_ascii=False)[:-1]
    return f'{head}…" ({len(text):,} chars)'


def describe(value: JsValue, limit: int = 80) -> str:
    """A short JS-like rendering of ``value`` for messages, about ``limit`` characters.

    Strings are quoted; a long one is cut and its length given, e.g.
    ``"1$smdp.example$…" (1,048,576 chars)``. Work is bounded by ``limit``,
    whatever the size of ``value``.
    """
    limit = max(limit, 8)
    if isinstance(value, str):
        return _string_text(value, limit)
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _number_text(float(value))
    if isinstance(value, JsFunction):
        return f"function {value.name}()" if value.name else "function ()"
    if isinstance(value, JsOpaque):
        return value.text
    if isinstance(value, JsArray):
        parts = [describe(item, limit // 2) for item in value.items[:limit]]
        return _join("[", parts, "]", limit)
    assert isinstance(value, JsObject)
    parts = []
    for key, item in value.entries[:limit]:
        shown = key if _IDENTIFIER.fullmatch(key) else json.dumps(key[:40], ensure_ascii=False)
        parts.append(f"{shown}: {describe(item, limit // 2)}")
    return _join("{", parts, "}", limit)


def describe_typed(value: JsValue, limit: int = 80) -> str:
    """``f"{js_type(value)} {describe(value, limit)}"``, as the findings name a value of the
    wrong type (``number 15``, ``string "15"``); a number's and a string's in this function
    itself, since a finding is worded on the GUI thread while the page waits."""
    kind = type(value)
    if kind is float:
        return "number " + _number_text(value)  # type: ignore[arg-type]  # a float, checked
    if kind is str:
        return "string " + _string_text(value, max(limit, 8))  # type: ignore[arg-type]  # a str
    return f"{js_type(value)} {describe(value, limit)}"


def _join(opening: str, parts: list[str], closing: str, limit: int) -> str:
    out = opening
    for i, part in enumerate(parts):
        piece = part if i == 0 else f", {part}"
        if len(out) + len(piece) + len(closing) > limit:
            return f"{out}{', ' if i else ''}…{closing}"
        out += piece
    return out + closing
