"""Envelopes come from the portal's page: anything malformed is an EnvelopeError, nothing else."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from simulator.bridge import envelope as envelope_module
from simulator.bridge.envelope import EnvelopeError, _loads, parse_call, parse_envelope
from simulator.contract.values import JsObject, decode_js_value

DOC = "0123456789abcdef0123456789abcdef"


def _envelope(**fields: object) -> str:
    base: dict[str, object] = {
        "kind": "call",
        "seq": 3,
        "doc": DOC,
        "token": "t",
        "href": "https://x/",
        "object": "MobilePlans",
        "member": "notifyCancelledPurchase",
        "args": [{"t": "string", "v": "x"}],
        "operationId": None,
    }
    base.update(fields)
    return json.dumps(base)


def test_a_call_envelope_decodes_its_arguments() -> None:
    call = parse_call(parse_envelope(_envelope()))
    assert call.object_name == "MobilePlans"
    assert call.args == ("x",)


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"kind": "exec"}, "envelope.kind"),
        ({"seq": 0}, "envelope.seq"),
        ({"seq": True}, "envelope.seq"),
        ({"doc": "X" * 32}, "envelope.doc"),
        ({"token": 5}, "envelope.fields"),
        ({"args": {}}, "envelope.call.args"),
        ({"object": None}, "envelope.call.names"),
        ({"operationId": 7}, "envelope.call.operationId"),
        ({"args": [{"t": "nope"}]}, "envelope.args."),
    ],
)
def test_malformed_envelopes_name_the_rule(fields: dict[str, object], rule: str) -> None:
    with pytest.raises(EnvelopeError) as error:
        parse_call(parse_envelope(_envelope(**fields)))
    assert error.value.rule.startswith(rule)


def test_size_and_json_limits() -> None:
    with pytest.raises(EnvelopeError, match=r"envelope\.size"):
        parse_envelope("x" * (8 * 1024 * 1024 + 1))
    with pytest.raises(EnvelopeError, match=r"envelope\.json"):
        parse_envelope("{")
    with pytest.raises(EnvelopeError, match=r"envelope\.json"):
        parse_envelope("[" * 100000 + "]" * 100000)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_never_raises_anything_else(value: object) -> None:
    with contextlib.suppress(EnvelopeError):
        parse_call(parse_envelope(json.dumps(value)))


def _json_outcome(load: Callable[[str], object], text: str) -> object:
    try:
        return ("value", load(text))
    except (json.JSONDecodeError, RecursionError) as error:
        return ("error", type(error).__name__, str(error))


@given(
    st.dictionaries(st.text(max_size=4), st.none() | st.integers() | st.text(max_size=4)),
    st.sampled_from(["", " ", "}", "x", "\n", " {}", "]"]),
    st.sampled_from(["", " ", "\ufeff", "["]),
)
@example({}, "", "\ufeff")
@example({"a": 1}, "}", "")
def test_the_direct_json_scan_answers_as_json_loads(
    value: dict[str, object], tail: str, head: str
) -> None:
    text = head + json.dumps(value) + tail
    assert _json_outcome(_loads, text) == _json_outcome(json.loads, text)


_TAGGED_STRINGS = st.fixed_dictionaries(
    {
        "t": st.sampled_from(["string", "number", "String", "boolean"]),
        "v": st.text(max_size=4)
        | st.none()
        | st.floats()
        | st.integers()
        | st.integers(2**999, 10**320).map(lambda n: n * (-1) ** n)
        | st.booleans(),
    },
    optional={"x": st.integers(), "name": st.text(max_size=2)},
)


# Objects near the ones parse_call decodes itself (keys unique, every value a tagged string):
# repeated keys, other tags and values, extra keys, pairs that are not pairs.
_OBJECT_PAIRS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "planName", ""]), _TAGGED_STRINGS).map(list)
    | st.lists(st.text(max_size=2) | st.none(), max_size=3),
    max_size=4,
)
_TAGGED_OBJECTS = st.fixed_dictionaries(
    {"t": st.sampled_from(["object", "object", "array"]), "v": _OBJECT_PAIRS | st.none()},
    optional={"x": st.integers()},
)


@given(st.lists(_TAGGED_STRINGS | _TAGGED_OBJECTS | st.text(max_size=3) | st.none(), max_size=4))
@example([{"t": "string", "v": "onDone"}])
@example([{"t": "object", "v": []}, {"t": "object", "v": [["a", {"t": "string", "v": "x"}]]}])
@example(
    [{"t": "object", "v": [["a", {"t": "string", "v": "x"}], ["a", {"t": "string", "v": ""}]]}]
)
@example([{"t": "object", "v": [[f"k{n}", {"t": "string", "v": str(n)}] for n in range(65)]}])
@example([{"v": "onDone", "t": "string"}])
@example([{"t": "number", "v": 1.5}, {"t": "number", "v": float("inf")}])
@example([{"t": "number", "v": float("nan")}])
@example([{"t": "number", "v": 7}, {"t": "number", "v": True}])
@example([{"t": "number", "v": 10**400}, {"t": "number", "v": -(2**1000)}])
def test_string_arguments_decode_as_the_decoder_does(raw_args: list[object]) -> None:
    """parse_call takes plain strings, finite numbers and objects of strings itself; everything
    else goes to the decoder."""

    def outcome(decode: Callable[[object], object]) -> object:
        try:
            return ("args", tuple(decode(raw) for raw in raw_args))
        except Exception as error:  # the rule and message must be the same too
            return ("error", getattr(error, "rule", type(error).__name__), str(error))

    try:
        via_call: object = ("args", parse_call(parse_envelope(_envelope(args=raw_args))).args)
    except EnvelopeError as error:
        via_call = ("error", error.rule.removeprefix("envelope.args."), error.message)
    expected = outcome(decode_js_value)
    if expected[0] == "error":
        assert via_call[:2] == expected[:2]  # type: ignore[index]
    else:
        assert via_call == expected


def _spliced(body_text: str, token: str = "good") -> str:
    """What bridge_channel.js sends: the page half's JSON text, the checked fields appended."""
    checked = f',"kind":"call","seq":3,"doc":"{DOC}","token":"{token}","href":"https://x/"}}'
    return body_text[:-1] + checked


def test_the_fields_the_channel_half_appends_outrank_the_same_keys_in_the_body() -> None:
    body = '{"kind":"ready","object":"MobilePlans","member":"m","args":[],"operationId":null,'
    body += f'"token":"evil","doc":"{"f" * 32}","seq":99,"href":"https://evil/"}}'
    envelope = parse_envelope(_spliced(body))
    assert (envelope.kind, envelope.seq, envelope.doc, envelope.token, envelope.href) == (
        "call",
        3,
        DOC,
        "good",
        "https://x/",
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"kind":"call","a":"}',  # the appended fields would be inside a string
        '{"kind":"call","a":{"b":1}',  # ... inside a nested object
        '{"kind":"call","a":[{"b":1}',  # ... inside an array's object
        '{"kind":"call"},{"a":1}',  # ... in a second object
        '{"kind":"call",}',
    ],
)
def test_a_body_that_would_move_the_appended_fields_is_not_an_envelope(body: str) -> None:
    with pytest.raises(EnvelopeError) as error:
        parse_envelope(_spliced(body))
    assert error.value.rule == "envelope.json"


@given(st.text(alphabet="0123456789abcdefABCDEF g\u0660", max_size=34))
@example("0123456789abcdef0123456789abcdef")
@example("0123456789abcdef0123456789abcdeF")
@example(" 123456789abcdef0123456789abcdef")
def test_the_document_id_is_exactly_32_lower_case_hex_digits(doc: str) -> None:
    if re.fullmatch("[0-9a-f]{32}", doc):
        assert parse_envelope(_envelope(doc=doc)).doc == doc
    else:
        with pytest.raises(EnvelopeError) as error:
            parse_envelope(_envelope(doc=doc))
        assert error.value.rule == "envelope.doc"


def test_an_object_of_strings_is_decoded_without_the_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The property test above would pass without the shortcut: this object must take it."""

    def refuse(tagged: object) -> object:
        raise AssertionError(f"the decoder was asked for {tagged!r}")

    monkeypatch.setattr(envelope_module, "decode_js_value", refuse)
    metadata = {
        "t": "object",
        "v": [["planName", {"t": "string", "v": "2GB"}], ["line", {"t": "string", "v": "New"}]],
    }
    call = parse_call(parse_envelope(_envelope(args=[metadata, {"t": "object", "v": []}])))
    assert call.args == (JsObject((("planName", "2GB"), ("line", "New"))), JsObject(()))
