"""Notifications: generation (signed by the eUICC) and ES10b ListNotification,
RetrieveNotificationsList and RemoveNotificationFromList (SGP.22 §5.7.9-§5.7.11).

Every event gets the next global ``seqNumber``. Install results are stored as the BF37 itself;
enable, disable and delete produce an OtherSignedNotification, signed over the exact DER of its
NotificationMetadata (§3.6), but only when the profile's metadata asks for that event.
"""

from __future__ import annotations

from esim.asn1 import device_der, device_der_writers, messages
from esim.asn1.tlv import encode_tlv
from esim.crypto import encode_signature_tlv
from esim.euicc import result_der
from esim.euicc.context import CardContext
from esim.euicc.records import NotificationRecord, ProfileRecord
from esim.identifiers import Iccid

MAX_SEQUENCE_NUMBER = 2**63 - 1
"""The largest seqNumber the card can hold (an SQLite INTEGER)."""


def notification_metadata(seq_number: int, event: str, address: str, iccid: str | None) -> bytes:
    """The DER of a NotificationMetadata (BF2F)."""
    value = notification_metadata_value(seq_number, event, address, iccid)
    return result_der.notification_metadata(value) or messages.NOTIFICATION_METADATA.encode(value)


def notification_metadata_value(
    seq_number: int, event: str, address: str, iccid: str | None
) -> dict[str, object]:
    """A NotificationMetadata in the codec's form (what :func:`notification_metadata` encodes)."""
    value: dict[str, object] = {
        "seqNumber": seq_number,
        "profileManagementOperation": messages.notification_event(event),
        "notificationAddress": address,
    }
    if iccid is not None:
        value["iccid"] = Iccid.parse(iccid, check_luhn=False).to_sgp22_bytes()
    return value


def queue_profile_notifications(ctx: CardContext, profile: ProfileRecord, event: str) -> None:
    """Store the OtherSignedNotifications ``event`` on ``profile`` asks for (in a transaction)."""
    for target in profile.notification_configuration:
        if event not in target.events:
            continue
        seq_number = ctx.store.next_sequence_number()
        metadata = notification_metadata(seq_number, event, target.address, profile.iccid)
        signed = (
            metadata
            + encode_signature_tlv(ctx.sign(metadata))
            + ctx.euicc_certificate
            + ctx.eum_certificate
        )
        ctx.store.add_notification(
            NotificationRecord(
                seq_number=seq_number,
                event=event,
                address=target.address,
                iccid=profile.iccid,
                metadata=metadata,
                pending=encode_tlv(0x30, signed),
                created_at=ctx.clock(),
            )
        )


def list_notification(ctx: CardContext, request: bytes) -> bytes:
    """ES10b.ListNotification (BF28): the metadata of every pending notification, or a filter."""
    decoded = messages.LIST_NOTIFICATION_REQUEST.decode(request)
    wanted = _event_filter(decoded.get("profileManagementOperation"))
    chosen = [n.metadata for n in ctx.store.notifications() if wanted is None or n.event in wanted]
    return encode_tlv(0xBF28, encode_tlv(0xA0, b"".join(chosen)))


def retrieve_notifications_list(ctx: CardContext, request: bytes) -> bytes:
    """ES10b.RetrieveNotificationsList (BF2B): the signed notifications themselves."""
    decoded = device_der.decode(messages.RETRIEVE_NOTIFICATIONS_LIST_REQUEST, request)
    criteria = decoded.get("searchCriteria")
    pending = ctx.store.notifications()
    if criteria is not None:
        kind, value = criteria
        if kind == "seqNumber":
            pending = [n for n in pending if n.seq_number == value]
        else:
            wanted = _event_filter(value) or set()
            pending = [n for n in pending if n.event in wanted]
        if not pending:
            # SGP.22 §5.7.10: a search that matches nothing is noResultAvailable(1).
            return messages.RETRIEVE_NOTIFICATIONS_LIST_RESPONSE.encode(
                ("notificationsListResultError", 1)
            )
    return encode_tlv(0xBF2B, encode_tlv(0xA0, b"".join(n.pending for n in pending)))


def remove_notification_from_list(ctx: CardContext, request: bytes) -> bytes:
    """ES10b.RemoveNotificationFromList (BF30): ok(0) or nothingToDelete(1)."""
    decoded = device_der.decode(messages.NOTIFICATION_SENT_REQUEST, request)
    seq_number = int(decoded["seqNumber"])
    # The card stores seqNumbers as SQLite 64-bit integers: anything beyond names nothing.
    removed = 0 <= seq_number <= MAX_SEQUENCE_NUMBER and ctx.store.remove_notification(seq_number)
    return device_der_writers.notification_sent_response(0 if removed else 1)


def _event_filter(value: tuple[bytes, int] | None) -> set[str] | None:
    if value is None:
        return None
    positions = messages.bit_positions(value)
    return {name for index, name in enumerate(messages.NOTIFICATION_EVENTS) if index in positions}
