"""``esim euicc stdio`` and ``esim lpac``: lpac's stdio backends wired to a data directory.

``esim euicc stdio [--http]`` is the backend alone (requests on stdin, answers on stdout, every
other line to stderr). ``esim lpac -- ARGS`` starts a user's lpac binary with
``LPAC_APDU=stdio`` and ``LPAC_HTTP=stdio``, answers its requests from the data directory's
eUICC and (over HTTPS, through the resolver table ``esim smdp serve`` keeps) its SM-DP+s, prints
lpac's own output lines, and exits with lpac's status.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from esim.cli_home import Home

LPAC_MISSING = 127
"""Exit status when lpac cannot be started (the shell's "command not found")."""
INSTALL_HINT = (
    "install lpac (https://github.com/estkme-group/lpac, v2.x: build it with cmake, or take a "
    "release binary) and put it on PATH, or name it with --lpac PATH"
)


def _relay(home: Home, resolver: dict[str, tuple[str, int]]) -> Any:
    from esim.lpa.relay import HttpsRelay

    return HttpsRelay(home.trust_anchors(), resolver)


def serve_stdio(home: Home, card: Any, resolver: dict[str, tuple[str, int]], http: bool) -> int:
    """``esim euicc stdio``: lpac's peer on this process's stdin/stdout."""
    from esim.euicc.stdio import serve

    relay = _relay(home, resolver) if http else None
    try:
        serve(card, sys.stdin, sys.stdout, sys.stderr, http=relay)
    except BrokenPipeError:
        pass  # lpac went away mid-answer; nothing is left to tell it
    finally:
        if relay is not None:
            relay.close()
    return 0


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
) -> int:
    """Run ``lpac ARGUMENTS`` against ``card`` and ``resolver``; returns lpac's exit status."""
    from esim.euicc.stdio import serve

    environment = dict(os.environ, LPAC_APDU="stdio", LPAC_HTTP="stdio")
    relay = _relay(home, resolver)
    try:
        process = subprocess.Popen(
            [str(lpac), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
    except OSError as error:
        relay.close()
        print(f"esim: cannot start {lpac}: {error.strerror}; {INSTALL_HINT}", file=sys.stderr)
        return LPAC_MISSING
    assert process.stdin is not None
    assert process.stdout is not None
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
