"""Chromium arguments for QtWebEngine: a pure function, unit-tested (qutebrowser's pattern)."""

from __future__ import annotations

from collections.abc import Sequence


def chromium_args(
    *, is_root: bool, offscreen: bool, host_resolver_rules: str, extra: Sequence[str] = ()
) -> list[str]:
    """Arguments that follow `--webEngineArgs` on the QApplication command line.

    * root: Chromium refuses to start without `--no-sandbox` (qutebrowser's practice);
    * offscreen (headless, CI): no GPU exists, `--disable-gpu` keeps Chromium from probing;
    * the resolver rules map the simulator's port-less host names to its loopback server;
    * background networking is off: this machine and CI have no network beyond loopback.
    """
    args = [
        f"--host-resolver-rules={host_resolver_rules}",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-quic",
        # Chromium's own ERROR lines (D-Bus absent, the first TLS handshake before our
        # certificate decision) are noise to users; everything that matters is an event.
        "--log-level=3",
    ]
    if is_root:
        args.append("--no-sandbox")
    if offscreen:
        args.append("--disable-gpu")
    args.extend(extra)
    return args


USER_FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
_RESOLVER = "--host-resolver-rules"


def merge_user_flags(ours: Sequence[str], user_flags: str) -> list[str]:
    """Our arguments with a user's ``QTWEBENGINE_CHROMIUM_FLAGS`` folded in.

    QtWebEngine takes that variable *instead of* ``--webEngineArgs``, so a user's own
    ``--no-sandbox`` (common in containers) would silently drop our resolver rules and the
    portal would never load. Both are therefore passed as arguments, the variable unset:

    * the variable is split on whitespace, as QtWebEngine splits it;
    * a flag we also set takes the user's value (they asked for it: ``--log-level=0``),
      except ``--host-resolver-rules``, whose rules are joined, ours first (ours must stay);
    * a flag given twice is kept once.
    """
    merged = list(ours)
    for flag in user_flags.split():
        name, has_value, value = flag.partition("=")
        same = [i for i, ours_flag in enumerate(merged) if ours_flag.partition("=")[0] == name]
        if not same:
            merged.append(flag)
        elif name == _RESOLVER:
            if has_value and value:
                merged[same[0]] = f"{merged[same[0]]},{value}"
        else:
            merged[same[0]] = flag
    return merged
