"""What the flows need from the rest of the app, as protocols (the flows stay pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DownloadOutcome:
    """How a download ended: `activation_error` is "success" or a MobilePlansActivationError."""

    activation_code: str
    iccid: str | None
    activation_error: str
    message: str
    step: str | None = None
    rule: str | None = None  # the LPA's mapping rule: names the precise X-MP-LPAError-Codes value
    attempted_iccid: str | None = None  # from the order; reported in X-MP-LPAError-ICCIDs

    @property
    def ok(self) -> bool:
        return self.activation_error == "success"


@dataclass(frozen=True)
class CardOutcome:
    ok: bool
    message: str


class EsimPort(Protocol):
    """The LPA and eUICC as the flows see them; every callback arrives on the flows' thread."""

    def download(
        self,
        activation_code: str,
        *,
        confirmation_code: str | None,
        progress: Progress,
        done: Callable[[DownloadOutcome], None],
    ) -> None: ...

    def enable(self, iccid: str, done: Callable[[CardOutcome], None]) -> None: ...

    def iccids(self) -> list[str]: ...

    def enabled_iccid(self) -> str | None: ...

    def discover(self) -> str | None:
        """SM-DS discovery by EID: an activation code waiting for this eUICC, if any."""
        ...


Then = Callable[[], None]


class PortalPort(Protocol):
    """The portal visit: screens, and the script callbacks into the page that asked.

    A callback crosses into the page asynchronously; `then` runs once it has been delivered
    (or has failed for good), and virtual time stands still until it has, so the flow's next
    state change always comes after the portal heard about the previous one."""

    def show(self, screen: str, text: str, *, title: str = "") -> None: ...

    def activation_complete(
        self, doc: str, result: str, iccid: str, *, then: Then | None = None
    ) -> None: ...

    def registration_changed(
        self, doc: str, state: str, iccid: str, *, then: Then | None = None
    ) -> None: ...

    def portal_still_open(self) -> bool: ...
