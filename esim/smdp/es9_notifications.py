"""ES9+ handleNotification (SGP.22 §5.6.4).

Installation results (BF37) end their session and move the order to ``installed`` or
``failed``; other notifications (enable, disable, delete) are checked against the eUICC's chain
and signature and applied to the newest order of their ICCID. Each is admitted once, through
the :class:`~esim.smdp.notification_ledger.NotificationLedger`: a replay changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from cryptography import x509

from esim.asn1 import messages as m
from esim.asn1.errors import Asn1DecodeError
from esim.identifiers import Iccid, IdentifierError
from esim.pki import authority_key_identifier
from esim.smdp import status
from esim.smdp import verification as check
from esim.smdp.behaviours import Step
from esim.smdp.http_json import Body, binary_field
from esim.smdp.http_server import HttpRequest
from esim.smdp.notification_ledger import NotificationLedger, Verdict
from esim.smdp.orders import Order, OrderState
from esim.smdp.sessions import RspSessions
from esim.smdp.status import Es9Error

if TYPE_CHECKING:
    from esim.smdp.server import SmdpConfig
    from esim.smdp.store import OrderStore

_SPEC = "SGP.22 §5.6"
ProgressListener = Callable[[Order, int, Es9Error | None], None]
"""ES2+ handleDownloadProgressInfo hook: order, notification point, failure or None."""
Behaviour = Callable[[Order, Step], Awaitable[None]]


def _refuse(code: status.StatusCode, rule: str, message: str) -> Es9Error:
    return Es9Error(code, rule, message, _SPEC)


class NotificationHandler:
    """handleNotification over one store and session table (part of :class:`Es9Plus`)."""

    def __init__(
        self,
        config: SmdpConfig,
        store: OrderStore,
        sessions: RspSessions,
        progress: ProgressListener,
        euicc_cis: Mapping[bytes, x509.Certificate],
        apply_behaviour: Behaviour,
    ) -> None:
        self._config = config
        self._store = store
        self.sessions = sessions
        self._progress = progress
        self._euicc_cis = euicc_cis
        self._ci = config.certificates.ci.certificate
        self._ci_pkid = config.certificates.ci_pkid
        self._apply_behaviour = apply_behaviour
        self._ledger = NotificationLedger(store)

    async def handle_notification(self, body: Body, _: HttpRequest) -> None:
        raw = binary_field(body, "pendingNotification")
        try:
            choice, value = m.decode_pending_notification(raw)
        except Asn1DecodeError as error:
            raise _refuse(
                status.INVALID_PARAMETER, "der.pendingNotification", error.message
            ) from None
        if choice == "profileInstallationResult":
            await self._install_result(raw, value["profileInstallationResultData"])
        else:
            await self._other_notification(raw, value)

    async def _install_result(self, raw: bytes, data: dict[str, Any]) -> None:
        transaction = data["transactionId"].hex().upper()
        found = self._store.get_by_transaction_with_certificate(transaction)
        order, certificate = (None, None) if found is None else found
        if order is None or certificate is None:
            raise _refuse(status.UNKNOWN_TRANSACTION, "pir.unknown", f"unknown tid {transaction}")
        euicc = check.received_certificate(certificate, status.EUICC_CERTIFICATE_INVALID, "euicc")
        part = m.profile_installation_result_part(raw)
        key = check.public_key(euicc, status.EUICC_CERTIFICATE_INVALID, "euicc")
        check.signature(key, part.signed, part.signature, "euiccSignPIR")
        seq_number = data["notificationMetadata"]["seqNumber"]
        eid = order.downloaded_by or ""
        kind, result = data["finalResult"]
        error = (
            None
            if kind == "successResult"
            else f"install failed: bppCommandId {result['bppCommandId']}, "
            f"errorReason {result['errorReason']}"
        )
        to, action, fields = (
            (OrderState.INSTALLED, "installed", {})
            if error is None
            else (OrderState.FAILED, "install-failed", {"last_error": error})
        )
        in_flight = {OrderState.DOWNLOADING, OrderState.DOWNLOADED}
        behaviour = order.behaviour
        if behaviour.latency_seconds or behaviour.fail_at is Step.HANDLE_NOTIFICATION:
            # The behaviour comes between the record and the change: two transactions.
            verdict = self._ledger.admit(eid, seq_number, "install", order)
            if verdict.replay is not None:
                self._replayed(order, verdict, seq_number)
                return
            await self._apply_behaviour(order, Step.HANDLE_NOTIFICATION)
            self._end_session(data["transactionId"])
            changed = self._store.transition(order, in_flight, to, action, **fields)
        else:
            # Nothing in between: the record and the order's change commit together.
            admitted, changed = self._ledger.admit_installation(
                eid,
                seq_number,
                order,
                lambda db: self._store.transition_in(db, order, in_flight, to, **fields),
            )
            if not admitted:  # recorded before: the ledger says which replay it is
                verdict = self._ledger.admit(eid, seq_number, "install", order)
                if verdict.replay is not None:
                    self._replayed(order, verdict, seq_number)
                    return
                changed = self._store.transition(order, in_flight, to, action, **fields)
            elif changed is not None:
                self._store.emit(action, changed)
            self._end_session(data["transactionId"])
        if changed is not None:
            failure = None if error is None else _refuse(status.EXECUTION_ERROR, "pir.error", error)
            self._progress(changed, 4, failure)

    def _end_session(self, transaction_id: bytes) -> None:
        with contextlib.suppress(Es9Error):
            self.sessions.end(self.sessions.get(transaction_id))

    async def _other_notification(self, raw: bytes, value: dict[str, Any]) -> None:
        _, eum = check.euicc_certificates(value)
        pkid = authority_key_identifier(eum) or b""
        ci = self._euicc_cis.get(pkid, self._ci)
        chosen = pkid if pkid in self._euicc_cis else self._ci_pkid
        euicc, eid = check.verified_euicc(value, ci, chosen)
        part = m.other_signed_notification_part(raw)
        key = check.public_key(euicc, status.EUICC_CERTIFICATE_INVALID, "euicc")
        check.signature(key, part.signed, part.signature, "euiccNotificationSignature")
        metadata = value["tbsOtherNotification"]
        events = m.bit_positions(metadata["profileManagementOperation"])
        try:
            iccid = Iccid.from_sgp22_bytes(metadata.get("iccid", b""), check_luhn=False).digits
        except IdentifierError:
            iccid = None
        order = None if iccid is None else self._store.get_by_iccid(iccid)
        if order is None:
            return  # acknowledged: nothing here to update
        names = [m.NOTIFICATION_EVENTS[event] for event in sorted(events) if event < 4]
        seq_number = metadata["seqNumber"]
        verdict = self._ledger.admit(eid, seq_number, "+".join(names) or "other", order)
        if verdict.replay is not None:
            self._replayed(order, verdict, seq_number)
            return
        await self._apply_behaviour(order, Step.HANDLE_NOTIFICATION)
        if "delete" in names:
            self._store.transition(
                order, {OrderState.INSTALLED, OrderState.DOWNLOADED}, OrderState.DELETED, "deleted"
            )
        for name in names:
            if name != "delete":
                self._store.emit(f"profile-{name}d", order)

    def _replayed(self, order: Order, verdict: Verdict, seq_number: int) -> None:
        """Report a replayed notification; refuse it unless configured to acknowledge it."""
        acknowledged = self._config.acknowledge_replayed_notifications
        self._store.emit(
            "notification-replay",
            order,
            replay=str(verdict.replay),
            seq_number=str(seq_number),
            detail=verdict.detail,
            answer="204, ignored" if acknowledged else "refused",
        )
        if not acknowledged:
            raise _refuse(
                status.INVALID_PARAMETER,
                f"notification.replay.{verdict.replay}",
                f"a replayed notification changes nothing: {verdict.detail}",
            )
