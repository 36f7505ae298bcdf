"""Which toasts are on screen, and which the flow has made stale. Pure logic, no Qt.

A toast belongs to the flow (operation) that raised it: the ``ui.toast`` event's own
``operation`` field when it has one, otherwise the operation of the ``flow.state`` event logged
just before it (the engine always moves its flow's state, then raises the toast). A toast stops
being true when its flow moves on, as Windows withdraws a notification its app replaced:

* a newer toast of the same flow replaces the older ones ("will be installed later" goes when
  "ready to download" comes);
* a question (a toast with buttons) goes as soon as its flow changes state for any reason (the
  download started from elsewhere, the order was cancelled); an event that repeats the state
  (a refused cancel) is no change;
* a notice raised while its flow was still running goes when the flow changes state again; a
  notice raised when the flow had reached an outcome ("You're connected…") stays until closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.events import Event

OUTCOME_STATES = frozenset(
    {
        "connected",
        "registration-failed",
        "done",
        "failed",
        "cancelled",
        "declined",
        "unsupported",
    }
)
"""Flow states after which nothing more happens on the flow's own: a notice then is its result."""


@dataclass(frozen=True)
class ShownToast:
    toast_id: str
    text: str
    actions: tuple[str, ...]
    operation: str
    outcome: bool  # raised once the flow had reached an outcome: it stays until closed
    title: str = ""  # an operator notification's title: `text` starts with it, on its own line


class ToastBook:
    """The toasts on screen, oldest first; :meth:`observe` returns the ones to take away."""

    def __init__(self) -> None:
        self._shown: dict[str, ShownToast] = {}
        self._last_operation = ""
        self._last_state: dict[str, str] = {}

    @property
    def shown(self) -> list[ShownToast]:
        return list(self._shown.values())

    def observe(self, event: Event) -> tuple[ShownToast | None, list[str]]:
        """The toast to add (if the event raises one) and the ids of those to withdraw."""
        if event.kind == "flow.state":
            operation = str(event.fields.get("operation") or "")
            state = str(event.fields.get("state") or "")
            moved = self._last_state.get(operation) != state  # not e.g. an ignored cancel
            self._last_operation = operation
            self._last_state[operation] = state
            stale = [
                toast.toast_id
                for toast in self._shown.values()
                if moved and operation and toast.operation == operation and not toast.outcome
            ]
            return None, self._withdraw(stale)
        if event.kind == "ui.toast-answered":
            return None, self._withdraw([str(event.fields.get("toast", ""))])
        if event.kind != "ui.toast":
            return None, []
        operation = str(event.fields.get("operation") or self._last_operation)
        toast = ShownToast(
            toast_id=str(event.fields.get("toast", "")),
            text=str(event.fields.get("text", "")),
            actions=tuple(str(action) for action in event.fields.get("actions") or ()),
            operation=operation,
            outcome=self._last_state.get(operation, "") in OUTCOME_STATES,
            title=str(event.fields.get("title") or ""),
        )
        replaced = [
            shown.toast_id
            for shown in self._shown.values()
            if operation and shown.operation == operation
        ]
        withdrawn = self._withdraw(replaced)
        self._shown[toast.toast_id] = toast
        return toast, withdrawn

    def closed(self, toast_id: str) -> None:
        """The person closed or answered it."""
        self._shown.pop(toast_id, None)

    def _withdraw(self, toast_ids: list[str]) -> list[str]:
        return [toast_id for toast_id in toast_ids if self._shown.pop(toast_id, None) is not None]
