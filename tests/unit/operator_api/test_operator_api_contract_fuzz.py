"""Hostile answers never crash the checker and always come back as rule violations."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.operator_api.contract import ApiResponse, check_response
from simulator.operator_api.durations import parse_iso_duration, parse_retry_after
from simulator.operator_api.requests import RequestFactory
from simulator.operator_api.rules import RULES
from simulator.operator_api.sample_config import sample_configuration

CONFIG = sample_configuration("https://127.0.0.1:1/v1/")
FACTORY = RequestFactory(CONFIG)
REQUESTS = [
    FACTORY.balance("8999001000000000018"),
    FACTORY.offers("8999001000000000018"),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["balances", "offers", "notifications", "type", "dataRemainingInMB",
             "dataRemaininginMB", "timeRemaining", "id", "gatewayId", "notificationId",
             "notificationType", "x"]
        ),
        children,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    body=json_values,
    status=st.sampled_from([200, 201, 400, 404, 409, 429, 500, 302]),
    which=st.integers(0, 1),
    retry_after=st.none() | st.text(max_size=40),
)
def test_any_json_answer_is_checked_without_crashing(
    body: object, status: int, which: int, retry_after: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    raw = json.dumps(body).encode()
    checked = check_response(REQUESTS[which], ApiResponse(status, headers, raw), CONFIG)
    for found in checked.violations:
        assert found.rule in RULES
        assert found.spec == f"docs/operator-apis.md#{found.rule}"


balance_entries = st.lists(
    st.dictionaries(
        st.sampled_from(["type", "dataRemainingInMB", "dataRemaininginMB", "timeRemaining", "id"]),
        json_values,
        max_size=5,
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(entries=balance_entries)
def test_any_balance_entries_are_checked_without_crashing(entries: list[object]) -> None:
    raw = json.dumps({"balances": entries}).encode()
    checked = check_response(REQUESTS[0], ApiResponse(200, {}, raw), CONFIG)
    assert all(v.rule in RULES for v in checked.violations)


def test_an_integer_too_large_for_a_double_is_not_a_number() -> None:
    entry = {"type": "MODIRECT", "dataRemainingInMB": 10**400, "timeRemaining": "P1D"}
    raw = json.dumps({"balances": [entry]}).encode()
    checked = check_response(REQUESTS[0], ApiResponse(200, {}, raw), CONFIG)
    assert "balance.dataRemainingInMB.not-a-number" in {v.rule for v in checked.violations}


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_checked_without_crashing(raw: bytes) -> None:
    checked = check_response(REQUESTS[0], ApiResponse(200, {}, raw), CONFIG)
    assert all(v.rule in RULES for v in checked.violations)


@given(st.text(max_size=80))
def test_duration_and_retry_after_parsers_never_crash(text: str) -> None:
    parsed = parse_iso_duration(text)
    assert parsed is None or parsed.seconds >= 0
    waited = parse_retry_after(text)
    assert waited is None or waited >= 0


def test_iso_durations() -> None:
    assert parse_iso_duration("P23DT23H").seconds == 23 * 86400 + 23 * 3600  # type: ignore[union-attr]
    assert parse_iso_duration("PT0S").is_zero  # type: ignore[union-attr]
    assert parse_iso_duration("PT1.5S").seconds == 1.5  # type: ignore[union-attr]
    assert parse_iso_duration("P1W").seconds == 7 * 86400  # type: ignore[union-attr]
    for bad in ("P", "PT", "P1DT", "23 days", "P1.5DT1H", "-P1D", "p1d", "P1D "):
        assert parse_iso_duration(bad) is None, bad
