"""The names of ES10 result and error codes (SGP.22 §5.7), for messages a person reads."""

from __future__ import annotations

_CODE_NAMES: dict[str, dict[int, str]] = {
    "authenticateErrorCode": {
        1: "invalidCertificate", 2: "invalidSignature", 3: "unsupportedCurve",
        4: "noSessionContext", 5: "invalidOid", 6: "euiccChallengeMismatch", 7: "ciPKUnknown",
        127: "undefinedError",
    },
    "downloadErrorCode": {
        1: "invalidCertificate", 2: "invalidSignature", 3: "unsupportedCurve",
        4: "noSessionContext", 5: "invalidTransactionId", 127: "undefinedError",
    },
    "enableResult": {
        1: "iccidOrAidNotFound", 2: "profileNotInDisabledState", 3: "disallowedByPolicy",
        4: "wrongProfileReenabling", 5: "catBusy", 127: "undefinedError",
    },
    "disableResult": {
        1: "iccidOrAidNotFound", 2: "profileNotInEnabledState", 3: "disallowedByPolicy",
        5: "catBusy", 127: "undefinedError",
    },
    "deleteResult": {
        1: "iccidOrAidNotFound", 2: "profileNotInDisabledState", 3: "disallowedByPolicy",
        127: "undefinedError",
    },
    "setNicknameResult": {1: "iccidNotFound", 127: "undefinedError"},
}  # fmt: skip
"""Result code names of the ASN.1 module (SGP.22 §5.7)."""

BPP_ERROR_REASON_NAMES: dict[int, str] = {
    1: "incorrectInputValues", 2: "invalidSignature", 3: "invalidTransactionId",
    4: "unsupportedCrtValues", 5: "unsupportedRemoteOperationType", 6: "unsupportedProfileClass",
    7: "scp03tStructureError", 8: "scp03tSecurityError",
    9: "installFailedDueToIccidAlreadyExistsOnEuicc",
    10: "installFailedDueToInsufficientMemoryForProfile", 11: "installFailedDueToInterruption",
    12: "installFailedDueToPEProcessingError", 13: "installFailedDueToDataMismatch",
    14: "testProfileInstallFailedDueToInvalidNaaKey", 15: "pprNotAllowed",
    127: "installFailedDueToUnknownError",
}  # fmt: skip


def code_name(key: str, code: int) -> str:
    """The name of ``code`` for the result field ``key`` (e.g. ``enableResult``)."""
    return code_name_in(code, _CODE_NAMES.get(key, {}))


def code_name_in(code: int, names: dict[int, str]) -> str:
    """The name of ``code`` in ``names``; undefinedError for 127, else ``code<n>``."""
    return names.get(code, "undefinedError" if code == 127 else f"code{code}")
