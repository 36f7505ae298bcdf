"""Certificate sets a user brings (``--pki``, ``esim pki import``) and ``esim pki export``."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from interop_material import material

from esim.cli import main
from esim.cli_home import Home, home_in
from esim.euicc import Euicc
from esim.lpa import Lpa
from esim.pki import Role, dns_names, roles_of, verify_issued_by
from esim.smdp import OrderStore, ProfileSpec, SmdpConfig, SmdpServer
from esim.smdp.profile_package import generate_iccid


def fingerprint(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def sgp26_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "sgp26"
    shutil.copytree(material("sgp26"), copy)
    return copy


def test_import_copies_once_and_show_reports_the_expired_dptls(
    tmp_path: Path, sgp26_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    before = fingerprint(sgp26_copy)
    assert main(["pki", "import", *data, str(sgp26_copy)]) == 0
    out = capsys.readouterr().out
    assert "SM-DP+ (DPauth, DPpb, DPtls): brought at testsmdpplus1.example.com" in out
    assert "card (CI, EUM, eUICC): generated" in out
    assert "EXPIRED: DPtls" in out
    assert "--allow-expired-tls" in out
    assert fingerprint(sgp26_copy) == before
    imported = fingerprint(tmp_path / "data" / "esim-cli" / "pki-import")
    assert "CertificateIssuer/CERT_CI_ECDSA_NIST.der" in imported
    assert main(["pki", "import", *data, str(sgp26_copy)]) == 1
    assert "never overwritten" in capsys.readouterr().err
    assert fingerprint(tmp_path / "data" / "esim-cli" / "pki-import") == imported


def test_a_damaged_brought_set_is_refused_with_what_is_wrong(
    tmp_path: Path, sgp26_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dp_pb_key = sgp26_copy / "DPpb" / "SK_S_SM_DPpb_ECDSA_NIST.pem"
    dp_pb_key.write_bytes((sgp26_copy / "DPauth" / "SK_S_SM_DPauth_ECDSA_NIST.pem").read_bytes())
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["pki", "show", *data, "--pki", str(sgp26_copy)]) == 1
    err = capsys.readouterr().err
    assert "pki.damaged-set" in err
    assert "the dp_pb private key does not belong to the dp_pb certificate" in err
    assert main(["pki", "import", *data, str(sgp26_copy)]) == 1
    assert not (tmp_path / "data" / "esim-cli" / "pki-import").exists()


def test_download_with_a_set_brought_by_pki_never_writes_it(
    tmp_path: Path, sgp26_copy: Path
) -> None:
    before = fingerprint(sgp26_copy)
    home = Home(home_in(tmp_path / "data"), sgp26_copy)
    assert home.smdp_address() == "testsmdpplus1.example.com"
    assert home.server_certificates().ci.private_key is None  # the SGP.26 CI, as published
    assert home.certificates().ci.private_key is not None  # the card's own chain

    async def scenario() -> Any:
        card = Euicc.open(home.euicc_dir, home.euicc_config())
        store = OrderStore.open(
            home.order_store_path, clock=time.time, smdp_address=home.smdp_address()
        )
        config = SmdpConfig(
            home.smdp_address(),
            home.server_certificates(),
            home.root / "smdp",
            time.time,
            euicc_cis=home.sets.smdp_euicc_cis,
        )
        server = SmdpServer(config, store)
        port = await server.start("127.0.0.1", 0)
        try:
            lpa = Lpa(
                card,
                trust_anchors=home.trust_anchors(),
                resolver={home.smdp_address(): ("127.0.0.1", port)},
                allow_expired_tls=True,
            )
            order = store.create_order(ProfileSpec(iccid=generate_iccid(), size_bytes=2048))
            return await lpa.download(order.activation_code)
        finally:
            await server.stop()
            store.close()
            card.close()

    result = asyncio.run(scenario())
    assert result.smdp_address == "testsmdpplus1.example.com"
    assert fingerprint(sgp26_copy) == before


def test_export_for_osmo_smdpp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    target = tmp_path / "smdpp-data" / "certs-mps"
    assert main(["pki", "export", *data, "--layout", "osmo-smdpp", str(target)]) == 0
    issuer_files = sorted((target / "CertificateIssuer").iterdir())
    assert [path.name for path in issuer_files] == ["CERT_CI_ECDSA_NIST.der"]
    for path in issuer_files:  # osmo-smdpp loads every file here as a CI certificate
        ci = x509.load_der_x509_certificate(path.read_bytes())
        assert Role.CI in roles_of(ci)
    home = Home(home_in(tmp_path / "data"))
    assert ci == home.certificates().ci.certificate  # the CI that issued our eUICC's EUM
    for folder, stem in (
        ("DPauth", "S_SM_DPauth"),
        ("DPpb", "S_SM_DPpb"),
        ("DPtls", "S_SM_DP_TLS"),
    ):
        name = f"{stem}_ECDSA_NIST" if folder != "DPtls" else f"{stem}_NIST"
        certificate = x509.load_der_x509_certificate(
            (target / folder / f"CERT_{name}.der").read_bytes()
        )
        key = serialization.load_pem_private_key(
            (target / folder / f"SK_{name}.pem").read_bytes(), None
        )
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        public = certificate.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert key.public_key().public_numbers() == public.public_numbers()
        verify_issued_by(certificate, ci)
        if folder == "DPtls":
            assert dns_names(certificate) == ["testsmdpplus1.example.com"]
            assert (target / folder / f"CERT_{name}.pem").is_file()
    assert main(["pki", "export", *data, "--layout", "osmo-smdpp", str(target)]) == 1
    assert "never overwrites" in capsys.readouterr().err


def test_export_ours_round_trips(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["pki", "export", *data, str(tmp_path / "out")]) == 0
    copy = Home(home_in(tmp_path / "other"), tmp_path / "out")
    assert copy.certificates().ci.der == Home(home_in(tmp_path / "data")).certificates().ci.der
