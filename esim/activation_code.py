"""SGP.22 activation codes (``1$SM-DP+ address$matching ID[$OID[$flag[...]]]``) and QR strings.

The parser is deliberately stricter than lpac or pySim where they are sloppy (SGP.22 §4.1):
every rejection names the field, the value and the rule, so a portal developer can fix the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LENGTH = 255
"""The longest activation code, without the ``LPA:`` prefix (SGP.22 §4.1, as DiamaneOS reads it)."""

QR_PREFIX = "LPA:"
_SEPARATOR = "$"
_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_LDH_CHARACTERS = _TOKEN_CHARACTERS | {"."}
_EXAMPLE = "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815"

_SPEC_FIELDS = "SGP.22 §4.1"
_SPEC_ADDRESS = "SGP.22 §4.1 (FQDN), RFC 1123 host names"
_SPEC_TOKEN = "SGP.22 §4.1 (AC_Token)"
_SPEC_OID = "SGP.22 §4.1 (SM-DP+ OID), ITU-T X.660"
_SPEC_FLAG = "SGP.22 §4.1 (Confirmation Code Required Flag)"
_SPEC_LENGTH = "SGP.22 §4.1"


class ActivationCodeError(ValueError):
    """An activation code broke one named rule.

    ``category`` is one of "format", "version", "address", "token", "oid", "flag", "too-long";
    ``rule`` a stable id such as ``"ac.address.space"``; ``message`` names the field and the value;
    ``spec`` where the rule comes from. ``str(error)`` is the message.
    """

    def __init__(self, *, category: str, rule: str, message: str, spec: str) -> None:
        super().__init__(message)
        self.category = category
        self.rule = rule
        self.message = message
        self.spec = spec

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ActivationCodeError(rule={self.rule!r}, message={self.message!r})"


def _shown(text: str) -> str:
    return text if len(text) <= 64 else text[:64] + "…"


def _describe(char: str) -> str:
    if char == " ":
        return "a space"
    if char.isprintable() and not char.isspace():
        return repr(char)
    return f"the character U+{ord(char):04X}"


@dataclass(frozen=True)
class ActivationCode:
    """A valid SGP.22 activation code (AC_Format 1).

    Constructing one validates every field, so any instance formats to a code that parses back.
    ``matching_id`` may be empty. ``extra_fields`` holds fields after the CI public key indicator,
    kept for forward compatibility. ``had_lpa_prefix`` records whether the parsed text started
    with ``LPA:`` (any case); it does not take part in equality.
    """

    smdp_address: str
    matching_id: str
    smdp_oid: str | None = None
    confirmation_code_required: bool = False
    ci_public_key_id: str | None = None
    extra_fields: tuple[str, ...] = ()
    had_lpa_prefix: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        _check_address(self.smdp_address)
        _check_token(self.matching_id)
        if self.smdp_oid is not None:
            _check_oid(self.smdp_oid)
        for name, value in [("CI public key indicator", self.ci_public_key_id)] + [
            (f"field {index}", extra) for index, extra in enumerate(self.extra_fields, start=6)
        ]:
            if value is not None:
                _check_opaque(name, value)
        if self.extra_fields and not self.extra_fields[-1]:
            raise ActivationCodeError(
                category="format",
                rule="ac.format.trailing-delimiter",
                message="the last extra field is empty; a '$' delimiter is written only when a "
                "non-empty field follows it.",
                spec=_SPEC_FIELDS,
            )
        text = self.format()
        if len(text) > MAX_LENGTH:
            raise _too_long(text)

    @classmethod
    def parse(cls, text: str) -> ActivationCode:
        """Parse an activation code as typed, pasted or read from a QR code.

        Surrounding whitespace is ignored and an ``LPA:`` prefix is accepted in any case. Fields
        are AC_Format (must be ``1``), SM-DP+ address (a host name), matching ID (letters, digits
        and ``-``; may be empty), optional SM-DP+ OID, optional flag (only ``1``), then optional
        SGP.22 v3 fields. Raises :class:`ActivationCodeError` naming the first broken rule.
        """
        body = text.strip()
        had_prefix = body[: len(QR_PREFIX)].upper() == QR_PREFIX
        if had_prefix:
            body = body[len(QR_PREFIX) :]
        if not body:
            raise ActivationCodeError(
                category="format",
                rule="ac.format.empty",
                message=f"activation code {_shown(text)!r} is empty; expected the form "
                f"'{_EXAMPLE}'.",
                spec=_SPEC_FIELDS,
            )
        if len(body) > MAX_LENGTH:
            raise _too_long(body)
        fields = body.split(_SEPARATOR)
        if len(fields) < 3:
            raise ActivationCodeError(
                category="format",
                rule="ac.format.fields",
                message=f"activation code {_shown(body)!r} has {len(fields)} '$'-separated "
                f"field{'s' if len(fields) != 1 else ''}; it needs at least 3: AC_Format '1', "
                f"the SM-DP+ address and the matching ID (which may be empty), as in "
                f"'{_EXAMPLE}'.",
                spec=_SPEC_FIELDS,
            )
        _check_version(fields[0])
        if len(fields) > 3 and not fields[-1]:
            raise ActivationCodeError(
                category="format",
                rule="ac.format.trailing-delimiter",
                message=f"activation code {_shown(body)!r} ends with an empty field after '$'; "
                "a delimiter is written only when a later field follows (drop the trailing "
                "'$').",
                spec=_SPEC_FIELDS,
            )
        oid = fields[3] if len(fields) > 3 and fields[3] else None
        flag = fields[4] if len(fields) > 4 else ""
        if flag not in ("", "1"):
            raise ActivationCodeError(
                category="flag",
                rule="ac.flag.value",
                message=f"Confirmation Code Required Flag is {_shown(flag)!r}; SGP.22 defines "
                "only '1' (omit the field when no confirmation code is needed). The "
                "confirmation code itself is never part of the activation code.",
                spec=_SPEC_FLAG,
            )
        ci_key = fields[5] if len(fields) > 5 and fields[5] else None
        return cls(
            smdp_address=fields[1],
            matching_id=fields[2],
            smdp_oid=oid,
            confirmation_code_required=flag == "1",
            ci_public_key_id=ci_key,
            extra_fields=tuple(fields[6:]),
            had_lpa_prefix=had_prefix,
        )

    def format(self, *, lpa_prefix: bool = False) -> str:
        """The canonical text (pySim's serialisation); with ``lpa_prefix`` the QR-code form."""
        optional = [
            self.smdp_oid or "",
            "1" if self.confirmation_code_required else "",
            self.ci_public_key_id or "",
            *self.extra_fields,
        ]
        while optional and not optional[-1]:
            optional.pop()
        text = _SEPARATOR.join(["1", self.smdp_address, self.matching_id, *optional])
        return QR_PREFIX + text if lpa_prefix else text

    def __str__(self) -> str:
        return self.format()


def _too_long(body: str) -> ActivationCodeError:
    return ActivationCodeError(
        category="too-long",
        rule="ac.too-long",
        message=f"activation code {_shown(body)!r} is {len(body)} characters long; SGP.22 "
        f"allows at most {MAX_LENGTH} (without the 'LPA:' prefix).",
        spec=_SPEC_LENGTH,
    )


def _check_version(value: str) -> None:
    if value == "1":
        return
    if not value:
        rule, detail = "ac.version.empty", "is empty"
    elif value == "2":
        rule = "ac.version.unsupported"
        detail = "is '2' (the Advanced Activation Code, which SGP.22 mentions but never specifies)"
    elif value.strip() == "1":
        rule, detail = "ac.version.whitespace", f"is {_shown(value)!r}, with whitespace around '1'"
    elif value.upper().startswith(QR_PREFIX):
        rule, detail = "ac.version.double-prefix", f"is {_shown(value)!r}: 'LPA:' appears twice"
    else:
        rule, detail = "ac.version.unsupported", f"is {_shown(value)!r}"
    raise ActivationCodeError(
        category="version",
        rule=rule,
        message=f"AC_Format (the first field) {detail}; the only defined format is '1'.",
        spec=_SPEC_FIELDS,
    )


def _address_error(rule: str, address: str, problem: str) -> ActivationCodeError:
    return ActivationCodeError(
        category="address",
        rule=rule,
        message=f"SM-DP+ address {_shown(address)!r} {problem}; it must be a host name such as "
        "'SMDP.GSMA.COM' (the LPA adds 'https://' and the ES9+ path itself).",
        spec=_SPEC_ADDRESS,
    )


def _check_address(address: str) -> None:
    if not address:
        raise _address_error("ac.address.empty", address, "is empty")
    if "://" in address:
        raise _address_error("ac.address.scheme", address, "contains a URL scheme")
    for position, char in enumerate(address, start=1):
        if char.isspace():
            raise _address_error(
                "ac.address.space", address, f"contains {_describe(char)} at position {position}"
            )
    if "/" in address:
        raise _address_error("ac.address.path", address, "contains a path ('/')")
    if address.startswith("[") or address.count(":") > 1:
        raise _address_error("ac.address.ip-literal", address, "is an IPv6 address literal")
    if ":" in address:
        raise _address_error(
            "ac.address.port", address, "contains a port (':'); SGP.22 addresses have none"
        )
    for position, char in enumerate(address, start=1):
        if char not in _LDH_CHARACTERS:
            raise _address_error(
                "ac.address.characters",
                address,
                f"contains {_describe(char)} at position {position}; host names use only "
                "letters, digits, '-' and '.'",
            )
    if len(address) > 253:
        raise _address_error("ac.address.too-long", address, "is longer than 253 characters")
    labels = address.split(".")
    if any(not label for label in labels):
        raise _address_error("ac.address.label-empty", address, "has an empty label (stray dot)")
    for label in labels:
        if len(label) > 63:
            raise _address_error(
                "ac.address.label-length", address, f"has a {len(label)}-character label (max 63)"
            )
        if label.startswith("-") or label.endswith("-"):
            raise _address_error(
                "ac.address.label-hyphen", address, f"has label {label!r} with an edge '-'"
            )
    if all(label.isdigit() for label in labels):
        raise _address_error("ac.address.ip-literal", address, "is an IP address, not a host name")
    if len(labels) < 2:
        raise _address_error("ac.address.labels", address, "is a single label; an FQDN has a dot")


def _check_token(token: str) -> None:
    for position, char in enumerate(token, start=1):
        if char not in _TOKEN_CHARACTERS:
            raise ActivationCodeError(
                category="token",
                rule="ac.token.characters",
                message=f"matching ID {_shown(token)!r} contains {_describe(char)} at position "
                f"{position}; a matching ID uses only letters, digits and '-' (lpac rejects "
                "anything else).",
                spec=_SPEC_TOKEN,
            )


def _oid_error(rule: str, oid: str, problem: str) -> ActivationCodeError:
    hint = ""
    if "." not in oid:
        hint = (
            " The 4th field is the SM-DP+ OID, not a confirmation code: the confirmation code is"
            " never part of the activation code."
        )
    return ActivationCodeError(
        category="oid",
        rule=rule,
        message=f"SM-DP+ OID {_shown(oid)!r} {problem}; it must be a dotted object identifier "
        f"such as '1.3.6.1.4.1.31746'.{hint}",
        spec=_SPEC_OID,
    )


def _check_oid(oid: str) -> None:
    if not oid:
        raise _oid_error("ac.oid.empty", oid, "is empty (use no OID instead)")
    for position, char in enumerate(oid, start=1):
        if char not in "0123456789.":
            raise _oid_error(
                "ac.oid.characters", oid, f"contains {_describe(char)} at position {position}"
            )
    arcs = oid.split(".")
    if any(not arc for arc in arcs):
        raise _oid_error("ac.oid.empty-arc", oid, "has an empty arc")
    if len(arcs) < 2:
        raise _oid_error("ac.oid.arcs", oid, "has a single arc")
    for arc in arcs:
        if len(arc) > 1 and arc.startswith("0"):
            raise _oid_error("ac.oid.leading-zero", oid, f"has arc {arc!r} with a leading zero")
    if int(arcs[0]) > 2:
        raise _oid_error("ac.oid.first-arc", oid, f"starts with arc {arcs[0]}, not 0, 1 or 2")
    # X.660: under roots 0 and 1 the second arc is at most 39, or the OID cannot be DER-encoded.
    if arcs[0] in ("0", "1") and int(arcs[1]) > 39:
        raise _oid_error(
            "ac.oid.second-arc", oid, f"has second arc {arcs[1]} under root {arcs[0]} (max 39)"
        )


def _check_opaque(name: str, value: str) -> None:
    if not value and name.startswith("CI"):
        raise ActivationCodeError(
            category="format",
            rule="ac.format.ci-key-id",
            message="the CI public key indicator is empty (use None instead).",
            spec=_SPEC_FIELDS,
        )
    for position, char in enumerate(value, start=1):
        if not ("!" <= char <= "~") or char == _SEPARATOR:
            raise ActivationCodeError(
                category="format",
                rule="ac.format.characters",
                message=f"{name} {_shown(value)!r} contains {_describe(char)} at position "
                f"{position}; optional fields use visible ASCII characters other than '$'.",
                spec=_SPEC_FIELDS,
            )
