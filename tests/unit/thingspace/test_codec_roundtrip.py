"""Round trips: build -> parse gives the same message, for every payload type and both wires."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from simulator.thingspace.codec import (
    CallbackData,
    CallbackDecodeError,
    CallbackMessage,
    CarrierInformation,
    CarrierService,
    ChangeDeviceIdentifier,
    DataLayout,
    DeviceId,
    DeviceInformation,
    DeviceKind,
    DeviceSuspendStatus,
    ExternalProvisioningChange,
    Fault,
    FieldValue,
    PrlInformation,
    PromoChange,
    ResumeTrackingNotification,
    SmsDelivery,
    SmsMessage,
    UnverifiedFields,
    UnverifiedPayload,
    Usage,
    build_rest_callback,
    build_soap_callback,
    parse_rest_callback,
    parse_soap_callback,
)

ROUND_TRIP = settings(
    max_examples=150, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Text XML 1.0 can carry, including the carriage return the builder must escape.
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r"),
    max_size=20,
)
json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
token = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", fullmatch=True)
# Extension names start with X so they never collide with a typed field (Source, Change, ...).
extra_name = st.from_regex(r"X[A-Za-z0-9_]{0,8}", fullmatch=True)

_RAW_IDENTIFIERS = {
    DeviceKind.MDN: r"[2-9][0-9]{9}",
    DeviceKind.MIN: r"[0-9]{10}",
    DeviceKind.MSISDN: r"1[0-9]{10}",
    DeviceKind.IMEI: r"[0-9]{14}",  # the Luhn check digit is appended below
    DeviceKind.ESN: r"[0-9A-F]{8}",
    DeviceKind.MEID: r"A[0-9A-F]{13}",
    DeviceKind.ICCID: r"89[0-9]{17}",
    DeviceKind.IMSI: r"[0-9]{15}",
}


@st.composite
def devices(draw: st.DrawFn) -> DeviceId:
    kind = draw(st.sampled_from(sorted(_RAW_IDENTIFIERS)))
    raw = draw(st.from_regex(_RAW_IDENTIFIERS[kind], fullmatch=True))
    if kind is DeviceKind.IMEI:
        raw += luhn.calc_check_digit(raw)
    label = draw(st.sampled_from([kind.value, kind.value.lower(), kind.value.capitalize()]))
    try:
        return DeviceId.parse(label, raw)
    except CallbackDecodeError:
        # The regexes are loose; esim.identifiers has the final word on validity.
        return DeviceId.parse("MDN", "3124705797")


def xml_fields(leaves: st.SearchStrategy[FieldValue]) -> st.SearchStrategy[UnverifiedFields]:
    """Trees XML can carry faithfully: no lists (they become repeated names) and no empty groups."""
    return st.recursive(
        st.lists(st.tuples(extra_name, leaves), min_size=1, max_size=3).map(
            lambda pairs: UnverifiedFields(tuple(pairs))
        ),
        lambda inner: st.lists(st.tuples(extra_name, leaves | inner), min_size=1, max_size=3).map(
            lambda pairs: UnverifiedFields(tuple(pairs))
        ),
        max_leaves=8,
    )


def json_fields() -> st.SearchStrategy[UnverifiedFields]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | json_text
    )

    def group(children: st.SearchStrategy[FieldValue]) -> st.SearchStrategy[UnverifiedFields]:
        return st.dictionaries(extra_name, children, max_size=3).map(
            lambda mapping: UnverifiedFields(tuple(mapping.items()))
        )

    return group(
        st.recursive(
            scalars,
            lambda inner: group(inner) | st.lists(inner, max_size=3).map(tuple),
            max_leaves=8,
        )
    )


def payloads(
    text: st.SearchStrategy[str],
    extras: st.SearchStrategy[UnverifiedFields],
    unverified_content: st.SearchStrategy[FieldValue],
) -> st.SearchStrategy[CallbackData]:
    maybe = st.none() | text
    carrier_information = st.builds(CarrierInformation, maybe, maybe, maybe, extras)
    device_information = st.builds(
        DeviceInformation, maybe, st.none() | carrier_information, maybe, extras
    )
    change_identifier = st.builds(
        ChangeDeviceIdentifier, st.lists(devices(), max_size=3).map(tuple), maybe, extras
    )
    return st.one_of(
        st.builds(PromoChange, text, text),
        st.builds(ResumeTrackingNotification, text),
        st.builds(ExternalProvisioningChange, maybe, maybe, st.none() | device_information, extras),
        st.builds(CarrierService, st.none() | change_identifier, extras),
        *(
            st.builds(cls, unverified_content)
            for cls in (DeviceSuspendStatus, Usage, SmsDelivery, PrlInformation, Fault)
        ),
        st.builds(
            UnverifiedPayload,
            st.sampled_from(["Summary", "Status", "XFuture"]),
            unverified_content,
        ),
    )


soap_extras = st.just(UnverifiedFields()) | xml_fields(st.none() | xml_text)
soap_content = xml_text | xml_fields(st.none() | xml_text)
rest_extras = json_fields()
rest_content = json_fields() | json_text | st.integers()

counts = st.none() | st.integers(0, 999_999_999)


@st.composite
def soap_messages(draw: st.DrawFn) -> CallbackMessage:
    if draw(st.integers(0, 4)) == 0:
        data: CallbackData = draw(st.builds(SmsMessage, xml_text))
        request_id = draw(st.none() | token)
    else:
        data = draw(payloads(xml_text, soap_extras, soap_content))
        request_id = draw(token)
    return CallbackMessage(
        data=data,
        request_id=request_id,
        devices=tuple(draw(st.lists(devices(), max_size=3))),
        username=draw(xml_text),
        password=draw(xml_text),
        callback_count=draw(counts),
        max_callback_threshold=draw(counts),
    )


@st.composite
def rest_messages(draw: st.DrawFn) -> CallbackMessage:
    data = draw(payloads(json_text, rest_extras, rest_content) | st.builds(SmsMessage, json_text))
    return CallbackMessage(
        data=data,
        request_id=draw(token),
        devices=tuple(draw(st.lists(devices(), max_size=3))),
        username=draw(json_text),
        password=draw(json_text),
        callback_count=draw(st.none() | st.integers(0, 2**31)),
        max_callback_threshold=draw(st.none() | st.integers(0, 2**31)),
        status=draw(st.none() | st.sampled_from(["Success", "Failed", "Queued"]) | json_text),
    )


@ROUND_TRIP
@given(soap_messages(), st.sampled_from(DataLayout), st.booleans())
def test_soap_round_trip(message: CallbackMessage, layout: DataLayout, quirk: bool) -> None:
    body = build_soap_callback(
        message, layout=layout, promo_change_quirk=quirk, counters_in_soap=True
    )

    parsed = parse_soap_callback(body)

    assert parsed == message
    assert [d.label for d in parsed.devices] == [d.soap_label() for d in message.devices]


@ROUND_TRIP
@given(rest_messages())
def test_rest_round_trip(message: CallbackMessage) -> None:
    body = build_rest_callback(message)

    parsed = parse_rest_callback(body)

    assert parsed == message
    assert isinstance(json.loads(body), dict)
    assert list(json.loads(body))[:2] == ["username", "password"]


@ROUND_TRIP
@given(st.builds(PromoChange, xml_text, xml_text), st.lists(devices(), min_size=1, max_size=1))
def test_promo_change_survives_soap_then_rest(promo: PromoChange, device: list[DeviceId]) -> None:
    """The same message on both wires decodes to the same value (one set of concepts, §0.1)."""
    message = CallbackMessage(data=promo, request_id="req-1", devices=tuple(device))

    via_soap = parse_soap_callback(build_soap_callback(message))
    via_rest = parse_rest_callback(build_rest_callback(via_soap))

    assert via_soap == via_rest == message
