"""``mobileplans-sim thingspace send``: post one callback to a listener, with the platform's
retry schedules on the real clock, each attempt printed as it happens.

Exit status: 0 when an attempt got a 2xx answer, 1 when every attempt failed, 2 for a usage
error (no device, a URL without http(s)://, an unknown service or field).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from simulator.clock import VirtualClock
from simulator.events import Event, EventLog, JsonLinesWriter

from .codec import (
    COMPOSABLE,
    CallbackComposeError,
    CallbackMessage,
    compose_message,
    parse_device_argument,
    parse_field_assignments,
    template_for,
)
from .delivery import Deliverer, DeliveryTarget, EntryState, RetrySchedule
from .registrations import RegisteredVia

_EXAMPLES = """examples:
  mobileplans-sim thingspace send PromoChanges --to http://127.0.0.1:8443/ --device Mdn:3124705797
  mobileplans-sim thingspace send PromoChanges --to https://listener.example/cb \\
      --device Mdn:3124705797 --field Change="PromoCode Dropped." --retry documented
  mobileplans-sim thingspace send DeviceSuspendStatus --to http://127.0.0.1:8443/ \\
      --device Iccid:89148000000012345678 --format rest --retry 3 --json

--retry: 1 (default) sends once; N sends up to N attempts 1 s apart; "observed" retries once
about 1.5 s later (what field teams saw); "documented" retries 3 times at 5-minute intervals
(the platform's documentation), on the real clock.
"""


class SendUsageError(ValueError):
    """A command line `send` cannot act on; printed as one line, exit status 2."""


def add_send_command(commands: Any) -> None:
    """Add ``send`` to the ``thingspace`` sub-commands."""
    send = commands.add_parser(
        "send",
        help="send one callback to a listener",
        description=textwrap.fill(
            "Every field has a default. --field NAME=VALUE sets one; --field NAME= leaves an "
            "optional field out (a required one is refused); --field RequestId=... sets the "
            "RequestId. SERVICE and its fields: "
            + "; ".join(
                f"{name} ({', '.join(f.name for f in template_for(name).fields)})"
                for name in COMPOSABLE
            ),
            width=88,
        ),
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument(
        "service", metavar="SERVICE", help="a callback service (e.g. PromoChanges), Fault, Summary"
    )
    send.add_argument("--to", required=True, metavar="URL", help="the listener's http(s) URL")
    send.add_argument(
        "--device",
        action="append",
        default=[],
        metavar="KIND:ID",
        help="the device the callback is about, e.g. Mdn:3124705797 (repeatable; at least one)",
    )
    send.add_argument("--username", default="", help="the registered callback username")
    send.add_argument("--password", default="", help="the registered callback password")
    send.add_argument("--format", choices=("soap", "rest"), default="soap")
    send.add_argument(
        "--field", action="append", default=[], metavar="NAME=VALUE", help="a payload field"
    )
    send.add_argument(
        "--retry",
        default="1",
        metavar="documented|observed|N",
        help="the retry schedule (default 1: a single attempt)",
    )
    send.add_argument(
        "--soap-counters",
        action="store_true",
        help="also put CallbackCount/MaxCallbackThreshold in a SOAP body (the platform's SOAP "
        "samples have none; REST always carries them; their place in SOAP is inferred)",
    )
    send.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for an answer")
    send.add_argument("--events", type=Path, help="also write the event log to this file")
    send.add_argument("--json", action="store_true", help="print each attempt as a JSON line")
    send.add_argument("--quiet", action="store_true", help="print nothing; the exit status tells")


def retry_schedule(text: str) -> RetrySchedule:
    """The schedule `--retry` names, or :class:`SendUsageError`."""
    if text == "documented":
        return RetrySchedule.documented()
    if text == "observed":
        return RetrySchedule.observed()
    if text.isdigit() and 1 <= int(text) <= 100:
        count = int(text)
        return RetrySchedule(f"{count} attempts", tuple(float(n) for n in range(count)))
    raise SendUsageError(
        f"--retry {text!r}: give documented, observed, or a number of attempts from 1 to 100"
    )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SendUsageError(
            f"--to {url!r} is not an http:// or https:// URL (e.g. http://127.0.0.1:8443/)"
        )


def build_message(args: argparse.Namespace) -> CallbackMessage:
    """The callback ``send`` posts: its arguments handed to the codec's composer."""
    template_for(args.service)  # an unknown service is the first thing to say
    if not args.device:
        raise SendUsageError("--device KIND:ID is required, e.g. --device Mdn:3124705797")
    devices = [parse_device_argument(text, where="--device") for text in args.device]
    fields = parse_field_assignments(args.field, where="--field")
    return compose_message(
        args.service, devices, fields, username=args.username, password=args.password
    )


def run_send(args: argparse.Namespace) -> int:
    """Run ``thingspace send``; the exit status."""
    try:
        _check_url(args.to)
        schedule = retry_schedule(args.retry)
        message = build_message(args)
    except (SendUsageError, CallbackComposeError) as error:
        _print_error(args, str(error))
        return 2
    if args.format == "soap" and not template_for(args.service).soap and not args.quiet:
        print(
            f"mobileplans-sim thingspace send: note: {args.service} is REST only on the real "
            "platform; sending SOAP as asked",
            file=sys.stderr,
        )
    return asyncio.run(_send(args, message, schedule))


def _print_error(args: argparse.Namespace, message: str) -> None:
    if args.json:
        print(json.dumps({"ok": False, "error": "usage", "message": message}))
    else:
        print(f"mobileplans-sim thingspace send: error: {message}", file=sys.stderr)


def _describe(event: Event) -> str:
    f = event.fields
    answer = f"HTTP {f['status']}" if f.get("status") is not None else f"no answer ({f['error']})"
    return (
        f"attempt {f['attempt']}/{f['max_attempts']} at +{event.t:.1f} s: {answer} "
        f"in {f['elapsed_ms']} ms ({f['service']} {f['format'].upper()} to {f['url']})"
    )


async def _send(args: argparse.Namespace, message: CallbackMessage, schedule: RetrySchedule) -> int:
    clock = VirtualClock(1.0, real_now=time.monotonic)  # the real clock: retries really wait
    events = EventLog(clock)
    writer = JsonLinesWriter(args.events) if args.events is not None else None
    if writer is not None:
        events.subscribe(writer)

    def show(event: Event) -> None:
        if event.kind != "thingspace.sent" or args.quiet:
            return
        print(event.to_json() if args.json else _describe(event), flush=True)

    events.subscribe(show)
    deliverer = Deliverer(
        clock,
        events,
        asyncio.get_running_loop(),
        schedule=schedule,
        timeout=args.timeout,
        soap_counters=args.soap_counters,
    )
    via = RegisteredVia.SOAP if args.format == "soap" else RegisteredVia.REST
    try:
        (entry,) = deliverer.submit(
            DeliveryTarget(args.to, via, args.username, args.password), [message]
        )
        while True:
            await deliverer.settle()
            if entry.state is not EntryState.PENDING:
                break
            wait = clock.real_seconds_until_next()
            if wait is None:  # no retry left to wait for
                break
            await asyncio.sleep(max(0.0, wait))
            clock.tick()
    finally:
        await deliverer.close()
        if writer is not None:
            writer.close()
    return 0 if entry.attempts and entry.attempts[-1].acknowledged else 1
