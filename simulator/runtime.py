"""What exists once per process, before QtWebEngine starts: sockets, TLS, the server loop.

Chromium reads its host resolver rules once, when QtWebEngine starts, so the portal front's
sockets must be bound before the QApplication exists. Everything per-simulator (clock, events,
page, windows) is built later by `simulator.app.Simulator`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from simulator.background import BackgroundLoop
from simulator.chromium_args import USER_FLAGS_ENV, chromium_args, merge_user_flags
from simulator.portal.hosting import PortalFront, ReservedSockets
from simulator.portal.tls import PortalTls


@dataclass
class Runtime:
    sockets: ReservedSockets
    tls: PortalTls
    loop: BackgroundLoop
    front: PortalFront
    user_chromium_flags: str = ""  # QTWEBENGINE_CHROMIUM_FLAGS as the user set it

    @classmethod
    def start(cls, data_dir: Path) -> Runtime:
        sockets = ReservedSockets.reserve()
        tls = PortalTls.load_or_create(data_dir / "tls")
        loop = BackgroundLoop()
        front = PortalFront(sockets, tls.server_context(data_dir / "tls"))
        loop.run(front.start())
        return cls(sockets, tls, loop, front)

    def qapp_argv(
        self, program: str = "mobileplans-sim", extra: list[str] | None = None
    ) -> list[str]:
        offscreen = os.environ.get("QT_QPA_PLATFORM", "") == "offscreen"
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
        args = chromium_args(
            is_root=is_root,
            offscreen=offscreen,
            host_resolver_rules=self.sockets.host_resolver_rules(),
            extra=extra or [],
        )
        # QtWebEngine would take the user's variable instead of our arguments: fold it in.
        if USER_FLAGS_ENV in os.environ:
            self.user_chromium_flags = os.environ.pop(USER_FLAGS_ENV)
        args = merge_user_flags(args, self.user_chromium_flags)
        return [program or sys.argv[0], "--webEngineArgs", *args]

    def stop(self) -> None:
        try:
            self.loop.run(self.front.stop(), timeout=10)
        finally:
            self.loop.stop()
