"""The certificate sets of a data directory, a user's own set, and ``esim pki import|export|show``.

A data directory always has the simulator's generated set (``pki/``: CI with its key, EUM,
eUICC, DPauth, DPpb, DPtls). A user may bring another set, for either side:

* ``--pki DIR``: read in place, never written;
* ``esim pki import DIR``: copied once into ``pki-import/`` (atomically, under the PKI lock) and
  never rewritten; a second import is refused until that folder is removed;
* a set placed by hand in ``pki/`` (no ``GENERATED.json``): loaded as it is; the generated set
  then lives beside it.

The brought set serves each side it has the private keys for: with an EUM and an eUICC key it is
the card's chain; with DPauth and DPpb keys it is the SM-DP+'s (its DPtls too when it has that
key, and the SM-DP+ then answers at the DPtls host name). Every side it lacks comes from the
generated set, so the GSMA SGP.26 set (no CI key, no EUM/eUICC) gives an SM-DP+ with the SGP.26
keys and an eUICC with its own EUM/eUICC chain that trusts the SGP.26 CI for the server side.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from esim.crypto.ecka import Curve
from esim.pki import DEFAULT_SMDP_OID, CertificateSet, Credential
from esim.pki.certificate_set import issue_dp_tls, load_certificate_set
from esim.pki.store import (
    MANIFEST,
    DamagedSetError,
    consistency_problems,
    exclusive_lock,
    generated_set,
    is_complete,
    load_checked,
    read_manifest,
)

IMPORTED = "pki-import"
OSMO_SMDPP_HOST = "testsmdpplus1.example.com"
"""The host name osmo-smdpp serves under (its HOSTNAME constant); its DPtls must name it."""
_SET_FILES = (".der", ".pem")


def _has_key(credential: Credential | None) -> bool:
    return credential is not None and credential.private_key is not None


def _placed_by_user(directory: Path, curve: Curve) -> bool:
    """A non-empty ``pki/`` without our manifest that is not a complete legacy generated set."""
    if not directory.is_dir() or not any(directory.iterdir()):
        return False
    if read_manifest(directory) is not None:
        return False
    try:
        return not is_complete(load_certificate_set(directory, curve))
    except DamagedSetError:
        return True
    except Exception:  # unreadable files: load_checked reports them when the set is used
        return True


@dataclass(frozen=True)
class DataDirPki:
    """Which certificates each side of one data directory uses (see the module docstring)."""

    generated: CertificateSet
    brought: CertificateSet | None
    brought_from: Path | None
    settings_address: str

    @classmethod
    def resolve(
        cls,
        root: Path,
        eid: str,
        address: str,
        pki: Path | None,
        curve: Curve = Curve.NIST_P256,
    ) -> DataDirPki:
        source = pki
        if source is None and (root / IMPORTED).is_dir():
            source = root / IMPORTED
        if source is None and _placed_by_user(root / "pki", curve):
            source = root / "pki"
        if source is not None and not source.is_dir():
            raise DamagedSetError(source, ["it is not a directory"])
        brought = None if source is None else load_checked(source, curve)
        generated = generated_set(root / "pki", eid, [address], curve=curve)
        return cls(generated, brought, source, address)

    @property
    def card(self) -> CertificateSet:
        """The card's set: its CI, EUM and eUICC (with key)."""
        brought = self.brought
        if brought is not None and brought.eum is not None and _has_key(brought.euicc):
            return brought
        return self.generated

    @property
    def server(self) -> CertificateSet:
        """The SM-DP+'s set: DPauth and DPpb with keys, and a DPtls with key."""
        brought = self.brought
        if brought is None or not (_has_key(brought.dp_auth) and _has_key(brought.dp_pb)):
            return self.generated
        if _has_key(brought.dp_tls):
            return brought
        return dataclasses.replace(brought, dp_tls=self.generated.dp_tls)

    @property
    def smdp_address(self) -> str:
        """The SM-DP+ address: the brought DPtls host when the server side uses it."""
        server = self.server
        if server is self.brought and server.smdp_hosts:
            return server.smdp_hosts[0]
        return self.settings_address

    @property
    def trust_anchors(self) -> list[x509.Certificate]:
        """Every CI either side uses, once each (LPA TLS and ES9+ trust)."""
        anchors: list[x509.Certificate] = []
        for certificates in (self.card, self.server, self.brought):
            if certificates is not None and certificates.ci.certificate not in anchors:
                anchors.append(certificates.ci.certificate)
        return anchors

    @property
    def card_server_cis(self) -> tuple[x509.Certificate, ...]:
        """CIs the card trusts for SM-DP+ certificates besides its own."""
        own = self.card.ci.certificate
        return tuple(anchor for anchor in self.trust_anchors if anchor != own)

    @property
    def smdp_euicc_cis(self) -> tuple[x509.Certificate, ...]:
        """CIs the SM-DP+ accepts eUICC chains from besides its own."""
        own = self.server.ci.certificate
        return tuple(anchor for anchor in self.trust_anchors if anchor != own)

    def describe(self, now: datetime.datetime | None = None) -> list[str]:
        """Lines for ``esim pki show``: each side, where it comes from, and what has expired."""
        moment = now or datetime.datetime.now(datetime.UTC)
        lines = [f"brought set: {self.brought_from or '(none)'}"]
        lines.append(
            f"card (CI, EUM, eUICC): {'brought' if self.card is self.brought else 'generated'}"
        )
        server_origin = "brought" if self.server is not self.generated else "generated"
        lines.append(f"SM-DP+ (DPauth, DPpb, DPtls): {server_origin} at {self.smdp_address}")
        lines.append(f"trusted CIs: {', '.join(_ci_name(a) for a in self.trust_anchors)}")
        for name, credential in _named(self.server):
            expiry = credential.certificate.not_valid_after_utc
            if expiry < moment:
                lines.append(
                    f"EXPIRED: {name} {credential.certificate.subject.rfc4514_string()} on "
                    f"{expiry:%Y-%m-%d}: issue a fresh one from a CI whose key you hold, or "
                    "accept it for a test with --allow-expired-tls"
                )
        return lines


def _ci_name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


def _named(certificates: CertificateSet) -> list[tuple[str, Credential]]:
    pairs = [("DPauth", certificates.dp_auth), ("DPpb", certificates.dp_pb),
             ("DPtls", certificates.dp_tls)]  # fmt: skip
    return [(name, credential) for name, credential in pairs if credential is not None]


# -- import --------------------------------------------------------------------------------------


def import_set(root: Path, source: Path, curve: Curve = Curve.NIST_P256) -> CertificateSet:
    """Copy the set in ``source`` into ``<root>/pki-import`` once; never over an earlier import."""
    certificates = load_checked(source, curve)  # refuse a damaged set before copying anything
    target = root / IMPORTED
    root.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(root / ".pki.lock"):
        if target.exists():
            raise FileExistsError(
                f"{target} already holds an imported set; it is never overwritten: remove that "
                "folder first to import another"
            )
        temporary = Path(tempfile.mkdtemp(dir=root, prefix=f".{IMPORTED}.tmp-"))
        try:
            for path in sorted(source.rglob("*")):
                if path.is_file() and path.suffix in _SET_FILES and path.name != MANIFEST:
                    destination = temporary / path.relative_to(source)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, destination)
            os.rename(temporary, target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
    return certificates


# -- export --------------------------------------------------------------------------------------


def _pem(credential: Credential) -> bytes:
    return credential.certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(credential: Credential) -> bytes:
    assert credential.private_key is not None
    return credential.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _public_pem(credential: Credential) -> bytes:
    return credential.certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def export_set(
    pki: DataDirPki, layout: str, target: Path, *, tls_host: str | None = None
) -> list[Path]:
    """Write the data directory's set to ``target`` (which must not exist or be empty).

    ``ours``: the generated set as this simulator saves it (CI key included). ``osmo-smdpp``:
    what osmo-smdpp reads from ``smdpp-data/<certdir>``: CI certificates only in
    ``CertificateIssuer/`` (it loads every file there as a certificate), DPauth, DPpb and DPtls
    with keys, the DPtls for ``tls_host`` (default osmo-smdpp's own host name). The SM-DP+ side
    is the card's own CI, since osmo-smdpp signs with a CI that issued both sides.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} exists and is not empty; export never overwrites")
    if layout == "ours":
        target.mkdir(parents=True, exist_ok=True)
        pki.generated.save(target)
        return sorted(path for path in target.rglob("*") if path.is_file())
    if layout != "osmo-smdpp":
        raise ValueError(f"unknown layout {layout!r} (ours, osmo-smdpp)")
    source = pki.generated
    if source.ci.private_key is None:
        raise ValueError("a DPtls for osmo-smdpp's host needs the CI's private key")
    # TLS stays on NIST P-256 (issued by the set's CI) like generated sets: see TestPki.generate
    dp_tls = issue_dp_tls(
        source.ci, [tls_host or OSMO_SMDPP_HOST], source.smdp_oid or DEFAULT_SMDP_OID
    )
    suffix = "NIST" if source.curve is Curve.NIST_P256 else "BRP"
    files: dict[str, bytes] = {
        f"CertificateIssuer/CERT_CI_ECDSA_{suffix}.der": source.ci.der,
        f"DPtls/CERT_S_SM_DP_TLS_{suffix}.der": dp_tls.der,
        f"DPtls/CERT_S_SM_DP_TLS_{suffix}.pem": _pem(dp_tls),
        f"DPtls/SK_S_SM_DP_TLS_{suffix}.pem": _key_pem(dp_tls),
        f"DPtls/PK_S_SM_DP_TLS_{suffix}.pem": _public_pem(dp_tls),
    }
    for folder, stem, credential in (("DPauth", "S_SM_DPauth", source.dp_auth),
                                     ("DPpb", "S_SM_DPpb", source.dp_pb)):  # fmt: skip
        assert credential is not None
        files[f"{folder}/CERT_{stem}_ECDSA_{suffix}.der"] = credential.der
        files[f"{folder}/SK_{stem}_ECDSA_{suffix}.pem"] = _key_pem(credential)
        files[f"{folder}/PK_{stem}_ECDSA_{suffix}.pem"] = _public_pem(credential)
    problems = consistency_problems(dataclasses.replace(source, dp_tls=dp_tls))
    if problems:
        raise DamagedSetError(target, problems)
    written = []
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
