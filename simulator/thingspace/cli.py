"""``mobileplans-sim thingspace listen|send``: the callback listener and sender, headless.

The lead's ``simulator/cli.py`` wires :func:`add_thingspace_commands` into its parser; the
handler is :func:`run_thingspace`. ``python -m simulator.thingspace.cli`` runs them alone.
Exit status: 0 on success (``send``: a 2xx answer), 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from esim.identifiers import Iccid
from simulator.clock import VirtualClock
from simulator.events import Event, EventLog, JsonLinesWriter

from .carrier import CarrierModel, Promotion
from .codec import (
    CallbackDecodeError,
    CallbackMessage,
    CarrierInformation,
    DeviceId,
    DeviceInformation,
    ExternalProvisioningChange,
    PromoChange,
    ResumeTrackingNotification,
    ServiceName,
    UnverifiedFields,
    canonical_service_name,
    format_change_date,
)
from .codec.payloads import CallbackData
from .codec.unverified import DeviceSuspendStatus, PrlInformation, SmsDelivery, Usage
from .delivery import Deliverer, DeliveryTarget, RetrySchedule
from .listener import CallbackListener
from .registrations import RegisteredVia

DEMO_MDN = "3124705797"  # the seed sample's device (seeds/003)
DEMO_ICCID = str(Iccid.with_check_digit("8901260123456789012"))


class UsageError(ValueError):
    pass


def add_thingspace_commands(subparsers: Any) -> None:
    """Add ``thingspace listen`` and ``thingspace send`` to *subparsers*."""
    parser = subparsers.add_parser(
        "thingspace", help="ThingSpace-style device callbacks: listen for or send them"
    )
    commands = parser.add_subparsers(dest="thingspace_command", metavar="listen|send")
    commands.required = True
    listen = commands.add_parser("listen", help="run the reference callback listener")
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    listen.add_argument("--username", default="", help="registered callback username")
    listen.add_argument("--password", default="", help="registered callback password")
    listen.add_argument("--events", type=Path, help="also write the event log to this file")
    listen.add_argument("--data-dir", type=Path, help="where the carrier model lives")
    listen.add_argument(
        "--demo-line",
        action="store_true",
        help=f"ensure the seed's line (MDN {DEMO_MDN}, promotion SPRING17) exists",
    )
    send = commands.add_parser("send", help="send one callback to a listener")
    send.add_argument("service", metavar="SERVICE", help="e.g. PromoChanges (§1.1 names)")
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
        return asyncio.run(_send(args, build_message(args)))
    except UsageError as error:
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


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mobileplans-simulator", appauthor=False))


async def _listen(args: argparse.Namespace) -> int:
    carrier = CarrierModel.open((args.data_dir or _default_data_dir()) / "thingspace")
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


def _pairs(fields: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for text in fields:
        name, eq, value = text.partition("=")
        if not eq or not name.strip():
            raise UsageError(f"--field {text!r} is not NAME=VALUE")
        pairs.append((name.strip(), value))
    return pairs


def _payload(service: ServiceName, fields: dict[str, str]) -> CallbackData:
    def take(name: str, default: str | None = None) -> str | None:
        for key in list(fields):
            if key.lower() == name.lower():
                return fields.pop(key)
        return default

    if service is ServiceName.PROMO_CHANGES:
        change = take("Change", "PromoCode Dropped.") or ""
        date = take("ChangeDate") or format_change_date(datetime.now().replace(microsecond=0))
        return PromoChange(change, date)
    if service is ServiceName.RESUME_TRACKING_NOTIFICATION:
        return ResumeTrackingNotification(take("Comment", "") or "")
    if service is ServiceName.EXTERNAL_PROVISIONING_CHANGES:
        source, what = take("Source"), take("Change")
        plan, state = take("ServicePlan"), take("State")
        info = None
        if plan is not None or state is not None:
            info = DeviceInformation(carrier_information=CarrierInformation(None, plan, state))
        return ExternalProvisioningChange(source, what, info)
    kinds: dict[ServiceName, type[DeviceSuspendStatus | Usage | SmsDelivery | PrlInformation]]
    kinds = {
        ServiceName.DEVICE_SUSPENSION_STATUS: DeviceSuspendStatus,
        ServiceName.DEVICE_USAGE: Usage,
        ServiceName.SMS_DELIVERY_CONFIRMATION: SmsDelivery,
        ServiceName.DEVICE_PRL_INFORMATION: PrlInformation,
    }
    unverified = kinds.get(service)
    if unverified is None:
        raise UsageError(
            f"send does not build {service.value} callbacks; it builds PromoChanges, "
            "ResumeTrackingNotification, ExternalProvisioningChanges, DeviceSuspensionStatus, "
            "DeviceUsage, SMSDeliveryConfirmation and DevicePRLInformation"
        )
    content = UnverifiedFields(tuple(fields.items()))
    fields.clear()
    return unverified(content)


def build_message(args: argparse.Namespace) -> CallbackMessage:
    """The callback ``send`` posts, from its command-line arguments."""
    try:
        service = canonical_service_name(args.service)
        devices = []
        for text in args.device:
            kind, colon, identifier = text.partition(":")
            if not colon:
                raise UsageError(f"--device {text!r} is not KIND:ID (e.g. Mdn:3124705797)")
            devices.append(DeviceId.parse(kind, identifier, where="--device"))
    except CallbackDecodeError as error:
        raise UsageError(str(error)) from None
    fields = dict(_pairs(args.field))
    request_id = fields.pop("RequestId", None) or str(uuid.uuid4())
    data = _payload(service, fields)
    if fields:
        raise UsageError(f"--field {', '.join(fields)} is not a field of {service.value}")
    return CallbackMessage(
        data=data,
        request_id=request_id,
        devices=tuple(devices),
        username=args.username,
        password=args.password,
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
