from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from simulator.bridge.origin import OriginPolicy
from simulator.chromium_args import chromium_args
from simulator.device import DeviceKind, SimulatedDevice
from simulator.portal.launch import (
    CorrelationVector,
    LaunchBuilder,
    LpaErrorReport,
    strip_trailing_f,
    with_query,
)


def _builder(**device: object) -> LaunchBuilder:
    return LaunchBuilder(
        "https://portal.example/mobileplans?brand=contoso",
        SimulatedDevice(**device),  # type: ignore[arg-type]
        cv=CorrelationVector(random.Random(7)),
    )


def test_esim_launch_has_the_documented_parameters() -> None:
    builder = _builder(profile_iccids=lambda: ["8988247000101867183F", "8988247000103824828"])
    launch = builder.build()
    query = parse_qs(urlsplit(launch.url).query)
    assert query["brand"] == ["contoso"]  # the operator's own query survives
    assert query["market"] == ["US"]
    assert query["location"] == ["US"]
    assert query["imei"] == ["001102000315468"]
    assert query["eid"] == ["89033023422130000000000199055797"]
    assert query["iccids"] == ["8988247000101867183,8988247000103824828"]  # trailing F stripped
    assert "iccid" not in query
    assert re.fullmatch(r"[A-Za-z0-9+/]{16}\.1", launch.transaction_id)
    assert len(launch.transaction_id) <= 64
    assert launch.headers == {"Accept-Language": "en-us"}
    assert builder.build().transaction_id.endswith(".2")


def test_physical_sim_launch_sends_iccid_not_eid() -> None:
    launch = _builder(kind=DeviceKind.PSIM, physical_iccid="8988247000100003319").build()
    assert launch.params["iccid"] == "8988247000100003319"
    assert "eid" not in launch.params
    assert "iccids" not in launch.params


def test_no_profiles_no_iccids_parameter_and_error_headers_once() -> None:
    builder = _builder()
    errors = [
        LpaErrorReport("ServerFailure", "5/18/2018 11:17:23 PM", "8988247000100003319"),
        LpaErrorReport("ServerNotReachable", "5/18/2018 11:27:33 PM", "8988247000100003319"),
    ]
    launch = builder.build(errors)
    assert "iccids" not in launch.params
    assert launch.headers["X-MP-LPAError-Codes"] == "ServerFailure,ServerNotReachable"
    assert launch.headers["X-MP-LPAError-TimeStamps"] == (
        "5/18/2018 11:17:23 PM,5/18/2018 11:27:33 PM"
    )
    assert launch.headers["X-MP-LPAError-ICCIDs"] == "8988247000100003319"


@given(st.text(alphabet="0123456789Ff", max_size=24))
def test_strip_trailing_f_only_strips_the_padding(iccid: str) -> None:
    stripped = strip_trailing_f(iccid)
    assert not stripped.endswith(("F", "f"))
    assert iccid.startswith(stripped)


def test_transaction_id_is_url_encoded() -> None:
    url = with_query("https://p.example/", {"transactionId": "/7RBTuSJt02OZbX8.4"})
    assert url == "https://p.example/?transactionId=%2F7RBTuSJt02OZbX8.4"


def test_origin_policy() -> None:
    policy = OriginPolicy("contoso.mobileplans.test")
    assert policy.allows("https://contoso.mobileplans.test/any/path?q=1")
    assert policy.allows("https://CONTOSO.mobileplans.test/")
    assert not policy.allows("http://contoso.mobileplans.test/")
    assert not policy.allows("https://contoso.mobileplans.test:8443/")
    assert not policy.allows("https://evil.test/contoso.mobileplans.test")
    assert not policy.allows("https://contoso.mobileplans.test.evil.test/")
    assert not policy.allows("https://[::1")
    assert "https" in policy.refusal("http://contoso.mobileplans.test/")
    assert "port" in policy.refusal("https://contoso.mobileplans.test:1/")
    assert "notification host" in policy.refusal("https://other.test/")


def test_origin_answers_are_remembered_for_a_few_short_addresses_only() -> None:
    policy = OriginPolicy("contoso.mobileplans.test")
    # asked again after many others, the answers stay right
    for round_ in range(3):
        for n in range(100):
            assert policy.allows(f"https://contoso.mobileplans.test/{round_}/{n}")
            assert not policy.allows(f"https://evil.test/{round_}/{n}")
    assert len(policy._answers) <= 16
    long_address = "https://contoso.mobileplans.test/" + "a" * 100_000
    assert policy.allows(long_address)
    assert long_address not in policy._answers
    assert policy == OriginPolicy("contoso.mobileplans.test")  # the memo is no part of it


def test_chromium_args() -> None:
    root = chromium_args(is_root=True, offscreen=True, host_resolver_rules="MAP x 127.0.0.1:1")
    assert "--no-sandbox" in root
    assert "--disable-gpu" in root
    assert "--host-resolver-rules=MAP x 127.0.0.1:1" in root
    user = chromium_args(is_root=False, offscreen=False, host_resolver_rules="MAP x y")
    assert "--no-sandbox" not in user
    assert "--disable-gpu" not in user
