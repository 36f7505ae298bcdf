"""The operator's service APIs in a recording: the steps a test took on `mobile_plans.operator_api`
(calls made as the Mobile Plans service makes them, the flyout, the Gateway page, the operator's
SMS, the end of device setup) and the answers it scripted on the sample operator.

The recorder notes them through `OperatorApiControl`; a replay takes them again against the
fresh simulator, so the `operator_api.request`/`operator_api.response` events (and any
`contract.violation` about the answers) come out again and are compared like the rest.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.pytest_plugin.driver import MobilePlans

__all__ = ["OPERATOR_ACTIONS", "answer_step", "describe_operator_step", "take_operator_step"]

OPERATOR_ACTIONS = frozenset(
    {
        "operator-api-call",
        "operator-answer",
        "operator-balance",
        "flyout",
        "gateway",
        "sms",
        "setup-completed",
    }
)


def answer_step(
    api: str, status: int, body: Any, headers: Mapping[str, str], raw: bytes | None
) -> dict[str, Any]:
    """The recorded form of a scripted answer (raw bytes as base64, so the file stays JSON)."""
    return {
        "api": api,
        "status": status,
        "body": body,
        "headers": dict(headers),
        "raw": None if raw is None else base64.b64encode(raw).decode("ascii"),
    }


def take_operator_step(driver: MobilePlans, step: Mapping[str, Any]) -> None:
    """Take one recorded operator step; the caller has checked ``step["action"]``."""
    control = driver.operator_api
    world = driver.simulator.operator_api
    service = driver.simulator.operator_experience.service
    action = step["action"]
    if action == "operator-api-call":
        # started, not waited for: the next step's barrier waits for its answer
        api = str(step["api"])
        iccid = step.get("iccid") or control.default_iccid()
        imei = str(driver.simulator.device.imei)
        if api == "GetBalance":
            world.get_balance(iccid)
        elif api == "GetOffers":
            world.get_offers(iccid, imei)
        else:
            from simulator.operator_api.config import NotificationType

            kind = NotificationType.parse(str(step["notification_type"]))
            world.get_notifications(iccid, kind, imei)
    elif action == "operator-answer":
        raw = step.get("raw")
        control.answer_next(
            str(step["api"]),
            int(step["status"]),
            step.get("body"),
            dict(step.get("headers") or {}),
            None if raw is None else base64.b64decode(str(raw)),
        )
    elif action == "operator-balance":
        control.set_balance(
            str(step["iccid"]),
            str(step["balance_type"]),
            float(step["data_remaining_mb"]),
            str(step["time_remaining"]),
        )
    elif action == "flyout":
        service.open_flyout()
    elif action == "gateway":
        service.open_gateway()
    elif action == "sms":
        from simulator.operator_api.config import NotificationType

        service.receive_sms(NotificationType.parse(str(step["notification_type"])))
    elif action == "setup-completed":
        service.setup_completed()
    else:
        raise ValueError(f"unknown recorded operator step {action!r}")


def describe_operator_step(step: Mapping[str, Any]) -> str | None:
    """A few words for a divergence message, or None for another kind of step."""
    action = step.get("action")
    if action == "operator-api-call":
        return f"{step.get('api')} call"
    if action == "operator-answer":
        return f"the sample operator's next {step.get('api')} answer: {step.get('status')}"
    if action == "sms":
        return f"operator SMS {step.get('notification_type')}"
    return None
