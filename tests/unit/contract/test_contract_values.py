import contextlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.contract.values import (
    UNDEFINED,
    JsArray,
    JsFunction,
    JsObject,
    JsOpaque,
    WireFormatError,
    decode_js_value,
    describe,
    encode_js_value,
)


@pytest.mark.parametrize(
    ("tagged", "expected"),
    [
        ({"t": "undefined"}, UNDEFINED),
        ({"t": "null"}, None),
        ({"t": "boolean", "v": True}, True),
        ({"t": "number", "v": 1.5}, 1.5),
        ({"t": "number", "v": 15}, 15.0),
        ({"t": "number", "v": "Infinity"}, math.inf),
        ({"t": "number", "v": "-Infinity"}, -math.inf),
        ({"t": "string", "v": "x"}, "x"),
        ({"t": "function", "name": "cb"}, JsFunction("cb")),
        ({"t": "bigint", "v": "123"}, JsOpaque("bigint", "123n")),
        ({"t": "symbol", "v": "Symbol(x)"}, JsOpaque("symbol", "Symbol(x)")),
        ({"t": "cycle"}, JsOpaque("cycle", "[Circular]")),
        ({"t": "truncated"}, JsOpaque("truncated", "[Truncated]")),
        ({"t": "array", "v": [{"t": "null"}]}, JsArray((None,))),
    ],
)
def test_decode_each_tag(tagged: object, expected: object) -> None:
    assert decode_js_value(tagged) == expected


def test_nan_and_proto_keys() -> None:
    assert math.isnan(decode_js_value({"t": "number", "v": "NaN"}))  # type: ignore[arg-type]
    obj = decode_js_value(
        {
            "t": "object",
            "v": [["__proto__", {"t": "string", "v": "a"}], ["constructor", {"t": "null"}]],
        }
    )
    assert isinstance(obj, JsObject)
    assert obj.keys() == ("__proto__", "constructor")
    assert obj.get("__proto__") == "a"
    assert obj.get("missing") is UNDEFINED


@pytest.mark.parametrize(
    ("tagged", "rule"),
    [
        ([], "wire.not-tagged"),
        ({"t": "date"}, "wire.unknown-tag"),
        ({"t": "string"}, "wire.keys"),
        ({"t": "null", "v": 1}, "wire.keys"),
        ({"t": "boolean", "v": 1}, "wire.boolean"),
        ({"t": "number", "v": True}, "wire.number"),
        ({"t": "number", "v": "1"}, "wire.number"),
        ({"t": "number", "v": 10**400}, "wire.number"),
        ({"t": "string", "v": 1}, "wire.string"),
        ({"t": "bigint", "v": "1.5"}, "wire.bigint"),
        ({"t": "array", "v": {}}, "wire.array"),
        ({"t": "object", "v": [["a"]]}, "wire.object.pair"),
        (
            {"t": "object", "v": [["a", {"t": "null"}], ["a", {"t": "null"}]]},
            "wire.object.duplicate-key",
        ),
    ],
)
def test_malformed_wire_values(tagged: object, rule: str) -> None:
    with pytest.raises(WireFormatError) as info:
        decode_js_value(tagged)
    assert info.value.rule == rule


def test_too_deep_and_too_large() -> None:
    deep: object = {"t": "null"}
    for _ in range(40):
        deep = {"t": "array", "v": [deep]}
    with pytest.raises(WireFormatError, match=r"wire\.too-deep"):
        decode_js_value(deep)
    wide = {"t": "array", "v": [{"t": "null"}] * 20_000}
    with pytest.raises(WireFormatError, match=r"wire\.too-large"):
        decode_js_value(wide)


def test_describe_renders_js_like() -> None:
    assert describe(UNDEFINED) == "undefined"
    assert describe(None) == "null"
    assert describe(15.0) == "15"
    assert describe(math.nan) == "NaN"
    assert describe(JsFunction("onDone")) == "function onDone()"
    assert describe(JsArray((1.0, "a"))) == '[1, "a"]'
    assert describe(JsObject((("Id", "x"), ("a-b", True)))) == '{Id: "x", "a-b": true}'


def test_describe_megabyte_string_is_short() -> None:
    text = "1$smdp.example$" + "x" * (1_048_576 - 15)
    shown = describe(text, limit=17)
    assert shown == '"1$smdp.example$…" (1,048,576 chars)'
    assert len(describe(JsArray((text,) * 1000))) < 200


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["t", "v", "name", "x"]) | st.text(max_size=3), children, max_size=4
        )
    ),
    max_leaves=30,
)


@given(json_values)
def test_decode_arbitrary_json_only_raises_wire_format_error(value: object) -> None:
    with contextlib.suppress(WireFormatError):
        decode_js_value(value)


js_values = st.recursive(
    st.sampled_from([UNDEFINED, None, True, False])
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.builds(JsFunction, st.text(max_size=5)),
    lambda children: (
        st.builds(JsArray, st.tuples(children, children))
        | st.dictionaries(st.text(max_size=4), children, max_size=3).map(
            lambda d: JsObject(tuple(d.items()))
        )
    ),
    max_leaves=20,
)


@given(js_values)
def test_encode_decode_round_trip(value: object) -> None:
    wire = json.loads(json.dumps(encode_js_value(value)))  # type: ignore[arg-type]
    assert decode_js_value(wire) == value
    assert isinstance(describe(value), str)  # type: ignore[arg-type]


def test_object_lookups_find_the_first_entry_of_a_key() -> None:
    value = JsObject((("a", 1.0), ("b", "x"), ("a", 2.0)))
    assert value.get("a") == 1.0
    assert value.get("b") == "x"
    assert value.get("c") is UNDEFINED
    assert value.get("c", None) is None
    assert value.has("b")
    assert not value.has("c")
    assert value == JsObject((("a", 1.0), ("b", "x"), ("a", 2.0)))  # the index is no field
