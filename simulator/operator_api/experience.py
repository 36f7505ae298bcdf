"""What the user sees from the operator's APIs: the network flyout (GetBalance), the Gateway
page (GetOffers) and the notifications (GetNotifications). Pure decisions plus one small
orchestrator; no Qt. The UI only observes the events emitted here.

* "Mobile Operator account management in Windows 10": the flyout entries per GetBalance type.
* "Mobile Plans gateway page": GetOffers is called before the Gateway page, only when the PC
  has an active profile of the operator; otherwise template "0" is shown; the standard page
  when there is no enhanced template.
* "Mobile Plans notifications": SMS-triggered toasts (GetNotifications picks the template; the
  device must have the operator's active profile and be registered), the app-triggered
  promotion after setup on an eSIM PC without a profile; accepting opens the Gateway page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from simulator.events import Event, EventLog
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import (
    BalanceType,
    GatewayTemplate,
    NotificationTemplate,
    NotificationType,
    ServiceConfiguration,
)
from simulator.operator_api.contract import Balance

__all__ = [
    "TOAST_ACTIONS",
    "FlyoutView",
    "GatewayChoice",
    "MobilePlansService",
    "PcState",
    "choose_gateway",
    "flyout_view",
    "format_balance",
]

# The docs say the app shows "a generic error message" for a NOTSUPPORTED SIM; this one is ours.
GENERIC_ERROR = "Mobile Plans isn\u2019t available for this SIM. Please try again later."
VIEW_MY_ACCOUNT = "View my account"
CONNECT_WITH_A_DATA_PLAN = "Connect with a data plan"

# "Mobile Plans notifications": only the accept/decline strings change with the type. Its
# screenshots show lowBalance (SMS sample) and trialOffer (the promotion); the rest are ours.
TOAST_ACTIONS: dict[NotificationType, tuple[str, str]] = {
    NotificationType.LOW_BALANCE: ("Get more data", "Not now"),
    NotificationType.ZERO_BALANCE: ("Buy data", "Not now"),
    NotificationType.NEW_OFFER: ("See offer", "No thanks"),
    NotificationType.TRIAL_OFFER: ("Get connected", "Don\u2019t show again"),
    NotificationType.TRIAL_ENDING: ("Keep me connected", "Later"),
    NotificationType.TRIAL_ENDED: ("Choose a plan", "Dismiss"),
}


@dataclass(frozen=True)
class FlyoutView:
    """The Mobile Plans entries of the network flyout."""

    entries: tuple[str, ...]
    balance_text: str = ""
    # NOTSUPPORTED: the app shows a generic error instead of the Mobile Plans experience
    mobile_plans_disabled: bool = False
    reason: str = ""


_MOST_GB_SHOWN = 1_000_000  # no plan holds a petabyte; the event keeps the exact figure


def format_balance(balance: Balance) -> str:
    """``123 MB · 23 days 23 hours left`` (our wording; the docs show the figures only)."""
    parts = []
    if balance.data_remaining_mb is not None:
        mb = balance.data_remaining_mb
        if mb / 1024 >= _MOST_GB_SHOWN:  # a float's 300 digits would fill the flyout
            parts.append(f"over {_MOST_GB_SHOWN:,} GB")
        else:
            parts.append(f"{mb / 1024:,.1f} GB" if mb >= 1024 else f"{mb:g} MB")
    if balance.time_remaining is not None:
        seconds = int(balance.time_remaining.seconds)
        days, rest = divmod(seconds, 86400)
        hours = rest // 3600
        if days or hours:
            left = " ".join(
                f"{n} {unit}{'s' if n != 1 else ''}"
                for n, unit in ((days, "day"), (hours, "hour"))
                if n
            )
            parts.append(f"{left} left")
        else:
            parts.append("expired" if seconds == 0 else "less than an hour left")
    return " · ".join(parts)


def flyout_view(exchange: Exchange | None) -> FlyoutView:
    """The flyout for one GetBalance answer; None when no call was made (no operator profile).

    A failed or unusable answer falls back to the basic experience ("View my account"), the
    default the enhanced experience builds on.
    """
    if exchange is None:
        return FlyoutView((CONNECT_WITH_A_DATA_PLAN,), reason="no profile of the operator")
    balances = exchange.checked.balances
    if not balances:
        return FlyoutView((VIEW_MY_ACCOUNT,), reason=f"GetBalance gave no usable balance "
                          f"(HTTP {exchange.checked.status or 'no answer'})")  # fmt: skip
    first = balances[0]
    if first.type is BalanceType.MODIRECT:
        return FlyoutView((VIEW_MY_ACCOUNT,), reason="MODIRECT")
    if first.type is BalanceType.MODIRECTPAYG:
        return FlyoutView((VIEW_MY_ACCOUNT,), format_balance(first), reason="MODIRECTPAYG")
    if first.type is BalanceType.NONE:
        return FlyoutView((CONNECT_WITH_A_DATA_PLAN,), reason="NONE")
    return FlyoutView((VIEW_MY_ACCOUNT,), mobile_plans_disabled=True, reason="NOTSUPPORTED")


@dataclass(frozen=True)
class GatewayChoice:
    """``template`` None means the standard Gateway page."""

    template: GatewayTemplate | None
    reason: str


def choose_gateway(config: ServiceConfiguration, exchange: Exchange | None) -> GatewayChoice:
    default = config.gateway_template("0")
    if exchange is None:
        reason = 'no active profile of the operator: GetOffers is not called, template "0"'
        return GatewayChoice(default, reason if default else "no enhanced template: standard")
    ids = exchange.checked.gateway_ids
    if ids:
        return GatewayChoice(config.gateway_template(ids[0]), f"GetOffers chose {ids[0]!r}")
    if default is not None:
        return GatewayChoice(default, 'GetOffers gave no usable offer: template "0"')
    return GatewayChoice(None, "no enhanced template: standard")


class _World(Protocol):
    config: ServiceConfiguration

    def get_balance(self, iccid: str, done: Callable[[Exchange], None] | None = None) -> object: ...

    def get_offers(
        self, iccid: str, imei: str | None, done: Callable[[Exchange], None] | None = None
    ) -> object: ...

    def get_notifications(
        self,
        iccid: str,
        notification_type: NotificationType,
        imei: str | None,
        done: Callable[[Exchange], None] | None = None,
    ) -> object: ...


class _Device(Protocol):
    """What the service needs to know about the PC."""

    def active_iccid(self) -> str | None: ...
    def registered(self, iccid: str) -> bool: ...
    def has_profiles(self) -> bool: ...
    def profiles(self) -> list[str]: ...


@dataclass
class _PendingToast:
    template: NotificationTemplate
    actions: tuple[str, str]


class MobilePlansService:
    """The flyout, Gateway and notification behaviour of one PC, driven by the operator APIs."""

    # The events `observe` acts on: subscribed with these kinds only.
    OBSERVED_KINDS = frozenset({"portal.launch"})

    def __init__(self, world: _World, device: _Device, events: EventLog, imei: str) -> None:
        self.world = world
        self.device = device
        self.events = events
        self.imei = imei
        self._toasts: dict[str, _PendingToast] = {}
        self._ids = itertools.count(1)
        self.last_flyout: FlyoutView | None = None
        self.last_gateway: GatewayChoice | None = None
        # ICCIDs GetBalance called NOTSUPPORTED: the app shows a generic error for them
        self.not_supported: set[str] = set()

    def _operator_iccid(self) -> str | None:
        iccid = self.device.active_iccid()
        if iccid is None or not any(r.contains(iccid) for r in self.world.config.iccid_ranges):
            return None
        return iccid

    def observe(self, event: Event) -> None:
        """After each portal launch, say which of the card's profiles `iccids` left out (they
        are outside the operator's ICCID ranges), so a missing ICCID is never a mystery."""
        if event.kind != "portal.launch" or "eid" not in event.fields.get("params", {}):
            return
        ranges = self.world.config.iccid_ranges
        outside = [i for i in self.device.profiles() if not any(r.contains(i) for r in ranges)]
        if outside:
            self.events.emit(
                "operator_api.iccids-filtered",
                outside=outside,
                iccid_ranges=[str(r) for r in ranges],
            )

    # -- network flyout ----------------------------------------------------------------------
    def open_flyout(self) -> None:
        """The user opens the network flyout: GetBalance for the operator's active profile."""
        iccid = self._operator_iccid()
        if iccid is None:
            self._flyout(flyout_view(None))
            return

        def answered(exchange: Exchange) -> None:
            view = flyout_view(exchange)
            if view.mobile_plans_disabled:
                self.not_supported.add(iccid)
            else:
                self.not_supported.discard(iccid)
            self._flyout(view)

        self.world.get_balance(iccid, answered)

    def _flyout(self, view: FlyoutView) -> None:
        self.last_flyout = view
        self.events.emit(
            "flyout.shown",
            entries=list(view.entries),
            balance=view.balance_text,
            mobile_plans_disabled=view.mobile_plans_disabled,
            reason=view.reason,
        )

    # -- Gateway page ------------------------------------------------------------------------
    def open_gateway(self) -> None:
        """The app is about to show the operator's Gateway page."""
        iccid = self._operator_iccid()
        config = self.world.config
        if iccid is None:
            self._gateway(choose_gateway(config, None))
            return
        if iccid in self.not_supported:
            self.events.emit(
                "gateway.unavailable",
                iccid=iccid,
                reason="GetBalance answered NOTSUPPORTED for this SIM",
                text=GENERIC_ERROR,
            )
            return
        self.world.get_offers(
            iccid, self.imei, lambda exchange: self._gateway(choose_gateway(config, exchange))
        )

    def _gateway(self, choice: GatewayChoice) -> None:
        self.last_gateway = choice
        self.events.emit(
            "gateway.shown",
            template=choice.template.id if choice.template else None,
            page="enhanced" if choice.template else "standard",
            reason=choice.reason,
        )

    # -- notifications -----------------------------------------------------------------------
    def receive_sms(self, notification_type: NotificationType) -> bool:
        """The operator's SMS arrives; False (with an event saying why) when the documented
        preconditions do not hold."""
        iccid = self._operator_iccid()
        problem = self.sms_problem() or None
        self.events.emit(
            "sms.received",
            notification_type=str(notification_type),
            iccid=iccid,
            ignored=problem or "",
        )
        if problem is not None or iccid is None:
            return False
        self.world.get_notifications(
            iccid,
            notification_type,
            self.imei,
            lambda exchange: self._notification(exchange, notification_type),
        )
        return True

    def sms_problem(self) -> str:
        """Why the operator's SMS would be ignored now ("" when the service would be asked)."""
        iccid = self._operator_iccid()
        if iccid is None:
            return "no active profile of the operator"
        if not self.device.registered(iccid):
            return f"profile {iccid} is not registered on the network"
        return ""

    def promotion_withheld(self) -> str:
        """Why the end of device setup would show no promotion ("" when it would)."""
        if self.device.has_profiles():
            return "the PC has an eSIM profile; the promotion is for a PC without one"
        if self._promotion_template() is None:
            return "the configuration has no trialOffer notification template"
        return ""

    def _promotion_template(self) -> NotificationTemplate | None:
        return next(
            (
                t
                for t in self.world.config.notification_templates
                if t.notification_type is NotificationType.TRIAL_OFFER
            ),
            None,
        )

    def _notification(self, exchange: Exchange, notification_type: NotificationType) -> None:
        ids = exchange.checked.notification_ids or []
        template = self.world.config.notification_template(ids[0]) if ids else None
        if template is None:
            return  # no toast: the violations already say why
        self._toast(template, notification_type)

    def setup_completed(self) -> bool:
        """The out-of-box experience finished: on an eSIM PC without a profile the app shows
        the operator's promotional notification (the trial offer template)."""
        template = self._promotion_template()
        if self.promotion_withheld() or template is None:
            return False
        self._toast(template, NotificationType.TRIAL_OFFER)
        return True

    def _toast(self, template: NotificationTemplate, kind: NotificationType) -> None:
        toast_id = f"mo-notification-{next(self._ids)}"
        actions = TOAST_ACTIONS[kind]
        self._toasts[toast_id] = _PendingToast(template, actions)
        self.events.emit(
            "ui.toast",
            toast=toast_id,
            text=f"{template.title}\n{template.body}",
            title=template.title,  # drawn bold above the body, as the docs' toast pictures
            actions=list(actions),
            notification=template.id,
        )

    def toast_answered(self, toast_id: str, action: str) -> None:
        pending = self._toasts.pop(toast_id, None)
        if pending is None or action not in pending.actions:
            return
        self.events.emit("ui.toast-answered", toast=toast_id, action=action)
        if action == pending.actions[0]:  # accept opens the Gateway page
            self.open_gateway()


@dataclass(frozen=True)
class PcState:
    """The PC as the service sees it, from the eSIM and network worlds' own functions."""

    active: Callable[[], str | None]
    is_registered: Callable[[str], bool]
    all_profiles: Callable[[], list[str]]

    def active_iccid(self) -> str | None:
        return self.active()

    def registered(self, iccid: str) -> bool:
        return self.is_registered(iccid)

    def has_profiles(self) -> bool:
        return bool(self.all_profiles())

    def profiles(self) -> list[str]:
        return self.all_profiles()
