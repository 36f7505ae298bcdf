"""`mobile_plans.operator_api`: the pytest fixture's handle on the operator's service APIs.

A portal team's test can call GetBalance / GetOffers / GetNotifications as the service would
and assert on what came back, play a misbehaving operator through the sample server, and send
the operator's SMS that triggers a notification.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from simulator.events import Event
from simulator.operator_api.client import Exchange
from simulator.operator_api.config import BalanceType, NotificationType, ServiceConfiguration
from simulator.operator_api.requests import Api
from simulator.operator_api.sample_operator import SampleBalance, SampleOperator, ScriptedAnswer
from simulator.replay.operator_steps import answer_step

_Member = TypeVar("_Member", bound=StrEnum)

if TYPE_CHECKING:
    from simulator.app import Simulator
    from simulator.replay import SessionRecorder

__all__ = ["OperatorApiControl"]


class _Owner(Protocol):
    @property
    def simulator(self) -> Simulator: ...

    def wait(self, predicate: Callable[[], bool], timeout: float | None, what: str) -> None: ...

    @property
    def recorder(self) -> SessionRecorder: ...


class OperatorApiControl:
    def __init__(self, owner: _Owner) -> None:
        self._owner = owner

    @property
    def config(self) -> ServiceConfiguration:
        return self._owner.simulator.operator_api.config

    @property
    def sample(self) -> SampleOperator:
        """The bundled sample operator (not there with ``--operator-api``)."""
        sample = self._owner.simulator.operator_api.sample
        if sample is None:
            raise RuntimeError("the simulator calls the team's own endpoints, not the sample")
        return sample

    def default_iccid(self) -> str:
        """The enabled profile, else the first profile in the operator's ranges."""
        simulator = self._owner.simulator
        enabled = simulator.esim.enabled_iccid()
        if enabled is not None:
            return enabled
        for iccid in simulator.esim.iccids():
            if any(r.contains(iccid) for r in self.config.iccid_ranges):
                return iccid
        raise RuntimeError("no profile of the operator on the eSIM; pass iccid=")

    def _note(self, action: str, **fields: Any) -> None:
        # Noted before it is taken, so a replay takes it at the same point (simulator.replay).
        self._owner.recorder.note(action, **fields)

    def get_balance(self, iccid: str | None = None, timeout: float | None = None) -> Exchange:
        world = self._owner.simulator.operator_api
        chosen = iccid or self.default_iccid()
        self._note("operator-api-call", api="GetBalance", iccid=iccid)
        return self._wait("GetBalance", lambda done: world.get_balance(chosen, done), timeout)

    def get_offers(self, iccid: str | None = None, timeout: float | None = None) -> Exchange:
        simulator = self._owner.simulator
        chosen = iccid or self.default_iccid()
        imei = str(simulator.device.imei)
        self._note("operator-api-call", api="GetOffers", iccid=iccid)
        return self._wait(
            "GetOffers", lambda done: simulator.operator_api.get_offers(chosen, imei, done), timeout
        )

    def get_notifications(
        self,
        notification_type: NotificationType | str = NotificationType.LOW_BALANCE,
        iccid: str | None = None,
        timeout: float | None = None,
    ) -> Exchange:
        simulator = self._owner.simulator
        kind = NotificationType.parse(str(notification_type))
        chosen = iccid or self.default_iccid()
        imei = str(simulator.device.imei)
        self._note(
            "operator-api-call", api="GetNotifications", iccid=iccid, notification_type=str(kind)
        )
        return self._wait(
            "GetNotifications",
            lambda done: simulator.operator_api.get_notifications(chosen, kind, imei, done),
            timeout,
        )

    def set_balance(
        self,
        iccid: str,
        balance_type: BalanceType | str,
        data_remaining_mb: float = 0.0,
        time_remaining: str = "PT0S",
    ) -> None:
        """What the sample operator answers GetBalance for ``iccid``."""
        kind = _member(BalanceType, str(balance_type), "a balance type")
        balance = SampleBalance(kind, data_remaining_mb, time_remaining)
        self._note(
            "operator-balance",
            iccid=iccid,
            balance_type=str(balance.type),
            data_remaining_mb=data_remaining_mb,
            time_remaining=time_remaining,
        )
        self.sample.balances[iccid] = balance

    def answer_next(
        self,
        api: Api | str,
        status: int = 200,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> None:
        """The sample operator's next answer to ``api`` (e.g. a bad one, to see the rule)."""
        which = _member(Api, str(api), "an API")
        answer = ScriptedAnswer(status, body, dict(headers or {}), raw)
        self._note("operator-answer", **answer_step(str(which), status, body, answer.headers, raw))
        self.sample.script(which, answer)

    # -- what the user sees ----------------------------------------------------------------------
    def open_flyout(self, timeout: float | None = None) -> Event:
        """Open the network flyout (GetBalance for the operator's active profile); the
        `flyout.shown` event (entries, balance, mobile_plans_disabled)."""
        simulator = self._owner.simulator
        after = len(simulator.events)
        self._note("flyout")
        simulator.operator_experience.service.open_flyout()
        return self._event_after("flyout.shown", after, timeout)

    def open_gateway(self, timeout: float | None = None) -> Event:
        """Show the Gateway page (GetOffers when the operator's profile is active); the
        `gateway.shown` event (template, page, reason)."""
        simulator = self._owner.simulator
        after = len(simulator.events)
        self._note("gateway")
        simulator.operator_experience.service.open_gateway()
        return self._event_after("gateway.shown", after, timeout)

    def send_sms(
        self, notification_type: NotificationType | str, timeout: float | None = None
    ) -> Event | None:
        """The operator's SMS arrives; the `ui.toast` of the notification, or None when the
        documented preconditions fail (the `sms.received` event says why)."""
        simulator = self._owner.simulator
        after = len(simulator.events)
        kind = NotificationType.parse(str(notification_type))
        self._note("sms", notification_type=str(kind))
        if not simulator.operator_experience.service.receive_sms(kind):
            return None
        return self._event_after("ui.toast", after, timeout)

    def complete_setup(self, timeout: float | None = None) -> Event | None:
        """The end of the out-of-box experience: the promotional toast on a PC without a
        profile, else None."""
        simulator = self._owner.simulator
        after = len(simulator.events)
        self._note("setup-completed")
        if not simulator.operator_experience.service.setup_completed():
            return None
        return self._event_after("ui.toast", after, timeout)

    def answer_toast(self, toast: Event, action: str) -> None:
        """Press ``action`` on a notification toast: one of its buttons (``toast["actions"]``),
        or ``"accept"`` / ``"decline"`` for the first / second. Accept opens the Gateway page."""
        buttons = [str(b) for b in toast.fields.get("actions", [])]
        position = {"accept": 0, "decline": 1}.get(action.casefold())
        pressed = action
        if action not in buttons and position is not None and position < len(buttons):
            pressed = buttons[position]
        if pressed not in buttons:
            # Pressing a button the toast does not have would silently do nothing.
            raise ValueError(
                f"{action!r} is not a button of this toast; its buttons are {buttons}, "
                "or say 'accept' or 'decline'"
            )
        self._owner.simulator.operator_experience.service.toast_answered(
            str(toast.fields["toast"]), pressed
        )

    def _event_after(self, kind: str, after: int, timeout: float | None) -> Event:
        __tracebackhide__ = True
        events = self._owner.simulator.events
        found: list[Event] = []

        def seen() -> bool:
            found[:] = [e for e in list(events)[after:] if e.kind == kind]
            return bool(found)

        self._owner.wait(seen, timeout, f"a {kind} event")
        return found[0]

    def _wait(
        self, api: str, start: Callable[[Callable[[Exchange], None]], object], timeout: float | None
    ) -> Exchange:
        __tracebackhide__ = True
        done: list[Exchange] = []
        start(done.append)
        self._owner.wait(lambda: bool(done), timeout, f"the operator's {api} answer")
        return done[0]


def _member(kind: type[_Member], text: str, what: str) -> _Member:
    """``text`` as a member of ``kind``, case-insensitively; ValueError listing the choices."""
    for member in kind:
        if text.casefold() in (member.value.casefold(), member.name.casefold()):
            return member
    choices = ", ".join(m.value for m in kind)
    raise ValueError(f"{text!r} is not {what}; one of {choices}")
