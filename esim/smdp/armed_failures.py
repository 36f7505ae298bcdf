"""Whether any order is set to fail at an ES9+ step, remembered between the store's changes.

Every initiateAuthentication asks the store for a released order with an injected failure at
that step (it carries no matching ID, so such a failure applies to all of them: see
:class:`esim.smdp.behaviours.OrderBehaviour`). Nearly always no order has one, and an order
only gets one when it is created or its behaviour is replaced. So once a look found no order
at all (in any state) failing at a step, the answer stays "none" until either:

* this connection writes a behaviour (:meth:`ArmedFailures.forget`, called by the store), or
* another connection commits anything: SQLite's ``PRAGMA data_version`` changes exactly then,
  so the other processes of ``esim smdp serve --workers N`` (and any other program writing the
  store file) are seen at the next question.
"""

from __future__ import annotations

import sqlite3

from esim.smdp.behaviours import Step
from esim.smdp.orders import OrderState


class ArmedFailures:
    """The injected-failure look of one store connection (call under the store's lock)."""

    def __init__(self) -> None:
        self._data_version: int | None = None
        self._unarmed: set[Step] = set()
        """Steps no order of the store failed at when last looked, at :attr:`_data_version`."""

    def forget(self) -> None:
        """This connection is writing an order's behaviour: look again next time."""
        self._unarmed.clear()

    def released_failure(self, db: sqlite3.Connection, step: Step) -> str | None:
        """The stored behaviour (JSON) of the newest released order failing at ``step``."""
        (version,) = db.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._data_version = version
            self._unarmed.clear()
        elif step in self._unarmed:
            return None
        # One look answers both questions: the released order failing here if there is one,
        # else whether any order (released or not) could start failing here later.
        row = db.execute(
            "SELECT behaviour, state FROM orders WHERE fail_at = ?"
            " ORDER BY state = ? DESC, order_id DESC LIMIT 1",
            (step.value, OrderState.RELEASED.value),
        ).fetchone()
        if row is None:
            self._unarmed.add(step)
            return None
        return str(row[0]) if row[1] == OrderState.RELEASED.value else None
