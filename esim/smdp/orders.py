"""Download orders: the life cycle, the typed :class:`Order`, and matching IDs.

Life cycle (SGP.22 §3.1.1 ES2+ and §3.1.3 download)::

    allocated ─(EID given)─ linked ─ confirmed ─ released ─ downloading ─ downloaded ─ installed
                                              │            │  (claimed by one session)   │
                                              └────────────┴─ cancelled / failed / expired ─ deleted

* ``released``: the matching ID is usable. A session *claims* it atomically in authenticateClient
  (``downloading``); the claim is single-use: every other session is refused.
* A claim is given back (``released``) when its session expires, is cancelled with ``postponed``
  or ``timeout``, or fails (wrong confirmation code, injected failure); other cancel reasons and
  install errors make the order ``failed`` (DiamaneOS: only postponed and timeout keep the
  order alive).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from esim.activation_code import ActivationCode
from esim.smdp import status
from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.profile_package import ProfileSpec
from esim.smdp.status import Es9Error


class OrderState(StrEnum):
    """Where an order is in its life cycle (compares equal to its string value)."""

    ALLOCATED = "allocated"
    LINKED = "linked"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    INSTALLED = "installed"
    DELETED = "deleted"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


PRE_RELEASE_STATES = frozenset({OrderState.ALLOCATED, OrderState.LINKED, OrderState.CONFIRMED})
IN_USE_STATES = frozenset({OrderState.DOWNLOADING, OrderState.DOWNLOADED, OrderState.INSTALLED})
FINAL_STATES = frozenset(
    {
        OrderState.DELETED,
        OrderState.FAILED,
        OrderState.EXPIRED,
        OrderState.CANCELLED,
    }
)
"""States after which the ICCID may be ordered again."""

_MATCHING_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_matching_id() -> str:
    """A fresh matching ID like ``7K3QD-9XW2M-A5T8R-LF4NZ`` (lpac's ``[A-Za-z0-9-]``, §1.2)."""
    groups = ("".join(secrets.choice(_MATCHING_ID_ALPHABET) for _ in range(5)) for _ in range(4))
    return "-".join(groups)


@dataclass(frozen=True, slots=True)
class Order:
    """One download order as stored (a snapshot; read again for the current state)."""

    order_id: int
    matching_id: str
    state: OrderState
    spec: ProfileSpec
    eid: str | None
    """The EID the order is bound to (EID-bound order), or None."""
    confirmation_code_required: bool
    behaviour: OrderBehaviour
    smdp_address: str
    created_at: float
    updated_at: float
    transaction_id: str | None = None
    """Upper-case hex transactionId of the session holding or having used the claim."""
    downloaded_by: str | None = None
    """EID of the eUICC that claimed the order."""
    confirmation_code_failures: int = 0
    last_error: str | None = None

    @property
    def iccid(self) -> str:
        return self.spec.iccid

    @property
    def activation_code(self) -> str:
        """``1$<address>$<matchingId>``, plus ``$$1`` when a confirmation code is required."""
        return ActivationCode(
            smdp_address=self.smdp_address,
            matching_id=self.matching_id,
            confirmation_code_required=self.confirmation_code_required,
        ).format()

    def describe(self) -> dict[str, object]:
        """The fields of an ``smdp.order`` event."""
        return {
            "matching_id": self.matching_id,
            "iccid": self.iccid,
            "state": str(self.state),
            "eid": self.eid,
            "downloaded_by": self.downloaded_by,
        }


def download_refusal(order: Order, eid: str, now: float) -> Es9Error | None:
    """Why ``eid`` may not claim ``order`` now (SGP.22 §6.5.2), or None."""
    state, behaviour, mid = order.state, order.behaviour, order.matching_id
    if state == OrderState.EXPIRED or (
        state not in FINAL_STATES | IN_USE_STATES and behaviour.is_expired(now)
    ):
        return Es9Error(status.ORDER_EXPIRED, "order.expired", f"the order for {mid} has expired")
    if order.confirmation_code_failures >= behaviour.confirmation_code_attempts:
        return Es9Error(
            status.CONFIRMATION_CODE_RETRIES_EXCEEDED,
            "order.confirmation-code-retries",
            f"too many wrong confirmation codes for {mid}",
        )
    if state in FINAL_STATES:
        return Es9Error(
            status.MATCHING_ID_REFUSED, "order.closed", f"the order for {mid} is {state}"
        )
    if state in PRE_RELEASE_STATES or not behaviour.is_released(now):
        return Es9Error(
            status.NOT_RELEASED, "order.not-released", f"the profile of {mid} is not released"
        )
    if order.eid is not None and order.eid != eid:
        return Es9Error(
            status.EID_MISMATCH,
            "order.eid-mismatch",
            f"the order for {mid} is bound to another EID than {eid}",
        )
    if state in IN_USE_STATES:
        if order.downloaded_by != eid:
            return Es9Error(
                status.EID_ALREADY_ASSOCIATED,
                "order.single-use",
                f"matching ID {mid} was already used by another eUICC",
            )
        return Es9Error(
            status.MATCHING_ID_CONFLICT,
            "order.single-use",
            f"matching ID {mid} is already {state} for this eUICC",
        )
    return None
