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
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.data_dir import THINGSPACE_LISTENER, default_data_dir
from simulator.events import JsonLinesWriter

from .carrier import CarrierModel, Promotion
from .codec import DeviceId
from .listen_log import ListenLog, SafePrinter
from .listener import CallbackListener
from .send_command import add_send_command, run_send

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
    listen.add_argument(
        "--events", type=Path, help="write every event to this file (JSON Lines, kept whole)"
    )
    listen.add_argument(
        "--quiet", action="store_true", help="print no line per callback on stdout (only the URL)"
    )
    listen.add_argument(
        "--json",
        action="store_true",
        help="print each callback as its JSON event line instead of a sentence",
    )
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
    add_send_command(commands)
    parser.set_defaults(handler=run_thingspace)


def run_thingspace(args: argparse.Namespace) -> int:
    if args.thingspace_command == "listen":
        return asyncio.run(_listen(args))
    return run_send(args)


# -- listen ------------------------------------------------------------------------------------


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
    printer = SafePrinter()
    log = ListenLog(
        VirtualClock(1.0, real_now=time.monotonic),
        JsonLinesWriter(args.events) if args.events is not None else None,
        None if args.quiet else printer,
        as_json=args.json,
    )
    listener = CallbackListener(carrier, args.username, args.password, log)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await listener.start(args.host, args.port)
        printer(listener.url)
        await stop.wait()
    finally:
        await listener.stop()
        carrier.close()
        log.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobileplans-sim")
    add_thingspace_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return run_thingspace(args)


if __name__ == "__main__":
    raise SystemExit(main())
