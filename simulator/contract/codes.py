"""Rules on the scalar arguments: activation codes (§4.10), ICCIDs (§1.5, §4.9) and minutes.

Decisions (the docs leave the severities open):

* activation code not parsable as SGP.22, or carrying an ``LPA:`` prefix: ERROR that
  rejects the call; inline calls answer ``invalidActivationCode`` (§4.10, §7.6).
* activation code requiring a confirmation code: ERROR that does *not* reject — the
  flow runs and the LPA fails with ``confirmationCodeMissing``, as a real device would.
* an OID field or an empty matching ID (not the documented ``1$host$matchingId`` form):
  WARNING. A bare SM-DP+ address on a delayed download (§3.3): WARNING.
* ICCID with a wrong Luhn check digit: WARNING (the docs' own sample
  ``89000000000000000000`` fails it); any other ICCID defect: rejecting ERROR.
* minutes: an integral number 0 … 2³²−1 is fine; a numeric string ("15") is accepted
  with a WARNING (the WinRT projection would coerce it); anything else rejects.
"""

from __future__ import annotations

import math
import re
from typing import TypeAlias

from esim.activation_code import ActivationCode
from esim.identifiers.iccid import Iccid

from .value_text import describe, describe_typed
from .values import JsValue
from .violations import Findings

__all__ = [
    "MAX_ACTIVATION_CODE_LENGTH",
    "UINT32_MAX",
    "ActivationCodeLike",
    "check_activation_code",
    "check_iccid",
    "check_minutes",
    "round_up_to_15",
]

UINT32_MAX = 2**32 - 1
#: SGP.22 bounds address and matching ID to 255 characters each; beyond this the
#: text is not worth handing to a parser (and a 1 MB string stays cheap).
MAX_ACTIVATION_CODE_LENGTH = 1024
_AC_SECTION = "§4.10 (mobile-plans-service-configuration)"


#: Kept as a name for callers; the type is ``esim.activation_code.ActivationCode``.
ActivationCodeLike: TypeAlias = ActivationCode


def check_activation_code(
    value: JsValue, findings: Findings, field: str, *, address_only_ok: bool = False
) -> ActivationCodeLike | None:
    """The parsed activation code, or None after recording a rejecting ERROR."""
    if not isinstance(value, str):
        findings.error(
            "activationCode.not-a-string",
            f"{field} is {describe_typed(value)}; it must be a string",
            "§1.1",
            field,
        )
        return None
    if not value:
        findings.error(
            "activationCode.empty", f"{field} is empty; a download needs one", _AC_SECTION, field
        )
        return None
    if len(value) > MAX_ACTIVATION_CODE_LENGTH:
        findings.error(
            "activationCode.too-long",
            f"{field} {describe(value)} is longer than {MAX_ACTIVATION_CODE_LENGTH} characters;"
            " no SGP.22 activation code is",
            _AC_SECTION,
            field,
        )
        return None
    text = value
    if address_only_ok and "$" not in value:
        # §3.3: on a delayed download the argument may be "the SM-DP+ address".
        text = f"1${value}$"
    try:
        code = ActivationCode.parse(text)
    except ValueError as error:  # ActivationCodeError, with .rule and .message
        rule = getattr(error, "rule", type(error).__name__)
        detail = getattr(error, "message", str(error))
        findings.error(
            "activationCode.invalid",
            f"{field} {describe(value)} is not an SGP.22 activation code "
            f"(1$<SM-DP+ address>$<matching ID>): {detail} [{rule}]",
            _AC_SECTION,
            field,
        )
        return None
    if text is not value:
        findings.warning(
            "activationCode.smdp-address-only",
            f"{field} {describe(value)} is a bare SM-DP+ address; accepted for a delayed "
            "download, but a full activation code is the documented form",
            "§3.3",
            field,
        )
    if code.had_lpa_prefix:
        findings.error(
            "activationCode.lpa-prefix",
            f"{field} {describe(value)} starts with 'LPA:'; the activation code "
            "\"must not include any prefixes such as 'LPA:'\"",
            _AC_SECTION,
            field,
        )
        return None
    if code.confirmation_code_required:
        findings.flaw(
            "activationCode.confirmation-code",
            f"{field} {describe(value)} requires a confirmation code; Mobile Plans activation "
            "codes \"must not require a 'Confirmation Code'\" (the download will fail with "
            "confirmationCodeMissing)",
            _AC_SECTION,
            field,
        )
    if code.smdp_oid or code.ci_public_key_id or code.extra_fields:
        findings.warning(
            "activationCode.extra-fields",
            f"{field} {describe(value)} carries optional SGP.22 fields (OID, CI key ID, ...); "
            "the documented form is 1$<SM-DP+ address>$<matching ID>",
            _AC_SECTION,
            field,
        )
    if not code.matching_id and text is value:
        findings.warning(
            "activationCode.empty-matching-id",
            f"{field} {describe(value)} has an empty matching ID; the SM-DP+ must then find the "
            "profile by EID (the documented form is 1$<SM-DP+ address>$<matching ID>)",
            _AC_SECTION,
            field,
        )
    return code


def check_iccid(value: JsValue, findings: Findings, field: str, section: str) -> Iccid | None:
    """The parsed ICCID, or None after recording a rejecting ERROR."""
    if not isinstance(value, str):
        findings.error(
            "iccid.not-a-string",
            f"{field} is {describe_typed(value)}; an ICCID is passed as a string",
            section,
            field,
        )
        return None
    try:
        iccid = Iccid.parse(value)
    except ValueError as error:
        rule = str(getattr(error, "rule", "iccid.invalid"))
        message = f"{field}: {getattr(error, 'message', str(error))}"
        if rule != "iccid.check-digit":
            findings.error(rule, message, f"{section}, §7.6", field)
            return None
        findings.warning(rule, message, f"{section}, §7.6", field)
        iccid = Iccid.parse(value, check_luhn=False)
    if iccid.digits != value:
        findings.info(
            "iccid.padding-stripped",
            f"{field} {describe(value)} is used as {iccid.digits} (the app strips trailing 'F' "
            "and blanks)",
            "§4.9",
            field,
        )
    return iccid


_NUMERIC_STRING = re.compile(r"[0-9]{1,10}")


def check_minutes(value: JsValue, findings: Findings, field: str, section: str) -> int | None:
    """``value`` as an unsigned 32-bit count of minutes, or None after a rejecting ERROR."""
    if isinstance(value, str):
        if _NUMERIC_STRING.fullmatch(value) and int(value) <= UINT32_MAX:
            findings.warning(
                "interval.numeric-string",
                f"{field} is the string {describe(value)}; it is an unsigned integer of minutes, "
                "pass a number",
                section,
                field,
            )
            return int(value)
        findings.error(
            "interval.not-a-number",
            f"{field} is the string {describe(value)}; it must be an unsigned integer of minutes",
            section,
            field,
        )
        return None
    if isinstance(value, bool) or not isinstance(value, float | int):
        findings.error(
            "interval.not-a-number",
            f"{field} is {describe_typed(value)}; it must be an unsigned integer of minutes",
            section,
            field,
        )
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > UINT32_MAX:
        findings.error(
            "interval.out-of-range",
            f"{field} is {describe(value)}; an unsigned 32-bit integer is 0 … {UINT32_MAX}",
            section,
            field,
        )
        return None
    if not number.is_integer():
        findings.error(
            "interval.not-integer",
            f"{field} is {describe(value)}; it must be a whole number of minutes",
            section,
            field,
        )
        return None
    return int(number)


def round_up_to_15(minutes: int) -> int:
    """§3.5: the app re-registers after ``ceil(minutes / 15) * 15`` minutes; 0 stays 0."""
    return -(-minutes // 15) * 15
