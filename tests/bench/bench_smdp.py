"""SM-DP+ throughput and server CPU per download, the server in its own process(es).

``esim smdp serve [--workers N]`` runs as a subprocess on a fresh data directory; this process
creates the orders in the shared store beforehand (untimed) and plays 1, 4 and 16 concurrent
LPAs: by default each in its own thread on blocking sockets (as independent devices, or lpac's
blocking HTTP client, send their requests), with ``--client loop`` all on one event loop on the
LPA's own TLS transport (their requests then reach the server in bunches, which it serves with
fewer wake-ups: less server CPU per download at 4 and 16 LPAs, more client CPU at one). Each
download is what an LPA does: one new TLS connection (the server's chain verified against the
CI), then initiateAuthentication, authenticateClient, getBoundProfilePackage and
handleNotification (the install result) over it.
(``--keep-alive``: one connection per LPA for all its downloads; ``--resume``: a new connection
per download that resumes the previous TLS session, as our LPA does.) The card is the tests'
fake eUICC: it verifies serverSignature1 and smdpSignature2 with the SM-DP+'s certificates,
signs euiccSignature1, euiccSignature2 and the installation result with the data directory's
eUICC key, and makes a new one-time key each download; its DER goes through the project's
direct writers and readers. What it skips that a real LPA and eUICC do: it does not check
that CERT.DPauth and CERT.DPpb chain to the CI (it uses their keys; the LPA's TLS does verify
CERT.DPtls), and, so that the one client process is not the bottleneck, it decrypts and checks
only the first BPP fully (signature, key agreement, every segment's MAC and decryption, the
ICCID) and of every later one only reads the ICCID from the metadata. Server CPU is user +
system time of the server process and its workers (from /proc), divided by the downloads.
Prints, never asserts.

Run: .venv/bin/python tests/bench/bench_smdp.py [--workers 1 2 4] [--profile UPP.der]
     [--downloads 128] [--concurrency 1 4 16] [--keep-alive | --resume] [--split]
     [--server-profile FILE] [--server-tree DIR] [--client threads|loop]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "esim"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import smdp_fake_euicc  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from smdp_bench_clients import BlockingEs9Client, LoopEs9Client  # noqa: E402
from smdp_es9_harness import run_download  # noqa: E402
from smdp_fake_euicc import FakeEuicc  # noqa: E402

from esim.asn1 import messages as m  # noqa: E402
from esim.asn1.device_der import decode as read_der  # noqa: E402
from esim.cli_home import Home  # noqa: E402
from esim.identifiers import Iccid  # noqa: E402
from esim.lpa.tls_sessions import ResumingClientContext  # noqa: E402
from esim.smdp import OrderStore, ProfileSpec, generate_iccid  # noqa: E402
from esim.smdp.profile_package import read_profile_package  # noqa: E402
from esim.smdp.workers import reuse_port_supported  # noqa: E402

SIZE_BYTES = 60 * 1024


def resuming_context() -> ResumingClientContext:
    """A client context of one LPA that offers its last session (esim.lpa.tls_sessions)."""
    context = ResumingClientContext(ssl.PROTOCOL_TLS_CLIENT)
    ci = smdp_fake_euicc.test_certificates().ci.certificate
    context.load_verify_locations(cadata=ci.public_bytes(Encoding.PEM).decode("ascii"))
    return context


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and every live descendant (the workers)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending.extend(int(child) for child in children)
    return total


def with_iccid(upp: bytes, iccid: str) -> bytes:
    """``upp`` with another ICCID in its ProfileHeader (one live order per ICCID)."""
    old = Iccid.parse(read_profile_package(upp).iccid.digits, check_luhn=False).to_bcd()
    header_end = upp.index(old) + len(old)
    return upp[: header_end - len(old)] + Iccid.parse(iccid).to_bcd() + upp[header_end:]


class QuickEuicc(FakeEuicc):
    """Checks nothing in the BPP after the first one: answers from the metadata's ICCID."""

    checked = False

    def load_bound_profile_package(self, bpp: bytes) -> bytes:
        if not QuickEuicc.checked:
            QuickEuicc.checked = True
            return super().load_bound_profile_package(bpp)
        metadata = read_der(m.STORE_METADATA_REQUEST, self.download.metadata)
        return self.installation_result(Iccid.from_sgp22_bytes(metadata["iccid"]), success=True)


PROFILED_SERVER = """
import cProfile, sys, time
from esim.cli import main
profile = cProfile.Profile(time.process_time)
profile.enable()
try:
    main(sys.argv[2:])
finally:
    profile.disable()
    profile.dump_stats(sys.argv[1])
"""


SPLIT_SERVER = """
import atexit, collections, json, sys, time
import esim.smdp.es9plus as es9plus
import esim.smdp.http_json as http_json
cpu, calls = collections.Counter(), collections.Counter()
plain = http_json.json_route
def json_route(handler):
    async def timed(body, request):
        start = time.thread_time()
        try:
            return await handler(body, request)
        finally:
            cpu[handler.__name__] += time.thread_time() - start
            calls[handler.__name__] += 1
    return plain(timed)
es9plus.json_route = json_route
def dump():
    with open(sys.argv[1], "w") as stream:
        json.dump({"cpu": cpu, "calls": calls, "total": time.process_time()}, stream)
atexit.register(dump)
from esim.cli import main
main(sys.argv[2:])
"""


def start_server(
    data_dir: Path,
    workers: int,
    profile: Path | None = None,
    split: Path | None = None,
    tree: Path = ROOT,
) -> tuple[subprocess.Popen[str], int]:
    arguments = ["smdp", "serve", "--data-dir", str(data_dir)]
    if workers > 1:
        arguments += ["--workers", str(workers)]
    command = [sys.executable, "-m", "esim.cli", *arguments]
    if profile is not None:  # CPU profile of the (single) server process, written when it ends
        command = [sys.executable, "-c", PROFILED_SERVER, str(profile), *arguments]
    if split is not None:  # CPU per ES9+ function (thread time inside each handler)
        command = [sys.executable, "-c", SPLIT_SERVER, str(split), *arguments]
    env = dict(os.environ, PYTHONPATH=str(tree))
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert server.stdout is not None
    line = server.stdout.readline()
    return server, int(line.split("https://127.0.0.1:")[1].split(" ")[0])


Client = type[BlockingEs9Client] | type[LoopEs9Client]


def measure(
    port: int,
    pid: int,
    orders: list[str],
    concurrency: int,
    keep_alive: bool = False,
    resume: bool = False,
    threads: bool = True,
) -> tuple[int, float, float, float]:
    """(completed, seconds, server CPU seconds, client CPU seconds) of ``orders``: each LPA in
    its own thread on blocking sockets (``threads``), or all on one event loop."""
    cards = [QuickEuicc() for _ in range(concurrency)]
    contexts = [resuming_context() if resume else None for _ in range(concurrency)]
    client: Client = BlockingEs9Client if threads else LoopEs9Client

    async def lpa(index: int) -> int:
        done = 0
        shared = await client(port).__aenter__() if keep_alive else None
        for matching_id in orders[index::concurrency]:
            if shared is not None:  # one connection for all of this LPA's downloads
                outcome = await run_download(shared, cards[index], matching_id)  # type: ignore[arg-type]
            else:
                async with client(port, contexts[index]) as connection:  # one per download
                    outcome = await run_download(connection, cards[index], matching_id)  # type: ignore[arg-type]
            done += outcome.ok
        if shared is not None:
            await shared.__aexit__(None, None, None)
        return done

    async def all_on_one_loop() -> int:
        return sum(await asyncio.gather(*(lpa(index) for index in range(concurrency))))

    server_before, client_before = cpu_seconds(pid), time.process_time()
    start = time.perf_counter()
    if threads:
        with ThreadPoolExecutor(concurrency) as lpas:
            completed = sum(lpas.map(lambda index: asyncio.run(lpa(index)), range(concurrency)))
    else:
        completed = asyncio.run(all_on_one_loop())
    elapsed = time.perf_counter() - start
    return (
        completed,
        elapsed,
        cpu_seconds(pid) - server_before,
        time.process_time() - client_before,
    )


def run(args: argparse.Namespace, workers: int, upp: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        home = Home(Path(scratch))
        home.server_certificates()  # generate the PKI here, before the server reads it
        smdp_fake_euicc.test_certificates = home.certificates  # type: ignore[assignment]
        smdp_fake_euicc._client_context.cache_clear()
        split = None if not args.split else home.root / "split.json"
        server, port = start_server(
            home.root, workers, args.server_profile, split, args.server_tree or ROOT
        )
        store = OrderStore.open(home.order_store_path, clock=time.time)
        try:

            def order() -> str:
                iccid = generate_iccid()
                spec = (
                    ProfileSpec(iccid, size_bytes=SIZE_BYTES)
                    if upp is None
                    else ProfileSpec.from_upp(with_iccid(upp, iccid))
                )
                return store.create_order(spec).matching_id

            warm = [order() for _ in range(2 * workers)]  # imports, codec, first BPP checked
            measure(port, server.pid, warm, 1, threads=args.client == "threads")
            for concurrency in args.concurrency:
                total = max(concurrency, args.downloads // concurrency * concurrency)
                orders = [order() for _ in range(total)]
                done, seconds, server_cpu, client_cpu = measure(
                    port,
                    server.pid,
                    orders,
                    concurrency,
                    args.keep_alive,
                    args.resume,
                    args.client == "threads",
                )
                print(
                    f"workers {workers}, {concurrency:>2} concurrent LPAs: {done}/{len(orders)} "
                    f"downloads in {seconds:5.2f} s = {done / seconds:6.1f}/s; server CPU "
                    f"{server_cpu / done * 1e3:5.2f} ms/download, client CPU "
                    f"{client_cpu / done * 1e3:5.2f} ms/download",
                    flush=True,
                )
        finally:
            store.close()
            server.terminate()
            server.wait()
        if split is not None:
            report_split(json.loads(split.read_text()))


def report_split(figures: dict[str, Any]) -> None:
    """Server CPU per call of each ES9+ function (warm-up included) and what is left around."""
    downloads = figures["calls"].get("get_bound_profile_package", 0)
    handlers = sum(figures["cpu"].values())
    parts = ", ".join(
        f"{name} {figures['cpu'][name] / count * 1e3:.2f}"
        for name, count in figures["calls"].items()
    )
    print(f"  server CPU per call, ms: {parts}")
    print(
        f"  per download: inside the ES9+ functions {handlers / downloads * 1e3:.2f} ms; process "
        f"total incl. start-up {figures['total']:.2f} s over {downloads} downloads"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--downloads", type=int, default=128, help="per concurrency level")
    parser.add_argument(
        "--keep-alive", action="store_true", help="one TLS connection per LPA, not per download"
    )
    parser.add_argument(
        "--resume", action="store_true", help="each download resumes the last TLS session"
    )
    parser.add_argument("--profile", type=Path, help="a UPP (e.g. TS.48) instead of 60 KB")
    parser.add_argument("--server-profile", type=Path, help="write the server's cProfile here")
    parser.add_argument(
        "--split", action="store_true", help="print the server's CPU per ES9+ function"
    )
    parser.add_argument(
        "--client",
        choices=("threads", "loop"),
        default="threads",
        help="each LPA a thread on blocking sockets (default), or all LPAs on one event loop",
    )
    parser.add_argument(
        "--server-tree",
        type=Path,
        help="run the server from this checkout (A/B against another tree, same client)",
    )
    args = parser.parse_args()
    upp = None if args.profile is None else args.profile.read_bytes()
    what = f"{SIZE_BYTES // 1024} KB generated" if upp is None else args.profile.name
    print(f"profile: {what}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    for workers in args.workers:
        if workers > 1 and not reuse_port_supported():
            print(f"workers {workers}: not on this system (esim smdp serve --workers needs Linux)")
            continue
        run(args, workers, upp)


if __name__ == "__main__":
    main()
