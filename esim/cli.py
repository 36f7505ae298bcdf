"""The ``esim`` command (DESIGN.md §4.3): activation codes, the emulated eUICC, the stub SM-DP+.

Exit status: 0 done, 1 the operation failed (the message names the rule and the spec), 2 a
usage error. ``esim smdp serve`` in one shell and ``esim euicc download <code>`` in another
meet through ``smdp-hosts.json`` in the shared data directory (:mod:`esim.cli_home`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from esim.cli_euicc import (
    Command,
    cmd_euicc_download,
    cmd_euicc_info,
    cmd_euicc_list,
    cmd_euicc_notifications,
    profile_action,
)
from esim.cli_home import home_from_args
from esim.cli_lpac import add_lpac_commands
from esim.cli_output import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    emit,
    fail,
    parse_code,
    run_reported,
    stdout_reader_gone,
    wants_json,
)
from esim.cli_pki_commands import add_pki_commands

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

PKI_HELP = "a certificate set you brought (e.g. GSMA SGP.26), read in place, never written"
STRICT_HELP = "the eUICC refuses BPP segments over SGP.22's 1020 bytes (default: up to 1036)"
CURVE_HELP = "certificates on NIST P-256 or brainpoolP256r1 (fixed when the data dir is new)"
EXPIRED_HELP = "accept an expired CERT.DPtls (tests against published sets only)"


# -- esim ac -----------------------------------------------------------------------------------


def cmd_ac_parse(args: argparse.Namespace) -> int:
    code = parse_code(args.code)
    fields = {
        "acFormat": "1",
        "smdpAddress": code.smdp_address,
        "matchingId": code.matching_id,
        "smdpOid": code.smdp_oid,
        "confirmationCodeRequired": code.confirmation_code_required,
        "ciPublicKeyId": code.ci_public_key_id,
        "extraFields": list(code.extra_fields),
        "hadLpaPrefix": code.had_lpa_prefix,
        "canonical": code.format(),
        "qrText": code.format(lpa_prefix=True),
    }
    lines = [
        f"SM-DP+ address      {code.smdp_address}",
        f"Matching ID         {code.matching_id or '(empty)'}",
        f"SM-DP+ OID          {code.smdp_oid or '(none)'}",
        f"Confirmation code   {'required' if code.confirmation_code_required else 'no'}",
    ]
    if code.ci_public_key_id:
        lines.append(f"CI key indicator    {code.ci_public_key_id}")
    lines.append(f"Canonical           {code.format()}")
    return emit(args, fields, lines)


def cmd_ac_qr(args: argparse.Namespace) -> int:
    from esim import qr

    code = parse_code(args.code)
    data = {"qrText": code.format(lpa_prefix=True), "png": None}
    if args.png is not None:
        qr.render_png(code.format(), args.png)
        data["png"] = str(args.png)
        return emit(args, data, [f"wrote {args.png} ({code.format(lpa_prefix=True)})"])
    if args.json or args.quiet:
        return emit(args, data, [])
    import segno

    segno.make(qr.qr_text(code.format()), micro=False, error="m").terminal(compact=True)
    print(code.format(lpa_prefix=True))
    return EXIT_OK


# -- esim smdp ---------------------------------------------------------------------------------


def cmd_smdp_serve(args: argparse.Namespace) -> int:
    from esim.cli_smdp import serve

    return serve(home_from_args(args), args.host, args.port, args.workers)


def cmd_smdp_order(args: argparse.Namespace) -> int:
    from esim.cli_smdp import create_order

    order = create_order(
        home_from_args(args),
        args.iccid,
        args.eid,
        args.confirmation_code,
        args.release_after,
        profile=args.profile,
        profile_class=args.profile_class,
        profile_name=args.profile_name,
        service_provider=args.service_provider,
    )
    if args.confirmation_code and not (args.json or args.quiet):
        print(f"confirmation code: {args.confirmation_code}", file=sys.stderr)
    return emit(args, order, [order["activationCode"]])


def cmd_smdp_release(args: argparse.Namespace) -> int:
    from esim.cli_smdp import release_order_again

    try:
        released = release_order_again(home_from_args(args), args.iccid)
    except ValueError as error:
        return fail(args.json, "failed", str(error))
    return emit(args, released, [released["activationCode"]])


# -- the parser --------------------------------------------------------------------------------


def _worker_count(text: str) -> int:
    """``--workers``: a whole number of processes, 1 to the workers module's limit (a usage
    error, exit 2, like any other bad option)."""
    from esim.smdp.workers import MAX_WORKERS

    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of processes, not {text!r}") from None
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"1 to {MAX_WORKERS} processes, not {count}")
    return count


def _leaf(
    sub: Any, name: str, command: Command, help_text: str, *, json_flag: bool = True
) -> argparse.ArgumentParser:
    """A command; `json_flag` False only for the ones whose output is a protocol (lpac, stdio)."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(command=command)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="the simulator's data directory; state and test PKI live in its esim-cli/",
    )
    parser.add_argument("--pki", type=Path, default=argparse.SUPPRESS, help=PKI_HELP)
    parser.add_argument(
        "--curve", choices=("nist", "brainpool"), default=argparse.SUPPRESS, help=CURVE_HELP
    )
    if json_flag:
        parser.add_argument(
            "--json", action="store_true", help="print the result, or the error, as JSON"
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="esim", description="Activation codes, the emulated eUICC and the stub SM-DP+."
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the simulator's data directory (default: the one mobileplans-sim uses); "
        "state and test PKI live in its esim-cli/",
    )
    parser.add_argument("--pki", type=Path, default=None, help=PKI_HELP)
    parser.add_argument("--curve", choices=("nist", "brainpool"), default=None, help=CURVE_HELP)
    parser.add_argument("--strict-segment-size", action="store_true", help=STRICT_HELP)
    groups = parser.add_subparsers(dest="group", required=True)

    ac = groups.add_parser("ac", help="SGP.22 activation codes").add_subparsers(
        dest="action", required=True
    )
    _leaf(ac, "parse", cmd_ac_parse, "parse and explain an activation code", json_flag=True)
    ac.choices["parse"].add_argument("code", metavar="AC")
    qr = _leaf(ac, "qr", cmd_ac_qr, "show an activation code as a QR code")
    qr.add_argument("code", metavar="AC")
    qr.add_argument("--png", type=Path, metavar="FILE", help="write a PNG instead")

    euicc = groups.add_parser("euicc", help="the emulated eUICC, through the LPA").add_subparsers(
        dest="action", required=True
    )
    _leaf(euicc, "info", cmd_euicc_info, "EID, versions and addresses", json_flag=True)
    _leaf(euicc, "list", cmd_euicc_list, "installed profiles", json_flag=True)
    download = _leaf(euicc, "download", cmd_euicc_download, "download a profile", json_flag=True)
    download.add_argument("code", metavar="AC")
    download.add_argument("--confirmation-code", metavar="CC")
    download.add_argument("--no-notify", action="store_true", help="keep the notification")
    download.add_argument("--allow-expired-tls", action="store_true", help=EXPIRED_HELP)
    download.add_argument(
        "--resolve", action="append", metavar="HOST=IP:PORT", help="reach an SM-DP+ here"
    )
    for name, help_text in (("enable", "enable a profile"), ("disable", "disable a profile"),
                            ("delete", "delete a disabled profile")):  # fmt: skip
        _leaf(euicc, name, profile_action(name), help_text).add_argument("iccid", metavar="ICCID")
    nickname = _leaf(euicc, "nickname", profile_action("nickname"), "set a profile nickname")
    nickname.add_argument("iccid", metavar="ICCID")
    nickname.add_argument("name", metavar="NAME")
    notifications = _leaf(
        euicc, "notifications", cmd_euicc_notifications, "pending notifications", json_flag=True
    )
    notifications.add_argument("--send", action="store_true", help="deliver and remove them")
    notifications.add_argument("--resolve", action="append", metavar="HOST=IP:PORT")
    notifications.add_argument("--allow-expired-tls", action="store_true", help=EXPIRED_HELP)
    add_lpac_commands(euicc, groups, _leaf)

    smdp = groups.add_parser("smdp", help="the stub SM-DP+").add_subparsers(
        dest="action", required=True
    )
    serve = _leaf(smdp, "serve", cmd_smdp_serve, "serve ES9+ and ES2+ over HTTPS")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=0, help="port (0 = any free port)")
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        metavar="N",
        help="N processes on the port (SO_REUSEPORT), sharing the data directory's store",
    )
    order = _leaf(smdp, "order", cmd_smdp_order, "create a released order", json_flag=True)
    order.add_argument("--iccid", help="the profile's ICCID (default: a new test ICCID)")
    order.add_argument("--eid", help="bind the order to this EID")
    order.add_argument("--confirmation-code", metavar="CC")
    order.add_argument("--release-after", type=float, metavar="MINUTES")
    order.add_argument(
        "--profile",
        type=Path,
        metavar="UPP.der",
        help="serve this SAIP unprotected profile package (e.g. GSMA TS.48); ICCID from its header",
    )
    order.add_argument("--profile-class", choices=("test", "provisioning", "operational"))
    order.add_argument("--profile-name", metavar="NAME", help="default: the header's profileType")
    order.add_argument("--service-provider", metavar="NAME")
    release = _leaf(
        smdp,
        "release",
        cmd_smdp_release,
        "release an order again (confirmed, failed, or stuck mid-download)",
        json_flag=True,
    )
    release.add_argument("iccid", help="the order's ICCID")
    add_pki_commands(groups, _leaf)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        return stdout_reader_gone()


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    if args.data_dir is not None and not isinstance(args.data_dir, Path):
        args.data_dir = Path(args.data_dir)
    as_json = wants_json(args, words)
    return run_reported(args.command, args, as_json, lambda: parser.print_usage(sys.stderr))


if __name__ == "__main__":
    sys.exit(main())
