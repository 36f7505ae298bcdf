"""Typed rows of the eUICC store: installed profiles and pending notifications."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

NOTIFICATION_EVENTS = ("install", "enable", "disable", "delete")
"""NotificationEvent bit names in bit order (SGP.22 §5.7.9)."""


class ProfileClass(IntEnum):
    """ProfileClass of SGP.22 §2.4."""

    TEST = 0
    PROVISIONING = 1
    OPERATIONAL = 2


class ProfilePolicyRule(IntEnum):
    """PprIds bit positions (SGP.22 ProfileInfo)."""

    UPDATE_CONTROL = 0
    DISABLE_NOT_ALLOWED = 1  # PPR1
    DELETE_NOT_ALLOWED = 2  # PPR2


@dataclass(frozen=True, slots=True)
class NotificationTarget:
    """One NotificationConfigurationInformation entry of a profile's metadata."""

    events: frozenset[str]
    """A subset of ``install``, ``enable``, ``disable``, ``delete``."""
    address: str


@dataclass(frozen=True, slots=True)
class OperatorId:
    """profileOwner (B7): MCC/MNC as 3 BCD bytes, optional GID1/GID2."""

    mcc_mnc: bytes
    gid1: bytes | None = None
    gid2: bytes | None = None


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """One installed profile as the card holds it (the fields of ProfileInfo, §4.4)."""

    iccid: str
    aid: str
    """The ISD-P AID, 32 upper-case hex digits."""
    state: str
    """``"enabled"`` or ``"disabled"``."""
    nickname: str | None
    service_provider: str
    profile_name: str
    profile_class: str
    """``"test"``, ``"provisioning"`` or ``"operational"``."""
    icon_type: int | None
    icon: bytes | None
    notification_configuration: tuple[NotificationTarget, ...]
    profile_owner: OperatorId | None
    policy_rules: frozenset[ProfilePolicyRule]
    dp_oid: str | None
    size_bytes: int
    """Size of the unprotected profile package (what counts against the card's memory)."""
    installed_at: float

    @property
    def enabled(self) -> bool:
        return self.state == "enabled"

    @property
    def aid_bytes(self) -> bytes:
        return bytes.fromhex(self.aid)

    @property
    def profile_class_value(self) -> ProfileClass:
        return ProfileClass[self.profile_class.upper()]


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """A pending notification: its metadata and the signed PendingNotification to send."""

    seq_number: int
    event: str
    address: str
    iccid: str | None
    metadata: bytes
    """The exact NotificationMetadata TLV (BF2F …) as ListNotification returns it."""
    pending: bytes
    """The exact PendingNotification: a BF37 (install) or an OtherSignedNotification (30)."""
    created_at: float
