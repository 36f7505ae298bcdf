"""The page half writes every kind of argument as the same tagged JSON, whatever the page did.

bridge.js writes each message as JSON text itself (a string crosses to the channel half more
cheaply than an object graph); these are the exact texts it wrote when it sent objects, which
the channel half then serialized, so the wire format is unchanged.
"""

from __future__ import annotations

import json
import os
from typing import Any

from e2e_helpers import Harness

# Every kind of value a portal can pass, the hostile ones included.
VALUES = r"""
(function () {
  const cyclic = {a: 1}; cyclic.self = cyclic;
  const throwingName = function () {};
  Object.defineProperty(throwingName, "name", {get() { throw new Error("no"); }});
  const hostile = new Proxy({}, {ownKeys() { throw new Error("no"); }});
  const getter = {before: 1, get bad() { throw new Error("no"); }, after: 2};
  let deep = "bottom"; for (let i = 0; i < 40; i += 1) deep = [deep];
  const sparse = [, 1]; sparse.extra = "ignored";
  return [undefined, null, true, false, 0, -0, 1.5, -7, NaN, Infinity, -Infinity, 2 ** 53 + 2,
          1e21, 5e-324, "", 'é\u2028"\\</script>', "\ud800x", "\u{1F600}", 10n, Symbol("s"),
          Symbol(), function named() {}, () => {}, throwingName, [1, [2, []]], sparse,
          {a: 1, "b c": {c: null}, 2: "two", [Symbol("hidden")]: 1}, cyclic, hostile, getter,
          deep, new Date(0), /re/g, Object.create(null)];
})()
"""


def _tag(kind: str, value: Any = None) -> dict[str, Any]:
    return {"t": kind} if value is None else {"t": kind, "v": value}


def _nested(depth: int) -> dict[str, Any]:
    """`depth` arrays in one another, then the cut (MAX_DEPTH in bridge.js is 32)."""
    item = _tag("truncated")
    for _ in range(depth):
        item = _tag("array", [item])
    return item


def _number(value: float | str) -> dict[str, Any]:
    return _tag("number", value)


EMPTY_OBJECT = _tag("object", [])
EXPECTED: list[Any] = [
    *(_tag("undefined"), _tag("null"), _tag("boolean", True), _tag("boolean", False)),
    *(_number(0), _number(0), _number(1.5), _number(-7), _number("NaN"), _number("Infinity")),
    *(_number("-Infinity"), _number(9007199254740994), _number(1e21), _number(5e-324)),
    *(_tag("string", ""), _tag("string", 'é\u2028"\\</script>')),
    *(_tag("string", "\ud800x"), _tag("string", "\U0001f600")),
    *(_tag("bigint", "10"), _tag("symbol", "Symbol(s)"), _tag("symbol", "Symbol()")),
    *({"t": "function", "name": "named"}, {"t": "function", "name": ""}),
    {"t": "function", "name": ""},  # its name's getter threw
    _tag("array", [_number(1), _tag("array", [_number(2), _tag("array", [])])]),
    _tag("array", [_tag("undefined"), _number(1)]),  # a hole; the extra key is not sent
    _tag(
        "object",
        [
            ["2", _tag("string", "two")],
            ["a", _number(1)],
            ["b c", _tag("object", [["c", _tag("null")]])],
        ],
    ),
    _tag("object", [["a", _number(1)], ["self", _tag("cycle")]]),
    _tag("truncated"),  # a Proxy whose ownKeys throws
    _tag("object", [["before", _number(1)], ["bad", _tag("truncated")], ["after", _number(2)]]),
    _nested(33),  # 40 arrays deep: levels 0 to 32 are sent
    *(EMPTY_OBJECT, EMPTY_OBJECT, EMPTY_OBJECT),  # a Date, a RegExp, a prototype-less object
]


def _received_args(harness: Harness, call: str) -> list[Any]:
    """The `args` of the envelope Python receives for `call` (a JS expression)."""
    texts: list[str] = []
    endpoint = harness.simulator.page.endpoint
    receive = endpoint.receiver

    def record(text: str) -> None:
        texts.append(text)
        receive(text)

    endpoint.receiver = record
    before = len(harness.simulator.events)
    harness.js(call)
    harness.wait_for("bridge.call", after=before, method="createPurchaseMetaData")
    endpoint.receiver = receive
    (text,) = [t for t in texts if '"createPurchaseMetaData"' in t]
    envelope = json.loads(text)
    assert envelope["kind"] == "call"
    args: list[Any] = envelope["args"]
    return args


def test_every_kind_of_value_is_written_as_before(harness: Harness) -> None:
    harness.launch_and_wait()
    args = _received_args(harness, f"MobilePlans.createPurchaseMetaData(...{VALUES.strip()})")
    if os.environ.get("DUMP_BRIDGE_ENCODING"):
        print(json.dumps(args))
    assert args == EXPECTED


def test_a_call_past_ten_thousand_values_is_cut_where_it_was(harness: Harness) -> None:
    harness.launch_and_wait()
    args = _received_args(
        harness,
        "MobilePlans.createPurchaseMetaData(new Array(6000).fill(1), new Array(6000).fill('x'),"
        " {after: 1})",
    )
    # 10,000 values at most (MAX_NODES in bridge.js): the first array and its 6,000 items, the
    # second and 3,998 of its items, then one cut mark; the third argument is cut whole.
    assert args[0] == _tag("array", [_number(1)] * 6000)
    assert args[1] == _tag("array", [_tag("string", "x")] * 3998 + [_tag("truncated")])
    assert args[2:] == [_tag("truncated")]
