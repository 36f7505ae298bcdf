"""``mobileplans-sim thingspace listen|send``: the callback listener and sender, headless.

The lead's ``simulator/cli.py`` wires :func:`add_thingspace_commands` into its parser; the
handler is :func:`run_thingspace`. ``python -m simulator.thingspace.cli`` runs them alone.
Exit status: 0 on success (``send``: a 2xx answer), 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
import textwrap
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.data_dir import THINGSPACE_LISTENER, default_data_dir
from simulator.events import Event, EventLog, JsonLinesWriter

from .carrier import CarrierModel, Promotion
from .codec import (
    COMPOSABLE,
    CallbackComposeError,
    CallbackMessage,
    DeviceId,
    compose_message,
    parse_device_argument,
    parse_field_assignments,
    template_for,
)
from .delivery import Deliverer, DeliveryTarget, RetrySchedule
from .listener import CallbackListener
from .registrations import RegisteredVia

DEMO_MDN = "3124705797"  # the seed sample's device (seeds/003)
DEMO_ICCID = str(Iccid.with_check_digit("8901260123456789012"))


def add_thingspace_commands(subparsers: Any) -> None:
    """Add ``thingspace listen`` and ``thingspace send`` to *subparsers*."""
    parser = subparsers.add_parser(
        "thingspace",
        help="ThingSpace-style device callbacks: listen for or send them",
        description="ThingSpace-style device callbacks: listen for them, or send one.",
        epilog="examples:\n"
        "  mobileplans-sim thingspace listen --port 8443 --demo-line\n"
        "  mobileplans-sim thingspace send PromoChanges --to http://127.0.0.1:8443/"
        " --device Mdn:3124705797",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="thingspace_command", metavar="listen|send")
    commands.required = True
    listen = commands.add_parser(
        "listen",
        help="run the reference callback listener",
        description="Run the reference callback listener until Ctrl+C; it prints its URL.",
        epilog="examples:\n"
        "  mobileplans-sim thingspace listen                 any free port on 127.0.0.1\n"
        "  mobileplans-sim thingspace listen --port 8443 --username op --password secret"
        " --events listener.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    listen.add_argument("--username", default="", help="registered callback username")
    listen.add_argument("--password", default="", help="registered callback password")
    listen.add_argument("--events", type=Path, help="also write the event log to this file")
    listen.add_argument(
        "--data-dir",
        type=Path,
        help="the simulator's data directory; the listener keeps its carrier model in its "
        "thingspace-listener/ (default: the same directory as `run`)",
    )
    listen.add_argument(
        "--demo-line",
        action="store_true",
        help=f"ensure the seed's line (MDN {DEMO_MDN}, promotion SPRING17) exists",
    )
    send = commands.add_parser(
        "send",
        help="send one callback to a listener",
        description="Every field has a default; --field NAME=VALUE overrides one (empty: left "
        "out), --field RequestId=... sets the RequestId.",
        epilog=textwrap.fill(
            "SERVICE and its fields: "
            + "; ".join(
                f"{name} ({', '.join(f.name for f in template_for(name).fields)})"
                for name in COMPOSABLE
            ),
            width=88,
        )
        + "\n\nexamples:\n"
        "  mobileplans-sim thingspace send PromoChanges --to http://127.0.0.1:8443/"
        " --device Mdn:3124705797\n"
        "  mobileplans-sim thingspace send PromoChanges --to http://127.0.0.1:8443/"
        " --device Iccid:89148000000800139708 --format rest --field RequestId=r-1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument(
        "service", metavar="SERVICE", help="a §1.1 service (e.g. PromoChanges), Fault, Summary"
    )
    send.add_argument("--to", required=True, metavar="URL", help="the listener's URL")
    send.add_argument(
        "--device", action="append", default=[], metavar="KIND:ID", help="e.g. Mdn:3124705797"
    )
    send.add_argument("--username", default="")
    send.add_argument("--password", default="")
    send.add_argument("--format", choices=("soap", "rest"), default="soap")
    send.add_argument(
        "--field", action="append", default=[], metavar="NAME=VALUE", help="payload field"
    )
    send.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for the answer")
    send.add_argument("--events", type=Path, help="also write the event log to this file")
    parser.set_defaults(handler=run_thingspace)


def run_thingspace(args: argparse.Namespace) -> int:
    try:
        if args.thingspace_command == "listen":
            return asyncio.run(_listen(args))
        message = build_message(args)
        if args.format == "soap" and not template_for(args.service).soap:
            print(
                f"mobileplans-sim thingspace: note: {args.service} is REST only on the real "
                "platform (thingspace-callbacks.md §1.1); sending SOAP as asked",
                file=sys.stderr,
            )
        return asyncio.run(_send(args, message))
    except CallbackComposeError as error:
        print(f"mobileplans-sim thingspace: error: {error}", file=sys.stderr)
        return 2


# -- listen ------------------------------------------------------------------------------------


def _event_log(
    path: Path | None, *, kinds: frozenset[str]
) -> tuple[EventLog, JsonLinesWriter | None]:
    events = EventLog(VirtualClock(1.0, real_now=time.monotonic))

    def to_stdout(event: Event) -> None:
        if event.kind in kinds:
            print(event.to_json(), flush=True)

    events.subscribe(to_stdout)
    writer = None
    if path is not None:
        writer = JsonLinesWriter(path)
        events.subscribe(writer)
    return events, writer


async def _listen(args: argparse.Namespace) -> int:
    # Its own sub-path: `run` and `demo` keep their operator platform in thingspace/.
    home = (args.data_dir or default_data_dir()) / THINGSPACE_LISTENER
    if home.exists() and not home.is_dir():
        print(
            f"mobileplans-sim thingspace: error: {home} is a file, but the listener keeps its"
            " carrier model in a directory there; move it away or choose another --data-dir",
            file=sys.stderr,
        )
        return 2
    home.mkdir(parents=True, exist_ok=True)
    try:
        carrier = CarrierModel.open(home)
    except sqlite3.DatabaseError as error:
        print(
            f"mobileplans-sim thingspace: error: {home}/carrier.sqlite3 is not a carrier model"
            f" ({error}); move it away or choose another --data-dir",
            file=sys.stderr,
        )
        return 2
    if args.demo_line and carrier.find(DeviceId.parse("MDN", DEMO_MDN)) is None:
        carrier.create_line(
            DEMO_ICCID, "M2M_4G", [Promotion("SPRING17", datetime(2017, 4, 1))], mdn=DEMO_MDN
        )
    events, writer = _event_log(args.events, kinds=frozenset({"thingspace.received"}))
    listener = CallbackListener(carrier, args.username, args.password, events)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await listener.start(args.host, args.port)
        print(listener.url, flush=True)
        await stop.wait()
    finally:
        await listener.stop()
        carrier.close()
        if writer is not None:
            writer.close()
    return 0


# -- send --------------------------------------------------------------------------------------


def build_message(args: argparse.Namespace) -> CallbackMessage:
    """The callback ``send`` posts: its arguments handed to the codec's composer."""
    devices = [parse_device_argument(text, where="--device") for text in args.device]
    fields = parse_field_assignments(args.field, where="--field")
    return compose_message(
        args.service, devices, fields, username=args.username, password=args.password
    )


async def _send(args: argparse.Namespace, message: CallbackMessage) -> int:
    events, writer = _event_log(args.events, kinds=frozenset({"thingspace.sent"}))
    deliverer = Deliverer(
        VirtualClock(1.0, real_now=time.monotonic),
        events,
        asyncio.get_running_loop(),
        schedule=RetrySchedule("single", (0.0,)),
        timeout=args.timeout,
    )
    via = RegisteredVia.SOAP if args.format == "soap" else RegisteredVia.REST
    try:
        (entry,) = deliverer.submit(
            DeliveryTarget(args.to, via, args.username, args.password), [message]
        )
        await deliverer.settle()
    finally:
        await deliverer.close()
        if writer is not None:
            writer.close()
    return 0 if entry.attempts and entry.attempts[-1].acknowledged else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobileplans-sim")
    add_thingspace_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return run_thingspace(args)


if __name__ == "__main__":
    raise SystemExit(main())
