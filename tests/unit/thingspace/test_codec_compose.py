"""The composer: every callback type from a name alone, round trips on both wires, accepted by
the built-in listener over real HTTP, and bad input refused with the field and spec section."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.thingspace.carrier import CarrierModel, Promotion
from simulator.thingspace.codec import (
    COMPOSABLE,
    CallbackComposeError,
    CallbackMessage,
    CarrierService,
    DeviceId,
    DeviceKind,
    DeviceSuspendStatus,
    ExternalProvisioningChange,
    Fault,
    PrlInformation,
    PromoChange,
    ResumeTrackingNotification,
    ServiceName,
    SmsDelivery,
    SmsMessage,
    UnverifiedFields,
    UnverifiedPayload,
    Usage,
    build_rest_callback,
    build_soap_callback,
    compose_message,
    default_fields,
    parse_device_argument,
    parse_field_assignments,
    parse_rest_callback,
    parse_soap_callback,
    template_for,
)
from simulator.thingspace.codec.errors import spec_ref
from simulator.thingspace.listener import CallbackListener

NOW = datetime(2017, 4, 1, 9, 30, 15)
MDN = DeviceId.parse("Mdn", "3124705797")
ICCID = str(Iccid.with_check_digit("890126012345678901"))

EXPECTED_PAYLOAD: dict[str, type] = {
    "CarrierService": CarrierService,
    "DeviceService": UnverifiedPayload,
    "DevicePRLInformation": PrlInformation,
    "DeviceSuspensionStatus": DeviceSuspendStatus,
    "DeviceUsage": Usage,
    "EnhancedConnectivityService": SmsMessage,
    "SMSDeliveryConfirmation": SmsDelivery,
    "ExternalProvisioningChanges": ExternalProvisioningChange,
    "PromoChanges": PromoChange,
    "ResumeTrackingNotification": ResumeTrackingNotification,
    "AlertService": UnverifiedPayload,
    "StateService": UnverifiedPayload,
    "NiddService": UnverifiedPayload,
    "DeviceProfileService": UnverifiedPayload,
    "DiagnosticsService": UnverifiedPayload,
    "SubscriptionNotificationService": UnverifiedPayload,
    "IntelligenceService": UnverifiedPayload,
    "Fault": Fault,
    "Summary": UnverifiedPayload,
    "Status": UnverifiedPayload,
}
VERIFIED = {
    "CarrierService",
    "EnhancedConnectivityService",
    "ExternalProvisioningChanges",
    "PromoChanges",
    "ResumeTrackingNotification",
}


def assert_round_trips(message: CallbackMessage) -> None:
    soap = parse_soap_callback(build_soap_callback(message), content_type="text/xml")
    rest = parse_rest_callback(build_rest_callback(message), content_type="application/json")
    assert soap == dataclasses.replace(message, status=None)  # SOAP has no status element
    assert rest == message
    assert [d.key for d in soap.devices] == [d.key for d in message.devices]


def refused(
    service: str, fields: dict[str, str], devices: tuple[DeviceId, ...] = (MDN,)
) -> CallbackComposeError:
    with pytest.raises(CallbackComposeError) as caught:
        compose_message(service, list(devices), fields, now=NOW)
    return caught.value


# -- every type ----------------------------------------------------------------------------


def test_every_service_of_the_spec_is_composable() -> None:
    assert list(COMPOSABLE) == [*(s.value for s in ServiceName), "Fault", "Summary", "Status"]
    assert set(EXPECTED_PAYLOAD) == set(COMPOSABLE)


@pytest.mark.parametrize("service", COMPOSABLE)
def test_defaults_alone_make_a_message_that_round_trips(service: str) -> None:
    message = compose_message(service, [MDN], {}, request_id="r-1", now=NOW)

    assert type(message.data) is EXPECTED_PAYLOAD[service]
    assert message.data.SHAPE_VERIFIED is (service in VERIFIED)
    assert template_for(service).verified is (service in VERIFIED)
    assert (message.request_id, message.devices) == ("r-1", (MDN,))
    if service in {s.value for s in ServiceName} and type(message.data) is not UnverifiedPayload:
        assert message.service == ServiceName(service)
    assert_round_trips(message)


@pytest.mark.parametrize("service", COMPOSABLE)
def test_no_device_and_no_request_id_still_round_trips(service: str) -> None:
    message = compose_message(service, [], {}, username="u", password="p")
    assert message.request_id  # a UUID is made: REST needs one (§1.3)
    assert (message.username, message.password) == ("u", "p")
    assert_round_trips(message)


@pytest.mark.parametrize("service", COMPOSABLE)
def test_blanking_every_optional_field_still_round_trips(service: str) -> None:
    template = template_for(service)
    fields = {f.name: "" for f in template.fields if not f.required}
    message = compose_message(service, [MDN], fields, request_id="r-2", now=NOW)
    assert_round_trips(message)


# -- what the defaults and fields make -------------------------------------------------------


def test_promo_change_defaults_and_fields() -> None:
    message = compose_message("PromoChanges", [MDN], {}, now=NOW)
    assert message.data == PromoChange("PromoCode Dropped.", "4/1/2017 9:30:15 AM")
    assert default_fields("PromoChanges", now=NOW) == {
        "Change": "PromoCode Dropped.",
        "ChangeDate": "4/1/2017 9:30:15 AM",
    }

    given = {"change": "PromoCode Dropped: SPRING17", "ChangeDate": "2017-04-01T00:00:00"}
    message = compose_message("PromoChange", [MDN], given)  # the SOAP page's spelling
    assert message.data == PromoChange("PromoCode Dropped: SPRING17", "2017-04-01T00:00:00")
    assert message.service is ServiceName.PROMO_CHANGES
    soap = build_soap_callback(message)
    assert b'<PromoChange xmlns="">' in soap  # the quirk, as for every PromoChange


def test_resume_tracking_comment_is_seven_days_ahead() -> None:
    message = compose_message("ResumeTrackingNotification", [MDN], {}, now=NOW)
    assert isinstance(message.data, ResumeTrackingNotification)
    assert message.data.comment == "Device will be auto resumed on - 4/8/2017 12:00:00 AM"
    assert message.data.resume_date_text == "4/8/2017 12:00:00 AM"


def test_external_provisioning_change_fields_fill_device_info() -> None:
    fields = {"Change": "Suspend", "ServicePlan": "M2M_5G", "State": "suspend", "XTicket": "42"}
    message = compose_message("ExternalProvisioningChanges", [MDN], fields, now=NOW)
    data = message.data
    assert isinstance(data, ExternalProvisioningChange)
    assert (data.source, data.change) == ("Verizon", "Suspend")
    assert data.device_info is not None
    carrier = data.device_info.carrier_information
    assert carrier is not None
    assert (carrier.carrier_name, carrier.service_plan, carrier.state) == (
        "Verizon Wireless",
        "M2M_5G",
        "suspend",
    )
    assert data.extra == UnverifiedFields.of(("XTicket", "42"))
    assert_round_trips(message)


def test_carrier_service_echoes_the_devices_or_takes_new_identifiers() -> None:
    echoed = compose_message("CarrierService", [MDN], {}, now=NOW)
    assert isinstance(echoed.data, CarrierService)
    assert echoed.data.change_identifier is not None
    assert echoed.data.change_identifier.devices == (MDN,)
    assert echoed.status == "Success"

    fields = {"DeviceIdentifierChanged": f"ICCID:{ICCID}, Mdn:3125550100", "ServicePlan": "M2M_4G"}
    changed = compose_message("CarrierService", [MDN], fields)
    assert isinstance(changed.data, CarrierService)
    change = changed.data.change_identifier
    assert change is not None
    assert [d.key for d in change.devices] == [("ICCID", ICCID), ("MDN", "3125550100")]
    assert change.service_plan == "M2M_4G"
    assert_round_trips(changed)


def test_unverified_fields_override_in_place_and_extras_follow() -> None:
    fields = {"state": "Active", "DaysRemaining": "", "XReason": "FF"}
    message = compose_message("DeviceSuspensionStatus", [MDN], fields, now=NOW)
    assert message.data == DeviceSuspendStatus(
        UnverifiedFields.of(
            ("State", "Active"),
            ("SuspendDate", "4/1/2017 12:00:00 AM"),
            ("AutoResumeDate", "6/30/2017 12:00:00 AM"),
            ("DaysSuspendedInLast12Months", "0"),
            ("XReason", "FF"),
        )
    )


def test_nidd_and_fault_follow_the_rest_samples() -> None:
    nidd = compose_message("NiddService", [MDN], {"message": "c3RhdHVzIG9r"})
    assert nidd.service is ServiceName.NIDD_SERVICE
    assert b'"niddResponse":{"niddMONotificationResponse":{"accountName"' in build_rest_callback(
        nidd
    )

    fault = compose_message("Fault", [MDN], {"faultstring": "Already active"})
    assert isinstance(fault.data, Fault)
    assert fault.data.code == "UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive"
    assert fault.data.text == "Already active"
    assert fault.status == "Failed"
    assert b'"faultResponse":{"faultcode"' in build_rest_callback(fault)


def test_sms_message_is_an_sms_callback_request() -> None:
    message = compose_message("EnhancedConnectivityService", [MDN], {"SmsMessage": "hi"})
    assert message.is_sms
    assert b"<SmsCallbackRequest" in build_soap_callback(message)


def test_request_id_from_the_fields_or_the_argument() -> None:
    assert compose_message("PromoChanges", [MDN], {"requestid": "f-1"}).request_id == "f-1"
    assert compose_message("PromoChanges", [MDN], {}, request_id="a-1").request_id == "a-1"
    same = compose_message("PromoChanges", [MDN], {"RequestId": "a-1"}, request_id="a-1")
    assert same.request_id == "a-1"
    with pytest.raises(CallbackComposeError) as caught:
        compose_message("PromoChanges", [MDN], {"RequestId": "f-1"}, request_id="a-1")
    assert (caught.value.rule, caught.value.field) == ("compose.request-id-conflict", "RequestId")


@pytest.mark.parametrize(
    "text", ["a & b < c > d", "line one\r\nline two", "PromoCode Dropped: ÉTÉ-2017 ✓", "  spaced  "]
)
def test_awkward_text_round_trips(text: str) -> None:
    assert_round_trips(compose_message("PromoChanges", [MDN], {"Change": text}, now=NOW))
    assert_round_trips(compose_message("DeviceUsage", [MDN], {"XNote": text}, now=NOW))


# -- bad input ---------------------------------------------------------------------------------


def test_unknown_field_of_a_closed_type_names_it_and_the_section() -> None:
    error = refused("PromoChanges", {"Colour": "blue"})
    assert (error.rule, error.field) == ("compose.field-unknown", "Colour")
    assert error.spec == spec_ref("§1.2.1")
    assert "not a field of PromoChanges" in str(error)
    assert "Change, ChangeDate" in str(error)


@pytest.mark.parametrize(
    ("service", "name", "value", "rule", "section"),
    [
        ("PromoChanges", "ChangeDate", "yesterday", "invalid", "§1.2.1"),
        ("PromoChanges", "Change", "  ", "empty", "§1.2.1"),
        ("ResumeTrackingNotification", "Comment", "", "empty", "§1.2.2"),
        ("EnhancedConnectivityService", "SmsMessage", "", "empty", "§1.2.6"),
        ("Fault", "faultcode", "Oops", "invalid", "§1.3"),
        ("NiddService", "message", "not base64!", "invalid", "§1.3"),
        ("CarrierService", "DeviceIdentifierChanged", "Imei:123", "invalid", "§1.2.4"),
        ("CarrierService", "ChangeDeviceIdentifier", "x", "reserved", "§1.2.4"),
        ("ExternalProvisioningChanges", "deviceinfo", "x", "reserved", "§1.2.3"),
        ("DeviceUsage", "1st", "x", "name", "§1.2.5"),
        ("DeviceUsage", "TotalBytes", "1\x00", "character", "§1.2.5"),
    ],
)
def test_bad_fields_raise_the_typed_error(
    service: str, name: str, value: str, rule: str, section: str
) -> None:
    error = refused(service, {name: value})
    assert (error.rule, error.field) == (f"compose.field-{rule}", name)
    assert error.spec == spec_ref(section)
    assert name in error.message
    assert error.status == 400


def test_a_field_given_twice_in_any_case_is_refused() -> None:
    error = refused("DeviceUsage", {"TotalSms": "1", "totalsms": "2"})
    assert (error.rule, error.field) == ("compose.field-repeated", "totalsms")


def test_unknown_service_device_and_field_syntax() -> None:
    error = refused("NoSuchService", {})
    assert (error.rule, error.field) == ("service.unknown", "service")
    assert "PromoChanges" in error.message

    with pytest.raises(CallbackComposeError) as caught:
        parse_device_argument("Mdn")
    assert (caught.value.rule, caught.value.field) == ("compose.device-syntax", "device")
    assert "KIND:ID" in caught.value.message
    with pytest.raises(CallbackComposeError) as caught:
        parse_device_argument("Imei:123", where="--device")
    assert (caught.value.rule, caught.value.field) == ("device.identifier-invalid", "device")
    assert parse_device_argument(" iccid : " + ICCID).kind is DeviceKind.ICCID

    assert parse_field_assignments(["A=1", "B=x=y"]) == {"A": "1", "B": "x=y"}
    with pytest.raises(CallbackComposeError) as caught:
        parse_field_assignments(["no equals sign"])
    assert caught.value.rule == "compose.field-syntax"
    assert "NAME=VALUE" in str(caught.value)
    with pytest.raises(CallbackComposeError) as caught:
        parse_field_assignments(["A=1", "a=2"])
    assert (caught.value.rule, caught.value.field) == ("compose.field-repeated", "a")


def test_request_id_and_credentials_must_be_xml_text() -> None:
    with pytest.raises(CallbackComposeError) as caught:
        compose_message("PromoChanges", [MDN], {}, request_id=" ")
    assert caught.value.field == "RequestId"
    with pytest.raises(CallbackComposeError) as caught:
        compose_message("PromoChanges", [MDN], {}, password="\x07")
    assert (caught.value.rule, caught.value.field) == ("compose.field-character", "Password")


# -- delivered to the built-in listener over real HTTP ---------------------------------------

HEADERS = {
    "soap": {"Content-Type": "text/xml; charset=utf-8"},
    "rest": {"Content-Type": "application/json"},
}


def test_every_type_on_both_wires_is_accepted_by_the_listener(tmp_path: Path) -> None:
    carrier = CarrierModel.open(tmp_path)
    carrier.create_line(
        ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn=MDN.value
    )
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    answers: list[tuple[str, str, int]] = []

    async def main() -> None:
        listener = CallbackListener(carrier, "user", "secret", events)
        port = await listener.start()
        url = f"http://127.0.0.1:{port}/callbacks"
        try:
            async with aiohttp.ClientSession() as session:
                for service in COMPOSABLE:
                    for wire in ("soap", "rest"):
                        message = compose_message(
                            service,
                            [MDN],
                            {},
                            request_id=f"{service}-{wire}",
                            username="user",
                            password="secret",
                            now=NOW,
                        )
                        build = build_soap_callback if wire == "soap" else build_rest_callback
                        body = build(message)
                        async with session.post(url, data=body, headers=HEADERS[wire]) as reply:
                            answers.append((service, wire, reply.status))
        finally:
            await listener.stop()

    try:
        asyncio.run(main())
    finally:
        carrier.close()

    assert [a for a in answers if not 200 <= a[2] < 300] == []
    assert len(answers) == 2 * len(COMPOSABLE)
    received = events.of_kind("thingspace.received")
    assert [(e.fields["request_id"], e.fields["status"]) for e in received] == [
        (f"{service}-{wire}", 200) for service, wire, _ in answers
    ]
    assert all(e.fields["devices"] == [f"MDN:{MDN.value}"] for e in received)


@pytest.mark.parametrize(
    "service",
    [
        "DeviceService",
        "AlertService",
        "StateService",
        "DeviceProfileService",
        "DiagnosticsService",
        "SubscriptionNotificationService",
        "IntelligenceService",
    ],
)
def test_placeholder_services_name_their_service_after_a_round_trip(service: str) -> None:
    message = compose_message(service, [], {})
    parsed = parse_soap_callback(build_soap_callback(message))
    assert parsed.service is not None
    assert parsed.service.value == service
