"""brainpoolP256r1 end to end: ECDSA and ECKA on brainpool, TLS where this OpenSSL can do it.

A generated brainpool set keeps its DPtls on NIST P-256 (issued by the brainpool CI), so the
download works with any OpenSSL; a brainpool DPtls works from OpenSSL 3.2 on, and before that
the LPA says exactly why the handshake failed instead of an empty "TCP connection failed".
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from interop_material import material, our_certificates, running_stack

from esim.crypto.ecka import Curve
from esim.lpa import LpaError
from esim.pki import CertificateSet, Credential, load_certificate_set
from esim.smdp import ProfileSpec
from esim.smdp.profile_package import generate_iccid

BRP = Curve.BRAINPOOL_P256R1


def curve_of(credential: Any) -> str:
    key = credential.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return str(key.curve.name)


def download(tmp_path: Path, card: CertificateSet, server: CertificateSet, **options: Any) -> Any:
    async def scenario() -> Any:
        async with running_stack(
            tmp_path, card_certificates=card, server_certificates=server, **options
        ) as stack:
            order = stack.store.create_order(ProfileSpec(iccid=generate_iccid(), size_bytes=4096))
            result = await stack.lpa.download(order.activation_code)
            return result, await asyncio.to_thread(stack.lpa.profiles.list_profiles)

    return asyncio.run(scenario())


def test_brainpool_set_downloads_with_a_nist_dptls(tmp_path: Path) -> None:
    certificates = our_certificates(BRP)
    assert {curve_of(c) for c in (certificates.ci, certificates.eum, certificates.euicc,
            certificates.dp_auth, certificates.dp_pb)} == {"brainpoolP256r1"}  # fmt: skip
    assert curve_of(certificates.dp_tls) == "secp256r1"
    result, profiles = download(tmp_path, certificates, certificates)
    assert [p.iccid for p in profiles] == [result.iccid]


def test_brainpool_dptls_works_or_is_explained(tmp_path: Path) -> None:
    certificates = our_certificates(BRP, BRP)
    assert curve_of(certificates.dp_tls) == "brainpoolP256r1"
    if ssl.OPENSSL_VERSION_INFO[:2] >= (3, 2):
        result, _ = download(tmp_path, certificates, certificates)
        assert result.iccid
        return
    with pytest.raises(LpaError) as raised:
        download(tmp_path, certificates, certificates)
    message = str(raised.value)
    assert raised.value.rule == "es9.transport.tls"
    assert "brainpoolP256r1" in message
    assert "OpenSSL 3.2" in message
    assert "TCP connection failed" not in message


def test_sgp26_brainpool_dp_keys_with_our_brainpool_euicc(tmp_path: Path) -> None:
    ours = our_certificates(BRP)
    sgp26 = load_certificate_set(material("sgp26"), BRP)
    assert curve_of(sgp26.dp_auth) == "brainpoolP256r1"
    server = dataclasses.replace(sgp26, dp_tls=ours.dp_tls)
    result, _ = download(
        tmp_path,
        ours,
        server,
        card_options={"server_cis": (sgp26.ci.certificate,)},
        smdp_options={"euicc_cis": (ours.ci.certificate,)},
        trust_anchors=[ours.ci.certificate, sgp26.ci.certificate],
    )
    assert result.iccid


def test_a_brainpool_data_directory_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from esim.cli import main
    from esim.cli_home import Home, home_in

    data = ["--data-dir", str(tmp_path / "bp")]
    assert main(["--curve", "brainpool", *data, "euicc", "info", "--json"]) == 0
    capsys.readouterr()
    home = Home(home_in(tmp_path / "bp"))
    assert home.curve() is BRP
    assert curve_of(home.certificates().euicc) == "brainpoolP256r1"
    assert main([*data, "--curve", "nist", "euicc", "info"]) == 1  # fixed on first use
    assert "uses brainpool" in capsys.readouterr().err
    target = tmp_path / "osmo"
    assert main(["pki", "export", *data, "--layout", "osmo-smdpp", str(target)]) == 0
    assert (target / "DPauth" / "CERT_S_SM_DPauth_ECDSA_BRP.der").is_file()
    tls = x509.load_pem_x509_certificate(
        (target / "DPtls" / "CERT_S_SM_DP_TLS_BRP.pem").read_bytes()
    )
    assert curve_of(Credential(tls)) == "secp256r1"  # osmo-smdpp -b serves it with any OpenSSL
