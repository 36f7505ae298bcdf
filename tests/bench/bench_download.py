"""Full download (LPA ↔ emulated eUICC ↔ stub SM-DP+ over HTTPS on 127.0.0.1): latency, and CPU
per download split between the LPA + eUICC and the SM-DP+, against the crypto floor (the time of
just the ECDSA signatures, verifications and ECDH key agreements one download needs). Prints,
never asserts.

The SM-DP+ runs on its own event loop in a second thread and the LPA with its card in the main
thread, so each side's CPU is its thread's CPU clock. Two profiles: the 12 KB GSMA TS.48 test
profile (when the interop material is beside the repository) and the stub's 60 KB default.
The LPA resumes its TLS session from the second download on (esim.lpa.tls_sessions); OpenSSL's
own cost of a full and a resumed handshake is printed first, measured over memory.

Run: .venv/bin/python tests/bench/bench_download.py [DOWNLOADS] [--split]

``--split`` profiles the LPA thread (cProfile on the thread's CPU clock, 100 downloads of each
profile) and prints where its CPU goes, part by part, with the calls each part makes: the
profiler's cost is per call, so a part of many small Python calls is overstated against C work
(the unprofiled figure is printed beside).
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "esim"))

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from lpa_stack import EID, SMDP_ADDRESS, Clock, certificates, make_lpa

from esim.euicc import Euicc, EuiccConfig
from esim.lpa.tls_sessions import ResumingClientContext
from esim.smdp import OrderStore, ProfileSpec, SmdpConfig, SmdpServer
from esim.smdp.profile_package import generate_iccid, read_profile_package
from esim.smdp.server import server_ssl_context

_ARGUMENTS = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
DOWNLOADS = int(_ARGUMENTS[0]) if _ARGUMENTS else 40
SPLIT = "--split" in sys.argv[1:]
SPLIT_DOWNLOADS = 100
WARM_UP = 2  # the first downloads pay imports, codec compilation and cache fills
SIZE_BYTES = 60 * 1024  # the stub SM-DP+'s default profile size
TS48_NAME = "TS48V2-SAIP2-1-BERTLV-UNIQUE.der"
FLOOR_ROUNDS = 200

# What one download signs, verifies and agrees (SGP.22 §3.1.3):
#   signatures: serverSignature1, euiccSignature1, smdpSignature2, euiccSignature2, smdpSign,
#               euiccSignPIR
#   verifications: eUICC: CERT.DPauth, serverSignature1, CERT.DPpb, smdpSignature2, smdpSign;
#                  SM-DP+: CERT.EUM, CERT.EUICC, euiccSignature1, euiccSignature2, euiccSignPIR
#   key agreements: two one-time key pairs (eUICC, SM-DP+) and two ECDH computations
# plus one full TLS handshake (ECDHE: 2 key pairs + 2 agreements; 1 server signature; the
# client verifies CERT.DPtls and the server's signature).
APP_SIGN, APP_VERIFY, APP_KEYGEN, APP_ECDH = 6, 10, 2, 2
TLS_SIGN, TLS_VERIFY, TLS_KEYGEN, TLS_ECDH = 1, 2, 2, 2
# The device side's part of it: the eUICC signs 3 (euiccSignature1/2, euiccSignPIR), verifies
# 5, makes 1 key pair and 1 ECDH; the LPA's TLS client verifies 2, makes 1 key pair and 1 ECDH.
DEVICE_SIGN, DEVICE_VERIFY, DEVICE_KEYGEN, DEVICE_ECDH = 3, 7, 2, 2


def _per_op(operation: Callable[[], object]) -> float:
    operation()
    start = time.thread_time()  # CPU, like the download figures: steadier on a busy machine
    for _ in range(FLOOR_ROUNDS):
        operation()
    return (time.thread_time() - start) / FLOOR_ROUNDS


@dataclass(frozen=True)
class Floor:
    application: float
    with_tls: float
    device: float


def crypto_floor() -> Floor:
    pki = certificates()
    assert pki.euicc is not None
    assert pki.euicc.private_key is not None
    assert pki.eum is not None
    key = pki.euicc.private_key
    data = b"\x30\x81\x90" + bytes(145)
    signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()
    euicc_certificate: x509.Certificate = pki.euicc.certificate
    eum_public = pki.eum.certificate.public_key()
    assert isinstance(eum_public, ec.EllipticCurvePublicKey)
    curve = key.curve
    peer = ec.generate_private_key(curve).public_key()

    sign = _per_op(lambda: key.sign(data, ec.ECDSA(hashes.SHA256())))
    verify = _per_op(lambda: public.verify(signature, data, ec.ECDSA(hashes.SHA256())))
    verify_cert = _per_op(
        lambda: eum_public.verify(
            euicc_certificate.signature,
            euicc_certificate.tbs_certificate_bytes,
            ec.ECDSA(hashes.SHA256()),
        )
    )
    keygen = _per_op(lambda: ec.generate_private_key(curve))
    ecdh = _per_op(lambda: key.exchange(ec.ECDH(), peer))
    print(
        f"per operation: sign {sign * 1e6:.0f} µs, verify {verify * 1e6:.0f} µs, "
        f"certificate verify {verify_cert * 1e6:.0f} µs, keygen {keygen * 1e6:.0f} µs, "
        f"ECDH {ecdh * 1e6:.0f} µs"
    )
    application = APP_SIGN * sign + APP_VERIFY * verify + APP_KEYGEN * keygen + APP_ECDH * ecdh
    tls = TLS_SIGN * sign + TLS_VERIFY * verify + TLS_KEYGEN * keygen + TLS_ECDH * ecdh
    device = (
        DEVICE_SIGN * sign + DEVICE_VERIFY * verify + DEVICE_KEYGEN * keygen + DEVICE_ECDH * ecdh
    )
    return Floor(application, application + tls, device)


class TimedCard:
    """The card behind a CPU stopwatch: the eUICC's share of the LPA thread's CPU."""

    def __init__(self, card: Euicc) -> None:
        self._card = card
        self.cpu = 0.0
        self.apdus = 0

    def transmit(self, apdu: bytes) -> bytes:
        start = time.thread_time()
        try:
            return self._card.transmit(apdu)
        finally:
            self.cpu += time.thread_time() - start
            self.apdus += 1


class TimedChainCard(TimedCard):
    """A :class:`TimedCard` for cards that also take a chain of APDUs in one call."""

    def transmit_chain(self, apdus: Sequence[bytes]) -> list[bytes]:
        start = time.thread_time()
        try:
            answers = self._card.transmit_chain(apdus)
        finally:
            self.cpu += time.thread_time() - start
        self.apdus += len(answers)
        return answers


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    device_cpu: list[float] = field(default_factory=list)
    euicc_cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    apdus: list[int] = field(default_factory=list)


@contextmanager
def server_thread(directory: Path) -> Iterator[tuple[OrderStore, int, int]]:
    """(order store, port, CPU clock id of the server's thread) of a running SM-DP+."""
    clock = Clock()
    store = OrderStore.open(directory / "smdp" / "orders.sqlite", clock=clock)
    server = SmdpServer(SmdpConfig(SMDP_ADDRESS, certificates(), directory, clock), store)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="smdp", daemon=True)
    thread.start()
    assert thread.ident is not None
    try:
        port = asyncio.run_coroutine_threadsafe(server.start("127.0.0.1", 0), loop).result()
        yield store, port, time.pthread_getcpuclockid(thread.ident)
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        store.close()


def measure(
    directory: Path,
    make_spec: Callable[[], ProfileSpec],
    profiler: cProfile.Profile | None = None,
    count: int = DOWNLOADS,
) -> Runs:
    runs = Runs()
    with server_thread(directory) as (store, port, server_clock):
        card = Euicc.open(directory / "card", EuiccConfig(eid=EID, certificates=certificates()))
        timed = TimedChainCard(card) if hasattr(card, "transmit_chain") else TimedCard(card)
        lpa = make_lpa(timed, port)  # type: ignore[arg-type]

        async def downloads() -> None:
            for number in range(count + WARM_UP):
                order = store.create_order(make_spec())
                timed.cpu, timed.apdus = 0.0, 0
                profiling = profiler is not None and number >= WARM_UP
                server_before = time.clock_gettime(server_clock)
                start, cpu_start = time.perf_counter(), time.thread_time()
                if profiling:
                    profiler.enable()
                result = await lpa.download(order.activation_code)
                if profiling:
                    profiler.disable()
                cpu, wall = time.thread_time() - cpu_start, time.perf_counter() - start
                server = time.clock_gettime(server_clock) - server_before
                if number >= WARM_UP:
                    runs.wall.append(wall)
                    runs.device_cpu.append(cpu)
                    runs.euicc_cpu.append(timed.cpu)
                    runs.server_cpu.append(server)
                    runs.apdus.append(timed.apdus)
                # untimed: free the card's memory and the ICCID for the next order
                lpa.profiles.delete(result.iccid)
                await lpa.send_notifications()

        try:
            asyncio.run(downloads())
        finally:
            card.close()
    return runs


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.2f}"


def report(name: str, runs: Runs, floor: Floor) -> None:
    wall = sorted(runs.wall)
    p99 = wall[min(len(wall) - 1, round(0.99 * (len(wall) - 1)))]
    lpa_only = [
        device - euicc for device, euicc in zip(runs.device_cpu, runs.euicc_cpu, strict=True)
    ]
    print(
        f"{name}, {len(wall)} downloads (install notification delivered): wall p50 {ms(wall)} ms, "
        f"p99 {p99 * 1e3:.1f} ms"
    )
    print(
        f"  CPU per download (medians): LPA + eUICC {ms(runs.device_cpu)} ms "
        f"(eUICC {ms(runs.euicc_cpu)} ms, LPA incl. HTTPS client {ms(lpa_only)} ms, "
        f"{statistics.median(runs.apdus):.0f} APDUs), SM-DP+ {ms(runs.server_cpu)} ms"
    )
    print(
        f"  LPA + eUICC / its crypto floor ({floor.device * 1e3:.2f} ms): "
        f"{statistics.median(runs.device_cpu) / floor.device:.1f}x"
    )


def ts48_package() -> bytes | None:
    for folder in Path(__file__).resolve().parents:
        package = folder / "shared" / "interop" / "ts48" / TS48_NAME
        if package.is_file():
            return package.read_bytes()
    return None


def _handshake(
    client: ssl.SSLContext, server: ssl.SSLContext, session: ssl.SSLSession | None
) -> tuple[float, float, ssl.SSLSession | None, str | None]:
    """One TLS handshake over memory (no sockets, no asyncio): (client CPU, server CPU, the
    client's session once the first byte after the handshake carried the ticket, its version)."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    server_out, client_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    # Setting up counts: Python copies an offered session (through DER, certificates and all).
    start = time.thread_time()
    client_side = client.wrap_bio(
        to_client, client_out, server_hostname=SMDP_ADDRESS, session=session
    )
    middle = time.thread_time()
    server_side = server.wrap_bio(to_server, server_out, server_side=True)
    cpu = [middle - start, time.thread_time() - middle]
    done = [False, False]
    while not all(done):
        for index, (side, outbox, peer_inbox) in enumerate(
            (
                (client_side, client_out, to_server),
                (server_side, server_out, to_client),
            )
        ):
            start = time.thread_time()
            try:
                side.do_handshake()
                done[index] = True
            except ssl.SSLWantReadError:
                pass
            cpu[index] += time.thread_time() - start
            peer_inbox.write(outbox.read())
    server_side.write(b"x")
    to_client.write(server_out.read())
    start = time.thread_time()
    client_side.read(1)
    cpu[0] += time.thread_time() - start
    return cpu[0], cpu[1], client_side.session, client_side.version()


def tls_handshakes() -> None:
    """OpenSSL's share of the LPA's TLS: a full handshake and one resuming the last session."""
    pki = certificates()
    with tempfile.TemporaryDirectory() as scratch:
        server = server_ssl_context(pki, Path(scratch))
    client = ResumingClientContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(
        cadata=pki.ci.certificate.public_bytes(Encoding.PEM).decode("ascii")
    )
    figures = []
    for resume in (False, True):
        session = _handshake(client, server, None)[2] if resume else None
        runs = [_handshake(client, server, session)[:2] for _ in range(FLOOR_ROUNDS)]
        client_cpu = statistics.median(run[0] for run in runs)
        server_cpu = statistics.median(run[1] for run in runs)
        figures.append(f"client {client_cpu * 1e3:.2f} ms, server {server_cpu * 1e3:.2f} ms")
    version = _handshake(client, server, None)[3]
    print(f"{version} handshake in memory: full {figures[0]}; resumed {figures[1]}")


# Where each function's own time goes, first match wins: (part, what its file or name holds).
_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting for the SM-DP+ (epoll, not CPU)", ("select.epoll", "selectors.py")),
    ("TLS in OpenSSL (handshake, records)", ("_ssl.",)),
    ("socket system calls", ("_socket.", "socket.py")),
    ("event loop and socket waits (asyncio, tls_socket)", ("asyncio/", "esim/lpa/tls_socket.py")),
    ("HTTP/1.1 (our client and answer reader)", ("/h11/", "esim/lpa/http11", "http_response")),
    ("ES9+ client (JSON, base64)", ("esim/lpa/es9_client.py", "json/", "base64", "binascii")),
    ("DER: asn1tools", ("asn1tools/",)),
    (
        "DER: our readers, writers and pre-check",
        ("esim/asn1/", "esim/lpa/bpp_split.py", "esim/euicc/result_der.py"),
    ),
    (
        "eUICC state (SQLite, files)",
        ("sqlite3", "esim/euicc/store.py", "esim/sqlite_transaction.py"),
    ),
    (
        "APDU framing (both sides)",
        ("esim/euicc/apdu.py", "esim/euicc/channels.py", "esim/lpa/apdu_channel.py"),
    ),
    ("crypto in OpenSSL (ECDSA, ECDH, AES, CMAC)", ("cryptography", "_hashlib", "_rust")),
    ("crypto glue (esim/crypto, esim/pki)", ("esim/crypto/", "esim/pki/")),
    ("eUICC logic (esim/euicc)", ("esim/euicc/",)),
    ("LPA logic (esim/lpa)", ("esim/lpa/",)),
)


def _part(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for part, needles in _PARTS:
        if any(needle in where for needle in needles):
            return part
    return "other (builtins, activation code, identifiers, ...)"


def split(name: str, make_spec: Callable[[], ProfileSpec]) -> None:
    """Print the LPA thread's profiled CPU per download, part by part."""
    # The thread's CPU clock, not wall time: the SM-DP+ shares the GIL, and a call that releases
    # it (a socket send) would otherwise count the server's turn as the LPA's time.
    profiler = cProfile.Profile(time.thread_time)
    with tempfile.TemporaryDirectory() as scratch:
        unprofiled = measure(Path(scratch), make_spec, count=SPLIT_DOWNLOADS // 2)
    with tempfile.TemporaryDirectory() as scratch:
        measure(Path(scratch), make_spec, profiler, count=SPLIT_DOWNLOADS)
    own_time: dict[str, float] = {}
    calls: dict[str, int] = {}

    def count(part: str, seconds: float, number: int) -> None:
        own_time[part] = own_time.get(part, 0.0) + seconds / SPLIT_DOWNLOADS
        calls[part] = calls.get(part, 0) + number

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_calls, primitive, own, _total, callers) in stats.items():
        part = _part(filename, function)
        if part.startswith("other") and filename == "~" and callers:
            # a builtin (len, isinstance, bytes.hex, ...) counts for the part that called it
            for (caller_file, _, caller_function), figures in callers.items():
                count(_part(caller_file, caller_function), figures[2], figures[1])
            continue
        count(part, own, primitive)
    waiting = own_time.pop(_PARTS[0][0], 0.0)
    calls.pop(_PARTS[0][0], None)
    profiled = sum(own_time.values())
    print(
        f"{name}: LPA + eUICC CPU {ms(unprofiled.device_cpu)} ms per download unprofiled, "
        f"{profiled * 1e3:.2f} ms under cProfile ({SPLIT_DOWNLOADS} downloads, "
        f"{sum(calls.values()) / SPLIT_DOWNLOADS:.0f} calls each); waited {waiting * 1e3:.2f} ms"
    )
    print("  share | profiled ms | calls | part")
    for part, seconds in sorted(own_time.items(), key=lambda item: -item[1]):
        print(
            f"  {seconds / profiled:5.1%} | {seconds * 1e3:6.2f} | "
            f"{calls[part] / SPLIT_DOWNLOADS:5.0f} | {part}"
        )


def main() -> None:
    if SPLIT:
        upp = ts48_package()
        if upp is not None:
            iccid = read_profile_package(upp).iccid.digits
            split("TS.48 profile", lambda: ProfileSpec(iccid=iccid, upp=upp))
        split(
            f"generated profile ({SIZE_BYTES // 1024} KiB)",
            lambda: ProfileSpec(iccid=generate_iccid(), size_bytes=SIZE_BYTES),
        )
        return
    tls_handshakes()
    floor = crypto_floor()
    print(
        f"crypto floor: {floor.application * 1e3:.2f} ms application-level "
        f"({APP_SIGN} signatures, {APP_VERIFY} verifications, {APP_KEYGEN} key pairs, "
        f"{APP_ECDH} ECDH), {floor.with_tls * 1e3:.2f} ms with one TLS handshake; "
        f"device side (eUICC + LPA's TLS client) {floor.device * 1e3:.2f} ms"
    )
    upp = ts48_package()
    if upp is None:
        print(f"{TS48_NAME}: not found beside the repository (interop material); skipped")
    else:
        iccid = read_profile_package(upp).iccid.digits
        with tempfile.TemporaryDirectory() as scratch:
            runs = measure(Path(scratch), lambda: ProfileSpec(iccid=iccid, upp=upp))
        report(f"TS.48 profile ({len(upp) / 1024:.0f} KiB)", runs, floor)
    with tempfile.TemporaryDirectory() as scratch:
        runs = measure(
            Path(scratch), lambda: ProfileSpec(iccid=generate_iccid(), size_bytes=SIZE_BYTES)
        )
    report(f"generated profile ({SIZE_BYTES // 1024} KiB)", runs, floor)


if __name__ == "__main__":
    main()
