import contextlib
import json
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from simulator.contract.value_text import describe, describe_typed, js_type
from simulator.contract.values import (
    MAX_WIRE_DEPTH,
    MAX_WIRE_NODES,
    UNDEFINED,
    JsArray,
    JsFunction,
    JsObject,
    JsOpaque,
    WireFormatError,
    _Decoder,
    decode_js_value,
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


@given(js_values | st.floats() | st.text(max_size=200), st.integers(0, 120))
@example(15.0, 80)
@example("x" * 100, 80)
def test_a_typed_description_is_the_type_then_the_description(value: object, limit: int) -> None:
    expected = f"{js_type(value)} {describe(value, limit)}"  # type: ignore[arg-type]
    assert describe_typed(value, limit) == expected  # type: ignore[arg-type]


def test_object_lookups_find_the_first_entry_of_a_key() -> None:
    value = JsObject((("a", 1.0), ("b", "x"), ("a", 2.0)))
    assert value.get("a") == 1.0
    assert value.get("b") == "x"
    assert value.get("c") is UNDEFINED
    assert value.get("c", None) is None
    assert value.has("b")
    assert not value.has("c")
    assert value == JsObject((("a", 1.0), ("b", "x"), ("a", 2.0)))  # the index is no field


def _full_decoder_outcome(tagged: object) -> object:
    try:
        return ("value", _Decoder().decode(tagged, 0, "$"))
    except WireFormatError as error:
        return ("error", error.rule, error.message)
    except RecursionError:
        return ("error", "wire.too-deep", "value nested too deeply")


def _outcome(tagged: object) -> object:
    try:
        return ("value", decode_js_value(tagged))
    except WireFormatError as error:
        return ("error", error.rule, error.message)


_TAGS = [
    "undefined", "null", "boolean", "number", "string", "function", "array", "object",
    "bigint", "symbol", "cycle", "truncated", "nope",
]  # fmt: skip
wire_like = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=4)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "12", "x"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.fixed_dictionaries({"t": st.sampled_from(_TAGS)},
                                optional={"v": children, "name": children, "x": children})
        | st.fixed_dictionaries({"t": st.just("array"), "v": st.lists(children, max_size=3)})
        | st.fixed_dictionaries({"t": st.just("object"), "v": st.lists(
            st.tuples(st.sampled_from(["a", "b", "__proto__"]) | children, children).map(list)
            | children, max_size=3)})
    ),
    max_leaves=25,
)  # fmt: skip


@given(wire_like | js_values.map(encode_js_value))  # type: ignore[arg-type]
@example({"t": "object", "v": [["a", {"t": "null"}], ["a", {"t": "null"}]]})
@example({"t": "object", "v": [["a", {"t": "null"}, 1]]})
@example({"t": "array", "v": [{"t": "number", "v": True}, {"t": "number", "v": "NaN"}]})
@example({"t": "function", "name": 5})
@example({"t": "string", "v": "x", "name": "y"})
def test_the_common_case_decoder_answers_as_the_full_one(tagged: object) -> None:
    assert _outcome(tagged) == _full_decoder_outcome(tagged)


def test_the_common_case_decoder_keeps_the_limits() -> None:
    deep: object = {"t": "string", "v": "x"}
    for _ in range(MAX_WIRE_DEPTH + 1):
        deep = {"t": "array", "v": [deep]}
    wide = {"t": "array", "v": [{"t": "null"}] * MAX_WIRE_NODES}
    huge = {"t": "number", "v": 10**400}
    for tagged in (deep, wide, huge):
        assert _outcome(tagged) == _full_decoder_outcome(tagged)
        assert _outcome(tagged)[0] == "error"  # type: ignore[index]
