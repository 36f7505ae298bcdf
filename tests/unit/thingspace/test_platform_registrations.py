"""Registration rules through the SOAP and REST APIs over real HTTP (spec §1.1, §2.1, §2.2)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from defusedxml.ElementTree import fromstring

from simulator.thingspace.codec import ServiceName
from simulator.thingspace.codec.errors import spec_ref
from simulator.thingspace.platform import PlatformServer
from simulator.thingspace.registrations import (
    RegisteredVia,
    RegistrationError,
    RegistrationStore,
    check_listener_url,
)

ACCOUNT = "0000000000-00001"
LONG = "u" * 41  # §2.2: 40 characters or fewer
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:v2="http://nphase.com/unifiedwebservice/v2"
 xmlns:nph="http://schemas.datacontract.org/2004/07/NPhase.UnifiedWebService.APIs.v2.Contract.CallbackRegistrationService">
 <soapenv:Header><v2:token>SESSION-TOKEN</v2:token></soapenv:Header>
 <soapenv:Body><v2:{op}><v2:Input>{fields}</v2:Input></v2:{op}></soapenv:Body>
</soapenv:Envelope>"""

Scenario = Callable[[aiohttp.ClientSession, str], Awaitable[None]]


def _soap(op: str, **fields: str) -> bytes:
    inner = "".join(f"<nph:{name}>{value}</nph:{name}>" for name, value in fields.items())
    return ENVELOPE.format(op=op, fields=inner).encode()


def _serve(store: RegistrationStore, scenario: Scenario) -> None:
    async def main() -> None:
        server = PlatformServer(store)
        await server.start()
        try:
            async with aiohttp.ClientSession() as session:
                await scenario(session, server.url)
        finally:
            await server.stop()

    asyncio.run(main())


def test_soap_register_list_unregister_and_the_one_per_service_rule() -> None:
    store = RegistrationStore.open()
    answers: list[tuple[int, bytes]] = []

    async def scenario(session: aiohttp.ClientSession, base: str) -> None:
        url = base + "/api/v2/CallbackRegistrationService.svc"
        for body in (
            _soap(
                "RegisterCallback",
                AccountName=ACCOUNT,
                ServiceName="PromoChange",  # the UnregisterCallback page's spelling (§1.1)
                Url="https://listener.example.invalid:9001/promo",
                Username="sim-user",
                Password="sim-pass",
            ),
            _soap(
                "RegisterCallback",
                AccountName=ACCOUNT,
                ServiceName="PromoChanges",
                Url="https://other.example.invalid:9002/promo",
            ),
            _soap("GetCallbackRegistrations", AccountName=ACCOUNT),
            _soap("UnregisterCallback", AccountName=ACCOUNT, ServiceName="PromoChanges"),
            _soap("UnregisterCallback", AccountName=ACCOUNT, ServiceName="PromoChanges"),
        ):
            async with session.post(url, data=body, headers=SOAP_HEADERS) as response:
                answers.append((response.status, await response.read()))

    _serve(store, scenario)

    assert [status for status, _ in answers] == [200, 500, 200, 200, 500]
    assert b"RegisterCallbackResponse" in answers[0][1]
    assert b"registration.already-registered" in answers[1][1]
    listing = fromstring(answers[2][1], forbid_dtd=True)
    urls = [e.text for e in listing.iter() if e.tag.endswith("}Url")]
    assert urls == ["https://listener.example.invalid:9001/promo"]
    assert b"registration.not-registered" in answers[4][1]
    assert store.for_account(ACCOUNT) == []


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"ServiceName": "StateService"}, "registration.rest-only"),
        ({"ServiceName": "NoSuchService"}, "registration.service-unknown"),
        ({"Username": "u" * 41}, "registration.credential-length"),
        ({"Password": "p" * 41}, "registration.credential-length"),
        ({"Url": "ftp://listener.example.invalid/"}, "registration.url-scheme"),
        ({"Url": "https://listener.example.invalid:8443/"}, "registration.url-port"),
        ({"AccountName": ""}, "registration.account-missing"),
    ],
)
def test_soap_registration_rules_answer_a_fault(fields: dict[str, str], rule: str) -> None:
    store = RegistrationStore.open()
    answers: list[tuple[int, bytes]] = []
    request = {
        "AccountName": ACCOUNT,
        "ServiceName": "PromoChanges",
        "Url": "https://listener.example.invalid:443/",
    } | fields

    async def scenario(session: aiohttp.ClientSession, base: str) -> None:
        url = base + "/api/v2/CallbackRegistrationService.svc"
        body = _soap("RegisterCallback", **request)
        async with session.post(url, data=body, headers=SOAP_HEADERS) as response:
            answers.append((response.status, await response.read()))

    _serve(store, scenario)

    ((status, body),) = answers
    assert status == 500
    assert b"<s:Fault>" in body
    assert rule.encode() in body
    assert store.for_account(ACCOUNT) == []


def test_soap_registration_refuses_a_doctype() -> None:
    store = RegistrationStore.open()
    statuses: list[tuple[int, bytes]] = []

    async def scenario(session: aiohttp.ClientSession, base: str) -> None:
        body = b"<!DOCTYPE x [<!ENTITY e 'e'>]>" + _soap("GetCallbackRegistrations")
        url = base + "/api/v2/CallbackRegistrationService.svc"
        async with session.post(url, data=body, headers=SOAP_HEADERS) as response:
            statuses.append((response.status, await response.read()))

    _serve(store, scenario)
    assert statuses[0][0] == 500
    assert b"xml.dtd-forbidden" in statuses[0][1]


def test_rest_register_list_delete_and_the_documented_rules() -> None:
    store = RegistrationStore.open()
    store.register(
        "TestAccount-2",
        ServiceName.CARRIER_SERVICE,
        "https://soap.example.invalid/",
        via=RegisteredVia.SOAP,
    )
    results: list[tuple[int, object]] = []

    async def scenario(session: aiohttp.ClientSession, base: str) -> None:
        url = base + "/api/m2m/v1/callbacks/TestAccount-2"
        listener = {"name": "PromoChanges", "url": "http://127.0.0.1:45678/", "password": "pw"}
        for method, target, body in (
            ("POST", url, listener),
            ("POST", url, listener),  # one per service per account
            ("POST", url, {"name": "CarrierService", "url": "https://x.example.invalid/"}),
            ("POST", url, {"name": "AlertsService", "url": "https://x.example.invalid:28220/"}),
            ("POST", url, {"name": "NiddService", "url": "http://x.example.invalid:8080/"}),
            (
                "POST",
                url,
                {"name": "NiddService", "url": "https://x.example.invalid", "username": "u" * 41},
            ),
            ("GET", url, None),
            ("DELETE", url + "/name/PromoChanges", None),
            ("DELETE", url + "/name/PromoChanges", None),
        ):
            async with session.request(method, target, json=body) as response:
                results.append((response.status, await response.json()))

    _serve(store, scenario)

    statuses = [status for status, _ in results]
    assert statuses == [200, 409, 409, 200, 400, 400, 200, 200, 404]
    assert results[0][1] == {"accountName": "TestAccount-2", "serviceName": "PromoChanges"}
    rules = [str(body.get("errorCode", "")) for _, body in results if isinstance(body, dict)]
    assert rules[1].endswith("registration.already-registered")
    assert rules[2].endswith("registration.soap-exists")
    assert rules[4].endswith("registration.url-port")
    assert rules[5].endswith("registration.credential-length")
    # §2.2: only REST registrations are listed, passwords in clear.
    assert results[6][1] == [
        {
            "accountName": "TestAccount-2",
            "serviceName": "AlertService",
            "url": "https://x.example.invalid:28220/",
        },
        {
            "accountName": "TestAccount-2",
            "serviceName": "PromoChanges",
            "url": "http://127.0.0.1:45678/",
            "password": "pw",
        },
    ]
    assert [r.service for r in store.for_account("TestAccount-2")] == [
        ServiceName.ALERT_SERVICE,
        ServiceName.CARRIER_SERVICE,
    ]


def test_rest_register_needs_json() -> None:
    store = RegistrationStore.open()
    statuses: list[int] = []

    async def scenario(session: aiohttp.ClientSession, base: str) -> None:
        url = base + "/api/m2m/v1/callbacks/TestAccount-2"
        async with session.post(url, data=b"name=PromoChanges") as response:
            statuses.append(response.status)
        async with session.post(
            url, data=b"{not json", headers={"Content-Type": "application/json"}
        ) as response:
            statuses.append(response.status)

    _serve(store, scenario)
    assert statuses == [415, 400]


def test_listener_url_ports_loopback_exemption_and_strict_mode() -> None:
    for url in ("http://a.example/", "https://a.example:9006/", "https://a.example:50559/"):
        check_listener_url(url, strict_ports=True)
    check_listener_url("http://127.0.0.1:45678/")
    check_listener_url("http://[::1]:45678/")
    with pytest.raises(RegistrationError) as strict:
        check_listener_url("http://127.0.0.1:45678/", strict_ports=True)
    assert strict.value.rule == "registration.url-port"
    assert strict.value.spec == spec_ref("§2.1")


def test_registrations_survive_a_restart(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    store = RegistrationStore.open(tmp_path)
    store.register("A", "PromoChange", "https://l.example.invalid/", username="u", password="p")
    store.close()
    again = RegistrationStore.open(tmp_path)
    (registration,) = again.for_account("A")
    assert (registration.service, registration.password) == (ServiceName.PROMO_CHANGES, "p")
    again.close()
