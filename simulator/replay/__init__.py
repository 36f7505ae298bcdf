"""Record a session and replay it deterministically, so a bug seen once becomes a regression test.

A recording holds what came from outside the app: the portal's calls in order (with the document
they came from), the operator's orders on the stub SM-DP+ (state and behaviour as observed), the
clock advances, the answers to toasts and error screens, the network plans. Everything else (LPA,
eUICC, SM-DP+ downloads, network registration, callbacks) is the app's own doing and is what a
replay must reproduce.

Each step carries a barrier: how many normalised events (`event_keys`) had been logged when it was
taken. The replayer takes a step only once the fresh simulator has logged as many, so the steps
interleave with the app's asynchronous work exactly as they did when recorded.
"""

from __future__ import annotations

from .file_format import FORMAT, Recording
from .keys import PAGE_KINDS, EventKeys, LogFollower, event_keys, lanes
from .recorder import SessionRecorder
from .replayer import Replayer, ReplayMismatchError, ReplayResult, js_literal, replay
from .waiting import wait_until

__all__ = [
    "FORMAT",
    "PAGE_KINDS",
    "EventKeys",
    "LogFollower",
    "Recording",
    "ReplayMismatchError",
    "ReplayResult",
    "Replayer",
    "SessionRecorder",
    "event_keys",
    "js_literal",
    "lanes",
    "replay",
    "wait_until",
]
