"""Download failures: what the error screen says, and what the next launch reports (§2.4)."""

from __future__ import annotations

from datetime import timedelta

from simulator.clock import VirtualClock
from simulator.flows import screens
from simulator.portal.launch import LpaErrorReport
from simulator.portal.lpa_error_codes import esim_operation_status

# Internal codes in the style of the docs' screenshot (REMOTE_SERVER_GENERAL_FAILURE).
_INTERNAL_CODES = {
    "serverFailure": "REMOTE_SERVER_GENERAL_FAILURE",
    "serverNotReachable": "REMOTE_SERVER_UNREACHABLE",
    "invalidMatchingId": "INVALID_MATCHING_ID",
    "eidMismatch": "EID_MISMATCH",
    "profileNotReleasedByOperator": "PROFILE_NOT_RELEASED",
    "profileNotAvailableForNewBinding": "PROFILE_NOT_AVAILABLE",
    "confirmationCodeMissing": "CONFIRMATION_CODE_MISSING",
    "incorrectConfirmationCode": "CONFIRMATION_CODE_INCORRECT",
    "confirmationCodeMaxRetriesExceeded": "CONFIRMATION_CODE_RETRIES_EXCEEDED",
    "insufficientSpaceOnCard": "CARD_NO_SPACE",
    "cardBusy": "CARD_BUSY",
}

_SENTENCES = {
    "serverFailure": screens.ERROR_SERVER,
    "serverNotReachable": (
        "We couldn’t reach your mobile operator’s server. Check your connection and try again."
    ),
    "insufficientSpaceOnCard": (
        "There isn’t enough space on your eSIM. Delete a profile you don’t use and try again."
    ),
    "cardBusy": "Your eSIM is busy right now. Please try again in a moment.",
    "profileNotReleasedByOperator": (
        "Your mobile operator hasn’t released this profile yet. Please try again later."
    ),
    "eidMismatch": "This profile was ordered for a different device.",
    "invalidMatchingId": "Your mobile operator doesn’t recognise this order.",
    "profileNotAvailableForNewBinding": "This profile has already been used or has expired.",
    "confirmationCodeMissing": (
        "This profile needs a confirmation code, which Mobile Plans can’t ask for."
    ),
    "incorrectConfirmationCode": "The confirmation code for this profile was not accepted.",
}


def error_text(activation_error: str) -> str:
    sentence = _SENTENCES.get(
        activation_error,
        "We couldn’t download the profile. Please try again later or contact your mobile operator.",
    )
    code = _INTERNAL_CODES.get(activation_error)
    # without an internal code of its own, the value alone (not "other (other)")
    return (
        f"{sentence}\n\n{code} ({activation_error})"
        if code
        else f"{sentence}\n\n{activation_error}"
    )


class LpaErrorLog:
    """Failures since the last launch, reported once in X-MP-LPAError-* and then forgotten."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._reports: list[LpaErrorReport] = []

    def record(self, activation_error: str, iccid: str, rule: str | None = None) -> None:
        when = self._clock.wall_start() + timedelta(seconds=self._clock.now())
        # "Date Time UTC offset", e.g. 5/18/2018 11:17:23 PM (§2.4)
        stamp = f"{when.month}/{when.day}/{when.year} {when.strftime('%I:%M:%S %p').lstrip('0')}"
        status = esim_operation_status(activation_error, rule)
        self._reports.append(LpaErrorReport(status, stamp, iccid))

    def take(self) -> list[LpaErrorReport]:
        reports, self._reports = self._reports, []
        return reports

    def pending(self) -> list[LpaErrorReport]:
        return list(self._reports)
