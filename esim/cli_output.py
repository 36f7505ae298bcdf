"""How every ``esim`` command speaks: data on stdout (JSON with ``--json``), errors as one line on
stderr (or a JSON object on stdout with ``--json``), progress on stderr only when it is a
terminal or ``--progress`` asks, nothing but errors with ``--quiet``; and what a failure
becomes (:func:`run_reported`): its name, plain words, the next step, the exit status.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from esim.activation_code import ActivationCode, ActivationCodeError
from esim.lpa import LpaError
from esim.lpa.error_words import next_step, plain_words
from esim.pki import PkiError

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
    # activationError stays beside code: scripts written against earlier versions read it
    details = {k: v for k, v in error.to_json().items() if k not in ("message", "spec")}
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


# -- failures: every exception a command may raise, mapped to one report and exit status ----


class UsageError(Exception):
    """A well-formed command line whose values cannot be used (exit status 2)."""


class CodeError(Exception):
    """An activation code given on the command line that does not parse."""

    def __init__(self, error: ActivationCodeError) -> None:
        super().__init__(f"{error} [{error.rule}; {error.spec}]")
        self.error = error


def parse_code(text: str) -> ActivationCode:
    try:
        return ActivationCode.parse(text)
    except ActivationCodeError as error:
        raise CodeError(error) from None


def run_reported(
    command: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    as_json: bool,
    print_usage: Callable[[], None],
) -> int:
    """Run `command`; whatever it raises becomes one report (never a traceback) and a status."""
    try:
        return command(args)
    except UsageError as error:
        if not as_json:
            print_usage()
        return fail(as_json, "usage", str(error), status=EXIT_USAGE)
    except CodeError as error:
        return fail(
            as_json,
            "invalidActivationCode",
            f"{without_reference(str(error))} [{error.error.rule}]",
            reason="the activation code does not parse",
            next_hint="an activation code looks like 1$SMDP.EXAMPLE.COM$MATCHING-ID",
            details={"rule": error.error.rule},
        )
    except LpaError as error:
        data_dir = getattr(args, "data_dir", None)
        return fail_lpa(
            as_json,
            error,
            host=_code_host(getattr(args, "code", "")),
            data_dir=str(data_dir) if data_dir is not None else "",
        )
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:
        return stdout_reader_gone()  # not a failure to report: nobody reads any more
    except (ValueError, OSError, PkiError) as error:
        return fail(as_json, "failed", str(error))
    except Exception as error:  # the last line of defence: never a traceback
        return fail(
            as_json,
            "internalError",
            f"{type(error).__name__}: {error} (a bug in esim: please report it with the command)",
        )


def _code_host(text: str) -> str:
    """The SM-DP+ host of an activation code, for the next-step hint ('' if none)."""
    try:
        return ActivationCode.parse(text).smdp_address if text else ""
    except ActivationCodeError:
        return ""


EXIT_READER_GONE = 141  # what a shell reports for a tool ended by SIGPIPE (128 + 13)


def stdout_reader_gone() -> int:
    """The exit of a command whose standard output's reader went away (`... | head`): quiet,
    as a Unix tool is. Standard output is pointed at the null device first, so Python's
    flush of it at exit does not report the closed pipe once more."""
    import os  # only on this path

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no file descriptor behind stdout (embedded, tests)
        pass
    return EXIT_READER_GONE
