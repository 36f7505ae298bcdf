"""Issue 12 benchmark: our SM-DP+ and osmo-smdpp serving the same TS.48 profile to our LPA.

Both servers run as their own processes on this machine, one run each, same LPA and eUICC:
downloads per second (wall clock, LPA side) and server CPU per download (user + system time of
the server process, from /proc). Prints figures and the ratio; asserts nothing.

osmo-smdpp is not part of this repository: start it yourself with a set exported from the data
directory used here (docs/interop.md §4), then run

    python tests/bench/bench_interop_smdp.py --data-dir DIR \
        --profile TS48V2-SAIP2-1-BERTLV-UNIQUE.der --osmo-pid PID --osmo-port 8443 [--downloads 10]

Without ``--osmo-pid`` only our SM-DP+ is measured; without ``--data-dir`` and ``--profile``
(``make bench``) on a new data directory with that TS.48 package of the interop material.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests" / "interop"))

from interop_material import INTEROP  # noqa: E402

from esim.cli_home import Home, home_in  # noqa: E402
from esim.euicc import Euicc  # noqa: E402
from esim.lpa import Lpa  # noqa: E402

OSMO_HOST = "testsmdpplus1.example.com"
DEFAULT_PROFILE = "TS48V2-SAIP2-1-BERTLV-UNIQUE.der"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    home: Home, host: str, port: int, pid: int, codes: Callable[[], str], runs: int, iccid: str
) -> tuple[float, float]:
    """(downloads per second, server CPU seconds per download) over ``runs`` downloads."""
    card = Euicc.open(home.euicc_dir, home.euicc_config())
    lpa = Lpa(
        card,
        trust_anchors=home.trust_anchors(),
        resolver={host: ("127.0.0.1", port)},
        send_notifications=True,
    )
    wall = cpu = 0.0
    try:
        for run in range(runs + 1):  # the first is a warm-up: imports, first TLS context, ...
            if any(p.iccid == iccid for p in lpa.profiles.list_profiles()):
                lpa.profiles.delete(iccid)  # and tell the SM-DP+, so the order is final
                asyncio.run(lpa.send_notifications())
            code = codes()  # outside the timed part: an order, or osmo-smdpp's fixed code
            before_cpu, before = cpu_seconds(pid), time.perf_counter()
            asyncio.run(lpa.download(code))
            if run:
                wall += time.perf_counter() - before
                cpu += cpu_seconds(pid) - before_cpu
    finally:
        card.close()
    return runs / wall, cpu / runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary directory")
    parser.add_argument("--profile", type=Path, help=f"default: {DEFAULT_PROFILE} of the material")
    parser.add_argument("--downloads", type=int, default=10)
    parser.add_argument("--osmo-pid", type=int)
    parser.add_argument("--osmo-port", type=int, default=8443)
    args = parser.parse_args()
    if args.profile is None:
        if INTEROP is None or not (INTEROP / "ts48" / DEFAULT_PROFILE).is_file():
            print("no TS.48 package: pass --profile UPP.der (or set MOBILEPLANS_INTEROP_DIR)")
            return
        args.profile = INTEROP / "ts48" / DEFAULT_PROFILE
    if args.data_dir is None:
        with tempfile.TemporaryDirectory() as scratch:
            args.data_dir = Path(scratch)
            run(args)
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    # the `esim` command's own home in that data directory (`esim-cli/` once it has one), so the
    # server, the orders and this LPA share one PKI
    home = Home(home_in(args.data_dir))
    home.server_certificates()  # generate the PKI here, before the server process reads it
    from esim.smdp.profile_package import read_profile_package

    iccid = read_profile_package(args.profile.read_bytes()).iccid.digits
    esim = [sys.executable, "-m", "esim.cli", "--data-dir", str(args.data_dir)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([*esim, "smdp", "serve"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        port = int(line.split("https://127.0.0.1:")[1].split(" ")[0])

        def order() -> str:
            # one live order per ICCID: each is created after the previous one was installed
            return subprocess.run(
                [*esim, "smdp", "order", "--profile", str(args.profile)],
                check=True, capture_output=True, text=True, env=env,
            ).stdout.strip()  # fmt: skip

        ours = measure(home, home.smdp_address(), port, server.pid, order, args.downloads, iccid)
    finally:
        server.terminate()
        server.wait()
    print(f"profile {args.profile.name}, {args.downloads} downloads each, one run")
    print(f"ours        {ours[0]:6.2f} downloads/s   {1000 * ours[1]:7.1f} ms server CPU/download")
    if args.osmo_pid is None:
        return
    code = f"1${OSMO_HOST}${args.profile.stem}"
    osmo = measure(
        home, OSMO_HOST, args.osmo_port, args.osmo_pid, lambda: code, args.downloads, iccid
    )
    print(f"osmo-smdpp  {osmo[0]:6.2f} downloads/s   {1000 * osmo[1]:7.1f} ms server CPU/download")
    print(f"ratio (osmo-smdpp / ours): throughput {osmo[0] / ours[0]:.2f}x, "
          f"server CPU {osmo[1] / ours[1]:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
