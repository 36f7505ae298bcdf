"""The one error value every identifier parser raises."""

from __future__ import annotations

import re

_MAX_SHOWN = 64
_ASCII_DIGITS = re.compile(r"[0-9]+")
_ASCII_HEX = re.compile(r"[0-9A-Fa-f]+")


def shown(text: str) -> str:
    """Cut *text* to what an error message may quote, so a megabyte of junk stays readable."""
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def is_ascii_digits(text: str) -> bool:
    # str.isdigit() accepts '²' and Arabic-Indic digits; identifiers are ASCII only.
    return _ASCII_DIGITS.fullmatch(text) is not None


def is_ascii_hex(text: str) -> bool:
    return _ASCII_HEX.fullmatch(text) is not None


def first_bad_character(text: str, allowed: str) -> tuple[int, str] | None:
    """The 1-based position and the first character of *text* not in *allowed*, if any."""
    for index, char in enumerate(text):
        if char not in allowed:
            return index + 1, char
    return None


def describe_character(char: str) -> str:
    """A readable name for a character in a message: spaces and control characters are invisible."""
    if char == " ":
        return "a space"
    if char.isprintable():
        return f"{char!r}"
    return f"the character U+{ord(char):04X}"


class IdentifierError(ValueError):
    """An identifier failed one named rule.

    ``kind`` is the identifier kind ("ICCID", "EID", ...), ``rule`` a short stable id such as
    ``"iccid.check-digit"``, ``value`` the offending text (cut to 64 characters), ``message`` a
    sentence that names the value and the rule, and ``spec`` where the rule comes from.
    ``str(error)`` is the message.
    """

    def __init__(self, *, kind: str, rule: str, value: str, message: str, spec: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.rule = rule
        self.value = shown(value)
        self.message = message
        self.spec = spec

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IdentifierError(kind={self.kind!r}, rule={self.rule!r}, value={self.value!r})"
