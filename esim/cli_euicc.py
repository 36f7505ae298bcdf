"""``esim euicc ...``: the emulated eUICC through the LPA (info, list, download, enable,
disable, delete, nickname, notifications), and how every command reaches the card and the
SM-DP+s (:func:`open_card`, :func:`resolver_table`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

from esim.cli_home import Home, home_from_args
from esim.cli_output import EXIT_FAILED, EXIT_OK, UsageError, emit, shows_progress
from esim.lpa import Lpa

Command = Callable[[argparse.Namespace], int]


def open_card(home: Home, args: argparse.Namespace | None = None) -> Any:
    """The data directory's eUICC (`--strict-segment-size` applied); close it when done."""
    from esim.euicc import Euicc

    config = home.euicc_config(
        strict_segment_size=bool(getattr(args, "strict_segment_size", False)),
        note_listener=lambda _, fields: print(f"esim: note: {fields['message']}", file=sys.stderr),
    )
    return Euicc.open(home.euicc_dir, config)


def resolver_table(home: Home, extra: Sequence[str]) -> dict[str, tuple[str, int]]:
    """Where each SM-DP+ name is reached: the running `esim smdp serve`s, then `--resolve`."""
    table = home.hosts()
    for item in extra:
        name, _, target = item.partition("=")
        ip, _, port = target.rpartition(":")
        if not name or not ip or not port.isdigit():
            raise UsageError(f"--resolve {item!r} is not HOST=IP:PORT")
        table[name.lower()] = (ip.strip("[]"), int(port))
    return table


def _lpa(home: Home, args: argparse.Namespace) -> Lpa:
    return Lpa(
        open_card(home, args),
        trust_anchors=home.trust_anchors(),
        resolver=resolver_table(home, getattr(args, "resolve", None) or []),
        send_notifications=not getattr(args, "no_notify", False),
        allow_expired_tls=bool(getattr(args, "allow_expired_tls", False)),
    )


def cmd_euicc_info(args: argparse.Namespace) -> int:
    lpa = _lpa(home_from_args(args), args)
    info2 = lpa.profiles.euicc_info2()
    default_dp, root_ds = lpa.profiles.configured_addresses()
    data = {
        "eid": lpa.profiles.eid(),
        "svn": ".".join(str(part) for part in info2["svn"]),
        "profileVersion": ".".join(str(part) for part in info2["profileVersion"]),
        "firmwareVersion": ".".join(str(part) for part in info2["euiccFirmwareVer"]),
        "extCardResource": bytes(info2["extCardResource"]).hex().upper(),
        "ciPkIdsForVerification": [bytes(k).hex() for k in info2["euiccCiPKIdListForVerification"]],
        "defaultDpAddress": default_dp,
        "rootDsAddress": root_ds,
        "profiles": len(lpa.profiles.list_profiles()),
    }
    return emit(args, data, [f"{key:<24}{value}" for key, value in data.items()])


def cmd_euicc_list(args: argparse.Namespace) -> int:
    profiles = _lpa(home_from_args(args), args).profiles.list_profiles()
    lines = [
        f"{p.iccid:<21}{p.state:<10}{p.profile_class:<13}{p.aid}  {p.nickname or p.profile_name}"
        for p in profiles
    ]
    return emit(args, [profile.to_json() for profile in profiles], lines or ["no profiles"])


def cmd_euicc_download(args: argparse.Namespace) -> int:
    home = home_from_args(args)
    lpa = _lpa(home, args)

    show = shows_progress(args)
    last: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if not show or (stage == (last[0] if last else "") and done != total):
            return  # one line a stage, and its last byte count
        last[:] = [stage]
        suffix = f" {done}/{total} bytes" if total else ""
        print(f"  {stage}{suffix}", file=sys.stderr)

    result = asyncio.run(lpa.download(args.code, args.confirmation_code, progress=progress))
    lines = [f"installed {result.iccid} ({result.metadata.profile_name}) in ISD-P {result.aid}"]
    for outcome in result.notifications:
        state = "sent and removed" if outcome.removed else "sent" if outcome.sent else "NOT sent"
        lines.append(f"  install notification {outcome.seq_number}: {state}")
        if outcome.error is not None:
            lines.append(f"    {outcome.error.activation_error}: {outcome.error}")
    return emit(args, result.to_json(), lines)


def profile_action(action: str) -> Command:
    def run(args: argparse.Namespace) -> int:
        profiles = _lpa(home_from_args(args), args).profiles
        if action == "enable":
            profiles.enable(args.iccid)
        elif action == "disable":
            profiles.disable(args.iccid)
        elif action == "delete":
            profiles.delete(args.iccid)
        else:
            profiles.set_nickname(args.iccid, args.name)
        data = {"ok": True, "action": action, "iccid": args.iccid}
        return emit(args, data, [f"{action}: {args.iccid} ok"])

    return run


def cmd_euicc_notifications(args: argparse.Namespace) -> int:
    lpa = _lpa(home_from_args(args), args)
    if not args.send:
        pending = lpa.profiles.list_notifications()
        lines = [
            f"{item.seq_number:>5}  {item.event:<8}{item.iccid or '':<21}{item.address}"
            for item in pending
        ]
        return emit(
            args, [item.to_json() for item in pending], lines or ["no pending notifications"]
        )
    outcomes = asyncio.run(lpa.send_notifications())
    lines = []
    for outcome in outcomes:
        state = "sent, removed" if outcome.removed else "sent" if outcome.sent else "failed"
        detail = f": {outcome.error}" if outcome.error else ""
        lines.append(
            f"{outcome.seq_number:>5}  {outcome.event:<8}{outcome.address}  {state}{detail}"
        )
    emit(args, [outcome.to_json() for outcome in outcomes], lines)
    return EXIT_OK if all(outcome.sent for outcome in outcomes) else EXIT_FAILED
