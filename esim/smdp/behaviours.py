"""Per-order behaviour an operator or a test can set (stored with the order).

Times are values of the SM-DP+'s injected clock (``SmdpConfig.clock``), never the wall clock:
logic compares them with ``clock()``. Only ``latency_seconds`` sleeps (asyncio), to make a slow
SM-DP+ visible to the LPA.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from esim.smdp.status import EXECUTION_ERROR, StatusCode


class Step(StrEnum):
    """The ES9+ functions a failure can be injected into (SGP.22 §6.5.2)."""

    INITIATE_AUTHENTICATION = "initiateAuthentication"
    AUTHENTICATE_CLIENT = "authenticateClient"
    GET_BOUND_PROFILE_PACKAGE = "getBoundProfilePackage"
    HANDLE_NOTIFICATION = "handleNotification"


@dataclass(frozen=True, slots=True)
class OrderBehaviour:
    """How the SM-DP+ treats one order beyond its plain life cycle.

    * ``release_at``: not released before this clock value (8.2/1.2 until then).
    * ``expires_at``: expired from this clock value on (8.8.5/4.10); ``expired`` forces it.
    * ``confirmation_code_attempts``: wrong confirmation codes allowed before 8.2.7/6.4.
    * ``fail_at`` / ``failure``: answer this ES9+ function with ``failure`` (default
      1.2/4.2 execution error). initiateAuthentication carries no matching ID (§2.2), so a
      failure there applies to every initiateAuthentication while such an order is released.
    * ``latency_seconds``: extra delay before answering this order's functions.
    * ``corrupt_package``: the bound profile package carries profile elements the eUICC cannot
      process (the last one cut short), so the card itself rejects the installation with
      errorReason installFailedDueToPEProcessingError (SGP.22 §5.7.6); nothing is faked.
    """

    release_at: float | None = None
    expires_at: float | None = None
    expired: bool = False
    confirmation_code_attempts: int = 3
    fail_at: Step | None = None
    failure_subject: str = EXECUTION_ERROR.subject
    failure_reason: str = EXECUTION_ERROR.reason
    latency_seconds: float = 0.0
    corrupt_package: bool = False

    def __post_init__(self) -> None:
        if self.confirmation_code_attempts < 1:
            raise ValueError("confirmation_code_attempts must be at least 1")
        if self.latency_seconds < 0:
            raise ValueError("latency_seconds cannot be negative")
        if not isinstance(self.corrupt_package, bool):  # JSON "yes" is not a yes
            raise ValueError("corrupt_package must be true or false")
        if self.fail_at is not None:
            # accept the plain function name too (JSON, CLI)
            object.__setattr__(self, "fail_at", Step(self.fail_at))

    @property
    def failure(self) -> StatusCode:
        return StatusCode(
            self.failure_subject, self.failure_reason, "Function provider", "injected failure"
        )

    def is_released(self, now: float) -> bool:
        return self.release_at is None or now >= self.release_at

    def is_expired(self, now: float) -> bool:
        return self.expired or (self.expires_at is not None and now >= self.expires_at)

    def with_failure(
        self, step: Step | str | None, code: StatusCode = EXECUTION_ERROR
    ) -> OrderBehaviour:
        """A copy failing at ``step`` (None clears it) with ``code``."""
        return replace(
            self,
            fail_at=None if step is None else Step(step),
            failure_subject=code.subject,
            failure_reason=code.reason,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OrderBehaviour:
        data = json.loads(text) if text else {}
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        return cls(**known)


def cut_short(upp: bytes) -> bytes:
    """``upp`` with its last byte missing: the last profile element's TLV announces more bytes
    than follow, as a faulty profile generation or a truncated copy leaves a package."""
    return upp[:-1]
