"""The walled garden's policy: public page "Mobile Plans walled garden" (Microsoft's endpoints,
the MO Direct portal and the GetBalance endpoint; host names only, no IP ranges)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.portal.walled_garden import (
    MAX_REQUEST_EVENTS,
    MICROSOFT_ENDPOINTS,
    GardenHost,
    GardenHostError,
    GardenMode,
    GardenOperator,
    GardenWatch,
    WalledGarden,
)


def _garden(mode: GardenMode = GardenMode.ENFORCE) -> WalledGarden:
    garden = WalledGarden(mode)
    garden.configure(
        "https://portal.contoso.example/start?x=1",
        "https://api.contoso.example/v1/",
        ["cdn.contoso.example", "*pay.example"],
    )
    return garden


def test_the_portal_the_balance_host_and_microsoft_are_inside() -> None:
    garden = _garden()
    for url in (
        "https://portal.contoso.example/app.js",
        "https://API.contoso.example/anything",
        "https://cdn.contoso.example/font.woff2",
        "https://checkout.pay.example/",
        "http://www.msftconnecttest.com/connecttest.txt",
        "https://eu.smartscreen.microsoft.com/",
        "https://login.live.com/",
    ):
        verdict = garden.judge(url)
        assert verdict is not None, url
        assert not verdict.outside, url


def test_other_hosts_are_blocked_when_enforced_and_reported_otherwise() -> None:
    verdict = _garden().judge("https://fonts.example.net/css")
    assert verdict is not None
    assert verdict.outside
    assert verdict.blocked
    assert verdict.host == "fonts.example.net"
    reported = _garden(GardenMode.REPORT).judge("https://fonts.example.net/css")
    assert reported is not None
    assert reported.outside
    assert not reported.blocked
    # a look-alike is not the portal's host
    look_alike = _garden().judge("https://portal.contoso.example.evil.net/")
    assert look_alike is not None
    assert look_alike.blocked


def test_the_garden_says_nothing_when_open_off_or_local() -> None:
    garden = _garden()
    assert garden.judge("data:text/plain,hi") is None
    assert garden.judge("blob:https://portal.contoso.example/1") is None
    assert garden.judge("qrc:///qtwebchannel/qwebchannel.js") is None
    garden.open = True
    assert garden.judge("https://fonts.example.net/") is None
    assert _garden(GardenMode.OFF).judge("https://fonts.example.net/") is None


def test_ip_hosts_never_enter_the_garden() -> None:
    garden = WalledGarden(GardenMode.ENFORCE)
    garden.configure("https://portal.example/", "https://127.0.0.1:8443/v1/")
    verdict = garden.judge("https://127.0.0.1:8443/v1/x")
    assert verdict is not None
    assert verdict.blocked
    assert len(garden.hosts) == len(MICROSOFT_ENDPOINTS) + 1


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("10.1.2.3", "walled-garden.host.ip"),
        ("10.0.0.0/8", "walled-garden.host.ip"),
        ("[::1]", "walled-garden.host.ip"),
        ("::1", "walled-garden.host.ip"),
        ("https://cdn.example", "walled-garden.host.format"),
        ("cdn.example:443", "walled-garden.host.format"),
        ("cdn.example/path", "walled-garden.host.format"),
        ("", "walled-garden.host.format"),
        ("bad_host.example", "walled-garden.host.format"),
        ("-a.example", "walled-garden.host.format"),
        ("a" * 64 + ".example", "walled-garden.host.format"),
    ],
)
def test_bad_hosts_name_their_rule(text: str, rule: str) -> None:
    with pytest.raises(GardenHostError) as raised:
        GardenHost.parse(text)
    assert raised.value.rule == rule


def test_hosts_are_case_insensitive_and_wildcards_keep_their_star() -> None:
    assert str(GardenHost.parse("Ocsp.DigiCert.com.")) == "ocsp.digicert.com"
    assert str(GardenHost.parse("*smartscreen.microsoft.com")) == "*smartscreen.microsoft.com"


@given(st.text(max_size=80))
def test_any_text_is_a_host_or_a_named_error(text: str) -> None:
    failure: GardenHostError | None = None
    try:
        host = GardenHost.parse(text)
    except GardenHostError as error:
        failure = error
    if failure is None:
        assert host.matches(host.name)
    else:
        assert failure.rule.startswith("walled-garden.host.")


def _watch(mode: GardenMode, connected: list[bool]) -> tuple[GardenWatch, EventLog]:
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    operator = GardenOperator(
        "https://portal.example/", "https://api.example/v1/", ("cdn.example",)
    )
    watch = GardenWatch(events, WalledGarden(mode), lambda: operator, lambda: connected[0])
    events.subscribe(watch.observe)
    return watch, events


def test_the_watch_reports_each_host_once_per_launch_and_opens_with_a_line() -> None:
    connected = [False]
    watch, events = _watch(GardenMode.ENFORCE, connected)
    events.emit("portal.launch", url="https://portal.example/")
    assert watch.request("https://portal.example/app.js", "script") is False
    assert watch.request("https://cdn.example/font.woff2", "font") is False
    assert watch.request("https://ads.example.net/a.js", "script") is True
    assert watch.request("https://ads.example.net/b.js", "script") is True
    assert [e.fields["host"] for e in events.of_kind("network.blocked")] == ["ads.example.net"] * 2
    violations = events.of_kind("contract.violation")
    assert len(violations) == 1
    assert (
        violations[0].fields["spec"]
        == "docs/catalog-and-walled-garden.md#" + violations[0].fields["rule"]
    )
    events.emit("portal.launch", url="https://portal.example/")  # a new launch reports again
    watch.request("https://ads.example.net/a.js", "script")
    assert len(events.of_kind("contract.violation")) == 2
    connected[0] = True
    events.emit("network.registration", iccid="8999001000000000018", state="home")
    assert watch.request("https://ads.example.net/a.js", "script") is False
    states = [e.fields["state"] for e in events.of_kind("walled_garden.state")]
    assert states == ["closed", "open"]  # announced when it changes only


def test_the_watch_bounds_its_events_and_reports_in_report_mode() -> None:
    watch, events = _watch(GardenMode.REPORT, [False])
    events.emit("portal.launch", url="https://portal.example/")
    for n in range(MAX_REQUEST_EVENTS + 50):
        assert watch.request(f"https://tracker{n % 3}.example.net/{n}", "image") is False
    assert len(events.of_kind("network.outside-garden")) == MAX_REQUEST_EVENTS
    assert [e.fields["severity"] for e in events.of_kind("contract.violation")] == ["warning"] * 3
    watch.set_mode(GardenMode.OFF)
    assert events.of_kind("walled_garden.state")[-1].fields["state"] == "off"
    assert watch.request("https://tracker0.example.net/", "image") is False


def test_a_portal_at_an_ip_address_is_told_why() -> None:
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    operator = GardenOperator("https://10.0.0.5/portal/", None)
    watch = GardenWatch(events, WalledGarden(GardenMode.ENFORCE), lambda: operator, lambda: False)
    events.subscribe(watch.observe)
    events.emit("portal.launch", url="https://10.0.0.5/portal/")
    assert watch.request("https://10.0.0.5/portal/", "mainframe") is True
    message = events.of_kind("contract.violation")[0].fields["message"]
    assert "an IP address is never in the walled garden" in message


@pytest.mark.parametrize("text", ["*com", "*.com", "*.example."])
def test_a_wildcard_never_covers_a_whole_top_level_domain(text: str) -> None:
    with pytest.raises(GardenHostError) as raised:
        GardenHost.parse(text)
    assert raised.value.rule == "walled-garden.host.format"
    assert "top-level domain" in raised.value.message
