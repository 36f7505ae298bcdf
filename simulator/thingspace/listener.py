"""The operator's reference callback listener: aiohttp, no Qt (ThingSpace listener answers doc).

Gates in the order field practice recommends (§2.7): content type and body cap before the body
is read in full (§5), safe parse (§5), constant-time credential compare, de-duplication on
(service, RequestId, device, payload without the counters) (§2.6), then the carrier model.
Anything rejected changes nothing and is answered 4xx (a SOAP Fault for SOAP). Accepted
callbacks, duplicates included, are answered 2xx so the platform stops retrying (§2.3, §2.4).

Nothing a sender controls grows the listener's memory: bodies are capped and read against a
deadline, fields are capped, the de-duplication memory holds fixed-size digests up to a count,
and the events it emits carry bounded texts (simulator/thingspace/received.py). A failing event
sink (a closed stdout, a full disk) never changes the answer to a callback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from .carrier import AppliedChange, CarrierError, CarrierModel
from .codec import (
    DEFAULT_MAX_BYTES,
    CallbackDecodeError,
    CallbackMessage,
    parse_rest_callback,
    parse_soap_callback,
    read_capped,
)
from .codec.errors import spec_ref
from .codec.limits import REST_CONTENT_TYPES, SOAP_CONTENT_TYPES, check_content_type
from .received import bounded_text, longest_text, message_fields
from .soap_faults import SOAP_CONTENT_TYPE, soap_ack, soap_fault

_READ_CHUNK = 64 * 1024
_LOG = logging.getLogger(__name__)

# Real values are short (a RequestId is a UUID, §2.6); these leave ample room and no more.
MAX_REQUEST_ID_CHARS = 256
MAX_CREDENTIAL_CHARS = 256
MAX_DEVICES = 256
MAX_FIELD_CHARS = 8192  # any one text of the payload (a PromoChange's Change is a sentence)
DEFAULT_BODY_TIMEOUT = 10.0  # seconds for the whole body once the headers are in
DEFAULT_BODIES_IN_FLIGHT = 32  # bodies read at once: at most this many x max_bytes in memory
DEFAULT_DEDUPE_CAPACITY = 10_000


class EventSink(Protocol):
    """Where ``thingspace.received`` events go: the app's EventLog, or the CLI's stream."""

    def emit(self, kind: str, **fields: Any) -> object: ...


@dataclass
class ListenerStats:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    event_failures: int = 0


class _RejectedError(Exception):
    def __init__(
        self,
        status: int,
        rule: str,
        message: str,
        spec: str,
        parsed: CallbackMessage | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.rule = rule
        self.message = message
        self.spec = spec
        self.parsed = parsed


class CallbackListener:
    """Receives SOAP (``text/xml``, ``application/soap+xml``) and REST (``application/json``)
    callbacks on any path and applies them to *carrier*.

    *username*/*password* are what was registered with the platform (§2.1: echoed in every
    callback); empty strings mean "none registered", as in Verizon's samples.

    *on_applied*, if given, is called with each new (not duplicate) accepted callback and what
    the carrier model made of it, after ``thingspace.received`` is emitted; it runs on the
    server's loop thread.

    *body_timeout* bounds the time a sender may take to deliver the body (408 after it);
    *bodies_in_flight* bounds how many bodies are read at once, and a request waits at most
    *busy_timeout* (default: *body_timeout*) for its turn (503 after it, which the platform
    retries); *dedupe_capacity* bounds how many callbacks are remembered for de-duplication.
    """

    def __init__(
        self,
        carrier: CarrierModel,
        username: str = "",
        password: str = "",
        events: EventSink | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        soap_fault_status: int = 400,
        dedupe_capacity: int = DEFAULT_DEDUPE_CAPACITY,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
        bodies_in_flight: int = DEFAULT_BODIES_IN_FLIGHT,
        busy_timeout: float | None = None,
        on_applied: Callable[[CallbackMessage, AppliedChange], None] | None = None,
    ) -> None:
        self._carrier = carrier
        self._username = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self._events = events
        self._max_bytes = max_bytes
        self._soap_fault_status = soap_fault_status
        # Digests, not the keys: a key holds the whole payload, a digest 32 bytes.
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._capacity = dedupe_capacity
        self._body_timeout = body_timeout
        self._bodies_in_flight = bodies_in_flight
        self._busy_timeout = body_timeout if busy_timeout is None else busy_timeout
        self._body_slots: asyncio.Semaphore | None = None
        self._on_applied = on_applied
        self.stats = ListenerStats()
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}/"

    def application(self) -> web.Application:
        app = web.Application(client_max_size=self._max_bytes)
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on *host*:*port* (0: any free port); returns the bound port."""
        # After an early 413 the unread remainder is drained for at most a second (aiohttp
        # discards it chunk by chunk), then the connection is closed.
        self._body_slots = asyncio.Semaphore(self._bodies_in_flight)  # on the serving loop
        self._runner = web.AppRunner(self.application(), access_log=None, lingering_time=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        address = self._runner.addresses[0]
        self._host, self._port = host, int(address[1])
        return self._port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- the gates ---------------------------------------------------------------------------
    async def _read_body(self, request: web.Request) -> bytes:
        length = request.content_length
        if length is not None and length > self._max_bytes:
            raise CallbackDecodeError(
                "body.too-large",
                f"Content-Length {length} exceeds the cap of {self._max_bytes} bytes; the body "
                "was not read.",
                spec=spec_ref("§5"),
                status=413,
            )
        # Never hold more than cap + 1 bytes: chunked uploads have no Content-Length.
        buffer = bytearray()
        while len(buffer) <= self._max_bytes:
            chunk = await request.content.read(min(_READ_CHUNK, self._max_bytes + 1 - len(buffer)))
            if not chunk:
                break
            buffer += chunk
        return read_capped(io.BytesIO(bytes(buffer)), self._max_bytes)

    async def _read_body_in_turn(self, request: web.Request) -> bytes:
        slots = self._body_slots
        if slots is None:  # served through application() alone, without start()
            slots = self._body_slots = asyncio.Semaphore(self._bodies_in_flight)
        try:
            async with asyncio.timeout(self._busy_timeout):
                await slots.acquire()
        except TimeoutError:
            raise CallbackDecodeError(
                "listener.busy",
                f"{self._bodies_in_flight} other callbacks are being received; try again.",
                spec=spec_ref("§2.4"),
                status=503,
            ) from None
        try:
            return await self._read_body_in_time(request)
        finally:
            slots.release()

    async def _read_body_in_time(self, request: web.Request) -> bytes:
        try:
            async with asyncio.timeout(self._body_timeout):
                return await self._read_body(request)
        except TimeoutError:
            raise CallbackDecodeError(
                "body.timeout",
                f"The body did not arrive within {self._body_timeout:g} seconds.",
                spec=spec_ref("§5"),
                status=408,
            ) from None

    def _check_sizes(self, message: CallbackMessage) -> None:
        # After parsing, before anything is remembered: nothing oversized is kept or logged.
        request_id = message.request_id or ""
        problem = ""
        if len(request_id) > MAX_REQUEST_ID_CHARS:
            problem = f"RequestId has {len(request_id):,} characters; at most "
            problem += f"{MAX_REQUEST_ID_CHARS} are accepted"
        elif max(len(message.username), len(message.password)) > MAX_CREDENTIAL_CHARS:
            problem = f"the username or password is over {MAX_CREDENTIAL_CHARS} characters"
        elif len(message.devices) > MAX_DEVICES:
            problem = f"{len(message.devices):,} device ids; at most {MAX_DEVICES} are accepted"
        elif (longest := longest_text(message.data)) > MAX_FIELD_CHARS:
            problem = f"a field of the {message.data.element_name} payload has {longest:,} "
            problem += f"characters; at most {MAX_FIELD_CHARS:,} are accepted"
        if problem:
            raise _RejectedError(400, "callback.field-too-large", problem + ".", spec_ref("§5"))

    def _authenticate(self, message: CallbackMessage) -> None:
        # Both compares always run, so timing says nothing about which one failed (§2.7).
        user_ok = hmac.compare_digest(message.username.encode("utf-8"), self._username)
        password_ok = hmac.compare_digest(message.password.encode("utf-8"), self._password)
        if not (user_ok & password_ok):
            raise _RejectedError(
                403,
                "auth.credentials",
                "Username or password does not match the registered credentials.",
                spec_ref("§2.1, §2.7"),
                parsed=message,
            )

    @staticmethod
    def _digest(message: CallbackMessage) -> bytes:
        # repr of frozen dataclasses and tuples is deterministic and covers every field.
        return hashlib.sha256(repr(message.dedupe_key).encode("utf-8", "backslashreplace")).digest()

    def _remember(self, digest: bytes) -> None:
        self._seen[digest] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        content_type = request.headers.get("Content-Type")
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        soap = media_type in SOAP_CONTENT_TYPES
        try:
            check_content_type(content_type, SOAP_CONTENT_TYPES | REST_CONTENT_TYPES)
            body = await self._read_body_in_turn(request)
            parse = parse_soap_callback if soap else parse_rest_callback
            try:
                message = parse(body, max_bytes=self._max_bytes)
            except (UnicodeError, RecursionError) as error:
                # A codec gap must still be a refusal naming the input, never a 500.
                raise CallbackDecodeError(
                    "body.unreadable",
                    f"The body could not be decoded ({type(error).__name__}).",
                    spec=spec_ref("§5"),
                ) from None
            self._check_sizes(message)
            self._authenticate(message)
        except CallbackDecodeError as error:
            return self._reject(soap, error.status, error.rule, error.message, error.spec)
        except _RejectedError as error:
            return self._reject(
                soap, error.status, error.rule, error.message, error.spec, error.parsed
            )
        return self._accept(soap, message)

    def _accept(self, soap: bool, message: CallbackMessage) -> web.Response:
        digest = self._digest(message)
        duplicate = digest in self._seen
        change: AppliedChange | None = None
        if duplicate:
            self.stats.duplicates += 1
            self._seen.move_to_end(digest)
            applied, outcome = False, "callback.duplicate"
        else:
            try:
                change = self._carrier.apply(message)
                applied, outcome = change.applied, change.outcome
            except CarrierError as error:
                applied, outcome = False, error.rule
            self._remember(digest)
            self.stats.accepted += 1
        self._emit(
            accepted=True,
            status=200,
            applied=applied,
            outcome=outcome,
            duplicate=duplicate,
            format="soap" if soap else "rest",
            **message_fields(message),
        )
        if change is not None and self._on_applied is not None:
            self._on_applied(message, change)
        if soap:
            return web.Response(status=200, body=soap_ack(), content_type="text/xml")
        return web.Response(status=200)

    def _reject(
        self,
        soap: bool,
        status: int,
        rule: str,
        message: str,
        spec: str,
        parsed: CallbackMessage | None = None,
    ) -> web.Response:
        self.stats.rejected += 1
        self.stats.by_rule[rule] = self.stats.by_rule.get(rule, 0) + 1
        if soap and status not in (403, 408, 413, 415, 503):
            status = self._soap_fault_status
        known: dict[str, object] = {"service": None, "request_id": None, "devices": []}
        if parsed is not None:
            known = message_fields(parsed)
        self._emit(
            accepted=False,
            status=status,
            applied=False,
            outcome=rule,
            duplicate=False,
            format="soap" if soap else "rest",
            message=bounded_text(message, 1000),
            spec=spec,
            **known,
        )
        if soap:
            response = web.Response(
                status=status,
                body=soap_fault("Client", message, rule=rule, spec=spec),
                headers={"Content-Type": SOAP_CONTENT_TYPE},
            )
        else:
            text = json.dumps({"error": rule, "message": message, "spec": spec})
            response = web.Response(status=status, text=text, content_type="application/json")
        # An unread remainder of the body must not be parsed as the next request.
        response.force_close()
        return response

    def _emit(self, **fields: object) -> None:
        if self._events is None:
            return
        try:
            self._events.emit("thingspace.received", **fields)
        except Exception:
            # The callback was handled; its answer must not turn into a 500 because a log
            # could not be written (a closed stdout, a full disk). Said once, then counted.
            self.stats.event_failures += 1
            if self.stats.event_failures == 1:
                _LOG.exception("thingspace listener: an event could not be recorded")
