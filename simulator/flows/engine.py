"""Every Mobile Plans flow as a small state machine on the virtual clock (Mobile Plans scenarios).

Pure: the eSIM side, the network, the screens and the portal callbacks are ports. Each flow
has an operation id and announces every state in a `flow.state` event.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from simulator.clock import VirtualClock
from simulator.contract.commands import (
    NotifyBalanceAddition,
    NotifyOperationCancel,
    NotifyProfileDownload,
    NotifyPurchaseDelayedProfile,
    NotifyPurchaseResult,
    NotifyPurchaseWithProfileDownload,
)
from simulator.events import EventLog
from simulator.flows import screens
from simulator.flows.errors import LpaErrorLog, error_text
from simulator.flows.model import MINUTE, Flow, FlowOptions, Toast, reregistration_minutes
from simulator.flows.ports import CardOutcome, DownloadOutcome, EsimPort, PortalPort
from simulator.flows.screens import Screen
from simulator.network import Registration, SimulatedNetwork

__all__ = ["MINUTE", "Flow", "FlowEngine", "FlowOptions", "Toast", "reregistration_minutes"]


class FlowEngine:
    def __init__(
        self,
        clock: VirtualClock,
        events: EventLog,
        esim: EsimPort,
        network: SimulatedNetwork,
        portal: PortalPort,
        options: FlowOptions | None = None,
    ) -> None:
        self.clock = clock
        self.events = events
        self.esim = esim
        self.network = network
        self.portal = portal
        self.options = options or FlowOptions()
        self.lpa_errors = LpaErrorLog(clock)
        self.flows: dict[str, Flow] = {}
        self.toasts: dict[str, Toast] = {}
        self._ids = itertools.count(1)
        self._error_flow: Flow | None = None
        self._balance_flow: Flow | None = None

    # -- entry ---------------------------------------------------------------------------------
    def start(self, command: object, doc: str | None) -> Flow | None:
        """Start the flow a checked portal command asks for (None: not a flow command)."""
        if isinstance(command, NotifyProfileDownload):
            flow = self._new(
                "delayed-download" if command.delay_minutes else "inline-download",
                command.operation_id,
                doc,
                activation_code=str(command.activation_code),
                plan_name=command.metadata.plan_name or "",
            )
            if command.delay_minutes:
                self._schedule_delayed(flow, command.delay_minutes)
            else:
                self._download(flow)
            return flow
        if isinstance(command, NotifyOperationCancel):
            self._cancel(command.target_operation_id)
            return None
        if isinstance(command, NotifyPurchaseWithProfileDownload):
            flow = self._new(
                "async-connectivity",
                None,
                doc,
                activation_code=str(command.activation_code),
                inline=False,
                plan_name=command.metadata.plan_name or "",
            )
            self._download(
                flow,
                after_enable=lambda f, iccid: self._expect_registration_error(
                    f, iccid, command.reregister_after_minutes
                ),
            )
            return flow
        if isinstance(command, NotifyPurchaseResult):
            payload = command.payload
            if payload.success and payload.activation_code is not None:
                flow = self._new(
                    "legacy-handoff",
                    None,
                    doc,
                    activation_code=str(payload.activation_code),
                    inline=False,
                    plan_name=payload.purchase_result.plan_name or "",
                    iccid_hint=str(payload.iccid) if payload.iccid else "",
                )
                self._download(flow)
                return flow
            return None
        if isinstance(command, NotifyBalanceAddition):
            flow = self._new(
                "balance-addition",
                command.operation_id,
                doc,
                inline=command.inline,
                plan_name=command.metadata.plan_name or "",
            )
            self._balance(flow, str(command.iccid) if command.iccid else None)
            return flow
        if isinstance(command, NotifyPurchaseDelayedProfile):
            flow = self._new("delayed-profile", None, doc, inline=False)
            self._delayed_profile(flow, command.rounded_minutes)
            return flow
        return None

    def _new(self, kind: str, operation: str | None, doc: str | None, **fields: object) -> Flow:
        flow = Flow(kind, operation or f"app-{next(self._ids)}", doc)
        for name, value in fields.items():
            setattr(flow, name, value)
        self.flows[flow.operation] = flow
        self._state(flow, "started")
        return flow

    def _state(self, flow: Flow, state: str, **fields: object) -> None:
        flow.state = state
        self.events.emit(
            "flow.state", flow=flow.kind, operation=flow.operation, state=state, **fields
        )

    # -- download, install, enable (§3.1, §3.2) -----------------------------------------------
    def _download(
        self, flow: Flow, after_enable: Callable[[Flow, str], None] | None = None
    ) -> None:
        self._state(flow, "downloading", activation_code=flow.activation_code)
        # Inline: a popup over the portal, which stays usable (§3.2); else the app's own page.
        # Shown once: the "(xKB of yKB)" text follows the `lpa.progress` events.
        screen = Screen.PROGRESS_POPUP if flow.inline else Screen.INSTALLING
        self.portal.show(screen, screens.installing_text(0, 0))

        def progress(stage: str, done: int, total: int) -> None:
            self.events.emit(
                "lpa.progress",
                operation=flow.operation,
                stage=stage,
                bytes=done,
                total=total,
                screen=str(screen),
                text=screens.installing_text(done, total),
            )

        def downloaded(outcome: DownloadOutcome) -> None:
            if not outcome.ok or not outcome.iccid:
                self._failed(flow, outcome)
                return
            self._state(flow, "installed", iccid=outcome.iccid)
            self._enable(flow, outcome.iccid, after_enable or self._activated)

        self.esim.download(
            flow.activation_code, confirmation_code=None, progress=progress, done=downloaded
        )

    def _enable(self, flow: Flow, iccid: str, then: Callable[[Flow, str], None]) -> None:
        self._state(flow, "enabling", iccid=iccid)

        def enabled(outcome: CardOutcome) -> None:
            if not outcome.ok:
                error = "cardBusy" if "busy" in outcome.message.lower() else "cardGeneralFailure"
                self._failed(
                    flow,
                    DownloadOutcome(flow.activation_code, iccid, error, outcome.message, "enable"),
                )
                return
            self._state(flow, "enabled", iccid=iccid)
            then(flow, iccid)

        self.esim.enable(iccid, enabled)

    def _activated(self, flow: Flow, iccid: str) -> None:
        """Inline and legacy: the portal hears the result, then each registration change."""
        if flow.inline:
            self.portal.show(Screen.PORTAL, screens.UPDATING_BANNER)
            if flow.doc is not None:
                # Registration starts once the portal has heard the result (same instant).
                self.portal.activation_complete(
                    flow.doc, "success", iccid, then=lambda: self._register(flow, iccid)
                )
                return
        else:
            self.portal.show(Screen.CONNECTING, screens.CONNECTING)
        self._register(flow, iccid)

    def _register(
        self, flow: Flow, iccid: str, on_final: Callable[[Registration], None] | None = None
    ) -> None:
        self._state(flow, "registering", iccid=iccid)

        def changed(changed_iccid: str, state: Registration) -> None:
            def settled() -> None:
                if state is Registration.SEARCHING:
                    return
                # The flow ends only after the portal heard the final state.
                self._state(
                    flow,
                    "connected" if state.connected else "registration-failed",
                    iccid=changed_iccid,
                    registration=str(state),
                )
                if on_final is not None:
                    on_final(state)

            if flow.inline and flow.doc is not None:
                self.portal.registration_changed(flow.doc, str(state), changed_iccid, then=settled)
            else:
                settled()

        self.network.register(iccid, changed)

    # -- failures and the error screen (§3.1, §2.4) ---------------------------------------------
    def _failed(self, flow: Flow, outcome: DownloadOutcome) -> None:
        iccid = outcome.iccid or flow.iccid_hint or outcome.attempted_iccid or ""
        self._state(
            flow, "failed", activation_error=outcome.activation_error, message=outcome.message
        )
        self.events.emit(
            "lpa.error",
            operation=flow.operation,
            activation_error=outcome.activation_error,
            step=outcome.step,
            message=outcome.message,
        )
        self.lpa_errors.record(outcome.activation_error, iccid, outcome.rule)
        self._error_flow = flow

        def show_error() -> None:
            self.portal.show(
                Screen.ERROR, error_text(outcome.activation_error), title=screens.ERROR_TITLE
            )

        if flow.inline and flow.doc is not None:
            # The error screen follows once the portal has heard the error (same instant).
            self.portal.activation_complete(
                flow.doc, outcome.activation_error, outcome.iccid or "", then=show_error
            )
        else:
            show_error()

    def error_answered(self, retry: bool) -> None:
        """The error screen's Try again (same activation code, §4.10) or Close."""
        flow, self._error_flow = self._error_flow, None
        if flow is None:
            return
        if retry:
            self._state(flow, "retrying")
            self._download(flow)
        elif flow.inline and self.portal.portal_still_open():
            self.portal.show(Screen.PORTAL, "")
        else:
            self.portal.show(Screen.PROVIDER, screens.PROVIDER_TITLE)

    # -- delayed download and cancel (§3.3, §3.4) -----------------------------------------------
    def _schedule_delayed(self, flow: Flow, minutes: int) -> None:
        self._state(flow, "scheduled", delay_minutes=minutes)
        self.toast(f"Your {self.options.operator_name} eSIM profile will be installed later.", ())

        def ready() -> None:
            flow.timer = None
            self._state(flow, "toast-shown")
            self.toast(
                f"Your {self.options.operator_name} eSIM profile is ready to download.",
                ("Download", "Not now"),
                lambda action: self._delayed_answered(flow, action),
            )

        flow.timer = self.clock.call_later(
            minutes * MINUTE, ready, f"delayed download {flow.operation}"
        )

    def _delayed_answered(self, flow: Flow, action: str) -> None:
        if action == "Download":
            self._download(flow)
        else:
            self._state(flow, "declined")

    def _cancel(self, target: str | None) -> None:
        flow = self.flows.get(target or "")
        if flow is None:
            self.events.emit(
                "flow.state", flow="cancel", operation=target, state="unknown-operation"
            )
            return
        if flow.kind == "delayed-download" and flow.state == "scheduled" and flow.timer:
            flow.timer.cancel()
            flow.timer = None
            self._state(flow, "cancelled")
        else:
            # Only "before the user sees a toast notification" (§3.4); later it is a no-op.
            self._state(flow, flow.state, cancel="ignored", reason="not cancellable now")

    # -- asynchronous connectivity (§3.5) -------------------------------------------------------
    def _expect_registration_error(self, flow: Flow, iccid: str, minutes: int) -> None:
        self.network.deny(iccid)
        self._state(flow, "registration-error-expected", iccid=iccid, reregister_minutes=minutes)
        self.portal.show(Screen.CONNECTING, screens.CONNECTING)

        def reregister() -> None:
            flow.timer = None

            def final(state: Registration) -> None:
                operator = self.options.operator_name
                if state.connected:
                    text = f"You’re connected to the cellular network with {operator}."
                else:
                    text = f"We couldn’t connect you to {operator} ({state})."
                self.toast(text, ())

            self._register(flow, iccid, final)

        flow.timer = self.clock.call_later(minutes * MINUTE, reregister, f"re-register {iccid}")

    # -- balance (§3.6) -------------------------------------------------------------------------
    def _balance(self, flow: Flow, iccid: str | None) -> None:
        def show_balance(_flow: Flow | None = None, _iccid: str = "") -> None:
            self._state(flow, "balance-shown", iccid=iccid)
            self._balance_flow = flow
            name = flow.plan_name or "your plan"
            self.portal.show(
                Screen.BALANCE, f"Balance added to {name} with {self.options.operator_name}."
            )

        if iccid and self.esim.enabled_iccid() != iccid:
            self._enable(flow, iccid, show_balance)
        else:
            show_balance()

    def balance_closed(self) -> None:
        flow, self._balance_flow = self._balance_flow, None
        if flow is None:
            return
        self._state(flow, "done")
        if flow.inline and self.portal.portal_still_open():
            self.portal.show(Screen.PORTAL, "")
        else:
            self.portal.show(Screen.PROVIDER, screens.PROVIDER_TITLE)

    # -- historical SM-DS delivery (§3.7) -------------------------------------------------------
    def _delayed_profile(self, flow: Flow, minutes: int) -> None:
        if not self.options.sm_ds_enabled:
            self._state(flow, "unsupported", reason="start with --sm-ds to play the 2018 flow")
            self.portal.show(Screen.PROVIDER, screens.PROVIDER_TITLE)
            return
        self._state(flow, "waiting-for-sm-ds", minutes=minutes)
        self.portal.show(Screen.CONNECTING, screens.CONNECTING)

        def discover() -> None:
            code = self.esim.discover()
            if code is None:
                self._failed(
                    flow,
                    DownloadOutcome(
                        "",
                        None,
                        "noEligibleProfileForThisDevice",
                        "SM-DS found no profile for this EID",
                        "discover",
                    ),
                )
                return
            flow.activation_code = code
            self._download(flow)

        flow.timer = self.clock.call_later(minutes * MINUTE, discover, "SM-DS discovery")

    # -- toasts --------------------------------------------------------------------------------
    def toast(
        self, text: str, actions: tuple[str, ...], on_action: Callable[[str], None] | None = None
    ) -> Toast:
        toast = Toast(f"toast-{next(self._ids)}", text, actions, on_action or (lambda _a: None))
        if actions:
            self.toasts[toast.toast_id] = toast
        self.events.emit("ui.toast", toast=toast.toast_id, text=text, actions=list(actions))
        return toast

    def toast_answered(self, toast_id: str, action: str) -> None:
        toast = self.toasts.pop(toast_id, None)
        if toast is None or action not in toast.actions:
            return
        self.events.emit("ui.toast-answered", toast=toast_id, action=action)
        toast.on_action(action)
