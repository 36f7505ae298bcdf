"""Profile state changes with SGP.22 v2 policy, shared by ES10c and the :class:`Euicc` helpers.

Each function is one store transaction that changes the profiles and queues the notifications
the profiles' metadata asks for, and returns the ES10c result code (SGP.22 §5.7):

* one enabled profile at a time: enabling B disables the enabled A first (both notified);
* Enable needs Disabled, Disable needs Enabled, Delete needs Disabled, else ``2``;
* PPR1 forbids disabling (also implicitly, by enabling another profile), PPR2 deleting: ``3``;
* a running proactive session (``EuiccConfig.busy``) is ``catBusy(5)`` where SGP.22 defines it.
"""

from __future__ import annotations

from enum import IntEnum

from esim.euicc.context import CardContext
from esim.euicc.es10b_notifications import queue_profile_notifications
from esim.euicc.records import ProfileClass, ProfilePolicyRule, ProfileRecord


class Result(IntEnum):
    """The result codes common to EnableProfile, DisableProfile and DeleteProfile."""

    OK = 0
    ICCID_OR_AID_NOT_FOUND = 1
    WRONG_STATE = 2  # profileNotInDisabledState / profileNotInEnabledState
    DISALLOWED_BY_POLICY = 3
    CAT_BUSY = 5
    UNDEFINED_ERROR = 127


class MemoryResetResult(IntEnum):
    OK = 0
    NOTHING_TO_DELETE = 1
    CAT_BUSY = 5


def enable_profile(ctx: CardContext, target: ProfileRecord | None) -> Result:
    """EnableProfile (SGP.22 §5.7.16)."""
    with ctx.store.transaction():
        if ctx.config.busy:
            return Result.CAT_BUSY
        if target is None:
            return Result.ICCID_OR_AID_NOT_FOUND
        target = ctx.store.profile_by_iccid(target.iccid)
        if target is None:
            return Result.ICCID_OR_AID_NOT_FOUND
        if target.enabled:
            return Result.WRONG_STATE
        current = ctx.store.enabled_profile()
        if current is not None:
            if ProfilePolicyRule.DISABLE_NOT_ALLOWED in current.policy_rules:
                return Result.DISALLOWED_BY_POLICY
            ctx.store.set_enabled(current.iccid, False)
            queue_profile_notifications(ctx, current, "disable")
        ctx.store.set_enabled(target.iccid, True)
        queue_profile_notifications(ctx, target, "enable")
        return Result.OK


def disable_profile(ctx: CardContext, target: ProfileRecord | None) -> Result:
    """DisableProfile (SGP.22 §5.7.17)."""
    with ctx.store.transaction():
        if ctx.config.busy:
            return Result.CAT_BUSY
        target = None if target is None else ctx.store.profile_by_iccid(target.iccid)
        if target is None:
            return Result.ICCID_OR_AID_NOT_FOUND
        if not target.enabled:
            return Result.WRONG_STATE
        if ProfilePolicyRule.DISABLE_NOT_ALLOWED in target.policy_rules:
            return Result.DISALLOWED_BY_POLICY
        ctx.store.set_enabled(target.iccid, False)
        queue_profile_notifications(ctx, target, "disable")
        return Result.OK


def delete_profile(ctx: CardContext, target: ProfileRecord | None) -> Result:
    """DeleteProfile (SGP.22 §5.7.18); removes the ISD-P and the profile's data."""
    with ctx.store.transaction():
        target = None if target is None else ctx.store.profile_by_iccid(target.iccid)
        if target is None:
            return Result.ICCID_OR_AID_NOT_FOUND
        if target.enabled:
            return Result.WRONG_STATE
        if ProfilePolicyRule.DELETE_NOT_ALLOWED in target.policy_rules:
            return Result.DISALLOWED_BY_POLICY
        queue_profile_notifications(ctx, target, "delete")
        ctx.store.delete_profile(target.iccid)
        return Result.OK


def set_nickname(ctx: CardContext, iccid: str, nickname: str) -> int:
    """SetNickname (SGP.22 §5.7.21): ok(0) or iccidNotFound(1); an empty name clears it."""
    with ctx.store.transaction():
        if ctx.store.profile_by_iccid(iccid) is None:
            return 1
        ctx.store.set_nickname(iccid, nickname or None)
        return 0


def memory_reset(
    ctx: CardContext, *, operational: bool, test: bool, default_smdp_address: bool
) -> MemoryResetResult:
    """eUICCMemoryReset (SGP.22 §5.7.19).

    No notification is generated for the profiles it removes [SPEC? v2.x]: the reset is the
    user's decision on the device, and pending notifications already queued are kept.
    """
    with ctx.store.transaction():
        if ctx.config.busy:
            return MemoryResetResult.CAT_BUSY
        doomed = [
            profile
            for profile in ctx.store.profiles()
            if (operational and profile.profile_class_value is ProfileClass.OPERATIONAL)
            or (test and profile.profile_class_value is ProfileClass.TEST)
        ]
        for profile in doomed:
            ctx.store.delete_profile(profile.iccid)
        address_reset = False
        if default_smdp_address and ctx.store.setting("default_dp_address") is not None:
            ctx.store.set_setting("default_dp_address", None)
            address_reset = True
        if not doomed and not address_reset:
            return MemoryResetResult.NOTHING_TO_DELETE
        return MemoryResetResult.OK
