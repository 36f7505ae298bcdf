"""``esim euicc stdio`` and ``esim lpac``: lpac's stdio backends wired to a data directory.

``esim euicc stdio [--http]`` is the backend alone (requests on stdin, answers on stdout, every
other line to stderr). ``esim lpac -- ARGS`` starts a user's lpac binary with
``LPAC_APDU=stdio`` and ``LPAC_HTTP=stdio``, answers its requests from the data directory's
eUICC and (over HTTPS, through the resolver table ``esim smdp serve`` keeps) its SM-DP+s, prints
lpac's own output lines, and exits with lpac's status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from esim.cli_euicc import open_card, resolver_table
from esim.cli_home import Home, home_from_args
from esim.cli_output import UsageError

LPAC_MISSING = 127
"""Exit status when lpac cannot be started (the shell's "command not found")."""
INSTALL_HINT = (
    "install lpac (https://github.com/estkme-group/lpac, v2.x: build it with cmake, or take a "
    "release binary) and put it on PATH, or name it with --lpac PATH"
)


def _relay(home: Home, resolver: dict[str, tuple[str, int]], allow_expired_tls: bool) -> Any:
    from esim.lpa.relay import HttpsRelay

    return HttpsRelay(home.trust_anchors(), resolver, allow_expired_tls=allow_expired_tls)


def serve_stdio(
    home: Home,
    card: Any,
    resolver: dict[str, tuple[str, int]],
    http: bool,
    allow_expired_tls: bool = False,
) -> int:
    """``esim euicc stdio``: lpac's peer on this process's stdin/stdout."""
    from esim.euicc.stdio import serve

    relay = _relay(home, resolver, allow_expired_tls) if http else None
    _pass_bytes_through(sys.stdin, sys.stderr)
    try:
        serve(card, sys.stdin, sys.stdout, sys.stderr, http=relay)
    except BrokenPipeError:
        pass  # lpac went away mid-answer; nothing is left to tell it
    finally:
        if relay is not None:
            relay.close()
    return 0


def _pass_bytes_through(*streams: Any) -> None:
    """Lines that are not UTF-8 pass through byte for byte instead of failing the decoder."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="surrogateescape")


def find_lpac(explicit: Path | None) -> Path | str:
    """The lpac executable to run, or a message saying why there is none."""
    if explicit is not None:
        if explicit.is_file() and os.access(explicit, os.X_OK):
            return explicit
        return f"lpac not found at {explicit} (not an executable file); {INSTALL_HINT}"
    found = shutil.which("lpac")
    if found is None:
        return f"lpac is not installed (no `lpac` on PATH); {INSTALL_HINT}"
    return Path(found)


def run_lpac(
    home: Home,
    card: Any,
    resolver: dict[str, tuple[str, int]],
    lpac: Path,
    arguments: Sequence[str],
    allow_expired_tls: bool = False,
) -> int:
    """Run ``lpac ARGUMENTS`` against ``card`` and ``resolver``; returns lpac's exit status."""
    from esim.euicc.stdio import serve

    environment = dict(os.environ, LPAC_APDU="stdio", LPAC_HTTP="stdio")
    relay = _relay(home, resolver, allow_expired_tls)
    try:
        process = subprocess.Popen(
            [str(lpac), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            bufsize=1,
        )
    except OSError as error:
        relay.close()
        print(f"esim: cannot start {lpac}: {error.strerror}; {INSTALL_HINT}", file=sys.stderr)
        return LPAC_MISSING
    assert process.stdin is not None
    assert process.stdout is not None
    _pass_bytes_through(sys.stdout)
    try:
        serve(card, process.stdout, process.stdin, sys.stdout, http=relay, diagnostics=sys.stderr)
    except BrokenPipeError:
        pass  # lpac exited while an answer was on its way; its status says why
    finally:
        relay.close()
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        status = process.wait()
        process.stdout.close()
    return status


# -- the commands ------------------------------------------------------------------------------


def cmd_euicc_stdio(args: argparse.Namespace) -> int:
    """lpac's stdio backends (``LPAC_APDU=stdio``, with --http ``LPAC_HTTP=stdio``)."""

    home = home_from_args(args)
    resolver = resolver_table(home, args.resolve or [])
    card = open_card(home, args)
    try:
        return serve_stdio(home, card, resolver, args.http, args.allow_expired_tls)
    finally:
        card.close()


def cmd_lpac(args: argparse.Namespace) -> int:
    """Run a user's lpac against this data directory's eUICC and SM-DP+s."""

    lpac = find_lpac(args.lpac)
    if isinstance(lpac, str):
        print(f"esim: {lpac}", file=sys.stderr)
        return LPAC_MISSING
    arguments = list(args.lpac_args)
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        raise UsageError("name the lpac command after --, e.g. esim lpac -- chip info")
    home = home_from_args(args)
    resolver = resolver_table(home, args.resolve or [])
    card = open_card(home, args)
    try:
        return run_lpac(home, card, resolver, lpac, arguments, args.allow_expired_tls)
    finally:
        card.close()


def add_lpac_commands(
    euicc: Any, groups: Any, leaf: Callable[..., argparse.ArgumentParser]
) -> None:
    """``esim euicc stdio`` and ``esim lpac`` on the command-line parser."""
    expired = "accept an expired CERT.DPtls (tests against published sets only)"
    stdio = leaf(
        euicc, "stdio", cmd_euicc_stdio, "lpac's stdio backends on stdin/stdout", json_flag=False
    )
    stdio.add_argument(
        "--http", action="store_true", help="also answer lpac's http requests (LPAC_HTTP=stdio)"
    )
    stdio.add_argument("--resolve", action="append", metavar="HOST=IP:PORT")
    stdio.add_argument("--allow-expired-tls", action="store_true", help=expired)
    lpac = groups.add_parser(
        "lpac",
        help="run lpac against this data directory",
        description="Run a user's lpac (LPAC_APDU=stdio, LPAC_HTTP=stdio) against this data "
        "directory's eUICC and SM-DP+s; prints lpac's output, exits with its status.",
    )
    lpac.set_defaults(command=cmd_lpac)
    lpac.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="state and PKI")
    lpac.add_argument("--pki", type=Path, default=argparse.SUPPRESS, help="a brought set")
    lpac.add_argument("--lpac", type=Path, metavar="PATH", help="the lpac binary (default: PATH)")
    lpac.add_argument("--resolve", action="append", metavar="HOST=IP:PORT")
    lpac.add_argument("--allow-expired-tls", action="store_true", help=expired)
    lpac.add_argument("lpac_args", nargs=argparse.REMAINDER, metavar="-- LPAC_ARGS")
