"""Stop-gap SGP.22 activation-code parser, used only while ``esim.activation_code`` is absent.

Delete this module once ``esim.activation_code`` lands: ``codes.py`` prefers it.
"""

from __future__ import annotations

from dataclasses import dataclass

_SPEC = "SGP.22 §4.1 Activation Code"


class FallbackActivationCodeError(ValueError):
    """Mirrors ``esim.activation_code.ActivationCodeError``: category, rule, message, spec."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.category = "syntax"
        self.rule = rule
        self.message = message
        self.spec = _SPEC


@dataclass(frozen=True)
class FallbackActivationCode:
    """The fields ``esim.activation_code.ActivationCode`` promises."""

    smdp_address: str
    matching_id: str
    smdp_oid: str | None
    confirmation_code_required: bool
    had_lpa_prefix: bool

    @classmethod
    def parse(cls, text: str) -> FallbackActivationCode:
        """``[LPA:]1$address$matchingId[$oid[$1]]``; raises FallbackActivationCodeError."""
        had_prefix = text[:4].upper() == "LPA:"
        body = text[4:] if had_prefix else text
        parts = body.split("$")
        if parts[0] != "1":
            raise FallbackActivationCodeError(
                "ac.format", "an activation code starts with the format indicator '1$'"
            )
        if len(parts) < 3 or len(parts) > 5:
            raise FallbackActivationCodeError(
                "ac.fields", f"an activation code has 3 to 5 '$'-separated fields, not {len(parts)}"
            )
        address = parts[1]
        if not address or any(c.isspace() for c in address) or len(address) > 255:
            raise FallbackActivationCodeError("ac.smdp-address", "the SM-DP+ address is not a host")
        oid = parts[3] if len(parts) > 3 and parts[3] else None
        ccr = len(parts) == 5 and parts[4] == "1"
        if len(parts) == 5 and parts[4] not in ("", "1"):
            raise FallbackActivationCodeError(
                "ac.confirmation-flag", "the confirmation code flag must be '1' or empty"
            )
        return cls(address, parts[2], oid, ccr, had_prefix)
