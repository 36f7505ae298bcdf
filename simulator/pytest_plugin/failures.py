"""How the driver says what went wrong: `MobilePlansError` and events as one readable line."""

from __future__ import annotations

import json

from simulator.events import Event


class MobilePlansError(AssertionError):
    """A wait that timed out, a missing element, a JS exception: said plainly, with context."""


def describe_event(event: Event) -> str:
    """One readable line: `#12  t=60.0  flow.state  flow=inline-download state=connected`."""
    fields = " ".join(
        f"{name}={_short(value)}"
        for name, value in event.fields.items()
        if value not in ("", None) and name not in _NOISY_FIELDS
    )
    return f"#{event.seq:<4} t={event.t:<8g} {event.kind:<22} {fields}"


# Long, random or repeated: the report and the event log keep them; a failure message need not.
_NOISY_FIELDS = frozenset({"doc", "origin", "headers", "call_seq"})


def _short(value: object, limit: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
