"""Known-answer tests: Verizon's samples (seed 003, spec §1.2.1–§1.3) decode as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from esim.identifiers import Mdn
from simulator.thingspace.codec import (
    CallbackMessage,
    CarrierService,
    DataLayout,
    DeviceId,
    DeviceKind,
    ExternalProvisioningChange,
    Fault,
    PromoChange,
    ResumeTrackingNotification,
    ServiceName,
    SmsMessage,
    build_rest_callback,
    build_soap_callback,
    canonical_service_name,
    parse_rest_callback,
    parse_soap_callback,
)

DATA = Path(__file__).parent / "data"
# Copied byte for byte from seeds/003_fe76e3aafb61d1bb.txt ("Sample SOAP Callback Message").
SEED_SAMPLE = (DATA / "promo_change_seed_003.xml").read_bytes()


def test_seed_sample_decodes_to_the_documented_promo_change() -> None:
    message = parse_soap_callback(SEED_SAMPLE)

    assert message.devices == (DeviceId.of(Mdn.parse("3124705797")),)
    assert message.devices[0].kind is DeviceKind.MDN
    assert message.devices[0].value == "3124705797"
    assert message.devices[0].label == "Mdn"
    assert message.data == PromoChange(
        change="PromoCode Dropped.", change_date="4/1/2017 12:00:00 AM"
    )
    assert message.request_id == "2c90bd28-ece4-42ef-9f02-7e3bd4fbff33"
    assert (message.username, message.password) == ("", "")
    assert message.service is ServiceName.PROMO_CHANGES
    assert (message.callback_count, message.max_callback_threshold) == (None, None)


def test_seed_sample_is_rebuilt_byte_for_byte_with_the_xmlns_quirk() -> None:
    rebuilt = build_soap_callback(parse_soap_callback(SEED_SAMPLE))

    assert rebuilt == SEED_SAMPLE
    assert b'<PromoChange xmlns="">' in rebuilt


def test_promo_change_in_the_v2_namespace_is_tolerated() -> None:
    """§0.3: a listener must find PromoChange with or without the xmlns="" quirk."""
    message = parse_soap_callback(SEED_SAMPLE)
    plain = build_soap_callback(message, promo_change_quirk=False)

    assert b'xmlns=""' not in plain
    assert parse_soap_callback(plain) == message


@pytest.mark.parametrize("label", ["Mdn", "mdn", "MDN", " mDn "])
def test_device_kind_is_matched_case_insensitively(label: str) -> None:
    body = SEED_SAMPLE.replace(b"<Kind>Mdn</Kind>", f"<Kind>{label}</Kind>".encode())

    device = parse_soap_callback(body).devices[0]

    assert device.kind is DeviceKind.MDN
    assert device.label == label


def test_change_date_of_the_seed_is_a_us_style_date() -> None:
    data = parse_soap_callback(SEED_SAMPLE).data
    assert isinstance(data, PromoChange)
    changed = data.changed_at()
    assert changed is not None
    assert (changed.year, changed.month, changed.day, changed.hour) == (2017, 4, 1, 0)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("PromoChanges", ServiceName.PROMO_CHANGES),
        ("PromoChange", ServiceName.PROMO_CHANGES),
        ("AlertService", ServiceName.ALERT_SERVICE),
        ("AlertsService", ServiceName.ALERT_SERVICE),
        ("DeviceSuspensionStatus", ServiceName.DEVICE_SUSPENSION_STATUS),
    ],
)
def test_both_documented_service_spellings_are_accepted(
    spelling: str, canonical: ServiceName
) -> None:
    assert canonical_service_name(spelling) is canonical


RESUME_SAMPLE = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <CallbackRequest xmlns="http://nphase.com/unifiedwebservice/v2">
      <Username/>
      <Password/>
      <RequestId>1b3a3f4e-2c55-4d0d-8f44-0e6e9c1d2a77</RequestId>
      <Device>
        <Kind>Imei</Kind>
        <Identifier>490154203237518</Identifier>
      </Device>
      <Data>
        <CarrierService xsi:nil="true"/>
        <ExternalProvisioningChange xsi:nil="true"/>
        <PromoChange xsi:nil="true"/>
        <Usage xsi:nil="true"/>
        <SMSDelivery xsi:nil="true"/>
        <PRLInformation xsi:nil="true"/>
        <DeviceSuspendStatus xsi:nil="true"/>
        <Fault xsi:nil="true"/>
        <Comment>Device will be auto resumed on - 3/15/2017 12:00:00 AM</Comment>
        <Summary xsi:nil="true"/>
        <Status xsi:nil="true"/>
      </Data>
    </CallbackRequest>
  </s:Body>
</s:Envelope>"""


def test_resume_tracking_notification_sample() -> None:
    message = parse_soap_callback(RESUME_SAMPLE)

    assert message.data == ResumeTrackingNotification(
        "Device will be auto resumed on - 3/15/2017 12:00:00 AM"
    )
    assert message.data.resume_date_text == "3/15/2017 12:00:00 AM"
    assert message.service is ServiceName.RESUME_TRACKING_NOTIFICATION
    assert message.devices[0].kind is DeviceKind.IMEI
    # Comment is past Fault, so the sample layout writes all eleven children, as Verizon does.
    assert build_soap_callback(message) == RESUME_SAMPLE


SMS_SAMPLE = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <SmsCallbackRequest xmlns="http://nphase.com/unifiedwebservice/v2">
      <Username/>
      <Password/>
      <Device><Kind>esn</Kind><Identifier>8051F1AB</Identifier></Device>
      <Device><Kind>mdn</Kind><Identifier>5555550123</Identifier></Device>
      <SmsMessage>status ok rssi -67</SmsMessage>
    </SmsCallbackRequest>
  </s:Body>
</s:Envelope>"""


def test_mobile_originated_sms_has_devices_and_no_request_id() -> None:
    """§1.2.6: a different root, several devices, an 8-hex ESN labelled 'esn', no RequestId."""
    message = parse_soap_callback(SMS_SAMPLE)

    assert message.data == SmsMessage("status ok rssi -67")
    assert message.request_id is None
    assert [d.key for d in message.devices] == [("ESN", "8051F1AB"), ("MDN", "5555550123")]
    assert message.service is ServiceName.ENHANCED_CONNECTIVITY_SERVICE
    assert parse_soap_callback(build_soap_callback(message)) == message


EPC_SAMPLE = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <CallbackRequest xmlns="http://nphase.com/unifiedwebservice/v2">
      <Username>sim-user</Username>
      <Password>sim-pass</Password>
      <RequestId>6c0a1b7e-0000-4000-8000-000000000001</RequestId>
      <Data>
        <CarrierService xsi:nil="true"/>
        <ExternalProvisioningChange>
          <Source>OTA</Source>
          <Change>Activate</Change>
          <DeviceInfo>
            <AccountName>0000000000-00001</AccountName>
            <CarrierInformation>
              <CarrierName>Verizon Wireless</CarrierName>
              <ServicePlan>M2M_4G</ServicePlan>
              <State>active</State>
            </CarrierInformation>
            <DeviceGroupName>Default: 0000000000-00001</DeviceGroupName>
            <LastActivationDate>2017-03-15T00:00:00</LastActivationDate>
          </DeviceInfo>
        </ExternalProvisioningChange>
      </Data>
    </CallbackRequest>
  </s:Body>
</s:Envelope>"""


def test_external_provisioning_activation_without_device() -> None:
    message = parse_soap_callback(EPC_SAMPLE)

    assert message.devices == ()
    assert (message.username, message.password) == ("sim-user", "sim-pass")
    data = message.data
    assert isinstance(data, ExternalProvisioningChange)
    assert (data.source, data.change) == ("OTA", "Activate")
    assert data.device_info is not None
    assert data.device_info.account_name == "0000000000-00001"
    assert data.device_info.carrier_information is not None
    assert data.device_info.carrier_information.service_plan == "M2M_4G"
    assert data.device_info.extra.get("LastActivationDate") == "2017-03-15T00:00:00"
    assert message.service is ServiceName.EXTERNAL_PROVISIONING_CHANGES


REST_CHANGE_IDENTIFIER = (
    b'{"username":"","password":"","requestId":"595f5c44-c31c-4552-8670-020a1545a84d",'
    b'"deviceIds":[{"id":"12805370283","kind":"ESN"}],"deviceResponse":'
    b'{"changeIdentifierResponse":{"deviceIds":[{"id":"89148000000800139708","kind":"iccid"}],'
    b'"servicePlan":"M2M_4G"}},"status":"Success","callbackCount":1,"maxCallbackThreshold":4}'
)


def test_rest_change_identifier_sample() -> None:
    """§1.3: the CarrierService changeIdentifier callback; decimal ESN normalised to hex."""
    message = parse_rest_callback(REST_CHANGE_IDENTIFIER, content_type="application/json")

    assert message.devices[0].key == ("ESN", "8051F1AB")
    assert isinstance(message.data, CarrierService)
    change = message.data.change_identifier
    assert change is not None
    assert [d.key for d in change.devices] == [("ICCID", "89148000000800139708")]
    assert change.service_plan == "M2M_4G"
    assert (message.status, message.callback_count, message.max_callback_threshold) == (
        "Success",
        1,
        4,
    )
    assert message.service is ServiceName.CARRIER_SERVICE


def test_rest_fault_response() -> None:
    body = (
        b'{"requestId":"r-1","deviceIds":[{"id":"5555550123","kind":"mdn"}],"faultResponse":'
        b'{"faultcode":"UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive",'
        b'"faultstring":"Device is already active."},"status":"Failed","callbackCount":2,'
        b'"maxCallbackThreshold":4}'
    )
    message = parse_rest_callback(body)

    assert isinstance(message.data, Fault)
    assert message.data.code == "UnifiedWebService.REQUEST_FAILED.DeviceAlreadyActive"
    assert message.data.text == "Device is already active."
    assert not message.data.SHAPE_VERIFIED
    assert parse_rest_callback(build_rest_callback(message)) == message


def test_layouts_choose_the_nil_siblings() -> None:
    message = parse_soap_callback(SEED_SAMPLE)

    full = build_soap_callback(message, layout=DataLayout.FULL)
    only = build_soap_callback(message, layout=DataLayout.POPULATED_ONLY)

    assert b'<Status xsi:nil="true"/>' in full
    assert b"xsi:nil" not in only
    assert parse_soap_callback(full) == parse_soap_callback(only) == message


def test_retries_share_a_dedupe_key() -> None:
    """§2.6: a retry differs only in callbackCount."""
    first = parse_rest_callback(REST_CHANGE_IDENTIFIER)
    retry = CallbackMessage(**{**first.__dict__, "callback_count": 2})

    assert retry != first
    assert retry.dedupe_key == first.dedupe_key


def test_carriage_return_survives_the_xml_round_trip() -> None:
    message = CallbackMessage(
        data=PromoChange("line one\r\nline two\r", "4/1/2017 12:00:00 AM"), request_id="r"
    )
    body = build_soap_callback(message)

    assert b"&#13;" in body
    assert parse_soap_callback(body) == message
