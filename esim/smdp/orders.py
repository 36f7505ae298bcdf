"""Download orders: the life cycle, the typed :class:`Order`, and matching IDs.

Life cycle (SGP.22 §3.1.1 ES2+ and §3.1.3 download, esim-rsp.md §2.4, §3.5)::

    allocated ─(EID given)─ linked ─ confirmed ─ released ─ downloading ─ downloaded ─ installed
                                              │            │  (claimed by one session)   │
                                              └────────────┴─ cancelled / failed / expired ─ deleted

* ``released``: the matching ID is usable. A session *claims* it atomically in authenticateClient
  (``downloading``); the claim is single-use: every other session is refused.
* A claim is given back (``released``) when its session expires, is cancelled with ``postponed``
  or ``timeout``, or fails (wrong confirmation code, injected failure); other cancel reasons and
  install errors make the order ``failed`` (DiamaneOS: only postponed and timeout keep the
  order alive, esim-rsp.md §3.8).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from esim.activation_code import ActivationCode
from esim.smdp.behaviours import OrderBehaviour
from esim.smdp.profile_package import ProfileSpec


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
