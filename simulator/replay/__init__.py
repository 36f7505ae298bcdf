"""Record a session and replay it against the portal, so a portal change that alters the flow
fails a test.

A recording holds what came from outside the app and the portal: the test's clicks, typing and
scripts run in the page, the operator's orders and behaviours on the stub SM-DP+, the clock
advances, the answers to toasts and error screens, the network plans. A replay loads the portal
again (the recorded one, or its new version), takes the same steps against the live bridge, LPA,
eUICC and SM-DP+, and compares what the portal and the app do with what they did.

Each step carries a barrier: how many normalised events (`event_keys`) had been logged when it was
taken. The replayer takes a step only once the fresh simulator has logged as many, so the steps
interleave with the app's asynchronous work exactly as they did when recorded; the first event
that differs ends the replay at once.
"""

from __future__ import annotations

from .file_format import FORMAT, Recording, RecordingFormatError
from .keys import PAGE_KINDS, EventKeys, LogFollower, event_keys, lanes
from .recorder import SessionRecorder
from .replayer import Replayer, ReplayMismatchError, ReplayResult, replay
from .waiting import wait_until

__all__ = [
    "FORMAT",
    "PAGE_KINDS",
    "EventKeys",
    "LogFollower",
    "Recording",
    "RecordingFormatError",
    "ReplayMismatchError",
    "ReplayResult",
    "Replayer",
    "SessionRecorder",
    "event_keys",
    "lanes",
    "replay",
    "wait_until",
]
