"""The form for how the SM-DP+ treats an order: release, expiry, CC attempts, failure, latency.

Shared by the Operator panel's two uses: the selected order, and the next order the bundled
portal places. It reads and builds :class:`OrderBehaviour` values; it stores nothing.
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from esim.smdp import OrderBehaviour, Step

MAX_RELEASE_MINUTES = 7 * 24 * 60
MAX_LATENCY_SECONDS = 600.0


def describe_behaviour(behaviour: OrderBehaviour, now: float) -> str:
    """One line for the orders table: only what differs from a plain order."""
    parts = []
    if not behaviour.is_released(now) and behaviour.release_at is not None:
        parts.append(f"released in {math.ceil((behaviour.release_at - now) / 60)} min")
    if behaviour.is_expired(now):
        parts.append("expired")
    if behaviour.confirmation_code_attempts != OrderBehaviour().confirmation_code_attempts:
        parts.append(f"{behaviour.confirmation_code_attempts} CC attempts")
    if behaviour.fail_at is not None:
        parts.append(f"fails at {behaviour.fail_at.value}")
    if behaviour.latency_seconds:
        parts.append(f"+{behaviour.latency_seconds:g} s latency")
    if behaviour.corrupt_package:
        parts.append("corrupt package")
    return ", ".join(parts) or "normal"


class BehaviourForm(QWidget):
    """One column of labelled fields (fits a side panel); ``prefix`` names its widgets."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.release_minutes = QSpinBox(self)
        self.release_minutes.setObjectName(f"{prefix}-release-minutes")
        self.release_minutes.setRange(0, MAX_RELEASE_MINUTES)
        self.release_minutes.setSuffix(" min")
        self.release_minutes.setToolTip("Virtual minutes before the SM-DP+ releases the order")
        self.release_minutes.setSpecialValueText("released now")
        self.expired = QCheckBox("Expired", self)
        self.expired.setObjectName(f"{prefix}-expired")
        self.attempts = QSpinBox(self)
        self.attempts.setObjectName(f"{prefix}-cc-attempts")
        self.attempts.setRange(1, 99)
        self.attempts.setValue(OrderBehaviour().confirmation_code_attempts)
        self.fail_at = QComboBox(self)
        self.fail_at.setObjectName(f"{prefix}-fail-at")
        self.fail_at.addItem("none", None)
        for step in Step:
            self.fail_at.addItem(step.value, step.value)
        self.latency = QDoubleSpinBox(self)
        self.latency.setObjectName(f"{prefix}-latency")
        self.latency.setRange(0.0, MAX_LATENCY_SECONDS)
        self.latency.setDecimals(1)
        self.latency.setSuffix(" s")
        self.corrupt_package = QCheckBox("Corrupt package", self)
        self.corrupt_package.setObjectName(f"{prefix}-corrupt-package")
        self.corrupt_package.setToolTip(
            "The SM-DP+ serves a profile package whose last profile element is cut short:"
            " the eUICC rejects it at install (ProfileProcessingError)"
        )
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Not released for", self.release_minutes)
        self.form.addRow("", self.expired)
        self.form.addRow("Fail at", self.fail_at)
        self.form.addRow("Extra latency", self.latency)
        self.form.addRow("", self.corrupt_package)
        self.form.addRow("CC attempts", self.attempts)
        self.attempts.setToolTip("Wrong confirmation codes the SM-DP+ accepts before it fails")

    def load(self, behaviour: OrderBehaviour, now: float) -> None:
        wait = 0.0 if behaviour.release_at is None else behaviour.release_at - now
        self.release_minutes.setValue(max(0, math.ceil(wait / 60)))
        self.expired.setChecked(behaviour.expired)
        self.attempts.setValue(behaviour.confirmation_code_attempts)
        step = None if behaviour.fail_at is None else behaviour.fail_at.value
        self.fail_at.setCurrentIndex(max(0, self.fail_at.findData(step)))
        self.latency.setValue(behaviour.latency_seconds)
        self.corrupt_package.setChecked(behaviour.corrupt_package)

    def behaviour(self, base: OrderBehaviour, now: float | None) -> OrderBehaviour:
        """``base`` with the form's values; release relative to ``now`` (None: not set)."""
        minutes = self.release_minutes.value()
        step = self.fail_at.currentData()
        return replace(
            base,
            release_at=None if now is None or not minutes else now + minutes * 60,
            expired=self.expired.isChecked(),
            confirmation_code_attempts=self.attempts.value(),
            fail_at=None if step is None else Step(step),
            latency_seconds=self.latency.value(),
            corrupt_package=self.corrupt_package.isChecked(),
        )
