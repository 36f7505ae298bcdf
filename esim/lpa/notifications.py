"""Deliver pending notifications: RetrieveNotificationsList → ES9+.HandleNotification (HTTP 204)
→ RemoveNotificationFromList, removing only after a successful send (SGP.22 notifications
steps 9-10). A failed delivery is reported, never raised: the notification stays on the card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from esim.lpa.activation_errors import to_lpa_error
from esim.lpa.errors import CardError, Es9Error, Es9TransportError, Es10Error, LpaError
from esim.lpa.es9_client import Es9Client
from esim.lpa.es10 import Es10, NotificationInfo


@dataclass(frozen=True, slots=True)
class NotificationOutcome:
    """What happened to one pending notification."""

    seq_number: int
    event: str
    address: str
    iccid: str | None
    sent: bool
    """ES9+.HandleNotification was answered 204."""
    removed: bool
    """ES10b.RemoveNotificationFromList said ok after the send."""
    error: LpaError | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "seqNumber": self.seq_number,
            "profileManagementOperation": self.event,
            "notificationAddress": self.address,
            "iccid": self.iccid,
            "sent": self.sent,
            "removed": self.removed,
        }
        if self.error is not None:
            data["error"] = self.error.to_json()
        return data


async def deliver(es10: Es10, client: Es9Client, info: NotificationInfo) -> NotificationOutcome:
    """Send one notification and remove it from the card once the SM-DP+ accepted it."""

    def outcome(sent: bool, removed: bool, error: LpaError | None = None) -> NotificationOutcome:
        return NotificationOutcome(
            info.seq_number, info.event, info.address, info.iccid, sent, removed, error
        )

    step = "ES10b.RetrieveNotificationsList"
    try:
        raw = es10.retrieve_notification(info.seq_number)
        if raw is None:
            return outcome(False, False)
        step = "ES9+.handleNotification"
        await client.handle_notification(info.address, raw)
    except (CardError, Es10Error, Es9Error, Es9TransportError) as error:
        return outcome(False, False, to_lpa_error(error, step))
    try:
        removed = es10.remove_notification(info.seq_number)
    except (CardError, Es10Error) as error:
        return outcome(True, False, to_lpa_error(error, "ES10b.RemoveNotificationFromList"))
    return outcome(True, removed)


async def deliver_pending(
    es10: Es10, client: Es9Client, seq_numbers: Iterable[int] | None = None
) -> list[NotificationOutcome]:
    """Deliver every pending notification, or only those with ``seq_numbers``, in order."""
    wanted = None if seq_numbers is None else set(seq_numbers)
    pending = sorted(es10.list_notifications(), key=lambda info: info.seq_number)
    return [
        await deliver(es10, client, info)
        for info in pending
        if wanted is None or info.seq_number in wanted
    ]
