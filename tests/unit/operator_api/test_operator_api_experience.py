"""The flyout per GetBalance type, the Gateway template per GetOffers, the notification toasts.

Public pages: "Mobile Operator account management in Windows 10" (the flyout table), "Mobile
Plans gateway page" (template "0" without an active profile), "Mobile Plans notifications"
(SMS-triggered and app-triggered toasts; accept opens the Gateway page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from simulator.clock import VirtualClock
from simulator.events import EventLog
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import BalanceType, NotificationType, ServiceConfiguration
from simulator.operator_api.contract import Balance, CheckedResponse
from simulator.operator_api.durations import parse_iso_duration
from simulator.operator_api.experience import (
    TOAST_ACTIONS,
    MobilePlansService,
    PcState,
    choose_gateway,
    flyout_view,
    format_balance,
)
from simulator.operator_api.requests import Api, RequestFactory
from simulator.operator_api.sample_config import sample_configuration

CONFIG = sample_configuration("https://127.0.0.1:1/v1/")
OURS = "8999001000000000018"


def _exchange(api: Api, **understood: object) -> Exchange:
    factory = RequestFactory(CONFIG)
    request = {
        Api.GET_BALANCE: lambda: factory.balance(OURS),
        Api.GET_OFFERS: lambda: factory.offers(OURS),
        Api.GET_NOTIFICATIONS: lambda: factory.notifications(OURS, NotificationType.LOW_BALANCE),
    }[api]()
    checked = CheckedResponse(api, 200, **understood)  # type: ignore[arg-type]
    return Exchange(request, None, checked, 1.0)


def _balance(kind: BalanceType, mb: float = 123.0, time: str = "P23DT23H") -> Exchange:
    return _exchange(Api.GET_BALANCE, balances=[Balance(kind, mb, parse_iso_duration(time))])


@pytest.mark.parametrize(
    ("kind", "entries", "balance", "disabled"),
    [
        (BalanceType.MODIRECT, ("View my account",), "", False),
        (BalanceType.MODIRECTPAYG, ("View my account",), "123 MB · 23 days 23 hours left", False),
        (BalanceType.NONE, ("Connect with a data plan",), "", False),
        (BalanceType.NOTSUPPORTED, ("View my account",), "", True),
    ],
)
def test_flyout_follows_the_getbalance_type_table(
    kind: BalanceType, entries: tuple[str, ...], balance: str, disabled: bool
) -> None:
    view = flyout_view(_balance(kind))
    assert view.entries == entries
    assert view.balance_text == balance
    assert view.mobile_plans_disabled is disabled


def test_flyout_without_a_usable_answer_keeps_the_basic_experience() -> None:
    failed = _exchange(Api.GET_BALANCE)
    assert flyout_view(failed).entries == ("View my account",)
    assert flyout_view(None).entries == ("Connect with a data plan",)


def test_balance_wording() -> None:
    one = Balance(BalanceType.MODIRECTPAYG, 2048.0, parse_iso_duration("P1DT1H"))
    assert format_balance(one) == "2.0 GB · 1 day 1 hour left"
    # An operator's 1e308 MB was printed with all its 300 digits.
    assert format_balance(Balance(BalanceType.MODIRECTPAYG, 1e308, None)) == "over 1,000,000 GB"
    assert format_balance(Balance(BalanceType.MODIRECTPAYG, 1024 * 1234.5, None)) == "1,234.5 GB"
    assert format_balance(Balance(BalanceType.NONE, 0.0, parse_iso_duration("PT0S"))) == (
        "0 MB · expired"
    )


def test_gateway_template_choice() -> None:
    assert choose_gateway(CONFIG, None).template == CONFIG.gateway_template("0")
    chosen = choose_gateway(CONFIG, _exchange(Api.GET_OFFERS, gateway_ids=["returning"]))
    assert chosen.template is not None
    assert chosen.template.id == "returning"
    empty = choose_gateway(CONFIG, _exchange(Api.GET_OFFERS, gateway_ids=[]))
    assert empty.template == CONFIG.gateway_template("0")
    bare = ServiceConfiguration("Fabrikam", "https://x/", "https://x/", "https://x/")
    assert choose_gateway(bare, None).template is None  # the standard page


@dataclass
class _FakeWorld:
    config: ServiceConfiguration = CONFIG
    calls: list[str] = field(default_factory=list)
    answers: dict[str, Exchange] = field(default_factory=dict)

    def _call(self, api: str, done: Callable[[Exchange], None] | None) -> None:
        self.calls.append(api)
        if done is not None:
            done(self.answers[api])

    def get_balance(self, iccid: str, done: Callable[[Exchange], None] | None = None) -> None:
        self._call("GetBalance", done)

    def get_offers(
        self, iccid: str, imei: str | None, done: Callable[[Exchange], None] | None = None
    ) -> None:
        self._call("GetOffers", done)

    def get_notifications(
        self,
        iccid: str,
        notification_type: NotificationType,
        imei: str | None,
        done: Callable[[Exchange], None] | None = None,
    ) -> None:
        self._call("GetNotifications", done)


def _service(
    active: str | None, registered: bool = True, profiles: int = 1
) -> tuple[MobilePlansService, _FakeWorld, EventLog]:
    world = _FakeWorld()
    events = EventLog(VirtualClock(0, real_now=lambda: 0.0))
    pc = PcState(lambda: active, lambda _: registered, lambda: [OURS] * profiles)
    return MobilePlansService(world, pc, events, "001102000315468"), world, events


def test_no_getoffers_without_an_active_profile_of_the_operator() -> None:
    service, world, events = _service(active="8944110000000000016")  # another operator's
    service.open_gateway()
    assert world.calls == []
    shown = events.of_kind("gateway.shown")[-1]
    assert shown.fields["template"] == "0"


def test_sms_toast_accept_opens_the_gateway_chosen_by_getoffers() -> None:
    service, world, events = _service(active=OURS)
    world.answers["GetNotifications"] = _exchange(Api.GET_NOTIFICATIONS, notification_ids=["1"])
    world.answers["GetOffers"] = _exchange(Api.GET_OFFERS, gateway_ids=["returning"])
    assert service.receive_sms(NotificationType.LOW_BALANCE)
    toast = events.of_kind("ui.toast")[-1]
    assert toast.fields["actions"] == list(TOAST_ACTIONS[NotificationType.LOW_BALANCE])
    assert toast.fields["text"].startswith("You're almost out of data")
    service.toast_answered(str(toast.fields["toast"]), "Get more data")
    assert world.calls == ["GetNotifications", "GetOffers"]
    assert events.of_kind("gateway.shown")[-1].fields["template"] == "returning"


def test_declining_the_toast_opens_nothing() -> None:
    service, world, events = _service(active=OURS)
    world.answers["GetNotifications"] = _exchange(Api.GET_NOTIFICATIONS, notification_ids=["3"])
    service.receive_sms(NotificationType.NEW_OFFER)
    toast = events.of_kind("ui.toast")[-1]
    service.toast_answered(str(toast.fields["toast"]), "No thanks")
    service.toast_answered(str(toast.fields["toast"]), "See offer")  # already answered
    assert events.of_kind("gateway.shown") == []


def test_sms_needs_a_registered_operator_profile() -> None:
    service, world, events = _service(active=OURS, registered=False)
    assert not service.receive_sms(NotificationType.ZERO_BALANCE)
    assert world.calls == []
    assert "not registered" in events.of_kind("sms.received")[-1].fields["ignored"]


def test_app_triggered_promotion_only_without_a_profile() -> None:
    service, _, events = _service(active=None, profiles=0)
    assert service.setup_completed()
    toast = events.of_kind("ui.toast")[-1]
    assert toast.fields["text"].startswith("Activate your free trial")
    with_profile, _, _ = _service(active=OURS)
    assert not with_profile.setup_completed()


def test_notsupported_turns_the_mobile_plans_experience_off() -> None:
    """ "Mobile Operator account management in Windows 10": NOTSUPPORTED turns the Mobile Plans
    experience off in the flyout, and the app shows a generic error."""
    service, world, events = _service(active=OURS)
    world.answers["GetBalance"] = _balance(BalanceType.NOTSUPPORTED, 0, "PT0S")
    service.open_flyout()
    assert events.of_kind("flyout.shown")[-1].fields["mobile_plans_disabled"] is True
    service.open_gateway()
    assert world.calls == ["GetBalance"]  # no GetOffers, no Gateway page
    assert events.of_kind("gateway.unavailable")
    assert not events.of_kind("gateway.shown")
    world.answers["GetBalance"] = _balance(BalanceType.MODIRECT)
    service.open_flyout()
    world.answers["GetOffers"] = _exchange(Api.GET_OFFERS, gateway_ids=["0"])
    service.open_gateway()
    assert events.of_kind("gateway.shown")


def test_profiles_left_out_of_iccids_are_named_after_a_launch() -> None:
    service, _, events = _service(active=OURS)
    service.device = PcState(lambda: OURS, lambda _: True, lambda: [OURS, "8944110000000000016"])
    service.observe(events.emit("portal.launch", params={"eid": "8903"}, headers={}))
    note = events.of_kind("operator_api.iccids-filtered")[-1]
    assert note.fields["outside"] == ["8944110000000000016"]
    assert note.fields["iccid_ranges"] == ["8999001"]
    service.observe(events.emit("portal.launch", params={"iccid": "8944"}, headers={}))  # pSIM
    assert len(events.of_kind("operator_api.iccids-filtered")) == 1


def test_flyout_calls_getbalance_only_for_the_operators_profile() -> None:
    service, world, events = _service(active=OURS)
    world.answers["GetBalance"] = _balance(BalanceType.MODIRECTPAYG)
    service.open_flyout()
    assert events.of_kind("flyout.shown")[-1].fields["balance"].startswith("123 MB")
    other, other_world, other_events = _service(active=None, profiles=0)
    other.open_flyout()
    assert other_world.calls == []
    assert other_events.of_kind("flyout.shown")[-1].fields["entries"] == [
        "Connect with a data plan"
    ]
