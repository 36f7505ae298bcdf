"""Every documented response rule, good and bad answers from a real local HTTPS server.

Public pages: "Mobile Operator account management in Windows 10" (GetBalance, the shared
headers and error codes), "Mobile Plans gateway page" (GetOffers), "Mobile Plans
notifications" (GetNotifications).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from operator_harness import (  # type: ignore[import-not-found]
    ICCID,
    Operator,
    fresh_fixture,  # noqa: F401 - registers the fixture "fresh"
    operator_fixture,  # noqa: F401 - registers the fixture "operator"
    operator_tls_fixture,  # noqa: F401 - registers the fixture "operator_tls"
)

from simulator.contract.violations import Severity
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import BalanceType, BasicAuth, ClientCertificate
from simulator.operator_api.requests import TRANSACTION_HEADER, Api
from simulator.operator_api.rules import DOCS_PAGE, RULES
from simulator.operator_api.sample_operator import SampleBalance, ScriptedAnswer


def rules(exchange: Exchange) -> set[str]:
    return {v.rule for v in exchange.checked.violations}


def answer(body: object, status: int = 200, **headers: str) -> ScriptedAnswer:
    return ScriptedAnswer(status, body, headers)


# -- the sample operator answers everything correctly -------------------------------------------
def test_sample_operator_answers_all_three_apis_cleanly(fresh: Operator) -> None:
    balance = fresh.call(Api.GET_BALANCE)
    assert balance.checked.ok, balance.checked.violations
    assert rules(balance) == set()
    assert balance.checked.balances is not None
    assert balance.checked.balances[0].type is BalanceType.MODIRECTPAYG
    offers = fresh.call(Api.GET_OFFERS)
    assert rules(offers) == set()
    assert offers.checked.gateway_ids == ["0"]
    notes = fresh.call(Api.GET_NOTIFICATIONS)
    assert rules(notes) == set()
    assert notes.checked.notification_ids == ["1"]


def test_requests_use_the_documented_paths_query_and_headers(fresh: Operator) -> None:
    fresh.call(Api.GET_BALANCE)
    fresh.call(Api.GET_OFFERS)
    fresh.call(Api.GET_NOTIFICATIONS)
    seen = fresh.server.requests[-3:]
    paths = [urlsplit(r["path"]) for r in seen]
    assert paths[0].path == f"/v1/sims/iccid:{ICCID}/balances"
    assert parse_qs(paths[0].query) == {
        "fieldsTemplate": ["basic"],
        "limit": ["1"],
        "location": ["US"],
    }
    assert paths[1].path == f"/v1/sims/iccid:{ICCID}/offers"
    assert parse_qs(paths[1].query) == {"limit": ["1"], "imei": ["001102000315468"]}
    assert paths[2].path == f"/v1/sims/iccid:{ICCID}/notifications"
    assert parse_qs(paths[2].query)["notificationType"] == ["lowBalance"]
    ids = [r["headers"][TRANSACTION_HEADER] for r in seen]
    assert len(set(ids)) == 3
    assert all(i.startswith("MSFT-") for i in ids)
    assert "Authorization" not in seen[0]["headers"]  # optional: only when configured


def test_basic_auth_is_sent_and_401_reported(fresh: Operator) -> None:
    with_auth = replace(fresh.config, basic_auth=BasicAuth("contoso", "s3cret"))
    fresh.server.config = replace(fresh.server.config, basic_auth=BasicAuth("contoso", "s3cret"))
    try:
        good = fresh.call(Api.GET_BALANCE, config=with_auth)
        assert good.checked.ok
        assert good.request.headers["Authorization"] == "Basic Y29udG9zbzpzM2NyZXQ="
        assert good.request.loggable_headers()["Authorization"] == "Basic (redacted)"
        wrong = fresh.call(
            Api.GET_BALANCE, config=replace(fresh.config, basic_auth=BasicAuth("contoso", "x"))
        )
        assert wrong.checked.status == 401
        assert "status.unauthorized" in rules(wrong)
    finally:
        fresh.server.config = replace(fresh.server.config, basic_auth=None)


def test_mutual_tls_client_certificate(fresh: Operator) -> None:
    fresh.server.require_client_certificate = True
    without = fresh.call(Api.GET_BALANCE)
    assert without.checked.status == 403
    assert "status.forbidden" in rules(without)
    certificate = ClientCertificate(fresh.tls.client_certificate, fresh.tls.client_key)
    with_certificate = fresh.call(
        Api.GET_BALANCE, config=replace(fresh.config, client_certificate=certificate)
    )
    assert with_certificate.checked.ok, with_certificate.checked.violations


def test_unknown_iccid_is_404(fresh: Operator) -> None:
    exchange = fresh.call(Api.GET_BALANCE, iccid="8988247000100003319")
    assert exchange.checked.status == 404
    assert rules(exchange) == {"status.not-found"}


# -- status codes -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scripted", "expected"),
    [
        (answer({"error": "limit"}, 400), {"status.bad-request"}),
        (answer(None, 400), {"status.bad-request", "status.bad-request-without-detail"}),
        (answer(None, 409), {"status.conflict"}),
        (answer(None, 429, **{"Retry-After": "120"}), {"status.too-many-requests"}),
        (
            answer(None, 429, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
            {"status.too-many-requests"},
        ),
        (answer(None, 429), {"status.too-many-requests", "status.retry-after-missing"}),
        (
            answer(None, 429, **{"Retry-After": "soon"}),
            {"status.too-many-requests", "status.retry-after-invalid"},
        ),
        (answer({"cause": "db down"}, 500), {"status.server-error"}),
        (answer(None, 500), {"status.server-error", "status.server-error-without-cause"}),
        (answer(None, 418), {"status.undocumented"}),
        (answer(None, 302, Location="https://elsewhere.example/"), {"status.undocumented"}),
    ],
)
def test_error_statuses(fresh: Operator, scripted: ScriptedAnswer, expected: set[str]) -> None:
    exchange = fresh.call(Api.GET_BALANCE, scripted)
    assert rules(exchange) == expected


def test_retry_after_seconds_are_read(fresh: Operator) -> None:
    exchange = fresh.call(Api.GET_OFFERS, answer(None, 429, **{"Retry-After": "120"}))
    assert exchange.checked.retry_after == 120.0


def test_201_and_missing_transaction_header_and_content_type(fresh: Operator) -> None:
    body = b'{"balances":[{"type":"NONE","dataRemainingInMB":0,"timeRemaining":"PT0S"}]}'
    exchange = fresh.call(
        Api.GET_BALANCE,
        ScriptedAnswer(201, raw=body, headers={"Content-Type": "text/plain"}),
    )
    assert {"status.created-on-get", "header.content-type"} <= rules(exchange)
    assert exchange.checked.ok  # warnings only


# -- GetBalance bodies ------------------------------------------------------------------------
def _balance(**fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "type": "MODIRECT",
        "dataRemainingInMB": 10.0,
        "timeRemaining": "P1D",
    }
    entry.update(fields)
    return {"balances": [{k: v for k, v in entry.items() if v is not ...}]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the docs' own example 1 (with its sample spelling) and example 2
        (
            {"balances": [{"id": "23445", "type": "MODIRECTPAYG", "dataRemaininginMB": 123.0,
                           "timeRemaining": "P23DT23H"}]},
            {"balance.dataRemainingInMB.sample-spelling"},
        ),
        (_balance(type="NOTSUPPORTED", dataRemainingInMB=0.0, timeRemaining="PT0S"), set()),
        (_balance(type="NONE", dataRemainingInMB=0, timeRemaining="PT0S"), set()),
        ({"balance": []}, {"balance.balances.missing"}),
        ({"Balances": []}, {"balance.balances.missing"}),
        ({"balances": {}}, {"balance.balances.not-a-list"}),
        ({"balances": []}, {"balance.balances.empty"}),
        ({"balances": ["x"]}, {"balance.entry.not-an-object"}),
        (_balance(type=...), {"balance.type.missing"}),
        (_balance(type="modirect"), {"balance.type.unknown"}),
        (_balance(type="PREPAID"), {"balance.type.unknown"}),
        (_balance(dataRemainingInMB=...), {"balance.dataRemainingInMB.missing"}),
        (_balance(dataRemainingInMB="12"), {"balance.dataRemainingInMB.not-a-number"}),
        (_balance(dataRemainingInMB=True), {"balance.dataRemainingInMB.not-a-number"}),
        (_balance(dataRemainingInMB=-1), {"balance.dataRemainingInMB.negative"}),
        (_balance(timeRemaining=...), {"balance.timeRemaining.missing"}),
        (_balance(timeRemaining="23 days"), {"balance.timeRemaining.not-iso8601"}),
        (_balance(timeRemaining="P"), {"balance.timeRemaining.not-iso8601"}),
        (_balance(timeRemaining=86400), {"balance.timeRemaining.not-iso8601"}),
        (_balance(id=23445), {"balance.id.not-a-string"}),
        (_balance(dataRemainingInMB=0, timeRemaining="P3D"), {"balance.zero-not-none"}),
        ([1, 2], {"body.not-an-object"}),
    ],
)  # fmt: skip
def test_balance_bodies(fresh: Operator, body: object, expected: set[str]) -> None:
    exchange = fresh.call(Api.GET_BALANCE, answer(body))
    assert rules(exchange) == expected


def test_balance_over_limit_and_not_json(fresh: Operator) -> None:
    two = {"balances": _balance()["balances"] * 2}  # type: ignore[operator]
    assert "balance.balances.over-limit" in rules(fresh.call(Api.GET_BALANCE, answer(two)))
    broken = ScriptedAnswer(200, raw=b'{"balances": [')
    assert rules(fresh.call(Api.GET_BALANCE, broken)) == {"body.not-json"}
    not_utf8 = ScriptedAnswer(200, raw=b"\xff\xfe")
    assert rules(fresh.call(Api.GET_BALANCE, not_utf8)) == {"body.not-json"}


def test_full_fields_template_requires_id(fresh: Operator) -> None:
    full = replace(fresh.config, balance_fields_template="full")
    assert fresh.call(Api.GET_BALANCE, config=full).checked.violations == []
    exchange = fresh.call(Api.GET_BALANCE, answer(_balance()), config=full)
    assert rules(exchange) == {"balance.id.missing"}


def test_a_huge_body_is_refused_without_reading_it_all(fresh: Operator) -> None:
    huge = ScriptedAnswer(200, raw=b'{"balances":[' + b" " * (8 * 1024 * 1024) + b"]}")
    assert rules(fresh.call(Api.GET_BALANCE, huge)) == {"transport.too-large"}


def test_sample_balance_types_drive_the_answer(fresh: Operator) -> None:
    fresh.server.balances[ICCID] = SampleBalance(BalanceType.NONE, 0.0, "PT0S")
    balances = fresh.call(Api.GET_BALANCE).checked.balances
    assert balances is not None
    assert balances[0].type is BalanceType.NONE
    assert balances[0].time_remaining is not None
    assert balances[0].time_remaining.is_zero


# -- GetOffers bodies -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "expected", "ids"),
    [
        ({"offers": [{"gatewayId": "0"}]}, set(), ["0"]),
        ({"offers": [{"gatewayId": "returning"}]}, set(), ["returning"]),
        ({"offers": []}, {"offers.offers.empty"}, []),
        ({"offers": [{"gatewayId": 0}]}, {"offers.gatewayId.not-a-string"}, ["0"]),
        ({"offers": [{"gatewayId": "7"}]}, {"offers.gatewayId.unknown"}, []),
        ({"offers": [{"gatewayId": None}]}, {"offers.gatewayId.unknown"}, []),
        ({"offers": [{}]}, {"offers.gatewayId.missing"}, []),
        ({"offers": [7]}, {"offers.entry.not-an-object"}, []),
        ({"offers": "0"}, {"offers.offers.not-a-list"}, None),
        ({}, {"offers.offers.missing"}, None),
        (
            {"offers": [{"gatewayId": "0"}, {"gatewayId": "returning"}]},
            {"offers.offers.over-limit"},
            ["0"],
        ),
    ],
)
def test_offers_bodies(
    fresh: Operator, body: object, expected: set[str], ids: list[str] | None
) -> None:
    exchange = fresh.call(Api.GET_OFFERS, answer(body))
    assert rules(exchange) == expected
    assert exchange.checked.gateway_ids == ids


# -- GetNotifications bodies ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"notifications": [{"notificationId": 1, "notificationType": "lowBalance"}]}, set()),
        ({"notifications": [{"notificationId": "1"}]}, set()),
        ({"notifications": []}, {"notifications.notifications.empty"}),
        ({"notifications": [{"notificationId": 99}]}, {"notifications.notificationId.unknown"}),
        ({"notifications": [{"notificationId": [1]}]}, {"notifications.notificationId.not-an-id"}),
        ({"notifications": [{}]}, {"notifications.notificationId.missing"}),
        ({"notifications": [1]}, {"notifications.entry.not-an-object"}),
        ({"notifications": None}, {"notifications.notifications.not-a-list"}),
        ({"note": []}, {"notifications.notifications.missing"}),
        (
            {"notifications": [{"notificationId": 1, "notificationType": "zeroBalance"}]},
            {"notifications.notificationType.mismatch"},
        ),
    ],
)
def test_notification_bodies(fresh: Operator, body: object, expected: set[str]) -> None:
    assert rules(fresh.call(Api.GET_NOTIFICATIONS, answer(body))) == expected


def test_notifications_over_limit(fresh: Operator) -> None:
    two = {"notifications": [{"notificationId": 1}, {"notificationId": 2}]}
    exchange = fresh.call(Api.GET_NOTIFICATIONS, answer(two))
    assert rules(exchange) == {"notifications.notifications.over-limit"}
    assert exchange.checked.notification_ids == ["1"]  # only `limit` entries are used


def test_answer_without_the_transaction_header_is_noted(fresh: Operator) -> None:
    silent = ScriptedAnswer(200, {"offers": [{"gatewayId": "0"}]}, echo_transaction=False)
    exchange = fresh.call(Api.GET_OFFERS, silent)
    assert rules(exchange) == {"header.transaction-id-missing"}
    assert exchange.checked.ok  # INFO only


def test_every_rule_is_exercised_by_these_tests() -> None:
    """A rule no test makes fire is a rule nobody knows works."""
    import pathlib

    here = pathlib.Path(__file__).parent
    text = "".join(p.read_text("utf-8") for p in here.glob("test_*.py"))
    untested = [rule for rule in RULES if f'"{rule}"' not in text]
    assert untested == []


# -- transport ----------------------------------------------------------------------------------
def test_untrusted_server_certificate_is_a_tls_violation(fresh: Operator) -> None:
    exchange = fresh.loop.run(_untrusted_call(fresh))
    assert rules(exchange) == {"transport.tls"}


async def _untrusted_call(operator: Operator) -> Exchange:
    from simulator.operator_api.client import OperatorApiClient
    from simulator.operator_api.requests import RequestFactory

    client = OperatorApiClient(operator.config)  # the system store only: our test CA is unknown
    try:
        return await client.send(RequestFactory(operator.config).balance(ICCID))
    finally:
        await client.aclose()


def test_a_slow_operator_times_out(fresh: Operator) -> None:
    slow = ScriptedAnswer(200, {"offers": []}, delay_seconds=1.0)
    exchange = fresh.call(Api.GET_OFFERS, slow, timeout=0.2)
    assert rules(exchange) == {"transport.timeout"}


def test_a_trickling_operator_hits_the_overall_deadline(fresh: Operator) -> None:
    """Each byte arrives within the read timeout; the whole answer never does."""
    trickle = ScriptedAnswer(200, raw=b'{"offers": [' + b" " * 40 + b"]}", trickle_seconds=0.05)
    exchange = fresh.call(Api.GET_OFFERS, trickle, timeout=0.5)
    assert rules(exchange) == {"transport.timeout"}
    assert "no full answer in 1 s" in exchange.checked.violations[0].message


def test_unreachable_endpoint(fresh: Operator) -> None:
    closed = replace(fresh.config, mo_base_url="https://127.0.0.1:9/v1/")
    exchange = fresh.call(Api.GET_BALANCE, config=closed)
    assert rules(exchange) == {"transport.unreachable"}
    assert exchange.response is None


# -- the rule catalogue ---------------------------------------------------------------------------
def test_every_violation_links_its_rule_section() -> None:
    for rule in RULES.values():
        assert rule.severity in Severity
    exchange_spec = f"{DOCS_PAGE}#status.conflict"
    assert exchange_spec.startswith("docs/operator-apis.md#")
