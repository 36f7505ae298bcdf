"""The rules about activation codes, ICCIDs and minute intervals."""

from __future__ import annotations

from typing import Any

from simulator.contract.rulebook.examples import (
    AC,
    ICCID_ON_DEVICE,
    Call,
    Example,
)
from simulator.contract.rulebook.model import Rule
from simulator.contract.rulebook.table_calls import CALLBACKS, GOOD_INLINE, IO, inline, md


def balance(iccid: Any) -> Example:
    return Example(Call(f"{IO}.notifyBalanceAddition", (md(), iccid)))


def asynchronous(interval: Any) -> Example:
    return Example(Call("MobilePlans.notifyPurchaseWithProfileDownload", (md(), AC, interval)))


def delayed(delay: Any, code: str = AC) -> Example:
    return Example(Call(f"{IO}.notifyProfileDownload", (md(), code, delay)), CALLBACKS)


RULES_VALUES: tuple[Rule, ...] = (
    Rule(
        "activationCode.not-a-string",
        "error",
        "The activation code argument is not a string.",
        "§1.1",
        GOOD_INLINE,
        inline(md(), {"code": AC}),
    ),
    Rule(
        "activationCode.empty",
        "error",
        "The activation code is the empty string: there is nothing to download.",
        "§4.10",
        GOOD_INLINE,
        inline(md(), ""),
    ),
    Rule(
        "activationCode.too-long",
        "error",
        "The activation code is longer than 1,024 characters; no SGP.22 activation code is.",
        "§4.10",
        GOOD_INLINE,
        inline(md(), "1$smdp.contoso.example$" + "A" * 1020),
    ),
    Rule(
        "activationCode.invalid",
        "error",
        "The activation code is not of the SGP.22 form 1$<SM-DP+ address>$<matching ID> (the "
        "message names the part that is wrong). The app answers the portal invalidActivationCode.",
        "§4.10, §4.11",
        GOOD_INLINE,
        inline(md(), "smdp.contoso.example/CONTOSO-5GB-0001"),
    ),
    Rule(
        "activationCode.lpa-prefix",
        "error",
        "The activation code starts with LPA:, the QR-code prefix; the code given to the app "
        "must not include any prefix.",
        "§4.10",
        GOOD_INLINE,
        inline(md(), "LPA:" + AC),
    ),
    Rule(
        "activationCode.confirmation-code",
        "flaw",
        "The activation code says a confirmation code is required; codes handed to the app must "
        "not require one (the download fails with confirmationCodeMissing).",
        "§4.10",
        GOOD_INLINE,
        inline(md(), AC + "$$1"),
    ),
    Rule(
        "activationCode.extra-fields",
        "warning",
        "The activation code carries optional SGP.22 fields (SM-DP+ OID, CI key id); the "
        "documented form has the address and the matching ID only.",
        "§4.10",
        GOOD_INLINE,
        inline(md(), AC + "$1.3.6.1.4.1.31746"),
    ),
    Rule(
        "activationCode.empty-matching-id",
        "warning",
        "The activation code has an empty matching ID; the SM-DP+ must then find the profile "
        "by the EID alone.",
        "§4.10",
        GOOD_INLINE,
        inline(md(), "1$smdp.contoso.example$"),
    ),
    Rule(
        "activationCode.smdp-address-only",
        "warning",
        "A delayed download is given only the SM-DP+ address. The delayed-download page allows "
        "it; a full activation code is still the documented form.",
        "§3.3",
        delayed(15),
        delayed(15, "smdp.contoso.example"),
    ),
    Rule(
        "iccid.not-a-string",
        "error",
        "An ICCID argument is not a string (ICCIDs have up to 20 digits: pass them as text).",
        "§3.6",
        balance(ICCID_ON_DEVICE),
        balance(8988247000101997790),
    ),
    Rule(
        "iccid.empty",
        "error",
        "An ICCID argument is empty.",
        "§3.6, §7.6",
        balance(ICCID_ON_DEVICE),
        balance(" "),
    ),
    Rule(
        "iccid.characters",
        "error",
        "An ICCID has characters other than decimal digits (trailing F padding is allowed).",
        "§3.6, §7.6",
        balance(ICCID_ON_DEVICE),
        balance("8988-2470-0010-1997-790"),
    ),
    Rule(
        "iccid.length",
        "error",
        "An ICCID does not have 18 to 20 digits.",
        "§3.6, §7.6",
        balance(ICCID_ON_DEVICE),
        balance("898824700010199"),
    ),
    Rule(
        "iccid.prefix",
        "error",
        "An ICCID does not start with 89, the telecommunications industry identifier.",
        "§3.6, §7.6",
        balance(ICCID_ON_DEVICE),
        balance("9988247000101997790"),
    ),
    Rule(
        "iccid.check-digit",
        "warning",
        "An ICCID fails the Luhn check; the app still looks it up.",
        "§3.6, §7.6",
        balance(ICCID_ON_DEVICE),
        balance("8988247000101997791"),
    ),
    Rule(
        "iccid.padding-stripped",
        "info",
        "An ICCID carries trailing F padding or blanks, which the app strips.",
        "§4.9",
        balance(ICCID_ON_DEVICE),
        balance(ICCID_ON_DEVICE + "F"),
    ),
    Rule(
        "interval.not-a-number",
        "error",
        "A minutes argument (networkRegistrationInterval, downloadDelay, "
        "profileDownloadDelayInterval) is not a number.",
        "§1.1",
        asynchronous(60),
        asynchronous("an hour"),
    ),
    Rule(
        "interval.numeric-string",
        "warning",
        'A minutes argument is a string of digits ("60"); it is an unsigned integer.',
        "§1.1",
        asynchronous(60),
        asynchronous("60"),
    ),
    Rule(
        "interval.out-of-range",
        "error",
        "A minutes argument is negative, infinite or above the unsigned 32-bit range.",
        "§1.1",
        asynchronous(60),
        asynchronous(-15),
    ),
    Rule(
        "interval.not-integer",
        "error",
        "A minutes argument is not a whole number.",
        "§1.1",
        asynchronous(60),
        asynchronous(7.5),
    ),
    Rule(
        "interval.rounded",
        "info",
        "The app rounds a network-registration interval (and the historical delayed-profile "
        "interval) up to a multiple of 15 minutes.",
        "§3.5, §3.7",
        asynchronous(60),
        asynchronous(50),
    ),
    Rule(
        "downloadDelay.zero",
        "info",
        "A delayed download with a delay of 0 minutes starts at once, like the two-argument call.",
        "§3.3",
        delayed(15),
        delayed(0),
    ),
)
