"""The stub SM-DP+ server: HTTPS with CERT.DPtls (SGP.22 §6.1) on :mod:`esim.smdp.http_server`.

``SmdpServer(config, store)`` serves ES9+ (:mod:`esim.smdp.es9plus`) and ES2+
(:mod:`esim.smdp.es2plus`) on one port. ``await start()`` returns the bound port; the TLS
context defaults to :func:`server_ssl_context` built from ``config.certificates.dp_tls``.
"""

from __future__ import annotations

import ssl
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from esim.pki import CertificateSet
from esim.smdp.es2_credentials import Es2Credential, load_or_create
from esim.smdp.es2plus import DEFAULT_OPERATOR_ID, Es2Plus
from esim.smdp.es9plus import Es9Plus
from esim.smdp.http_server import LeanHttpServer, Route
from esim.smdp.store import Listener, OrderStore

WORKER_HEADER = "X-Smdp-Worker"
SHUTDOWN_GRACE_SECONDS = 2.0
"""How long :meth:`SmdpServer.stop` lets in-flight requests finish before cancelling them."""
_SPEC_TLS = "SGP.22 §6.1 (TLS with CERT.DPtls)"
SGP22_CIPHER_SUITES = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256"
"""TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 (§2.6.6)."""


@dataclass(frozen=True, slots=True)
class SmdpConfig:
    """How one SM-DP+ runs.

    ``address`` is the SM-DP+ address as in activation codes (and the CERT.DPtls host name);
    ``clock`` is the injected clock every expiry and behaviour time is read from.
    """

    address: str
    certificates: CertificateSet
    data_dir: Path
    clock: Callable[[], float] = time.monotonic
    session_ttl_seconds: float = 300
    replace_session_keys: bool = True
    """Send ReplaceSessionKeys (A2) and protect the profile with fresh PPKs (§3.6)."""
    operator_ids: frozenset[str] = field(default_factory=lambda: frozenset({DEFAULT_OPERATOR_ID}))
    """ES2+ functionRequesterIdentifier values accepted from operators."""
    operator_secrets: Mapping[str, str] | None = None
    """ES2+ bearer secret per requester ID; None reads (or creates) ``es2-credentials.json``
    in ``data_dir`` (see :mod:`esim.smdp.es2_credentials`)."""
    operator_url: str | None = None
    """Where ES2+ handleDownloadProgressInfo is POSTed (base URL of the operator's ES2+)."""
    operator_ssl: ssl.SSLContext | bool = True
    """TLS verification for ``operator_url`` (a context, True for the system store, False)."""
    acknowledge_replayed_notifications: bool = False
    """Answer a replayed notification 204 and ignore it, as some SM-DP+s do, instead of
    refusing it; either way it changes nothing and is reported as ``notification-replay``."""
    euicc_cis: tuple[x509.Certificate, ...] = ()
    """More CIs whose EUM/eUICC chains are accepted (besides ``certificates.ci``): an SM-DP+
    running a brought set (e.g. SGP.26's DPauth/DPpb) still serves eUICCs of another CI."""
    shared_sessions: bool = False
    """Keep RSP sessions in SQLite beside the order store instead of this process's memory, so
    that several processes serving one port continue each other's sessions
    (:mod:`esim.smdp.shared_sessions`; ``esim smdp serve --workers N``)."""
    worker_label: str | None = None
    """When set (e.g. ``"2/4"``), every answer carries it as ``X-Smdp-Worker``: which of the
    processes sharing the port served it."""


def server_ssl_context(
    certificates: CertificateSet, directory: Path | None = None
) -> ssl.SSLContext:
    """A TLS 1.2 server context presenting CERT.DPtls with the SGP.22 cipher suites (§2.6.6)."""
    credential = certificates.dp_tls
    if credential is None or credential.private_key is None:
        raise ValueError(f"the certificate set has no DPtls credential with key ({_SPEC_TLS})")
    # It verifies no client, so the system CA store is not loaded.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or ..._AES_128_CBC_SHA256, what SGP.22
    # v2 asks of ES9+ and what SM-DP+s in the field speak. It is also what costs the server least:
    # a TLS 1.2 session resumed by ticket needs no key exchange or signature (~80 µs of CPU
    # against ~250 µs for a full handshake), where a TLS 1.3 resumption still does ECDHE and
    # issues a new ticket (~260 µs). Our LPA resumes its last session on its next download.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(SGP22_CIPHER_SUITES)
    context.options |= ssl.OP_NO_RENEGOTIATION  # nothing in ES9+ needs it; it only costs
    certificate_pem = credential.certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = credential.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # ssl only loads chains from files: write them to a private temporary directory.
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        cert_path, key_path = Path(scratch) / "dptls.pem", Path(scratch) / "dptls.key"
        cert_path.write_bytes(certificate_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        context.load_cert_chain(cert_path, key_path)
    return context


def client_ssl_context(certificates: CertificateSet) -> ssl.SSLContext:
    """A client context trusting only the set's CI (for LPAs and tests, §2.1)."""
    pem = certificates.ci.certificate.public_bytes(serialization.Encoding.PEM)
    context = ssl.create_default_context(cadata=pem.decode("ascii"))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class SmdpServer:
    """ES9+ and ES2+ on one HTTPS port."""

    def __init__(
        self, config: SmdpConfig, store: OrderStore, clock: Callable[[], float] | None = None
    ) -> None:
        self.config = config
        self.store = store
        store.clock = clock or config.clock
        store.set_smdp_address(config.address)
        self.es2_secrets: dict[str, str] = dict(
            config.operator_secrets
            if config.operator_secrets is not None
            else load_or_create(config.data_dir, config.operator_ids)
        )
        """The ES2+ secret of each accepted requester ID."""
        self.es2plus = Es2Plus(config, store, self.es2_secrets)
        self.es9plus = Es9Plus(config, store, self.es2plus.download_progress)
        self._http: LeanHttpServer | None = None
        self.port: int | None = None

    def es2_credential(self, requester_id: str = DEFAULT_OPERATOR_ID) -> Es2Credential:
        """What the operator ``requester_id`` must send on ES2+ (KeyError if not accepted)."""
        return Es2Credential(requester_id, self.es2_secrets[requester_id])

    def es2_authorization(self, requester_id: str = DEFAULT_OPERATOR_ID) -> dict[str, str]:
        """The ``Authorization`` header of ``requester_id``'s ES2+ requests."""
        return self.es2_credential(requester_id).headers()

    def add_listener(self, listener: Listener) -> None:
        """``listener("smdp.order", fields)`` for every order event (the app's event log)."""
        self.store.add_listener(listener)

    def set_operator_url(self, url: str | None) -> None:
        """Register (or clear) the operator's ES2+ base URL for handleDownloadProgressInfo."""
        self.es2plus.operator_url = url

    def routes(self) -> dict[str, Route]:
        """Every served path (ES9+ and ES2+) and its route."""
        routes: dict[str, Route] = {}
        self.es9plus.add_routes(routes)
        self.es2plus.add_routes(routes)
        return routes

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        *,
        reuse_port: bool = False,
    ) -> int:
        """Listen on ``host:port`` (0 = ephemeral) with TLS; return the bound port.

        ``reuse_port`` sets SO_REUSEPORT, so that several processes listen on one port and
        the kernel spreads the connections over them (:mod:`esim.smdp.workers`).
        """
        if self._http is not None:
            raise RuntimeError("the SM-DP+ is already running")
        context = ssl_context or server_ssl_context(self.config.certificates)
        label = self.config.worker_label
        http = LeanHttpServer(self.routes(), {WORKER_HEADER: label} if label is not None else None)
        self.port = await http.start(host, port, context, reuse_port=reuse_port)
        self._http = http
        return self.port

    async def stop(self) -> None:
        """Stop listening and wait for in-flight requests; outgoing ES2+ calls are awaited."""
        if self._http is not None:
            await self._http.stop(SHUTDOWN_GRACE_SECONDS)
            self._http = None
        await self.es2plus.close()
