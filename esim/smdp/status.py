"""SGP.22 JSON status codes (subject / reason) the stub SM-DP+ answers with (SGP.22 §6.5.1.4).

Every refusal is an :class:`Es9Error` carrying a :class:`StatusCode` (taken from the table of
SGP.22 §6.5.2, not from memory), a rule name, a message a person understands and the spec
reference. The HTTP layer turns it into ``header.functionExecutionStatus`` with status
``Failed`` and ``statusCodeData``, on HTTP 200 (§2.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SPEC_CODES = "SGP.22 §6.5.2 (status codes)"


@dataclass(frozen=True, slots=True)
class StatusCode:
    """One subject/reason pair and what lpac's table calls it."""

    subject: str
    reason: str
    subject_identifier: str
    meaning: str

    def __str__(self) -> str:
        return f"{self.subject}/{self.reason}"


# Function-level (any function) ----------------------------------------------------------------
INVALID_PARAMETER = StatusCode("1.6", "2.1", "Function", "invalid parameter")
MANDATORY_ELEMENT_MISSING = StatusCode("1.6", "2.2", "Function", "mandatory element missing")
EXECUTION_ERROR = StatusCode("1.2", "4.2", "Function provider", "execution error")
BUSY = StatusCode("1.2", "4.4", "Function provider", "busy")
REQUESTER_UNKNOWN = StatusCode("1.1", "1.1", "Function requester", "unknown")
REQUESTER_NOT_ALLOWED = StatusCode("1.1", "1.2", "Function requester", "not allowed")
# osmo-smdpp's transport checks (osmo-specific codes)
BAD_CONTENT_TYPE = StatusCode("1.2.1", "2.1", "Content-Type", "not application/json")
BAD_ADMIN_PROTOCOL = StatusCode("1.2.2", "2.1", "X-Admin-Protocol", "not gsma/rsp/v…")

# InitiateAuthentication ----------------------------------------------------------------------
INVALID_SMDP_ADDRESS = StatusCode("8.8.1", "3.8", "SM-DP+ Address", "invalid SM-DP+ address")
NO_SIGNING_PKID = StatusCode(
    "8.8.2", "3.1", "Security configuration", "none of the proposed PKIDs is supported"
)
SVN_NOT_SUPPORTED = StatusCode("8.8.3", "3.1", "Specification version number", "SVN unsupported")
NO_VERIFICATION_PKID = StatusCode(
    "8.8.4", "3.7", "Certificate", "no CERT.DPauth signed by a CI the eUICC supports"
)

# AuthenticateClient / GetBoundProfilePackage / CancelSession -----------------------------------
EUICC_SIGNATURE_INVALID = StatusCode(
    "8.1", "6.1", "eUICC", "eUICC signature invalid or serverChallenge invalid"
)
EID_MISMATCH = StatusCode("8.1.1", "3.8", "EID", "EID doesn't match the expected value")
EID_ALREADY_ASSOCIATED = StatusCode(
    "8.1.1", "3.1", "EID", "a different EID is already associated with this ICCID"
)
EUM_CERTIFICATE_INVALID = StatusCode("8.1.2", "6.1", "EUM Certificate", "EUM certificate invalid")
EUICC_CERTIFICATE_INVALID = StatusCode(
    "8.1.3", "6.1", "eUICC Certificate", "eUICC certificate invalid"
)
EID_OUTSIDE_EUM_RANGE = StatusCode("8.1.4", "6.1", "EID", "EID not in the EUM's permitted range")
NOT_RELEASED = StatusCode("8.2", "1.2", "Profile", "profile has not yet been released")
BPP_NOT_AVAILABLE = StatusCode("8.2", "3.7", "Profile", "BPP is not available for a new binding")
MATCHING_ID_CONFLICT = StatusCode("8.2.6", "3.3", "Matching ID", "conflicting matching ID")
MATCHING_ID_REFUSED = StatusCode("8.2.6", "3.8", "Matching ID", "matching ID refused")
CONFIRMATION_CODE_MISSING = StatusCode("8.2.7", "2.2", "Confirmation Code", "missing")
CONFIRMATION_CODE_REFUSED = StatusCode("8.2.7", "3.8", "Confirmation Code", "refused")
CONFIRMATION_CODE_RETRIES_EXCEEDED = StatusCode(
    "8.2.7", "6.4", "Confirmation Code", "maximum number of retries exceeded"
)
# lpac's text says 4.1, OpenEUICC maps 4.10 ("time to live expired") lists
# both. 4.10 is the SGP.22 reason code for an expired time to live [SPEC?].
ORDER_EXPIRED = StatusCode("8.8.5", "4.10", "Download order", "download order expired")
TOO_MANY_RETRIES = StatusCode("8.8.5", "6.4", "Download order", "too many download retries")
INVALID_SMDP_OID = StatusCode("8.8", "3.1", "SM-DP+", "the provided SM-DP+ OID is invalid")
UNKNOWN_TRANSACTION = StatusCode(
    "8.10.1", "3.9", "TransactionId", "the RSP session identified by the TransactionID is unknown"
)
UNKNOWN_CI_KEY = StatusCode("8.11.1", "3.9", "CI Public Key", "unknown CI public key")

# ES2+ (operator side, SGP.22 §5.3) ----------------------------------------------------------
ICCID_UNKNOWN = StatusCode("8.2.1", "3.9", "ICCID", "unknown ICCID")
ICCID_NOT_AVAILABLE = StatusCode("8.2.1", "3.3", "ICCID", "profile not available")
ICCID_CANNOT_RELEASE = StatusCode("8.2.1", "3.5", "ICCID", "profile cannot be released")
ICCID_OTHER_EID = StatusCode("8.2.1", "3.1", "ICCID", "profile already linked to another EID")


class Es9Error(Exception):
    """A refusal to answer as ``Failed`` with ``code`` (also used by ES2+)."""

    def __init__(self, code: StatusCode, rule: str, message: str, spec: str = SPEC_CODES) -> None:
        super().__init__(f"{rule} ({code}): {message} ({spec})")
        self.code = code
        self.rule = rule
        self.message = message
        self.spec = spec

    def status_code_data(self) -> dict[str, Any]:
        """The JSON ``statusCodeData`` object of §2.3."""
        return {
            "subjectCode": self.code.subject,
            "reasonCode": self.code.reason,
            "subjectIdentifier": self.code.subject_identifier,
            "message": f"{self.rule}: {self.message} ({self.spec})",
        }
