"""What a running flow is: its kind, state and page, the toasts it shows, the options. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.clock import TimerHandle

MINUTE = 60.0


def reregistration_minutes(interval: int) -> int:
    """§3.5: "rounded to the nearest 15 minute interval", the example rounds 5 up to 15."""
    return 0 if interval <= 0 else math.ceil(interval / 15) * 15


@dataclass
class FlowOptions:
    operator_name: str = "Contoso Mobile"
    sm_ds_enabled: bool = False  # the historical notifyPurchaseDelayedProfile (§3.7)


@dataclass
class Toast:
    toast_id: str
    text: str
    actions: tuple[str, ...]
    on_action: Callable[[str], None] = field(repr=False)


@dataclass
class Flow:
    """One running flow: what it is, where it is, and how to reach the page that started it."""

    kind: str
    operation: str
    doc: str | None
    activation_code: str = ""
    inline: bool = True
    plan_name: str = ""
    iccid_hint: str = ""
    state: str = "started"
    timer: TimerHandle | None = None
