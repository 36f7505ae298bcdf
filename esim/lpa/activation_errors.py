"""The one table from LPA failures to Mobile Plans ``MobilePlansActivationError`` values.

Every failure the LPA can see (an ES9+ subject/reason, an ES10 result code, a BPP errorReason,
a card status word, a transport problem, a local decision) maps to one member name of
Mobile Plans callbacks doc. Rows carry the spec they come from; rows marked "our choice" are this
project's choice where Mobile Plans has no closer member (e.g. ``IccidAlreadyExists`` or
``ServerNotTrusted`` exist in newer UWP ``ESimOperationStatus`` but not in Mobile Plans).
Anything no row covers becomes ``unknownError``, except unlisted ES9+ codes, which are still a
server refusal and become ``serverFailure``.
"""

from __future__ import annotations

from dataclasses import dataclass

from esim.lpa.errors import (
    CardError,
    Es9Error,
    Es9TransportError,
    Es10Error,
    LpaError,
    bpp_command,
)

MOBILE_PLANS_ACTIVATION_ERRORS: tuple[str, ...] = (
    "success", "notAuthorized", "notFound", "policyViolation", "insufficientSpaceOnCard",
    "serverFailure", "serverNotReachable", "timeoutWaitingForUserConsent",
    "incorrectConfirmationCode", "confirmationCodeMaxRetriesExceeded", "cardRemoved", "cardBusy",
    "other", "cardGeneralFailure", "confirmationCodeMissing", "invalidMatchingId",
    "noEligibleProfileForThisDevice", "operationAborted", "eidMismatch",
    "profileNotAvailableForNewBinding", "profileNotReleasedByOperator",
    "operationProhibitedByProfileClass", "profileNotPresent", "noCorrespondingRequest",
    "unknownError", "lpaInitializationError", "modemNotFound", "localSettingsAccessFailed",
    "invalidJson", "invalidActivationCode", "invalidIccid",
)  # fmt: skip
"""MobilePlansActivationError members in documented order (Mobile Plans callbacks doc)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One mapping: the Mobile Plans value, what the code means, and the source."""

    activation_error: str
    meaning: str
    spec: str

    def __post_init__(self) -> None:
        if self.activation_error not in MOBILE_PLANS_ACTIVATION_ERRORS:
            raise ValueError(f"{self.activation_error!r} is not a MobilePlansActivationError")


_S24 = "SGP.22 §6.5.2 status codes"
# Shown to users (the error dialog's Details): plain words, no private notation.
_INF = " (our choice: the closest Mobile Plans value)"

# ES9+ (subject code, reason code) -> Row. SGP.22 §6.5.2 and lpac's es9p_errors list.
ES9_STATUS: dict[tuple[str, str], Row] = {
    ("8.8.1", "3.8"): Row("serverFailure", "invalid SM-DP+ address", _S24),
    ("8.8.2", "3.1"): Row(
        "noEligibleProfileForThisDevice", "no proposed CI PKID supported", _S24 + _INF
    ),
    ("8.8.3", "3.1"): Row("noEligibleProfileForThisDevice", "SVN not supported", _S24 + _INF),
    ("8.8.4", "3.7"): Row(
        "noEligibleProfileForThisDevice", "no DPauth for the eUICC's CIs", _S24 + _INF
    ),
    ("8.1", "4.8"): Row("insufficientSpaceOnCard", "eUICC has too little space", _S24),
    ("8.1", "6.1"): Row("notAuthorized", "eUICC signature or serverChallenge invalid", _S24 + _INF),
    ("8.1.1", "2.1"): Row("noEligibleProfileForThisDevice", "EID not supported", _S24),
    ("8.1.1", "2.2"): Row("eidMismatch", "EID missing for this order", _S24),
    ("8.1.1", "3.1"): Row("eidMismatch", "another EID is bound to this ICCID", _S24),
    ("8.1.1", "3.8"): Row("eidMismatch", "EID does not match the order", _S24),
    ("8.1.2", "6.1"): Row("notAuthorized", "EUM certificate invalid", _S24 + _INF),
    ("8.1.2", "6.3"): Row("notAuthorized", "EUM certificate expired", _S24 + _INF),
    ("8.1.3", "6.1"): Row("notAuthorized", "eUICC certificate invalid", _S24 + _INF),
    ("8.1.3", "6.3"): Row("notAuthorized", "eUICC certificate expired", _S24 + _INF),
    ("8.1.4", "6.1"): Row("notAuthorized", "EID outside the EUM's range (osmo)", _S24 + _INF),
    ("8.2", "1.2"): Row("profileNotReleasedByOperator", "profile not yet released", _S24),
    ("8.2", "3.7"): Row(
        "profileNotAvailableForNewBinding", "BPP not available for a new binding", _S24
    ),
    ("8.2.1", "1.2"): Row("notAuthorized", "ICCID: caller not allowed", _S24),
    ("8.2.1", "3.1"): Row("eidMismatch", "ICCID bound to another EID", _S24),
    ("8.2.1", "3.3"): Row("profileNotAvailableForNewBinding", "ICCID not available", _S24),
    ("8.2.1", "3.5"): Row("profileNotReleasedByOperator", "ICCID cannot be released", _S24),
    ("8.2.1", "3.9"): Row("notFound", "ICCID unknown", _S24),
    ("8.2.5", "1.2"): Row("notAuthorized", "profile type not allowed", _S24),
    ("8.2.5", "3.7"): Row("profileNotAvailableForNewBinding", "no profile of this type left", _S24),
    ("8.2.5", "3.8"): Row("noEligibleProfileForThisDevice", "profile type mismatch", _S24),
    ("8.2.5", "3.9"): Row("notFound", "profile type unknown", _S24),
    ("8.2.5", "4.3"): Row("noEligibleProfileForThisDevice", "no eligible profile", _S24),
    ("8.2.6", "3.1"): Row("invalidMatchingId", "another MatchingID is associated", _S24),
    ("8.2.6", "3.3"): Row("invalidMatchingId", "conflicting MatchingID", _S24),
    ("8.2.6", "3.8"): Row("invalidMatchingId", "MatchingID refused", _S24),
    ("8.2.7", "2.2"): Row("confirmationCodeMissing", "Confirmation Code missing", _S24 + ", §4.7"),
    ("8.2.7", "3.8"): Row(
        "incorrectConfirmationCode", "Confirmation Code refused", _S24 + ", §4.7"
    ),
    ("8.2.7", "6.4"): Row(
        "confirmationCodeMaxRetriesExceeded", "CC retries exceeded", _S24 + ", §4.7"
    ),
    ("8.8", "3.1"): Row("serverFailure", "SM-DP+ OID invalid (lpac)", _S24),
    ("8.8", "3.10"): Row("serverFailure", "SM-DP+ OID invalid (osmo)", _S24),
    ("8.8", "4.2"): Row("noEligibleProfileForThisDevice", "eUICC not supported", _S24),
    ("8.8.5", "4.1"): Row("profileNotAvailableForNewBinding", "download order expired", _S24),
    ("8.8.5", "4.10"): Row(
        "profileNotAvailableForNewBinding", "download order expired (OpenEUICC)", _S24
    ),
    ("8.8.5", "6.4"): Row("profileNotAvailableForNewBinding", "too many download retries", _S24),
    ("8.10.1", "3.9"): Row("noCorrespondingRequest", "RSP session unknown", _S24 + _INF),
    ("8.11.1", "3.9"): Row("notAuthorized", "unknown CI public key", _S24 + _INF),
    ("1.6", "2.1"): Row("serverFailure", "invalid parameter", _S24),
    ("1.6", "2.2"): Row("serverFailure", "mandatory element missing", _S24),
    ("1.6", "2.3"): Row("serverFailure", "conditional element missing", _S24),
    ("1.2", "4.2"): Row("serverFailure", "execution error", _S24),
    ("1.2", "4.4"): Row("serverFailure", "function provider busy", _S24),
    ("1.1", "1.1"): Row("notAuthorized", "function requester unknown", _S24),
    ("1.1", "1.2"): Row("notAuthorized", "function requester not allowed", _S24),
}
ES9_UNLISTED = Row("serverFailure", "a Failed/Expired status no row lists", "SGP.22 §6.5.1.4")

_S21 = "SGP.22 §6.1"
ES9_TRANSPORT: dict[str, Row] = {
    "connect": Row("serverNotReachable", "TCP connection failed", _S21),
    "resolve": Row("serverNotReachable", "the SM-DP+ host name has no address", _S21),
    "timeout": Row("serverNotReachable", "no answer in time", _S21),
    "tls": Row("serverFailure", "the TLS handshake with the SM-DP+ failed", _S21 + _INF),
    "http-status": Row("serverFailure", "HTTP status other than 200/204", _S21 + ", §2.3"),
    "malformed": Row("serverFailure", "body is not the JSON ES9+ defines", "SGP.22 §6.5.2"),
}

_S34 = "SGP.22 §5.7"
# (ES10 function, result code) -> Row. Function names are SGP.22's.
ES10_RESULTS: dict[tuple[str, int], Row] = {
    ("AuthenticateServer", 1): Row("serverFailure", "invalidCertificate (CERT.DPauth)", _S34),
    ("AuthenticateServer", 2): Row("serverFailure", "invalidSignature (serverSignature1)", _S34),
    ("AuthenticateServer", 3): Row("serverFailure", "unsupportedCurve", _S34),
    ("AuthenticateServer", 4): Row("cardGeneralFailure", "noSessionContext", _S34),
    ("AuthenticateServer", 5): Row("serverFailure", "invalidOid", _S34),
    ("AuthenticateServer", 6): Row("serverFailure", "euiccChallengeMismatch", _S34),
    ("AuthenticateServer", 7): Row("serverFailure", "ciPKUnknown", _S34 + _INF),
    ("AuthenticateServer", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("PrepareDownload", 1): Row("serverFailure", "invalidCertificate (CERT.DPpb)", _S34),
    ("PrepareDownload", 2): Row("serverFailure", "invalidSignature (smdpSignature2)", _S34),
    ("PrepareDownload", 3): Row("serverFailure", "unsupportedCurve", _S34),
    ("PrepareDownload", 4): Row("cardGeneralFailure", "noSessionContext", _S34),
    ("PrepareDownload", 5): Row("cardGeneralFailure", "invalidTransactionId", _S34),
    ("PrepareDownload", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("EnableProfile", 1): Row("profileNotPresent", "iccidOrAidNotFound", _S34),
    ("EnableProfile", 2): Row("other", "profileNotInDisabledState", _S34 + _INF),
    ("EnableProfile", 3): Row("policyViolation", "disallowedByPolicy", _S34 + ", §4.5"),
    ("EnableProfile", 4): Row("policyViolation", "wrongProfileReenabling", _S34 + _INF),
    ("EnableProfile", 5): Row("cardBusy", "catBusy", _S34 + ", §4.5"),
    ("EnableProfile", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("DisableProfile", 1): Row("profileNotPresent", "iccidOrAidNotFound", _S34),
    ("DisableProfile", 2): Row("other", "profileNotInEnabledState", _S34 + _INF),
    ("DisableProfile", 3): Row("policyViolation", "disallowedByPolicy (PPR1)", _S34 + ", §4.5"),
    ("DisableProfile", 5): Row("cardBusy", "catBusy", _S34 + ", §4.5"),
    ("DisableProfile", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("DeleteProfile", 1): Row("profileNotPresent", "iccidOrAidNotFound", _S34),
    ("DeleteProfile", 2): Row("other", "profileNotInDisabledState", _S34 + _INF),
    ("DeleteProfile", 3): Row("policyViolation", "disallowedByPolicy (PPR2)", _S34 + ", §4.5"),
    ("DeleteProfile", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("SetNickname", 1): Row("profileNotPresent", "iccidNotFound", _S34),
    ("SetNickname", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("GetProfilesInfo", 1): Row("cardGeneralFailure", "incorrectInputValues", _S34),
    ("GetProfilesInfo", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("ListNotification", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("RetrieveNotificationsList", 1): Row("cardGeneralFailure", "noResultAvailable", _S34),
    ("RetrieveNotificationsList", 127): Row("cardGeneralFailure", "undefinedError", _S34),
    ("CancelSession", 5): Row("cardGeneralFailure", "invalidTransactionId", _S34 + ", §3.8"),
    ("CancelSession", 127): Row("cardGeneralFailure", "undefinedError", _S34 + ", §3.8"),
}

_S35 = "SGP.22 §5.7.6 ErrorReason"
# LoadBoundProfilePackage errorResult.errorReason -> Row.
BPP_ERROR_REASONS: dict[int, Row] = {
    1: Row("serverFailure", "incorrectInputValues", _S35),
    2: Row("serverFailure", "invalidSignature (smdpSign)", _S35),
    3: Row("serverFailure", "invalidTransactionId", _S35),
    4: Row("serverFailure", "unsupportedCrtValues", _S35),
    5: Row("serverFailure", "unsupportedRemoteOperationType", _S35),
    6: Row("operationProhibitedByProfileClass", "unsupportedProfileClass", _S35),
    7: Row("serverFailure", "scp03tStructureError", _S35),
    8: Row("serverFailure", "scp03tSecurityError", _S35),
    9: Row(
        "other",
        "installFailedDueToIccidAlreadyExistsOnEuicc",
        _S35 + _INF + " (UWP IccidAlreadyExists)",
    ),
    10: Row("insufficientSpaceOnCard", "installFailedDueToInsufficientMemoryForProfile", _S35),
    11: Row("operationAborted", "installFailedDueToInterruption", _S35),
    12: Row("cardGeneralFailure", "installFailedDueToPEProcessingError", _S35 + _INF),
    13: Row("serverFailure", "installFailedDueToDataMismatch (ICCID)", _S35 + _INF),
    14: Row("cardGeneralFailure", "testProfileInstallFailedDueToInvalidNaaKey", _S35),
    15: Row("policyViolation", "pprNotAllowed", _S35),
    127: Row("cardGeneralFailure", "installFailedDueToUnknownError", _S35),
}

_SW = "ISO/IEC 7816-4 §5.6"
STATUS_WORDS: dict[int, Row] = {
    0x6985: Row("cardBusy", "conditions of use not satisfied (busy)", _SW),
    0x6A81: Row("cardBusy", "function not supported / no free logical channel", _SW),
    0x6A88: Row("cardGeneralFailure", "referenced data not found (e.g. after an early BF37)", _SW),
    0x6A82: Row("lpaInitializationError", "ISD-R not found (SELECT)", _SW + ", §4.3"),
    0x6F00: Row("cardGeneralFailure", "no precise diagnosis", _SW),
}
CARD_REMOVED = Row("cardRemoved", "the card stopped answering", _SW)
CARD_UNLISTED = Row("cardGeneralFailure", "a status word no row lists", _SW)

_LOCAL = "SGP.22 §3.1.3 (the LPA's own decision)"
LOCAL: dict[str, Row] = {
    "lpa.nickname-too-long": Row(
        "cardGeneralFailure", "a nickname is at most 64 characters", "SGP.22 §5.7.21"
    ),
    "lpa.user-declined": Row("operationAborted", "the user declined the profile", _LOCAL),
    "lpa.aborted": Row("operationAborted", "the caller aborted the download", _LOCAL),
    "lpa.consent-timeout": Row("timeoutWaitingForUserConsent", "no consent in time", _LOCAL),
    "lpa.confirmation-code-missing": Row(
        "confirmationCodeMissing",
        "ccRequiredFlag set and no code given",
        "SGP.22 §3.1.3",
    ),
    "lpa.invalid-activation-code": Row(
        "invalidActivationCode", "the activation code does not parse", "SGP.22 §4.1"
    ),
    "lpa.server-mismatch": Row(
        "serverFailure", "the server's signed data contradicts its JSON", "SGP.22 §3.1.3"
    ),
    "lpa.card-malformed": Row(
        "cardGeneralFailure", "the card's answer is not valid DER", "SGP.22 §5.7"
    ),
    "lpa.bpp-no-result": Row("cardGeneralFailure", "the card never returned BF37", "SGP.22 §5.7.2"),
}
UNMAPPED = Row("unknownError", "no row covers this failure", "Mobile Plans callbacks doc")


def row_for_es9(subject_code: str, reason_code: str) -> Row:
    """The row of an ES9+ status code (unlisted codes are still server refusals)."""
    return ES9_STATUS.get((subject_code, reason_code), ES9_UNLISTED)


def row_for_status_word(status_word: int) -> Row:
    """The row of a card status word."""
    return STATUS_WORDS.get(status_word, CARD_UNLISTED)


def local_error(rule: str, step: str, message: str) -> LpaError:
    """An LpaError for one of the LPA's own decisions (:data:`LOCAL`)."""
    row = LOCAL[rule]
    return LpaError(
        row.activation_error,
        step,
        f"{step}: {message} [{rule}; {row.spec}]",
        rule=rule,
        spec=row.spec,
    )


def to_lpa_error(error: BaseException, step: str) -> LpaError:
    """Classify any failure of ``step`` into an :class:`LpaError` through the tables above."""
    if isinstance(error, LpaError):
        return error
    if isinstance(error, Es9Error):
        row = row_for_es9(error.subject_code, error.reason_code)
        rule = f"es9.{error.subject_code}/{error.reason_code}"
        return LpaError(
            row.activation_error,
            step,
            f"{step}: the SM-DP+ refused with {error.subject_code}/{error.reason_code} "
            f"({row.meaning}){': ' + error.message if error.message else ''} [{rule}; {row.spec}]",
            rule=rule,
            spec=row.spec,
            subject_code=error.subject_code,
            reason_code=error.reason_code,
        )
    if isinstance(error, Es9TransportError):
        row = ES9_TRANSPORT[error.kind]
        rule = f"es9.transport.{error.kind}"
        return LpaError(
            row.activation_error,
            step,
            f"{step}: {error.message} ({row.meaning}) [{rule}; {row.spec}]",
            rule=rule,
            spec=row.spec,
        )
    if isinstance(error, Es10Error):
        if error.function == "LoadBoundProfilePackage":
            row = BPP_ERROR_REASONS.get(error.code, UNMAPPED)
        else:
            row = ES10_RESULTS.get((error.function, error.code), UNMAPPED)
        rule = f"es10.{error.function}.{error.code_name}"
        command = "" if error.bpp_command_id is None else f" {bpp_command(error.bpp_command_id)}"
        return LpaError(
            row.activation_error,
            step,
            f"{step}: the eUICC answered {error.code_name}({error.code}){command} "
            f"({row.meaning}) [{rule}; {row.spec}]",
            rule=rule,
            spec=row.spec,
            es10_code=error.code,
            es10_code_name=error.code_name,
            bpp_command_id=error.bpp_command_id,
        )
    if isinstance(error, CardError):
        row = CARD_REMOVED if error.removed else row_for_status_word(error.status_word)
        rule = "card.removed" if error.removed else f"card.sw.{error.status_word:04X}"
        return LpaError(
            row.activation_error,
            step,
            f"{step}: {error.message} ({row.meaning}) [{rule}; {row.spec}]",
            rule=rule,
            spec=row.spec,
            status_word=None if error.removed else error.status_word,
        )
    return LpaError(
        UNMAPPED.activation_error,
        step,
        f"{step}: unexpected {type(error).__name__}: {error} [lpa.unmapped; {UNMAPPED.spec}]",
        rule="lpa.unmapped",
        spec=UNMAPPED.spec,
    )
