"""``esim pki import DIR | export --layout {ours,osmo-smdpp} DIR | show`` (:mod:`esim.cli_pki`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from esim.cli_home import home_from_args
from esim.cli_output import emit
from esim.cli_pki import IMPORTED, OSMO_SMDPP_HOST, export_set, import_set


def cmd_pki_import(args: argparse.Namespace) -> int:
    home = home_from_args(args)
    imported = import_set(home.root, args.directory)
    roles = [name for name in ("ci", "eum", "euicc", "dp_auth", "dp_pb", "dp_tls")
             if getattr(imported, name) is not None]  # fmt: skip
    described = home.sets.describe()
    data = {"imported": roles, "from": str(args.directory), "into": str(home.root / IMPORTED)}
    lines = [f"imported {', '.join(roles)} from {args.directory} into {home.root / IMPORTED}"]
    return emit(args, {**data, "sets": described}, lines + [f"  {line}" for line in described])


def cmd_pki_export(args: argparse.Namespace) -> int:
    home = home_from_args(args)
    written = export_set(home.sets, args.layout, args.directory, tls_host=args.tls_host)
    emit(args, {"written": [str(path) for path in written]}, [str(path) for path in written])
    if args.layout == "osmo-smdpp" and not (args.json or args.quiet):
        print(
            f"osmo-smdpp: put {args.directory} under its smdpp-data/ and start it with "
            f"-c {args.directory.name}; it answers as {args.tls_host or OSMO_SMDPP_HOST}",
            file=sys.stderr,
        )
    return 0


def cmd_pki_show(args: argparse.Namespace) -> int:
    described = home_from_args(args).sets.describe()
    return emit(args, {"sets": described}, described)


def add_pki_commands(groups: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    pki = groups.add_parser("pki", help="certificate sets you bring or export").add_subparsers(
        dest="action", required=True
    )
    imported = leaf(pki, "import", cmd_pki_import, "copy a certificate set in (never overwritten)")
    imported.add_argument("directory", type=Path, metavar="DIR")
    exported = leaf(pki, "export", cmd_pki_export, "write the data directory's set elsewhere")
    exported.add_argument("--layout", choices=("ours", "osmo-smdpp"), default="ours")
    exported.add_argument(
        "--tls-host", metavar="HOST", help=f"DPtls host for osmo-smdpp (default {OSMO_SMDPP_HOST})"
    )
    exported.add_argument("directory", type=Path, metavar="DIR")
    leaf(pki, "show", cmd_pki_show, "which set each side uses, and what has expired")
