"""`mobileplans-sim`: the command line (DESIGN.md §4.1). Exit 0 done, 1 timed out, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from esim.identifiers import Iccid, IdentifierError
from simulator.check import add_check_command, run_check_command
from simulator.demos import DEMOS
from simulator.device import SimulatedDevice
from simulator.events import EventPattern
from simulator.network import OUTCOMES, NetworkPlan, Registration
from simulator.operator_api.check_api import add_check_api_command, run_check_api_command
from simulator.operator_api.config import ConfigurationError
from simulator.operator_api.config_file import load_service_configuration
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.thingspace.cli import add_thingspace_commands, run_thingspace

EXIT_OK = 0
EXIT_TIMEOUT = 1
EXIT_USAGE = 2


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mobileplans-simulator", appauthor=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mobileplans-sim",
        description=(
            "Run an operator's MO Direct portal inside a simulated Windows Mobile Plans app."
        ),
    )
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="open a portal (the default command)")
    _add_run_options(run)
    demo = sub.add_parser("demo", help="drive the bundled sample portal through a flow")
    demo.add_argument("flow", help="one of: " + ", ".join(DEMOS))
    _add_run_options(demo)
    sub.add_parser("flows", help="list the flows `demo` knows")
    add_thingspace_commands(sub)
    add_check_command(sub)
    add_check_api_command(sub)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--portal", metavar="URL", help="open this https portal URL")
    where.add_argument(
        "--portal-dir", metavar="DIR", type=Path, help="serve this folder as the portal over HTTPS"
    )
    parser.add_argument(
        "--notification-host",
        metavar="HOST",
        help="the host allowed to call the app (default: the portal's host, §4.1)",
    )
    parser.add_argument("--device", choices=("esim", "psim"), default="esim")
    parser.add_argument("--eid", help="the eUICC's EID (32 digits, mod 97 = 1)")
    parser.add_argument("--imei", help="the PC's IMEI (15 digits, Luhn)")
    parser.add_argument("--iccid", help="the physical SIM's ICCID (with --device psim)")
    parser.add_argument("--market", default="US", help="ISO country of the region settings")
    parser.add_argument("--location", default="US", help="ISO country of the physical location")
    parser.add_argument("--language", default="en-us", help="Accept-Language sent to the portal")
    parser.add_argument("--data-dir", type=Path, default=None, help="state and certificates")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="virtual seconds per real second (0 = stepped)",
    )
    parser.add_argument("--headless", action="store_true", help="no window (offscreen)")
    parser.add_argument("--events", type=Path, metavar="FILE", help="write events as JSON Lines")
    parser.add_argument(
        "--until",
        metavar="KIND[:FIELD=VALUE,...]",
        help="exit 0 when a matching event is logged",
    )
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="exit 1 after this long")
    parser.add_argument("--screenshot", type=Path, metavar="FILE", help="save the window at exit")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE.html",
        help="one self-contained HTML page: timeline, sequence diagram, checks, screenshots",
    )
    parser.add_argument(
        "--network",
        action="append",
        default=[],
        metavar="[ICCID=]OUTCOME[:SECONDS]",
        help="how profiles register: home, roaming, partner or denied, after SECONDS of "
        "searching (default home:8); with ICCID= for one profile only; repeatable",
    )
    parser.add_argument(
        "--iccid-range",
        action="append",
        default=[],
        metavar="START-END|PREFIX",
        help="the operator's ICCID range in the service configuration; the portal's `iccids` "
        "lists only profiles inside one (default: the bundled SM-DP+'s 8999001); repeatable",
    )
    parser.add_argument(
        "--operator-api",
        metavar="URL",
        help="the operator's GetBalance/GetOffers/GetNotifications base URL (https; default: "
        "the bundled sample operator on loopback)",
    )
    parser.add_argument(
        "--operator-config",
        type=Path,
        metavar="FILE.json",
        help="the operator's service configuration (API URLs, Basic/mTLS, ICCID ranges, "
        "Gateway and notification templates); see docs/operator-apis.md",
    )
    parser.add_argument(
        "--sm-ds",
        action="store_true",
        help="play the historical notifyPurchaseDelayedProfile SM-DS flow (mobile-plans.md §3.7)",
    )


@dataclass
class RunOptions:
    args: argparse.Namespace
    device: SimulatedDevice
    until: EventPattern | None


def parse_run_options(argv: Sequence[str]) -> RunOptions:
    parser = build_parser()
    argv = list(argv)
    if not argv or argv[0].startswith("-"):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    if args.command in ("flows", "thingspace", "check", "check-api"):
        return RunOptions(args, SimulatedDevice(), None)
    demo = getattr(args, "flow", None)
    if demo is not None and demo not in DEMOS:
        parser.error(f"unknown flow {demo!r}; `mobileplans-sim flows` lists them")
    if demo is not None and (args.portal or args.portal_dir):
        parser.error("demo drives the bundled sample portal; drop --portal/--portal-dir")
    if demo is not None and not args.until:
        args.until = DEMOS[demo].until
    if demo is not None and args.time_scale == 1.0:
        args.time_scale = 0.0  # demos step the virtual clock from timer to timer
    try:
        device = SimulatedDevice.configure(
            kind=args.device,
            imei=args.imei,
            eid=args.eid,
            market=args.market,
            location=args.location,
            physical_iccid=args.iccid,
        )
        until = EventPattern.parse(args.until) if args.until else None
        args.network_plans = [parse_network_option(text) for text in args.network]
        args.iccid_ranges = tuple(IccidRange.parse(text) for text in args.iccid_range) or None
    except (IdentifierError, ValueError) as error:
        parser.error(str(error))
    if args.portal and not args.portal.lower().startswith("https://"):
        parser.error(f"--portal must be an https URL (mobile-plans.md §4.2): {args.portal!r}")
    if args.operator_api and not args.operator_api.lower().startswith("https://"):
        parser.error(f"--operator-api must be an https URL: {args.operator_api!r}")
    args.operator_configuration = None
    if args.operator_config is not None:
        if args.operator_api:
            parser.error("give --operator-api or --operator-config, not both")
        try:
            args.operator_configuration = load_service_configuration(args.operator_config)
        except ConfigurationError as error:
            parser.error(f"--operator-config: {error.rule}: {error.message}")
        if args.iccid_ranges is None:
            args.iccid_ranges = args.operator_configuration.iccid_ranges
        else:  # the command line wins over the file
            args.operator_configuration = replace(
                args.operator_configuration, iccid_ranges=args.iccid_ranges
            )
    if args.portal_dir and not args.portal_dir.is_dir():
        parser.error(f"--portal-dir {str(args.portal_dir)!r} is not a folder")
    if args.time_scale < 0:
        parser.error("--time-scale must be 0 (stepped) or positive")
    return RunOptions(args, device, until)


def parse_network_option(text: str) -> tuple[str | None, NetworkPlan]:
    """`[ICCID=]OUTCOME[:SECONDS]` → (ICCID or None for every profile, the plan)."""
    iccid, _, rest = text.rpartition("=")
    outcome, _, seconds = rest.partition(":")
    try:
        state = Registration(outcome.strip().lower())
    except ValueError:
        raise ValueError(
            f"--network {text!r}: {outcome!r} is not home, roaming, partner or denied"
        ) from None
    if state not in OUTCOMES:
        raise ValueError(
            f"--network {text!r}: a registration ends home, roaming, partner or denied"
        )
    try:
        wait = float(seconds) if seconds else NetworkPlan().searching_seconds
    except ValueError:
        raise ValueError(f"--network {text!r}: {seconds!r} is not a number of seconds") from None
    if wait < 0:
        raise ValueError(f"--network {text!r}: searching time cannot be negative")
    return (str(Iccid.parse(iccid)) if iccid else None), NetworkPlan(state, wait)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_run_options(sys.argv[1:] if argv is None else argv)
    args = options.args
    if args.command == "flows":
        for demo in DEMOS.values():
            print(f"{demo.name:26} {demo.summary}")
        return EXIT_OK
    if args.command == "thingspace":
        return run_thingspace(args)
    if args.command == "check":
        return run_check_command(args)
    if args.command == "check-api":
        return run_check_api_command(args)
    if args.headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        # Qt would abort with a terse xcb error; say what to do instead.
        print(
            "mobileplans-sim: error: no display (DISPLAY and WAYLAND_DISPLAY are unset); "
            "run with --headless, or set QT_QPA_PLATFORM",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Qt is imported only now: parsing and usage errors stay fast and display-free.
    from simulator.runner import run_simulator

    return run_simulator(options, data_dir=args.data_dir or _default_data_dir())


if __name__ == "__main__":
    raise SystemExit(main())
