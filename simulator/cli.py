"""`mobileplans-sim`: the command line (DESIGN.md §4.1). Exit 0 done, 1 timed out, 2 usage."""

from __future__ import annotations

# First of all: the dataclass code cache, and collection held off (see there).
from simulator import early_start  # isort: split

import argparse
import faulthandler
import gc
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from esim.identifiers import Iccid, IdentifierError
from simulator import dataclass_code_cache
from simulator.data_dir import default_data_dir
from simulator.demos import DEMOS
from simulator.device import SimulatedDevice
from simulator.events import EventPattern
from simulator.network import OUTCOMES, NetworkPlan, Registration
from simulator.operator_api.iccid_ranges import IccidRange
from simulator.qt_prereqs import missing_libraries_message, missing_xcb_packages, uses_xcb
from simulator.startup_timeline import mark

EXIT_OK = 0
EXIT_TIMEOUT = 1
EXIT_USAGE = 2


def _default_data_dir() -> Path:
    return default_data_dir()


_EXAMPLES = {
    "top": """examples:
  mobileplans-sim                                   the bundled sample portal, in a window
  mobileplans-sim run --portal https://portal.example.com/mobileplans
  mobileplans-sim demo inline-download --headless   play a flow, print PASS or FAIL
  mobileplans-sim check https://portal.example.com/mobileplans
  mobileplans-sim thingspace listen --port 8443

`mobileplans-sim COMMAND --help` shows a command's options and examples.""",
    "run": """examples:
  mobileplans-sim run                               the bundled sample portal, in a window
  mobileplans-sim run --portal https://portal.example.com/mobileplans
  mobileplans-sim run --portal-dir ./my-portal --events run.jsonl
  mobileplans-sim run --headless --until portal.loaded --timeout 30 --screenshot shot.png
  mobileplans-sim run --device psim --iccid 8988247000100003319 --market GB

exit status: 0 done (or --until matched), 1 --timeout passed first, 2 usage error.""",
    "demo": """examples:
  mobileplans-sim demo inline-download              a window that stays open at the end
  mobileplans-sim demo delayed-download --step      Next (Ctrl+N) before each stage
  mobileplans-sim demo async-connectivity --headless --events async.jsonl

stdout has one line per stage and a final PASS or FAIL with the flow's name; Qt's and
Chromium's own messages go to <data dir>/logs/qt-chromium.log. Exit status 0 PASS, 1 FAIL.""",
    "flows": """examples:
  mobileplans-sim flows                             name and summary of each flow
  mobileplans-sim flows --json                      the same as a JSON list""",
}


def _command(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog=_EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


# Parsing these needs none of the other commands' modules: imported only for their own command.
APP_COMMANDS = frozenset({"run", "demo", "flows"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command; with *command* one of `APP_COMMANDS`, only those three."""
    parser = argparse.ArgumentParser(
        prog="mobileplans-sim",
        description=(
            "Run an operator's MO Direct portal inside a simulated Windows Mobile Plans app."
        ),
        epilog=_EXAMPLES["top"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    run = _command(sub, "run", "open a portal in the simulated app (the default command)")
    _add_run_options(run)
    demo = _command(sub, "demo", "drive the bundled sample portal through one flow")
    demo.add_argument("flow", help="one of: " + ", ".join(DEMOS))
    _add_run_options(demo)
    _add_demo_options(demo)
    parser.set_defaults(step=False, exit_at_end=False)
    flows = _command(sub, "flows", "list the flows `demo` knows")
    flows.add_argument("--json", action="store_true", help="print them as a JSON list")
    if command not in APP_COMMANDS:
        from simulator.check import add_check_command
        from simulator.operator_api.check_api import add_check_api_command
        from simulator.thingspace.cli import add_thingspace_commands

        add_check_command(sub)  # its own examples, exit statuses and findings page
        add_thingspace_commands(sub)
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
        help="the host allowed to call the app (default: the portal's host)",
    )
    parser.add_argument("--device", choices=("esim", "psim"), default="esim")
    parser.add_argument("--eid", help="the eUICC's EID (32 digits, mod 97 = 1)")
    parser.add_argument("--imei", help="the PC's IMEI (15 digits, Luhn)")
    parser.add_argument("--iccid", help="the physical SIM's ICCID (with --device psim)")
    parser.add_argument("--market", default="US", help="ISO country of the region settings")
    parser.add_argument("--location", default="US", help="ISO country of the physical location")
    parser.add_argument(
        "--device-make",
        metavar="MAKE",
        help="the PC's make (System Manufacturer), for the catalog's filtering",
    )
    parser.add_argument(
        "--device-model", metavar="MODEL", help="the PC's model (System Model), with --device-make"
    )
    parser.add_argument("--language", default="en-us", help="Accept-Language sent to the portal")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where state, certificates and logs live (default: your user data directory)",
    )
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
        "Gateway and notification templates; an operators list makes the catalog); see "
        "docs/operator-apis.md and docs/catalog-and-walled-garden.md",
    )
    parser.add_argument(
        "--provider",
        metavar="NAME",
        help="with several operators in --operator-config: pick NAME on the Select Provider "
        "page, then Continue on its Gateway page, as a person would",
    )
    parser.add_argument(
        "--walled-garden",
        choices=("enforce", "report", "off"),
        default="report",
        help="a PC without a plan reaches only the walled garden's hosts: enforce blocks the "
        "portal's other requests, report (default) lets them through and reports each host, "
        "off; see docs/catalog-and-walled-garden.md",
    )
    parser.add_argument(
        "--sm-ds",
        action="store_true",
        help="play the historical (2018) notifyPurchaseDelayedProfile flow, delivered by SM-DS",
    )
    parser.add_argument(
        "--operator-name",
        metavar="NAME",
        help="the operator's name on the app's pages and notifications (default: Contoso "
        "Mobile for the bundled portal, else the portal's host name)",
    )
    parser.add_argument(
        "--smdp-host",
        action="append",
        default=[],
        metavar="HOST",
        help="send downloads for this SM-DP+ host name (a real operator's, from the "
        "portal's activation codes) to the simulator's SM-DP+; repeatable",
    )
    parser.add_argument(
        "--euicc-capacity",
        metavar="SIZE",
        help="the eUICC's memory for profiles, e.g. 512K or 2M (default 279K, a real "
        "card's; each sample profile takes 60K)",
    )


def _add_demo_options(demo: argparse.ArgumentParser) -> None:
    presenter = demo.add_argument_group("presenting")
    presenter.add_argument(
        "--step",
        action="store_true",
        help="pause before each stage with a caption of what happens next; play it with the "
        "caption bar's Next button (Ctrl+N); needs a window, so not with --headless",
    )
    presenter.add_argument(
        "--exit-at-end",
        action="store_true",
        help="close the window once the flow has ended (with a window it otherwise stays open "
        "until you close it; --headless always exits)",
    )


@dataclass
class RunOptions:
    args: argparse.Namespace
    device: SimulatedDevice
    until: EventPattern | None


def parse_run_options(argv: Sequence[str]) -> RunOptions:
    argv = list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]  # `run` is the default command
    parser = build_parser(argv[0])
    args = parser.parse_args(argv)
    if args.command in ("flows", "thingspace", "check", "check-api"):
        return RunOptions(args, SimulatedDevice(), None)
    demo = getattr(args, "flow", None)
    if demo is not None and demo not in DEMOS:
        parser.error(f"unknown flow {demo!r}; `mobileplans-sim flows` lists them")
    if demo is not None and (args.portal or args.portal_dir):
        parser.error("demo drives the bundled sample portal; drop --portal/--portal-dir")
    if args.step and args.headless:
        parser.error(
            "--step waits for a presenter to click Next, which needs a window: drop --headless "
            "(a headless demo plays every stage at once)"
        )
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
            make=args.device_make,
            model=args.device_model,
        )
        until = EventPattern.parse(args.until) if args.until else None
        args.network_plans = [parse_network_option(text) for text in args.network]
        args.iccid_ranges = tuple(IccidRange.parse(text) for text in args.iccid_range) or None
        args.smdp_hosts = tuple(parse_smdp_host(text) for text in args.smdp_host)
        args.euicc_capacity_bytes = (
            None if args.euicc_capacity is None else parse_capacity(args.euicc_capacity)
        )
        if args.operator_name is not None:
            args.operator_name = parse_operator_name(args.operator_name)
    except (IdentifierError, ValueError) as error:
        parser.error(str(error))
    if args.portal and not args.portal.lower().startswith("https://"):
        parser.error(
            f"--portal must be an https URL (Mobile Plans opens no other): {args.portal!r}"
        )
    if args.operator_api:  # checked like the configuration file's moBaseUrl
        from simulator.operator_api.urls import parse_https_url

        try:
            args.operator_api = parse_https_url(args.operator_api, "--operator-api", "", base=True)
        except ValueError as error:
            parser.error(str(error))
    args.operator_configuration = None
    args.operator_catalog = None  # one operator or several (the catalog)
    if args.operator_config is not None:
        from simulator.operator_api.catalog import load_operator_file
        from simulator.operator_api.config import ConfigurationError

        if args.operator_api:
            parser.error("give --operator-api or --operator-config, not both")
        try:
            args.operator_catalog = load_operator_file(args.operator_config)
        except ConfigurationError as error:
            parser.error(f"--operator-config: {error.rule}: {error.message}")
        args.operator_configuration = args.operator_catalog.home.service
        if args.provider and args.operator_catalog.find(args.provider) is None:
            names = ", ".join(o.brand_name for o in args.operator_catalog.operators)
            parser.error(f"--provider {args.provider!r} is not in --operator-config ({names})")
        if args.operator_configuration is None:
            pass  # the first operator's API calls go to the bundled sample operator
        elif args.iccid_ranges is None:
            args.iccid_ranges = args.operator_configuration.iccid_ranges
        else:  # the command line wins over the file
            args.operator_configuration = replace(
                args.operator_configuration, iccid_ranges=args.iccid_ranges
            )
    if args.provider and args.operator_config is None:
        parser.error("--provider picks one of the operators of --operator-config")
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


MIN_CAPACITY = 1024
MAX_CAPACITY = 64 * 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 * 1024, "mb": 1024 * 1024}
# Compiled on first use (`--smdp-host`): its bounded repeats take 1.8 ms to compile, which
# every start-up would pay before the portal loads.
_HOST = r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"


def parse_capacity(text: str) -> int:
    """`--euicc-capacity`: bytes, or a number with K/KB/M/MB (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"--euicc-capacity {text!r}: give a size such as 300000, 512K or 2M")
    size = int(float(match.group(1)) * _UNITS[unit])
    if not MIN_CAPACITY <= size <= MAX_CAPACITY:
        raise ValueError(f"--euicc-capacity {text!r}: the card's memory must be between 1K and 64M")
    return size


def parse_smdp_host(text: str) -> str:
    """`--smdp-host`: a DNS host name (what follows `1$` in an activation code)."""
    host = text.strip().lower().rstrip(".")
    if not re.fullmatch(_HOST, host):
        raise ValueError(f"--smdp-host {text!r} is not a host name such as smdp.example.com")
    return host


def parse_operator_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > 64 or not name.isprintable():
        raise ValueError("--operator-name must be 1 to 64 printable characters")
    return name


def main(argv: Sequence[str] | None = None) -> int:
    mark("command line's modules imported")
    # The dataclasses the run's modules define compile their methods once, not every start
    # (installed by `simulator.early_start`, kept for the next start here).
    try:
        return _main(argv)
    except BrokenPipeError:
        from esim.cli_output import stdout_reader_gone  # only then: it imports the LPA

        return stdout_reader_gone()
    finally:
        dataclass_code_cache.save()
        pyside_code_cache = sys.modules.get("simulator.pyside_code_cache")
        if pyside_code_cache is not None:  # a run imported PySide6 through it
            pyside_code_cache.save()


def _main(argv: Sequence[str] | None) -> int:
    # A crash in Qt or Chromium's embedding (a native fault) prints every thread's Python stack
    # on stderr instead of a bare "Segmentation fault": something a user can report.
    if not faulthandler.is_enabled():
        faulthandler.enable()
    options = parse_run_options(sys.argv[1:] if argv is None else argv)
    mark("command line parsed")
    args = options.args
    if args.command not in ("run", "demo"):
        # Held off through the command line's imports; a run keeps it off until its portal
        # has loaded, the other commands need it now (simulator.early_start).
        early_start.resume_collection()
    if args.command == "flows":
        if args.json:
            listed = [{"name": demo.name, "summary": demo.summary} for demo in DEMOS.values()]
            print(json.dumps(listed, indent=2))
            return EXIT_OK
        for demo in DEMOS.values():
            print(f"{demo.name:26} {demo.summary}")
        return EXIT_OK
    if args.command == "thingspace":
        from simulator.thingspace.cli import run_thingspace

        return run_thingspace(args)
    if args.command == "check":
        from simulator.check import run_check_command

        return run_check_command(args)
    if args.command == "check-api":
        from simulator.operator_api.check_api import run_check_api_command

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
    if not args.headless and uses_xcb(os.environ):
        missing = missing_xcb_packages()
        if missing:
            print(f"mobileplans-sim: error: {missing_libraries_message(missing)}", file=sys.stderr)
            return EXIT_USAGE
    # Start-up allocates ~90,000 long-lived objects and almost no garbage: each automatic
    # collection meanwhile scanned them all (~90 of them, 10-30 ms). The run turns collection
    # back on once the portal's first load has finished (`simulator.qt_startup`).
    gc.disable()
    # Qt is imported only now: parsing and usage errors stay fast and display-free.
    import simulator.preload  # noqa: F401  (before Qt: see there)

    mark("Qt-free modules imported (simulator.preload)")
    from simulator.pyside_signature_patterns import import_pyside

    import_pyside()  # first, with its signature patterns compiled when used: see there
    from simulator.pyside_import_hook import lighten_pyside_import_hook

    lighten_pyside_import_hook()  # before the runner's imports: see there
    from simulator.runner import run_simulator

    mark("PySide6 and the runner imported")

    return run_simulator(options, data_dir=args.data_dir or _default_data_dir())


if __name__ == "__main__":
    raise SystemExit(main())
