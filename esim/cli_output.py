"""How every ``esim`` command speaks: data on stdout (JSON with ``--json``), errors as one line on
stderr (or a JSON object on stdout with ``--json``), progress on stderr only when it is a
terminal or ``--progress`` asks, nothing but errors with ``--quiet``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from esim.lpa import LpaError
from esim.lpa.error_words import next_step, plain_words

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def wants_json(args: argparse.Namespace | None, argv: Sequence[str] = ()) -> bool:
    """``--json`` was given (read from the raw argv when parsing itself failed)."""
    if args is not None:
        return bool(getattr(args, "json", False))
    return "--json" in argv


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def emit(args: argparse.Namespace, data: Any, lines: Iterable[str]) -> int:
    """A command's result: `data` as JSON, or `lines` for a person (none with --quiet)."""
    if getattr(args, "json", False):
        print_json(data)
    elif not getattr(args, "quiet", False):
        for line in lines:
            print(line)
    return EXIT_OK


def shows_progress(args: argparse.Namespace) -> bool:
    """Progress lines go to stderr when it is a terminal, or with --progress; never --quiet."""
    if getattr(args, "quiet", False) or getattr(args, "json", False):
        return bool(getattr(args, "progress", False)) and not getattr(args, "quiet", False)
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def fail(
    as_json: bool,
    code: str,
    message: str,
    *,
    reason: str = "",
    next_hint: str = "",
    status: int = EXIT_FAILED,
    details: dict[str, Any] | None = None,
) -> int:
    """Report a failure the same way from every command; returns the exit status."""
    if as_json:
        error: dict[str, Any] = {"code": code, "message": message}
        if reason:
            error["reason"] = reason
        if next_hint:
            error["next"] = next_hint
        error.update(details or {})
        print_json({"ok": False, "error": error})
    else:
        named = f"{code} ({reason})" if reason else code
        hint = f" Next: {next_hint}." if next_hint else ""
        print(f"esim: {named}: {_one_line(message)}{hint}", file=sys.stderr)
    return status


def fail_lpa(as_json: bool, error: LpaError, *, host: str = "", data_dir: str = "") -> int:
    """An LPA failure: its Mobile Plans name, what it means, what it said, what to do next."""
    member = error.activation_error
    hint = next_step(member, error.rule, host=host, data_dir=data_dir)
    details = {k: v for k, v in error.to_json().items() if k not in ("message", "spec")}
    details.pop("activationError", None)
    return fail(
        as_json,
        member,
        f"{without_reference(error.message)} [{error.rule}]",
        reason=plain_words(member),
        next_hint=hint,
        details=details,
    )


def without_reference(text: str) -> str:
    """A message without its trailing "[rule; source]" block (the rule is shown apart)."""
    return re.sub(r"\s*\[[^\[\]]*\]\s*$", "", text)


def _one_line(text: str) -> str:
    return " ".join(text.split())
