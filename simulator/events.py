"""Typed events and the JSON Lines event log (DESIGN.md §4.2).

Every step of every flow is an event. The UI, the event log file and the tests only observe
events; they never decide anything. A line is `seq`, `t` (virtual seconds), `wall` (ISO 8601
UTC), `kind`, then the kind's own fields.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from simulator.clock import VirtualClock

# The kinds DESIGN.md §4.2 promises, at least. Others may be added; none may be removed.
KNOWN_KINDS = frozenset(
    {
        "app.started",
        "portal.launch",
        "portal.loaded",
        "portal.load-failed",
        "bridge.call",
        "bridge.rejected",
        "bridge.ready",
        "demo.step",
        "clock.skipped",
        "ui.toast",
        "ui.toast-answered",
        "contract.command",
        "contract.violation",
        "flow.state",
        "lpa.progress",
        "lpa.error",
        "euicc.profile",
        "euicc.note",
        "network.registration",
        "portal.callback",
        "ui.screen",
        "smdp.order",
        "thingspace.sent",
        "thingspace.received",
        "carrier.line",
        "app.exit",
    }
)


class Event(Mapping[str, Any]):
    """One logged step. Reads like its JSON Lines line: ``event["kind"]``,
    ``event["argument"]``, ``event.get("iccid")``, ``"rule" in event`` and ``dict(event)``
    give exactly the keys and values of that line (attributes `seq`, `t`, `kind`, `fields`
    stay for code that prefers them).

    An event never changes once made; its attributes are not to be written. (A plain class
    with slots, not a frozen dataclass: a bridge call makes two to four of them on the GUI
    thread, and a frozen dataclass's constructor costs half as much again, cache-cold.)"""

    __slots__ = ("_line_cache", "fields", "kind", "seq", "t", "wall")

    seq: int
    t: float
    wall: str
    kind: str
    fields: Mapping[str, Any]
    _line_cache: dict[str, Any]  # set on the first read as a mapping

    def __init__(self, seq: int, t: float, wall: str, kind: str, fields: Mapping[str, Any]) -> None:
        self.seq = seq
        self.t = t
        self.wall = wall
        self.kind = kind
        self.fields = fields

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Event)
        return (self.seq, self.t, self.wall, self.kind, self.fields) == (
            other.seq,
            other.t,
            other.wall,
            other.kind,
            other.fields,
        )

    __hash__ = None  # type: ignore[assignment]  # equal by value, and `fields` is a dict

    def __repr__(self) -> str:
        return (
            f"Event(seq={self.seq!r}, t={self.t!r}, wall={self.wall!r}, kind={self.kind!r}, "
            f"fields={self.fields!r})"
        )

    def to_json(self) -> str:
        record: dict[str, Any] = {"seq": self.seq, "t": round(self.t, 3), "wall": self.wall}
        record["kind"] = self.kind
        for key, value in self.fields.items():
            if key not in record:
                record[key] = value
        return json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))

    # The line as it was written (values JSON-normalised: tuples become lists, the rest text),
    # computed once: an event never changes. (Not functools.cached_property: on Python 3.11 it
    # takes a lock on every read.)
    def _line(self) -> dict[str, Any]:
        try:
            return self._line_cache
        except AttributeError:
            line: dict[str, Any] = json.loads(self.to_json())
            self._line_cache = line
            return line

    def __getitem__(self, key: str) -> Any:
        return self._line()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._line())

    def __len__(self) -> int:
        return len(self._line())

    def matches(self, kind: str, fields: Mapping[str, str]) -> bool:
        """True when the kind is equal and each field's string form equals the wanted value."""
        if self.kind != kind:
            return False
        return all(_field_text(self.fields.get(k)) == v for k, v in fields.items())


def _field_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


Listener = Callable[[Event], None]
_new_event = object.__new__


class EventLog:
    """In-order, numbered events with subscribers (the UI, the JSON Lines file, tests)."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._events: list[Event] = []
        # Tuples replaced on (un)subscribe: each delivery iterates over the listeners of the
        # moment without copying them. A listener may ask for some kinds only (`subscribe`):
        # the listeners of each kind are worked out once, in subscription order.
        self._subscriptions: tuple[tuple[Listener, frozenset[str] | None], ...] = ()
        self._listeners_by_kind: dict[str, tuple[Listener, ...]] = {}
        self._undelivered: deque[Event] = deque()
        self._delivering = False

    @property
    def clock(self) -> VirtualClock:
        """The clock that stamps every event's `t`."""
        return self._clock

    def emit(self, kind: str, **fields: Any) -> Event:
        # What `Event(seq, t, wall, kind, fields)` makes, its slots set here: calling a class
        # whose __init__ is Python runs that function through C, colder on the GUI thread.
        event = _new_event(Event)
        event.seq = len(self._events) + 1
        clock = self._clock
        event.t = clock.now()
        event.wall = clock.wall_iso()
        event.kind = kind
        event.fields = fields
        self._events.append(event)
        if self._delivering:
            # A listener's own event: delivered after the one being delivered, so every
            # listener (the JSON Lines file, the timeline) sees events in `seq` order.
            self._undelivered.append(event)
            return event
        # Delivered here, in this function: a bridge call's two to four events each come this
        # way on the GUI thread, where one Python function more costs microseconds.
        self._delivering = True
        try:
            if self._undelivered:  # left when a listener raised: those come first, in order
                self._undelivered.append(event)
            else:
                listeners = self._listeners_by_kind.get(kind)
                if listeners is None:
                    listeners = self._listeners_of(kind)
                for listener in listeners:
                    listener(event)
            while self._undelivered:
                later = self._undelivered.popleft()
                for listener in self._listeners_of(later.kind):
                    listener(later)
        finally:
            self._delivering = False
        return event

    def _listeners_of(self, kind: str) -> tuple[Listener, ...]:
        listeners = self._listeners_by_kind.get(kind)
        if listeners is None:
            listeners = tuple(
                listener
                for listener, kinds in self._subscriptions
                if kinds is None or kind in kinds
            )
            self._listeners_by_kind[kind] = listeners
        return listeners

    def subscribe(self, listener: Listener, kinds: Iterable[str] | None = None) -> None:
        """Call `listener` with every event from now on, in order; with `kinds`, only with the
        events of those kinds (a listener that ignores the rest saves the GUI thread a call for
        each of them: a bridge call makes two to four events)."""
        wanted = None if kinds is None else frozenset(kinds)
        self._subscriptions = (*self._subscriptions, (listener, wanted))
        self._listeners_by_kind = {}

    def change_kinds(self, listener: Listener, kinds: Iterable[str] | None) -> None:
        """Call `listener` (its first subscription) with the events of `kinds` only from now on
        (None: every event), keeping its place among the listeners: a listener that needs fewer
        kinds once something is built stops costing the others' events a call."""
        wanted = None if kinds is None else frozenset(kinds)
        for index, (subscribed, _) in enumerate(self._subscriptions):
            if subscribed == listener:
                changed = (*self._subscriptions[:index], (listener, wanted))
                self._subscriptions = changed + self._subscriptions[index + 1 :]
                self._listeners_by_kind = {}
                return

    def close(self) -> None:
        """No more listeners are called (events are still recorded)."""
        self._subscriptions = ()
        self._listeners_by_kind = {}

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener` (its first subscription, when it subscribed twice)."""
        for index, (subscribed, _) in enumerate(self._subscriptions):
            if subscribed == listener:
                self._subscriptions = self._subscriptions[:index] + self._subscriptions[index + 1 :]
                self._listeners_by_kind = {}
                return

    def __iter__(self) -> Iterator[Event]:
        return iter(list(self._events))

    def __len__(self) -> int:
        return len(self._events)

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self._events if e.kind == kind]


class JsonLinesWriter:
    """Writes each event as one line, in order, from a background thread.

    The caller encodes the line (the event as it is now; an event that cannot be written as
    UTF-8 raises here, in the caller) and queues it, so a burst of events costs no system call
    each. Queued lines reach the file within FLUSH_SECONDS (real time: this is about surviving
    a crash, not about the simulation), on `flush()` and `close()`, and at interpreter exit: a
    killed run loses at most the last ~100 ms. Safe to call from any thread.
    """

    FLUSH_SECONDS = 0.1

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Unbuffered: each write hands the whole batch to the system, so nothing lingers in a
        # buffer that a failed write would leave behind.
        self._file: IO[bytes] = path.open("wb", buffering=0)
        self._queue_lock = threading.Lock()  # held only to queue or take lines
        self._write_lock = threading.Lock()  # keeps the writes in the order lines were taken
        self._queued: list[bytes] = []
        self._closed = False
        self._has_lines = threading.Event()  # set while lines wait for the writer thread
        self._closing = threading.Event()
        self._thread = threading.Thread(
            target=self._write_queued_forever, name=f"events {path.name}", daemon=True
        )
        self._thread.start()
        _OPEN_WRITERS.add(self)

    def __call__(self, event: Event) -> None:
        line = (event.to_json() + "\n").encode("utf-8")
        with self._queue_lock:
            if self._closed:
                return
            self._queued.append(line)
            if len(self._queued) == 1:
                self._has_lines.set()

    def _write_queued_forever(self) -> None:
        while not self._closed:
            self._has_lines.wait()
            # Lines that come meanwhile join this write; `close()` cuts the wait short.
            self._closing.wait(self.FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        """Write what is queued now."""
        with self._write_lock:
            with self._queue_lock:
                lines, self._queued = self._queued, []
                self._has_lines.clear()
            if not lines or self._file.closed:
                return
            try:
                unwritten = memoryview(b"".join(lines))
                while unwritten:
                    written = self._file.write(unwritten)
                    if not written:
                        raise OSError("the file takes no more bytes")
                    unwritten = unwritten[written:]
            except OSError as error:
                # A full disk must not take the run down; the person is told once.
                self._stop()
                with contextlib.suppress(OSError):
                    self._file.close()
                print(
                    f"events: writing {self.path} failed ({error}); no more events are written",
                    file=sys.stderr,
                )

    def _stop(self) -> None:
        with self._queue_lock:
            self._closed = True
            self._queued = []
        self._closing.set()
        self._has_lines.set()

    def close(self) -> None:
        """Write what is queued and close the file; later events are dropped."""
        with self._queue_lock:
            closed, self._closed = self._closed, True
        if closed and self._file.closed:
            return
        self._closing.set()
        self._has_lines.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.flush()
        with self._write_lock, contextlib.suppress(OSError):
            self._file.close()
        _OPEN_WRITERS.discard(self)


# Writers a program forgot to close still get their last lines out at exit.
_OPEN_WRITERS: weakref.WeakSet[JsonLinesWriter] = weakref.WeakSet()


@atexit.register
def _close_open_writers() -> None:
    for writer in list(_OPEN_WRITERS):
        writer.close()


@dataclass(frozen=True)
class EventPattern:
    """`KIND[:FIELD=VALUE,...]` as given to `--until` (DESIGN.md §4.1)."""

    kind: str
    fields: Mapping[str, str]

    @classmethod
    def parse(cls, text: str) -> EventPattern:
        kind, _, rest = text.partition(":")
        kind = kind.strip()
        if not kind:
            raise ValueError(f"--until needs an event kind, e.g. portal.loaded; got {text!r}")
        fields: dict[str, str] = {}
        if rest.strip():
            for part in rest.split(","):
                name, eq, value = part.partition("=")
                if not eq or not name.strip():
                    raise ValueError(
                        f"--until field {part!r} is not FIELD=VALUE (in {text!r})",
                    )
                fields[name.strip()] = value.strip()
        return cls(kind, fields)

    def matches(self, event: Event) -> bool:
        return event.matches(self.kind, self.fields)
