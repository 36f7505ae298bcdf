"""Callback delivery: attempts, retries on the virtual clock, outbox and archive (§2.3–§2.6).

Every attempt POSTs the message with the registered username/password echoed (§2.1) and the
attempt number in ``callbackCount`` (§2.4). A 2xx acknowledges (§2.3); anything else, a timeout
or a refused connection is a failure, retried on the chosen schedule. Retries are timers on the
:class:`~simulator.clock.VirtualClock`, never ``asyncio.sleep``, so a test steps through a
20-minute schedule instantly. After the last attempt the entry is archived and can be resent by
RequestId, as Verizon support does (§2.4).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiohttp

from simulator.clock import VirtualClock
from simulator.events import EventLog

from .codec import CallbackMessage, build_rest_callback, build_soap_callback
from .registrations import RegisteredVia

USER_AGENT = "Verizon's callback service"  # what field teams saw ThingSpace send (§2.3)
DEFAULT_TIMEOUT = 15.0  # no deadline is published; §2.3 suggests 10-30 s


@dataclass(frozen=True)
class RetrySchedule:
    """Offsets of each attempt from the first one, in virtual seconds (§2.4)."""

    name: str
    offsets: tuple[float, ...]

    @classmethod
    def documented(cls) -> RetrySchedule:
        """Verizon's docs: three more attempts at 5-minute intervals, 4 in all."""
        return cls("documented", (0.0, 300.0, 600.0, 900.0))

    @classmethod
    def observed(cls, rng: random.Random | None = None) -> RetrySchedule:
        """What one field team saw: a single retry 1.2-1.7 s later ([OBS]); 1.5 s unless *rng*."""
        return cls("observed", (0.0, 1.5 if rng is None else rng.uniform(1.2, 1.7)))

    @property
    def max_attempts(self) -> int:
        return len(self.offsets)


class DeliveryMode(StrEnum):
    """§2.5: no ordering is guaranteed; the simulator can play each behaviour."""

    IN_ORDER = "in-order"  # one at a time, in submission order
    SHUFFLED = "shuffled"  # a batch is sent concurrently, in a random order
    DELAYED = "delayed"  # each first attempt waits a random 0..max_delay virtual seconds
    DUPLICATED = "duplicated"  # each message is also sent a second time, unchanged


class EntryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    ARCHIVED = "archived"  # every attempt failed; resend by RequestId (§2.4)


@dataclass(frozen=True)
class DeliveryTarget:
    url: str
    via: RegisteredVia
    username: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Attempt:
    number: int  # the callbackCount sent
    at: float  # virtual seconds when it started
    status: int | None  # HTTP status, None when no answer came
    error: str | None
    elapsed: float  # real seconds the exchange took
    manual: bool = False  # a resend from the archive

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class OutboxEntry:
    id: int
    message: CallbackMessage
    target: DeliveryTarget
    first_at: float | None = None
    attempts: list[Attempt] = field(default_factory=list)
    state: EntryState = EntryState.PENDING
    duplicate_of: int | None = None

    @property
    def request_id(self) -> str | None:
        return self.message.request_id


class Deliverer:
    """Sends callbacks from an asyncio loop; retries are scheduled on *clock*.

    ``submit`` may be called from any thread (a clock timer, the GUI); the HTTP work always runs
    on *loop*.
    """

    def __init__(
        self,
        clock: VirtualClock,
        events: EventLog,
        loop: asyncio.AbstractEventLoop,
        *,
        schedule: RetrySchedule | None = None,
        mode: DeliveryMode = DeliveryMode.IN_ORDER,
        timeout: float = DEFAULT_TIMEOUT,
        max_delay: float = 3600.0,
        soap_counters: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._events = events
        self._loop = loop
        self.schedule = schedule or RetrySchedule.documented()
        self.mode = mode
        self.timeout = timeout
        self.max_delay = max_delay
        self.soap_counters = soap_counters
        self._rng = rng or random.Random(0)
        self._entries: list[OutboxEntry] = []
        self._lock = threading.Lock()
        self._inflight: set[Future[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._order: asyncio.Lock | None = None

    @property
    def clock(self) -> VirtualClock:
        return self._clock

    # -- outbox ------------------------------------------------------------------------------
    def outbox(self) -> list[OutboxEntry]:
        with self._lock:
            return list(self._entries)

    def archive(self) -> list[OutboxEntry]:
        return [e for e in self.outbox() if e.state is EntryState.ARCHIVED]

    def submit(
        self, target: DeliveryTarget, messages: Sequence[CallbackMessage]
    ) -> list[OutboxEntry]:
        """Queue *messages* for *target*; first attempts start now (or after a delay)."""
        batch = list(messages)
        if self.mode is DeliveryMode.SHUFFLED:
            self._rng.shuffle(batch)
        entries: list[OutboxEntry] = []
        with self._lock:
            for message in batch:
                entry = OutboxEntry(len(self._entries) + 1, message, target)
                self._entries.append(entry)
                entries.append(entry)
                if self.mode is DeliveryMode.DUPLICATED:
                    copy = OutboxEntry(
                        len(self._entries) + 1, message, target, duplicate_of=entry.id
                    )
                    self._entries.append(copy)
                    entries.append(copy)
        for entry in entries:
            if self.mode is DeliveryMode.DELAYED:
                delay = self._rng.uniform(0.0, self.max_delay)
                self._clock.call_later(
                    delay, self._starter(entry, 1), f"thingspace delayed {entry.request_id}"
                )
            else:
                self._launch(entry, 1)
        return entries

    async def resend(self, request_id: str) -> list[Attempt]:
        """One more attempt for every entry with *request_id* (§2.4: support resends)."""
        entries = [e for e in self.outbox() if e.request_id == request_id]
        attempts = []
        for entry in entries:
            attempts.append(await self._attempt(entry, len(entry.attempts) + 1, manual=True))
        return attempts

    async def settle(self) -> None:
        """Wait until no attempt is in flight (tests and shutdown)."""
        while True:
            with self._lock:
                pending = list(self._inflight)
            if not pending:
                return
            await asyncio.gather(*(asyncio.wrap_future(f) for f in pending))

    async def close(self) -> None:
        await self.settle()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- attempts ----------------------------------------------------------------------------
    def _starter(self, entry: OutboxEntry, number: int) -> Callable[[], None]:
        return lambda: self._launch(entry, number)

    def _launch(self, entry: OutboxEntry, number: int) -> None:
        future = asyncio.run_coroutine_threadsafe(self._run(entry, number), self._loop)
        with self._lock:
            self._inflight.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._inflight.discard(future)

    async def _run(self, entry: OutboxEntry, number: int) -> None:
        if self.mode is DeliveryMode.IN_ORDER and number == 1:
            if self._order is None:
                self._order = asyncio.Lock()
            async with self._order:
                attempt = await self._attempt(entry, number)
        else:
            attempt = await self._attempt(entry, number)
        if attempt.acknowledged:
            return
        if number >= self.schedule.max_attempts:
            entry.state = EntryState.ARCHIVED
            return
        assert entry.first_at is not None
        due = entry.first_at + self.schedule.offsets[number]
        self._clock.call_later(
            max(0.0, due - self._clock.now()),
            self._starter(entry, number + 1),
            f"thingspace retry {entry.request_id} #{number + 1}",
        )

    def _body(self, entry: OutboxEntry, number: int) -> tuple[bytes, str]:
        target = entry.target
        counted = target.via is RegisteredVia.REST or self.soap_counters
        message = dataclasses.replace(
            entry.message,
            username=target.username,
            password=target.password,
            callback_count=number if counted else None,
            max_callback_threshold=self.schedule.max_attempts if counted else None,
        )
        if target.via is RegisteredVia.SOAP:
            body = build_soap_callback(message, counters_in_soap=self.soap_counters)
            return body, "text/xml; charset=utf-8"
        return build_rest_callback(message), "application/json"

    async def _post(self, url: str, body: bytes, content_type: str) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64),
                headers={"User-Agent": USER_AGENT},
            )
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        headers = {"Content-Type": content_type}
        async with self._session.post(url, data=body, headers=headers, timeout=timeout) as reply:
            await reply.read()
            return reply.status

    async def _attempt(self, entry: OutboxEntry, number: int, *, manual: bool = False) -> Attempt:
        at = self._clock.now()
        if entry.first_at is None:
            entry.first_at = at
        body, content_type = self._body(entry, number)
        status: int | None = None
        error: str | None = None
        started = time.perf_counter()  # real time: a measurement, never used for logic
        try:
            status = await self._post(entry.target.url, body, content_type)
        except TimeoutError:
            error = f"no answer within {self.timeout} s"
        except (aiohttp.ClientError, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"
        attempt = Attempt(number, at, status, error, time.perf_counter() - started, manual)
        entry.attempts.append(attempt)
        if attempt.acknowledged:
            entry.state = EntryState.DELIVERED
        elif manual:
            entry.state = EntryState.ARCHIVED
        self._emit(entry, attempt)
        return attempt

    def _emit(self, entry: OutboxEntry, attempt: Attempt) -> None:
        message = entry.message
        fields: dict[str, Any] = {
            "service": None if message.service is None else message.service.value,
            "request_id": message.request_id,
            "devices": [f"{d.kind.value}:{d.value}" for d in message.devices],
            "url": entry.target.url,
            "format": entry.target.via.value,
            "attempt": attempt.number,
            "max_attempts": self.schedule.max_attempts,
            "status": attempt.status,
            "error": attempt.error,
            "elapsed_ms": round(attempt.elapsed * 1000, 1),
            "duplicate": entry.duplicate_of is not None,
            "manual": attempt.manual,
        }
        self._events.emit("thingspace.sent", **fields)
