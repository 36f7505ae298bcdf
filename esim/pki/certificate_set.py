"""A complete RSP certificate set: generation, save/load in the SGP.26 layout, caching.

Directory layout (the one pySim's ``smdpp-data/certs`` and SGP.26 use, so the GSMA test
certificates drop in unchanged; ``<C>`` is ``NIST`` or ``BRP``)::

    CertificateIssuer/CERT_CI_ECDSA_<C>.der     SK_CI_ECDSA_<C>.pem (optional)
    EUM/CERT_EUM_ECDSA_<C>.der                  EUM/SK_EUM_ECDSA_<C>.pem
    eUICC/CERT_EUICC_ECDSA_<C>.der              eUICC/SK_EUICC_ECDSA_<C>.pem
    DPauth/CERT_S_SM_DPauth_ECDSA_<C>.der       DPauth/SK_S_SM_DPauth_ECDSA_<C>.pem
    DPpb/CERT_S_SM_DPpb_ECDSA_<C>.der           DPpb/SK_S_SM_DPpb_ECDSA_<C>.pem
    DPtls/CERT_S_SM_DP_TLS_<C>.der              DPtls/SK_S_SM_DP_TLS_<C>.pem

Every file is also looked for directly in the directory (flat SGP.26 zip layout), and a
``.pem`` certificate is accepted where the ``.der`` one is missing. Only the CI certificate is
mandatory; private keys are optional (a DPauth without key can verify but not sign).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from esim.crypto.ecka import Curve
from esim.pki.errors import CertificateSetError
from esim.pki.profiles import (
    DEFAULT_CI_OID,
    DEFAULT_SMDP_OID,
    Role,
    dns_names,
    eid_of,
    smdp_oid_of,
    subject_key_identifier,
)

_SPEC = "SGP.26 (certificate profiles, SGP.26 file names)"
_ORGANISATION = "Mobile Plans Simulator"
# RFC 5280 §4.1.2.5: 99991231235959Z means "no well-defined expiration", as SGP.26 eUICCs use.
_NO_EXPIRY = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class Credential:
    """A certificate and, when known, its private key."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey | None = None

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True, slots=True)
class CertificateSet:
    """CI, EUM, eUICC, DPauth, DPpb and DPtls credentials of one curve."""

    curve: Curve
    ci: Credential
    eum: Credential | None = None
    euicc: Credential | None = None
    dp_auth: Credential | None = None
    dp_pb: Credential | None = None
    dp_tls: Credential | None = None

    @property
    def ci_pkid(self) -> bytes:
        """The CI's SubjectKeyIdentifier, as listed in EUICCInfo1 (``04 14 <SKI>``)."""
        ski = subject_key_identifier(self.ci.certificate)
        if ski is None:
            raise CertificateSetError(
                "pki.ci-without-ski", "the CI certificate has no SubjectKeyIdentifier", _SPEC
            )
        return ski

    @property
    def eid(self) -> str | None:
        return None if self.euicc is None else eid_of(self.euicc.certificate)

    @property
    def smdp_oid(self) -> str | None:
        return None if self.dp_auth is None else smdp_oid_of(self.dp_auth.certificate)

    @property
    def smdp_hosts(self) -> list[str]:
        return [] if self.dp_tls is None else dns_names(self.dp_tls.certificate)

    def save(self, directory: Path) -> None:
        """Write the set in the layout of the module docstring (DER certificates, PEM keys)."""
        suffix = _curve_suffix(self.curve)
        for (folder, cert_name, key_name), credential in zip(
            _LAYOUT, self._credentials(), strict=True
        ):
            if credential is None:
                continue
            target = directory / folder
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{cert_name}_{suffix}.der").write_bytes(credential.der)
            if credential.private_key is not None:
                (target / f"{key_name}_{suffix}.pem").write_bytes(
                    credential.private_key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                )

    def _credentials(self) -> tuple[Credential | None, ...]:
        return (self.ci, self.eum, self.euicc, self.dp_auth, self.dp_pb, self.dp_tls)


_LAYOUT = (
    ("CertificateIssuer", "CERT_CI_ECDSA", "SK_CI_ECDSA"),
    ("EUM", "CERT_EUM_ECDSA", "SK_EUM_ECDSA"),
    ("eUICC", "CERT_EUICC_ECDSA", "SK_EUICC_ECDSA"),
    ("DPauth", "CERT_S_SM_DPauth_ECDSA", "SK_S_SM_DPauth_ECDSA"),
    ("DPpb", "CERT_S_SM_DPpb_ECDSA", "SK_S_SM_DPpb_ECDSA"),
    ("DPtls", "CERT_S_SM_DP_TLS", "SK_S_SM_DP_TLS"),
)


def _curve_suffix(curve: Curve) -> str:
    return "NIST" if curve is Curve.NIST_P256 else "BRP"


def _find(directory: Path, folder: str, stem: str, extensions: tuple[str, ...]) -> Path | None:
    for base in (directory / folder, directory):
        for extension in extensions:
            path = base / f"{stem}{extension}"
            if path.is_file():
                return path
    return None


def _load_certificate(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CertificateSetError(
            "pki.unreadable-certificate", f"{path} is not an X.509 certificate: {error}", _SPEC
        ) from None


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    # SGP.26 SK_*.pem files carry an "EC PARAMETERS" block before the key; the PEM loader
    # reads the first key block it finds, so they load as they are.
    data = path.read_bytes()
    marker = data.find(b"-----BEGIN EC PRIVATE KEY-----")
    if marker < 0:
        marker = data.find(b"-----BEGIN PRIVATE KEY-----")
    try:
        key = serialization.load_pem_private_key(data[max(marker, 0) :], password=None)
    except (ValueError, TypeError) as error:
        raise CertificateSetError(
            "pki.unreadable-key", f"{path} is not an unencrypted PEM private key: {error}", _SPEC
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CertificateSetError("pki.not-an-ec-key", f"{path} is not an EC private key", _SPEC)
    return key


def load_certificate_set(directory: Path, curve: Curve = Curve.NIST_P256) -> CertificateSet:
    """Read a set saved by :meth:`CertificateSet.save` or an SGP.26 / pySim certificate folder."""
    suffix = _curve_suffix(curve)
    credentials: list[Credential | None] = []
    for folder, cert_name, key_name in _LAYOUT:
        cert_path = _find(directory, folder, f"{cert_name}_{suffix}", (".der", ".pem"))
        if cert_path is None and folder == "DPtls":
            # SGP.26 names the NIST TLS certificate without suffix in some releases.
            cert_path = _find(directory, folder, cert_name, (".der", ".pem"))
        if cert_path is None:
            credentials.append(None)
            continue
        key_path = _find(directory, folder, f"{key_name}_{suffix}", (".pem",))
        credentials.append(
            Credential(
                _load_certificate(cert_path), None if key_path is None else _load_key(key_path)
            )
        )
    ci = credentials[0]
    if ci is None:
        raise CertificateSetError(
            "pki.ci-missing",
            f"no CertificateIssuer/CERT_CI_ECDSA_{suffix}.der (or .pem) under {directory}",
            _SPEC,
        )
    return CertificateSet(curve, ci, *credentials[1:])


# -- generation --------------------------------------------------------------------------------


def _name(common_name: str, *, serial_number: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANISATION)]
    if serial_number is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _policies(role: Role) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(role.oid, None)])


def _key_usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign,
        crl_sign=sign,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: Credential | None,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> Credential:
    issuer_name = subject if issuer is None else issuer.certificate.subject
    signing_key = key if issuer is None else issuer.private_key
    if signing_key is None:
        raise CertificateSetError(
            "pki.issuer-without-key", "an issuer needs its private key to sign", _SPEC
        )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.certificate.public_key()  # type: ignore[arg-type]
            ),
            False,
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return Credential(builder.sign(signing_key, hashes.SHA256()), key)


def issue_dp_tls(
    ci: Credential,
    smdp_hosts: list[str],
    smdp_oid: str = DEFAULT_SMDP_OID,
    curve: Curve = Curve.NIST_P256,
    start: datetime.datetime | None = None,
) -> Credential:
    """A CERT.DPtls for ``smdp_hosts`` (fresh key) issued by ``ci``, whose key is needed."""
    if not smdp_hosts:
        raise CertificateSetError(
            "pki.no-smdp-host", "CERT.DPtls needs at least one SM-DP+ host name", _SPEC
        )
    begin = start or datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    smdp_id = x509.RegisteredID(x509.ObjectIdentifier(smdp_oid))
    return _issue(
        _name(smdp_hosts[0]),
        ec.generate_private_key(curve.ec_curve()),
        ci,
        begin,
        # Stay under the 398 days TLS clients accept for a server certificate.
        begin + datetime.timedelta(days=397),
        [
            (_key_usage(sign=False), True),
            (
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                False,
            ),
            (_policies(Role.DP_TLS), False),
            (
                x509.SubjectAlternativeName(
                    [x509.DNSName(host) for host in smdp_hosts] + [smdp_id]
                ),
                False,
            ),
        ],
    )


class TestPki:
    """Generator of private test PKIs shaped like SGP.26 (SGP.26)."""

    # Not a pytest test class despite the name the project's API asks for.
    __test__ = False

    @staticmethod
    def generate(
        eid: str,
        smdp_hosts: list[str],
        smdp_oid: str = DEFAULT_SMDP_OID,
        curve: Curve = Curve.NIST_P256,
        now: datetime.datetime | None = None,
        tls_curve: Curve = Curve.NIST_P256,
    ) -> CertificateSet:
        """A fresh CI, EUM (EIN = first 8 EID digits), eUICC, DPauth, DPpb and DPtls.

        Every key is on ``curve`` except the DPtls key, on ``tls_curve``: NIST P-256 by default,
        which every TLS stack negotiates, while brainpoolP256r1 in TLS needs OpenSSL 3.2 or
        later on both ends. The DPtls is still issued by the CI of ``curve``.
        """
        if len(eid) != 32 or not eid.isdigit() or not eid.isascii():
            raise CertificateSetError("pki.eid-format", "an EID is 32 decimal digits", _SPEC)
        if not smdp_hosts:
            raise CertificateSetError(
                "pki.no-smdp-host", "CERT.DPtls needs at least one SM-DP+ host name", _SPEC
            )
        start = (now or datetime.datetime.now(datetime.UTC)) - datetime.timedelta(days=1)

        def years(count: int) -> datetime.datetime:
            return start + datetime.timedelta(days=365 * count)

        def key() -> ec.EllipticCurvePrivateKey:
            return ec.generate_private_key(curve.ec_curve())

        smdp_id = x509.RegisteredID(x509.ObjectIdentifier(smdp_oid))
        ci = _issue(
            _name("Test CI"),
            key(),
            None,
            start,
            years(35),
            [
                (x509.BasicConstraints(ca=True, path_length=None), True),
                (_key_usage(sign=True), True),
                (_policies(Role.CI), True),
                (
                    x509.SubjectAlternativeName(
                        [x509.RegisteredID(x509.ObjectIdentifier(DEFAULT_CI_OID))]
                    ),
                    False,
                ),
            ],
        )
        # SGP.26 variant O: the EUM's permitted EID prefix (IIN) as a name constraint that
        # osmo-smdpp reads to check the eUICC's EID (SGP.26).
        ein = x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, eid[:8])])
        eum = _issue(
            _name("Test EUM"),
            key(),
            ci,
            start,
            years(30),
            [
                (x509.BasicConstraints(ca=True, path_length=0), True),
                (_key_usage(sign=True), True),
                (_policies(Role.EUM), True),
                (x509.NameConstraints([x509.DirectoryName(ein)], None), True),
            ],
        )
        euicc = _issue(
            _name("Test eUICC", serial_number=eid),
            key(),
            eum,
            start,
            _NO_EXPIRY,
            [(_key_usage(sign=False), True), (_policies(Role.EUICC), True)],
        )
        # The SM-DP+'s two signing certificates differ only in their role's policy.
        dp_auth, dp_pb = (
            _issue(
                _name("Test SM-DP+"),
                key(),
                ci,
                start,
                years(10),
                [
                    (_key_usage(sign=False), True),
                    (_policies(role), True),
                    (x509.SubjectAlternativeName([smdp_id]), False),
                ],
            )
            for role in (Role.DP_AUTH, Role.DP_PB)
        )
        dp_tls = issue_dp_tls(ci, smdp_hosts, smdp_oid, tls_curve, start)
        return CertificateSet(curve, ci, eum, euicc, dp_auth, dp_pb, dp_tls)

    @staticmethod
    def load_or_generate(
        directory: Path,
        eid: str,
        smdp_hosts: list[str],
        smdp_oid: str = DEFAULT_SMDP_OID,
        curve: Curve = Curve.NIST_P256,
    ) -> CertificateSet:
        """The generated set for these parameters in ``directory`` (see :mod:`esim.pki.store`).

        Generated once, atomically and under a lock, so concurrent first uses agree; loaded and
        checked afterwards; never written over (a damaged set raises ``DamagedSetError``).
        """
        from esim.pki.store import generated_set

        return generated_set(directory, eid, smdp_hosts, smdp_oid, curve)
