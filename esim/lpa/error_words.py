"""Each ``MobilePlansActivationError`` member in plain words, and what a person does next.

The member names are what Windows reports to the portal; a person at a terminal also needs to
know what went wrong and the next step, so the ``esim`` command shows both beside the name.
"""

from __future__ import annotations

PLAIN_WORDS: dict[str, str] = {
    "success": "done",
    "notAuthorized": "the SM-DP+ or the card refused the other side's credentials",
    "notFound": "the SM-DP+ has no such order",
    "policyViolation": "a profile policy rule forbids this",
    "insufficientSpaceOnCard": "the eUICC has no room for another profile",
    "serverFailure": "the SM-DP+ refused or failed",
    "serverNotReachable": "the SM-DP+ could not be reached",
    "timeoutWaitingForUserConsent": "nobody confirmed in time",
    "incorrectConfirmationCode": "the confirmation code is wrong",
    "confirmationCodeMaxRetriesExceeded": "too many wrong confirmation codes",
    "cardRemoved": "the eUICC is gone",
    "cardBusy": "the eUICC is busy with another session",
    "other": "something else went wrong",
    "cardGeneralFailure": "the eUICC refused the command",
    "confirmationCodeMissing": "this order needs a confirmation code",
    "invalidMatchingId": "the SM-DP+ does not know this matching ID",
    "noEligibleProfileForThisDevice": "the SM-DP+ has no profile this eUICC can take",
    "operationAborted": "the operation was cancelled",
    "eidMismatch": "the order is bound to another eUICC",
    "profileNotAvailableForNewBinding": "the profile was already downloaded",
    "profileNotReleasedByOperator": "the operator has not released the profile yet",
    "operationProhibitedByProfileClass": "the profile's class forbids this",
    "profileNotPresent": "the eUICC holds no such profile",
    "noCorrespondingRequest": "the card answered a request it did not get",
    "unknownError": "an unexpected failure",
    "lpaInitializationError": "the LPA could not start",
    "modemNotFound": "no modem",
    "localSettingsAccessFailed": "local settings could not be read",
    "invalidJson": "a message was not the JSON expected",
    "invalidActivationCode": "the activation code does not parse",
    "invalidIccid": "the ICCID is not valid",
}

# The next step by the failure's rule (most specific) or by its Mobile Plans member.
_NEXT_BY_RULE: dict[str, str] = {
    "es9.transport.resolve": (
        "no SM-DP+ is serving {host} in this data dir: start `esim smdp serve{data_dir}` in "
        "another shell, or pass --resolve {host}=IP:PORT"
    ),
    "es9.transport.connect": "start `esim smdp serve{data_dir}` again, or check --resolve",
    "lpa.nickname-too-long": "give a nickname of at most 64 characters",
}
_NEXT_BY_MEMBER: dict[str, str] = {
    "confirmationCodeMissing": "pass --confirmation-code CODE",
    "incorrectConfirmationCode": "pass the order's code with --confirmation-code CODE",
    "invalidMatchingId": "order a profile with `esim smdp order{data_dir}` and use its code",
    "profileNotAvailableForNewBinding": "order the profile again with `esim smdp order`",
    "profileNotReleasedByOperator": "wait for the release time, or order without --release-after",
    "eidMismatch": "order without --eid, or with this card's EID (`esim euicc info`)",
    "profileNotPresent": "see the installed profiles with `esim euicc list{data_dir}`",
    "operationProhibitedByProfileClass": "disable it first (`esim euicc disable ICCID`)",
    "insufficientSpaceOnCard": "delete a profile first (`esim euicc delete ICCID`)",
    "invalidActivationCode": "an activation code looks like 1$SMDP.EXAMPLE.COM$MATCHING-ID",
}


def plain_words(member: str) -> str:
    """What `member` means, in words ('' for a name this table does not know)."""
    return PLAIN_WORDS.get(member, "")


def next_step(member: str, rule: str = "", *, host: str = "", data_dir: str = "") -> str:
    """What to do next, or ''. `data_dir` is the ``--data-dir`` a command was given, if any."""
    template = _NEXT_BY_RULE.get(rule) or _NEXT_BY_MEMBER.get(member, "")
    option = f" --data-dir {data_dir}" if data_dir else ""
    return template.format(host=host or "the SM-DP+", data_dir=option)
