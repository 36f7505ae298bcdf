"""Chromium arguments for QtWebEngine: a pure function, unit-tested (qutebrowser's pattern)."""

from __future__ import annotations

from collections.abc import Sequence


def chromium_args(
    *, is_root: bool, offscreen: bool, host_resolver_rules: str, extra: Sequence[str] = ()
) -> list[str]:
    """Arguments that follow `--webEngineArgs` on the QApplication command line.

    * root: Chromium refuses to start without `--no-sandbox` (style-anchors §5.4);
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
