"""Where ``thingspace listen`` sends its events: a JSON Lines file and one line each on stdout.

Unlike the app's EventLog it keeps no history in memory: a listener may run for months, and
the JSON Lines file (``--events``) keeps everything. Stdout is for people: one readable line per
callback (``describe_received``). If stdout goes away (``listen | head``), printing stops and
the listener goes on serving and writing the file.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from simulator.clock import VirtualClock
from simulator.events import Event, JsonLinesWriter

from .received import describe_received


class SafePrinter:
    """Prints lines to a stream until the stream breaks, then stays quiet."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self.broken = False

    def __call__(self, line: str) -> None:
        if self.broken:
            return
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # EPIPE, a closed file
            self.broken = True
            self._silence()
            try:
                sys.stderr.write(
                    "mobileplans-sim thingspace: stdout is closed; still listening, events go "
                    "to the --events file only\n"
                )
                sys.stderr.flush()
            except (OSError, ValueError):
                pass

    def _silence(self) -> None:
        # The interpreter flushes stdout at exit; a dead pipe would make that print a traceback.
        if self._stream is not sys.stdout:
            return
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


class ListenLog:
    """Numbers events on the clock, writes each to the file and (unless quiet) a line to stdout."""

    def __init__(
        self,
        clock: VirtualClock,
        writer: JsonLinesWriter | None,
        printer: SafePrinter | None,
        *,
        as_json: bool = False,
    ) -> None:
        self._clock = clock
        self._writer = writer
        self._printer = printer
        self._as_json = as_json  # one JSON line per callback instead of a sentence
        self._seq = 0

    def emit(self, kind: str, **fields: Any) -> Event:
        self._seq += 1
        self._clock.tick()  # the listener runs in real time: `t` is seconds since it started
        event = Event(self._seq, self._clock.now(), self._clock.wall_iso(), kind, fields)
        if self._printer is not None and kind == "thingspace.received":
            line = event.to_json() if self._as_json else describe_received(event.wall, fields)
            self._printer(line)
        if self._writer is not None:
            self._writer(event)
        return event

    def __len__(self) -> int:
        return self._seq

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
