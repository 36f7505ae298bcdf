"""Typed errors of the LPA: card (APDU), ES10 function results, ES9+ and the one users see.

The layers raise their own precise errors (:class:`CardError`, :class:`Es10Error`,
:class:`Es9Error`, :class:`Es9TransportError`); the download and profile operations turn them
into one :class:`LpaError` that carries the Mobile Plans ``activation_error`` chosen by the table
in :mod:`esim.lpa.activation_errors`, the step that failed and the original code.
"""

from __future__ import annotations

from dataclasses import dataclass


class CardError(Exception):
    """The card answered an APDU with a status word other than 9000 / 61xx.

    ``status_word`` is the 16-bit SW1SW2; ``command`` names the APDU (``"STORE DATA"``, …).
    ``removed`` is True when the card could not be reached at all (transport failure).
    """

    def __init__(
        self, status_word: int, command: str, message: str, *, removed: bool = False
    ) -> None:
        super().__init__(message)
        self.status_word = status_word
        self.command = command
        self.message = message
        self.removed = removed
        self.spec = "ISO/IEC 7816-4 §5.6; GlobalPlatform STORE DATA"

    def __str__(self) -> str:
        return self.message


class Es10Error(Exception):
    """An ES10 function answered with an error alternative or a non-ok result code.

    ``function`` is the SGP.22 name (``"AuthenticateServer"``), ``code`` the integer result,
    ``code_name`` its ASN.1 name (``"ciPKUnknown"``); for a LoadBoundProfilePackage error
    ``bpp_command_id`` says which ES8+ command the eUICC rejected.
    """

    def __init__(
        self,
        function: str,
        code: int,
        code_name: str,
        spec: str,
        *,
        bpp_command_id: int | None = None,
        message: str | None = None,
    ) -> None:
        text = message or f"ES10 {function} failed with {code_name}({code}) ({spec})"
        super().__init__(text)
        self.function = function
        self.code = code
        self.code_name = code_name
        self.spec = spec
        self.bpp_command_id = bpp_command_id
        self.message = text

    def __str__(self) -> str:
        return self.message


BPP_COMMAND_NAMES = {
    0: "initialiseSecureChannel",
    1: "configureISDP",
    2: "storeMetadata",
    3: "storeMetadata2",
    4: "replaceSessionKeys",
    5: "loadProfileElements",
}
"""ProfileInstallationResult's bppCommandId values (SGP.22 §5.7.6)."""


def bpp_command(command_id: int) -> str:
    """``"for bppCommandId loadProfileElements(5)"``: which BPP command the eUICC refused."""
    return f"for bppCommandId {BPP_COMMAND_NAMES.get(command_id, 'unknown')}({command_id})"


class Es9Error(Exception):
    """An ES9+ function answered ``functionExecutionStatus.status`` Failed or Expired.

    ``subject_code`` and ``reason_code`` are the strings of ``statusCodeData`` (``"8.2.6"``,
    ``"3.8"``; empty when the server sent none); ``message`` the server's text if any
    (SGP.22 §6.5.1.4).
    """

    def __init__(
        self,
        function: str,
        subject_code: str,
        reason_code: str,
        message: str = "",
        *,
        status: str = "Failed",
        subject_identifier: str | None = None,
    ) -> None:
        detail = f": {message}" if message else ""
        super().__init__(
            f"ES9+ {function} {status} with subject {subject_code or '?'} reason "
            f"{reason_code or '?'}{detail} (SGP.22 §6.5.1.4)"
        )
        self.function = function
        self.subject_code = subject_code
        self.reason_code = reason_code
        self.message = message
        self.status = status
        self.subject_identifier = subject_identifier


class Es9TransportError(Exception):
    """ES9+ failed below the JSON status: ``kind`` is one of ``"connect"``, ``"timeout"``,
    ``"tls"``, ``"resolve"``, ``"http-status"``, ``"malformed"``."""

    KINDS = frozenset({"connect", "timeout", "tls", "resolve", "http-status", "malformed"})

    def __init__(
        self, function: str, kind: str, message: str, *, http_status: int | None = None
    ) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown ES9+ transport error kind {kind!r}")
        super().__init__(f"ES9+ {function}: {message} (SGP.22 §6.1)")
        self.function = function
        self.kind = kind
        self.message = message
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """What the best-effort CancelSession of SGP.22 CancelSession achieved."""

    reason: str
    """The CancelSessionReason name sent to the eUICC (``endUserRejection``, …)."""
    euicc_cancelled: bool
    """ES10b.CancelSession returned a signed cancelSessionResponseOk."""
    server_cancelled: bool
    """ES9+.CancelSession was answered Executed-Success."""
    detail: str = ""
    """Why a leg did not happen, for logs."""


class LpaError(Exception):
    """An LPA operation failed; ``activation_error`` is the Mobile Plans value to report.

    * ``activation_error``: a ``MobilePlansActivationError`` member name (Mobile Plans docs).
    * ``step``: the step that failed (``"authenticateClient"``, ``"LoadBoundProfilePackage"``…).
    * ``rule``: a stable id of the mapping row or local rule (``"es9.8.2.6/3.8"``).
    * ``spec``: where that row comes from.
    * ``subject_code``/``reason_code`` for ES9+ failures, ``es10_code``/``es10_code_name`` for
      ES10 failures (with ``bpp_command_id`` for LoadBoundProfilePackage), ``status_word`` for
      card failures.
    * ``cancel``: the CancelSession outcome when the download was cancelled (§3.8).
    """

    def __init__(
        self,
        activation_error: str,
        step: str,
        message: str,
        *,
        rule: str,
        spec: str,
        subject_code: str | None = None,
        reason_code: str | None = None,
        es10_code: int | None = None,
        es10_code_name: str | None = None,
        status_word: int | None = None,
        bpp_command_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.activation_error = activation_error
        self.step = step
        self.message = message
        self.rule = rule
        self.spec = spec
        self.subject_code = subject_code
        self.reason_code = reason_code
        self.es10_code = es10_code
        self.es10_code_name = es10_code_name
        self.status_word = status_word
        self.bpp_command_id = bpp_command_id
        self.cancel: CancelOutcome | None = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"LpaError(activation_error={self.activation_error!r}, step={self.step!r}, "
            f"rule={self.rule!r})"
        )

    def to_json(self) -> dict[str, object]:
        """A JSON-ready description (the CLI's ``--json`` and the event log use it)."""
        data: dict[str, object] = {
            "activationError": self.activation_error,
            "step": self.step,
            "rule": self.rule,
            "message": self.message,
            "spec": self.spec,
        }
        optional = {
            "subjectCode": self.subject_code,
            "reasonCode": self.reason_code,
            "es10Code": self.es10_code,
            "es10CodeName": self.es10_code_name,
            "statusWord": None if self.status_word is None else f"{self.status_word:04X}",
            "bppCommandId": self.bpp_command_id,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.cancel is not None:
            data["cancelSession"] = {
                "reason": self.cancel.reason,
                "euiccCancelled": self.cancel.euicc_cancelled,
                "serverCancelled": self.cancel.server_cancelled,
            }
        return data
