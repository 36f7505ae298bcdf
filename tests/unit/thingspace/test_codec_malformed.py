"""Hostile and malformed bodies: each is refused with a specific rule (spec §1.2, §1.3, §5)."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from simulator.thingspace.codec import (
    CallbackDecodeError,
    CallbackEncodeError,
    CallbackMessage,
    PromoChange,
    build_soap_callback,
    parse_rest_callback,
    parse_soap_callback,
    read_capped,
    safe_xml,
)
from simulator.thingspace.codec.safe_xml import parse_untrusted_xml

SEED_SAMPLE = (Path(__file__).parent / "data" / "promo_change_seed_003.xml").read_bytes()

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&xxe;</s:Body></s:Envelope>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""

PLAIN_DOCTYPE = b'<!DOCTYPE s:Envelope SYSTEM "http://attacker.invalid/soap.dtd">' + SEED_SAMPLE


def _rule(excinfo: pytest.ExceptionInfo[CallbackDecodeError]) -> str:
    error = excinfo.value
    assert error.spec.startswith("ThingSpace callback docs: ")
    return error.rule


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        pytest.param(XXE, "xml.dtd-forbidden", id="xxe"),
        pytest.param(BILLION_LAUGHS, "xml.dtd-forbidden", id="billion-laughs"),
        pytest.param(PLAIN_DOCTYPE, "xml.dtd-forbidden", id="doctype"),
        pytest.param(b"this is not xml", "xml.not-well-formed", id="not-xml"),
        pytest.param(b"<a><b></a>", "xml.not-well-formed", id="unbalanced"),
        pytest.param(b"   \n", "body.empty", id="blank"),
    ],
)
def test_unsafe_or_broken_xml_is_refused(body: bytes, rule: str) -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_soap_callback(body)
    assert _rule(excinfo) == rule
    assert excinfo.value.status == 400


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        pytest.param(XXE, "xml.entities-forbidden", id="xxe"),
        pytest.param(BILLION_LAUGHS, "xml.entities-forbidden", id="billion-laughs"),
    ],
)
def test_entities_stay_forbidden_even_where_a_dtd_is_allowed(body: bytes, rule: str) -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_untrusted_xml(body, forbid_dtd=False)
    assert _rule(excinfo) == rule


def _replace(old: bytes, new: bytes) -> bytes:
    assert old in SEED_SAMPLE
    return SEED_SAMPLE.replace(old, new)


V2 = b"http://nphase.com/unifiedwebservice/v2"
NIL_CARRIER = b'<CarrierService xsi:nil="true"/>'


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        pytest.param(b"<CallbackRequest/>", "soap.not-envelope", id="bare-root"),
        pytest.param(
            b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>',
            "soap.not-envelope",
            id="soap12-envelope",
        ),
        pytest.param(
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>',
            "soap.body-missing",
            id="no-body",
        ),
        pytest.param(
            _replace(b'<CallbackRequest xmlns="' + V2, b'<GetDeviceList xmlns="' + V2).replace(
                b"</CallbackRequest>", b"</GetDeviceList>"
            ),
            "soap.wrong-request",
            id="wrong-request",
        ),
        pytest.param(
            _replace(b' xmlns="' + V2 + b'">\n      <Username/>', b">\n      <Username/>"),
            "soap.wrong-request",
            id="request-without-namespace",
        ),
        pytest.param(
            _replace(b"<RequestId>2c90bd28-ece4-42ef-9f02-7e3bd4fbff33</RequestId>", b""),
            "soap.request-id-missing",
            id="missing-request-id",
        ),
        pytest.param(
            _replace(
                b"<RequestId>2c90bd28-ece4-42ef-9f02-7e3bd4fbff33</RequestId>",
                b"<RequestId>  </RequestId>",
            ),
            "soap.request-id-missing",
            id="blank-request-id",
        ),
        pytest.param(
            _replace(b"<Username/>", b"<Username/><Username>x</Username>"),
            "soap.element-repeated",
            id="repeated-username",
        ),
        pytest.param(_replace(b"<Kind>Mdn</Kind>", b""), "device.kind-missing", id="no-kind"),
        pytest.param(
            _replace(b"<Identifier>3124705797</Identifier>", b""),
            "device.identifier-missing",
            id="no-identifier",
        ),
        pytest.param(
            _replace(b"<Kind>Mdn</Kind>", b"<Kind>Phone</Kind>"),
            "device.kind-unknown",
            id="unknown-kind",
        ),
        pytest.param(
            _replace(b"<Identifier>3124705797</Identifier>", b"<Identifier>31247</Identifier>"),
            "device.identifier-invalid",
            id="short-mdn",
        ),
        pytest.param(
            _replace(NIL_CARRIER, b"<CarrierService><X>1</X></CarrierService>"),
            "soap.data-ambiguous",
            id="two-populated",
        ),
        pytest.param(
            _replace(b'<PromoChange xmlns="">', b'<PromoChange xsi:nil="true">'),
            "soap.data-empty",
            id="all-nil",
        ),
        pytest.param(
            _replace(b'<ChangeDate xmlns="' + V2 + b'">4/1/2017 12:00:00 AM</ChangeDate>', b""),
            "payload.field-missing",
            id="promo-without-date",
        ),
        pytest.param(
            _replace(b"PromoCode Dropped.", b"<b>bold</b>"),
            "payload.field-type",
            id="promo-change-not-text",
        ),
        pytest.param(
            _replace(b"</Data>", b"</Data><CallbackCount>-1</CallbackCount>"),
            "soap.count-invalid",
            id="bad-callback-count",
        ),
        pytest.param(
            _replace(
                NIL_CARRIER,
                b"<CarrierService>" + b"<a>" * 40 + b"x" + b"</a>" * 40 + b"</CarrierService>",
            ).replace(b'<PromoChange xmlns="">', b'<PromoChange xsi:nil="true">'),
            "soap.too-deep",
            id="deep-nesting",
        ),
    ],
)
def test_malformed_callbacks_name_the_rule(body: bytes, rule: str) -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_soap_callback(body)
    assert _rule(excinfo) == rule


def test_missing_data_element() -> None:
    start, end = SEED_SAMPLE.index(b"<Data>"), SEED_SAMPLE.index(b"</Data>") + len(b"</Data>")
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_soap_callback(SEED_SAMPLE[:start] + SEED_SAMPLE[end:])
    assert _rule(excinfo) == "soap.data-missing"


def test_error_message_names_the_element_and_value() -> None:
    body = _replace(b"<Kind>Mdn</Kind>", b"<Kind>Phone</Kind>")
    with pytest.raises(CallbackDecodeError, match=r"Device #1: device kind 'Phone'"):
        parse_soap_callback(body)


def test_oversized_body_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """§5: the cap is applied to the length; the parser never sees (or copies) the body."""

    def parser_must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the XML parser was called on an oversized body")

    monkeypatch.setattr(safe_xml, "fromstring", parser_must_not_run)
    monkeypatch.setattr(safe_xml, "parse_declaration_free", parser_must_not_run)
    body = b"<" + b"a" * (50 * 1024 * 1024) + b"/>"
    tracemalloc.start()
    try:
        with pytest.raises(CallbackDecodeError) as excinfo:
            parse_soap_callback(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _rule(excinfo) == "body.too-large"
    assert excinfo.value.status == 413
    assert peak < 1024 * 1024  # nothing the size of the body was allocated

    with pytest.raises(CallbackDecodeError) as rest_excinfo:
        parse_rest_callback(body)
    assert _rule(rest_excinfo) == "body.too-large"


def test_cap_is_configurable() -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_soap_callback(SEED_SAMPLE, max_bytes=len(SEED_SAMPLE) - 1)
    assert excinfo.value.status == 413
    assert parse_soap_callback(SEED_SAMPLE, max_bytes=len(SEED_SAMPLE)).request_id


class _EndlessStream(io.RawIOBase):
    """A request body that never ends; counts what was asked of it."""

    def __init__(self) -> None:
        self.requested = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "an unbounded read of a request body"
        self.requested += size
        return b"x" * size


def test_read_capped_never_reads_past_the_cap() -> None:
    stream = _EndlessStream()
    with pytest.raises(CallbackDecodeError) as excinfo:
        read_capped(stream, 1000)
    assert excinfo.value.status == 413
    assert stream.requested == 1001


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("text/xml; charset=utf-8", True),
        ("application/soap+xml", True),
        ("application/json", False),
        ("", False),
    ],
)
def test_soap_content_type_is_checked_when_given(content_type: str, ok: bool) -> None:
    if ok:
        parse_soap_callback(SEED_SAMPLE, content_type=content_type)
        return
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_soap_callback(SEED_SAMPLE, content_type=content_type)
    assert (excinfo.value.rule, excinfo.value.status) == ("body.content-type", 415)


def test_rest_content_type() -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_rest_callback(b"{}", content_type="text/xml")
    assert excinfo.value.status == 415


PROMO = b'"promoChange":{"change":"c","changeDate":"d"}'


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        pytest.param(b"not json", "rest.not-json", id="not-json"),
        pytest.param(b"\xff\xfe\x00", "rest.not-json", id="not-utf8"),
        pytest.param(b'[{"requestId":"r"}]', "rest.not-object", id="list-root"),
        pytest.param(b'"requestId"', "rest.not-object", id="string-root"),
        pytest.param(
            b'{"requestId":"r","requestId":"s",' + PROMO + b"}",
            "rest.duplicate-key",
            id="duplicate-key",
        ),
        pytest.param(b"{" + PROMO + b"}", "rest.request-id-missing", id="no-request-id"),
        pytest.param(
            b'{"requestId":"",' + PROMO + b"}", "rest.request-id-missing", id="empty-request-id"
        ),
        pytest.param(b'{"requestId":7,' + PROMO + b"}", "rest.field-type", id="numeric-request-id"),
        pytest.param(
            b'{"requestId":"r","username":1,' + PROMO + b"}",
            "rest.field-type",
            id="numeric-username",
        ),
        pytest.param(
            b'{"requestId":"r","deviceIds":{"id":"1","kind":"mdn"},' + PROMO + b"}",
            "rest.device-ids-shape",
            id="device-ids-object",
        ),
        pytest.param(
            b'{"requestId":"r","deviceIds":["5555550123"],' + PROMO + b"}",
            "rest.device-ids-shape",
            id="device-ids-strings",
        ),
        pytest.param(
            b'{"requestId":"r","deviceIds":[{"id":"5555550123"}],' + PROMO + b"}",
            "rest.device-ids-shape",
            id="device-without-kind",
        ),
        pytest.param(
            b'{"requestId":"r","deviceIds":[{"id":"5","kind":"mdn"}],' + PROMO + b"}",
            "device.identifier-invalid",
            id="bad-mdn",
        ),
        pytest.param(
            b'{"requestId":"r","callbackCount":"1",' + PROMO + b"}",
            "rest.count-invalid",
            id="string-count",
        ),
        pytest.param(
            b'{"requestId":"r","callbackCount":true,' + PROMO + b"}",
            "rest.count-invalid",
            id="boolean-count",
        ),
        pytest.param(
            b'{"requestId":"r","maxCallbackThreshold":-4,' + PROMO + b"}",
            "rest.count-invalid",
            id="negative-threshold",
        ),
        pytest.param(
            b'{"requestId":"r","status":"Success"}', "rest.payload-missing", id="no-payload"
        ),
        pytest.param(
            b'{"requestId":"r","deviceResponse":{},"faultResponse":{}}',
            "rest.payload-ambiguous",
            id="two-payloads",
        ),
        pytest.param(b'{"requestId":"r","usage":NaN}', "rest.not-json", id="nan"),
        pytest.param(
            b'{"requestId":"r","usage":' + b"[" * 100 + b"]" * 100 + b"}",
            "rest.too-deep",
            id="deep",
        ),
        pytest.param(
            b'{"requestId":"r","deviceResponse":' + b"[" * 100000 + b"]" * 100000 + b"}",
            "rest.too-deep",
            id="recursion-bomb",
        ),
        pytest.param(
            b'{"requestId":"r","promoChange":"dropped"}', "payload.shape", id="promo-not-object"
        ),
        pytest.param(
            b'{"requestId":"r","promoChange":{"change":"c"}}',
            "payload.field-missing",
            id="promo-without-date",
        ),
        pytest.param(
            b'{"requestId":"r","promoChange":{"change":1,"changeDate":"d"}}',
            "payload.field-type",
            id="promo-numeric-change",
        ),
    ],
)
def test_wrong_json_shapes_name_the_rule(body: bytes, rule: str) -> None:
    with pytest.raises(CallbackDecodeError) as excinfo:
        parse_rest_callback(body)
    assert _rule(excinfo) == rule
    assert excinfo.value.status == 400


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\ufffe"])
def test_builder_refuses_text_xml_cannot_carry(bad: str) -> None:
    message = CallbackMessage(data=PromoChange(bad, "d"), request_id="r")
    with pytest.raises(CallbackEncodeError) as excinfo:
        build_soap_callback(message)
    assert excinfo.value.rule == "xml.character-not-allowed"
