"""Full-download latency (LPA ↔ emulated eUICC ↔ stub SM-DP+ over HTTPS on 127.0.0.1) against
the crypto floor: the time of just the ECDSA signatures, verifications and ECDH key agreements
one download needs. Prints, never asserts.

Run: .venv/bin/python tests/bench/bench_download.py [DOWNLOADS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "esim"))

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from lpa_stack import certificates, running_stack

DOWNLOADS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
SIZE_BYTES = 60 * 1024  # the stub SM-DP+'s default profile size
FLOOR_ROUNDS = 200

# What one download signs, verifies and agrees (SGP.22 §3.1.3):
#   signatures: serverSignature1, euiccSignature1, smdpSignature2, euiccSignature2, smdpSign,
#               euiccSignPIR
#   verifications: eUICC: CERT.DPauth, serverSignature1, CERT.DPpb, smdpSignature2, smdpSign;
#                  SM-DP+: CERT.EUM, CERT.EUICC, euiccSignature1, euiccSignature2, euiccSignPIR
#   key agreements: two one-time key pairs (eUICC, SM-DP+) and two ECDH computations
# plus one TLS 1.3 handshake (ECDHE: 2 key pairs + 2 agreements; 1 server signature; the
# client verifies CERT.DPtls and the CertificateVerify signature).
APP_SIGN, APP_VERIFY, APP_KEYGEN, APP_ECDH = 6, 10, 2, 2
TLS_SIGN, TLS_VERIFY, TLS_KEYGEN, TLS_ECDH = 1, 2, 2, 2


def _per_op(operation: Callable[[], object]) -> float:
    operation()
    start = time.perf_counter()
    for _ in range(FLOOR_ROUNDS):
        operation()
    return (time.perf_counter() - start) / FLOOR_ROUNDS


def crypto_floor() -> tuple[float, float]:
    """(application-level floor, floor including one TLS handshake) in seconds."""
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
    return application, application + tls


async def download_latencies(directory: Path) -> list[float]:
    latencies: list[float] = []
    async with running_stack(directory) as stack:
        for _ in range(DOWNLOADS + 1):
            order = stack.order(size_bytes=SIZE_BYTES)
            start = time.perf_counter()
            result = await stack.lpa.download(order.activation_code)
            latencies.append(time.perf_counter() - start)
            stack.lpa.profiles.delete(result.iccid)  # untimed: keep the card's memory free
            await stack.lpa.send_notifications()
    return latencies[1:]  # the first one pays imports and codec compilation


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        latencies = asyncio.run(download_latencies(Path(scratch)))
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    application, with_tls = crypto_floor()
    print(
        f"full download ({SIZE_BYTES // 1024} KiB profile, install notification delivered), "
        f"{len(latencies)} runs: p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, "
        f"min {latencies[0] * 1e3:.1f} ms"
    )
    print(
        f"crypto floor: {application * 1e3:.2f} ms application-level "
        f"({APP_SIGN} signatures, {APP_VERIFY} verifications, {APP_KEYGEN} key pairs, "
        f"{APP_ECDH} ECDH), {with_tls * 1e3:.2f} ms with one TLS handshake"
    )
    print(
        f"ratio p50 / floor: {p50 / application:.1f}x (application-level), "
        f"{p50 / with_tls:.1f}x (with TLS)"
    )


if __name__ == "__main__":
    main()
