"""The app's own screens and their exact strings (Mobile Plans appendix doc).

The UI shows whatever screen the flows announce in a `ui.screen` event; it decides nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Screen(StrEnum):
    PROVIDER = "provider"  # the cellular data provider page the portal was opened from
    PORTAL = "portal"
    LEAVE_DIALOG = "leave-dialog"
    PLAN_ACTIVE = "plan-active"
    INSTALLING = "installing"  # the app's own page (hand-off flows)
    PROGRESS_POPUP = "progress-popup"  # over the portal, which stays usable (inline, §3.2)
    CONNECTING = "connecting"
    ERROR = "error"
    LOAD_FAILED = "load-failed"
    BALANCE = "balance"
    CATALOG = "catalog"  # the Select Provider page (several operators configured)
    GATEWAY = "gateway"  # the operator's Gateway page (standard or enhanced)


LEAVE_TITLE = "Leave the third party website?"
LEAVE_BODY = (
    "You’ll be leaving the third-party website and going back to the cellular data provider page."
)
PROVIDER_TITLE = "Cellular data providers"
INSTALLING = "Installing eSIM profile ({done}KB of {total}KB)"
CONNECTING = (
    "We’re connecting you to the cellular network. This could take a few minutes. "
    "You can go ahead and close this app now."
)
ERROR_TITLE = "Can’t complete your order"
ERROR_SERVER = (
    "We couldn’t download the profile because there was a server problem. "
    "Please try again later or contact your mobile operator."
)
LOAD_FAILED = "No services are available right now."
LOAD_FAILED_DETAIL = "Please try again later."
UPDATING_BANNER = "We’re updating your cellular network settings, and it might take a few minutes."


def installing_text(done: int, total: int) -> str:
    if total <= 0:
        return "Installing eSIM profile"
    return INSTALLING.format(done=max(0, done) // 1024, total=max(1, total // 1024))


def plan_active_text(plan_name: str) -> str:
    return f"Your plan {plan_name} is active." if plan_name else "Your plan is active."
