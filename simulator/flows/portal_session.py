"""One portal visit, from launch to hand-back: the pure heart of the app (no Qt).

The bridge hands every call here; the contract parses and checks it once; the result becomes
events and, for the flows that need no eSIM, screens. The UI observes `ui.screen` events and
the `PortalChannel` protocol carries callbacks back into the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from simulator.clock import ClockHold
from simulator.contract.commands import NotifyCancelledPurchase, NotifyPurchaseResult
from simulator.contract.model import ActivationError, LaunchContext, PortalCall
from simulator.contract.session import CheckResult, ContractSession
from simulator.contract.values import encode_js_value
from simulator.contract.violations import rule_link
from simulator.device import SimulatedDevice
from simulator.events import EventLog
from simulator.flows import screens
from simulator.flows.screens import Screen

if TYPE_CHECKING:
    from simulator.flows.engine import FlowEngine

# Real seconds the page has to answer a callback before it counts as not delivered; the virtual
# clock stands still meanwhile. A page answers in milliseconds unless it is gone or hung.
CALLBACK_ANSWER_SECONDS = 10.0


class PortalChannel(Protocol):
    """How flows talk back into the loaded portal document."""

    def deliver_callback(self, doc: str, script_property: str, argument: str) -> str | None:
        """Ask document `doc` to call the function its `script_property` names; None if gone."""


@dataclass
class CallbackRecord:
    """A callback on its way into the page: time is held until it is answered."""

    callback_id: str
    script_property: str
    argument: str
    doc: str = ""
    hold: ClockHold | None = None
    then: Callable[[], None] | None = None


@dataclass
class PortalSession:
    """State of the current portal launch and the app screens around it."""

    events: EventLog
    device: SimulatedDevice
    channel: PortalChannel
    contract: ContractSession | None = None
    launch: LaunchContext | None = None
    screen: Screen = Screen.PROVIDER
    current_doc: str | None = None
    flows: FlowEngine | None = None
    portal_open: bool = False
    _expected_seq: dict[str, int] = field(default_factory=dict)
    _callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    _shown: tuple[Screen, str, str] | None = None

    # -- the portal's life -------------------------------------------------------------------
    def launched(self, transaction_id: str) -> None:
        self.launch = LaunchContext(
            transaction_id=transaction_id, device_kind=self.device.kind.value
        )
        self.contract = ContractSession(self.launch, self._iccids_on_device)
        self.current_doc = None
        self.portal_open = True
        self.show(Screen.PORTAL, "")

    def document_ready(self, doc: str, url: str) -> None:
        """A new document on the allowed origin has its bridge up (first envelope: `ready`)."""
        self.current_doc = doc
        self._expected_seq[doc] = 2  # `ready` was 1
        self.events.emit("bridge.ready", doc=doc, url=url)
        for record in [r for r in self._callbacks.values() if r.doc != doc]:
            # A new document replaced the one that was asked: its answer will never come.
            self._unanswered(record.callback_id, "the page that asked navigated away first")

    def navigation_started(self) -> None:
        # Callbacks are for the document that asked; a new document must introduce itself.
        self.current_doc = None

    def _iccids_on_device(self) -> frozenset[str]:
        return frozenset(self.device.profile_iccids())

    # -- calls from the page -----------------------------------------------------------------
    def note_sequence(self, doc: str, seq: int) -> None:
        """Each document numbers its messages 1, 2, 3…: a gap or a repeat means one was lost."""
        expected = self._expected_seq.get(doc)
        if expected is None:
            return
        self._expected_seq[doc] = seq + 1
        if seq != expected:
            self.events.emit(
                "bridge.sequence-gap",
                message=f"message #{seq} arrived where #{expected} was expected",
                doc=doc,
            )

    def call(self, doc: str, call: PortalCall) -> CheckResult | None:
        self.events.emit(
            "bridge.call",
            object=call.object_name,
            method=call.member,
            call_kind=call.kind,
            args=list(map(encode_js_value, call.args)),
            origin=call.document_url,
            seq=call.seq,
            doc=doc,
            operationId=call.operation_id,
        )
        if self.contract is None:
            return None
        result = self.contract.check(call)
        for violation in result.violations:
            self.events.emit(
                "contract.violation",
                rule=violation.rule,
                severity=str(violation.severity),
                message=violation.message,
                spec=violation.spec,
                field=violation.field,
                object=call.object_name,
                method=call.member,
                call_seq=call.seq,
            )
        if result.portal_error is not None:
            # The documented answer to a bad argument (Mobile Plans callbacks doc preamble).
            self.activation_complete(doc, result.portal_error, iccid="")
        if result.command is not None:
            self.events.emit(
                "contract.command",
                object=call.object_name,
                method=call.member,
                call_seq=call.seq,
                command=type(result.command).__name__,
            )
            self._dispatch(doc, result)
        return result

    def _dispatch(self, doc: str, result: CheckResult) -> None:
        command = result.command
        if self.contract is not None and self.contract.handed_back:
            self.portal_open = False  # control is back with the app (§3.1, §3.5, §3.8)
        if isinstance(command, NotifyPurchaseResult) and not (
            command.payload.success and command.payload.activation_code is not None
        ):
            self._legacy_handoff(command)
        elif isinstance(command, NotifyCancelledPurchase):
            self.events.emit("flow.state", flow="cancelled-purchase", state="returned-to-app")
            self.show(Screen.PROVIDER, screens.PROVIDER_TITLE)
        elif self.flows is not None:
            self.flows.start(command, doc)

    def _legacy_handoff(self, command: NotifyPurchaseResult) -> None:
        """DataMart.notifyPurchaseResult without a profile to download (§3.1)."""
        payload = command.payload
        plan = payload.purchase_result.plan_name or ""
        if not payload.success:
            self.events.emit("flow.state", flow="legacy-handoff", state="failed-returned")
            self.show(Screen.PROVIDER, screens.PROVIDER_TITLE)
        else:
            # pSIM or an already active eSIM: the MO activates the plan in its backend.
            self.events.emit("flow.state", flow="legacy-handoff", state="plan-active", plan=plan)
            self.show(Screen.PLAN_ACTIVE, screens.plan_active_text(plan))

    # -- back and leave ----------------------------------------------------------------------
    def back_pressed(self, can_go_back: bool) -> bool:
        """True when the web view should go back itself; else the leave dialog is shown."""
        if self.screen is Screen.LOAD_FAILED:
            # [ours] the docs' page has no button: back leaves it for the provider page (with
            # several operators, the Select Provider page), else an operator whose portal is
            # down kept the app on it until it was closed
            self.portal_open = False
            self.events.emit("flow.state", flow="portal", state="left-after-load-failure")
            self.show(Screen.PROVIDER, screens.PROVIDER_TITLE)
            return False
        if self.screen not in (Screen.PORTAL, Screen.PROGRESS_POPUP):
            return False
        if can_go_back:
            return True
        self.show(Screen.LEAVE_DIALOG, screens.LEAVE_TITLE)
        return False

    def leave_answered(self, leave: bool) -> None:
        if self.screen is not Screen.LEAVE_DIALOG:
            return
        if leave:
            self.portal_open = False
            self.events.emit("flow.state", flow="portal", state="left-by-user")
            self.show(Screen.PROVIDER, screens.PROVIDER_TITLE)
        else:
            self.show(Screen.PORTAL, "")

    def load_failed(self, url: str, cv: str) -> None:
        self.events.emit("portal.load-failed", url=url)
        self.show(Screen.LOAD_FAILED, f"{screens.LOAD_FAILED} CV: {cv}")

    # -- callbacks into the page -------------------------------------------------------------
    def portal_still_open(self) -> bool:
        return self.portal_open

    def activation_complete(
        self,
        doc: str,
        result: ActivationError | str,
        iccid: str,
        *,
        then: Callable[[], None] | None = None,
    ) -> None:
        argument = json.dumps({"activationResult": str(result), "iccid": iccid})
        self._callback(doc, "profileActivationCompleteScript", argument, then)

    def registration_changed(
        self, doc: str, state: str, iccid: str, *, then: Callable[[], None] | None = None
    ) -> None:
        argument = json.dumps({"networkRegistrationState": state, "iccid": iccid})
        self._callback(doc, "registrationChangedScript", argument, then)

    def callbacks_in_flight(self) -> int:
        return len(self._callbacks)

    def _callback(
        self, doc: str, script_property: str, argument: str, then: Callable[[], None] | None
    ) -> None:
        callback_id = None
        if doc == self.current_doc and self.portal_open:
            callback_id = self.channel.deliver_callback(doc, script_property, argument)
        if callback_id is None:
            self.events.emit(
                "portal.callback",
                property=script_property,
                argument=argument,
                delivered=False,
                reason="the page that asked is no longer loaded",
            )
            if then is not None:
                then()
            return
        record = CallbackRecord(callback_id, script_property, argument, doc, then=then)
        self._callbacks[callback_id] = record
        # Time stands still until the page answers: the callback happens at the instant of the
        # state change it reports, and nothing the clock would fire can overtake it.
        record.hold = self.events.clock.hold(
            f"{script_property} into the portal",
            real_timeout=CALLBACK_ANSWER_SECONDS,
            on_expire=lambda: self._unanswered(
                callback_id,
                f"the page did not answer within {CALLBACK_ANSWER_SECONDS:g} s "
                "(it navigated away, or the function is still running)",
            ),
        )

    def _unanswered(self, callback_id: str, reason: str) -> None:
        record = self._callbacks.pop(callback_id, None)
        if record is None:
            return
        self.events.emit(
            "portal.callback",
            property=record.script_property,
            argument=record.argument,
            delivered=False,
            reason=reason,
        )
        self._settled(record)

    def _settled(self, record: CallbackRecord) -> None:
        # The flow's next step first, then time may move: it happens at the same instant.
        try:
            if record.then is not None:
                record.then()
        finally:
            if record.hold is not None:
                record.hold.release()

    def callback_result(
        self, callback_id: str, invoked: bool, resolved: str, reason: str, error: str
    ) -> None:
        record = self._callbacks.pop(callback_id, None)
        if record is None:
            return
        try:
            self._report_result(record, invoked, resolved, reason, error)
        finally:
            self._settled(record)

    def _report_result(
        self, record: CallbackRecord, invoked: bool, resolved: str, reason: str, error: str
    ) -> None:
        self.events.emit(
            "portal.callback",
            property=record.script_property,
            function=resolved,
            argument=record.argument,
            delivered=invoked,
            reason=reason,
            error=error,
        )
        if not invoked:
            self.events.emit(
                "contract.violation",
                rule=f"callbacks.{reason or 'not-invoked'}",
                severity="error",
                message=(
                    f"the app could not call the portal back: {record.script_property} "
                    + (
                        "was never set"
                        if reason == "unset"
                        else f"names {resolved!r}, not a function"
                    )
                ),
                spec=rule_link(f"callbacks.{reason or 'not-invoked'}"),
                field=record.script_property,
                object="MobilePlansInlineOperations",
                method=record.script_property,
                call_seq=None,
            )

    # -- screens -----------------------------------------------------------------------------
    def show(self, screen: Screen | str, text: str, *, title: str = "") -> None:
        """Show an app screen; `ui.screen` is logged only when what a person sees changes."""
        screen = Screen(screen)
        if screen is Screen.PROVIDER:
            self.portal_open = False
        shown = (screen, title, text)
        if shown == self._shown:
            return
        self._shown = shown
        self.screen = screen
        fields: dict[str, str] = {"screen": str(screen), "text": text}
        if title:
            fields["title"] = title
            fields["body"] = text
        self.events.emit("ui.screen", **fields)
