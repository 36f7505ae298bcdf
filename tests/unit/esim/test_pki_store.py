"""The PKI on a data directory: generated once under a lock, never overwritten, damage reported."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from esim.pki import TestPki, load_certificate_set
from esim.pki.store import MANIFEST, DamagedSetError, consistency_problems, generated_set

EID = "89049032123451234512345678901235"
HOSTS = ["smdp.mobileplans.test"]
REPOSITORY = Path(__file__).resolve().parents[3]

FIRST_USE = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from esim.cli_home import Home
    certificates = Home(Path(sys.argv[1])).certificates()
    parts = [certificates.ci.der, certificates.eum.der, certificates.euicc.der,
             certificates.dp_auth.der, certificates.dp_pb.der, certificates.dp_tls.der]
    print(hashlib.sha256(b"".join(parts)).hexdigest())
    """
)


def fingerprint(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_six_concurrent_first_uses_agree_on_one_set(tmp_path: Path) -> None:
    data = tmp_path / "data"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_USE, str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPOSITORY,
            env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"},
            text=True,
        )
        for _ in range(6)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), results
    digests = {out.strip() for out, _ in results}
    assert len(digests) == 1, "processes got different chains"
    loaded = load_certificate_set(data / "pki")  # every file readable, chains consistent
    assert consistency_problems(loaded) == []
    parts = [c.der for c in (loaded.ci, loaded.eum, loaded.euicc, loaded.dp_auth,
                             loaded.dp_pb, loaded.dp_tls) if c is not None]  # fmt: skip
    assert hashlib.sha256(b"".join(parts)).hexdigest() in digests
    leftovers = [p.name for p in data.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_generated_set_is_reused_not_rewritten(tmp_path: Path) -> None:
    first = generated_set(tmp_path / "pki", EID, HOSTS)
    before = fingerprint(tmp_path / "pki")
    again = generated_set(tmp_path / "pki", EID, HOSTS)
    assert again.ci.der == first.ci.der
    assert fingerprint(tmp_path / "pki") == before
    assert MANIFEST in before


def test_other_parameters_get_a_sibling_set(tmp_path: Path) -> None:
    first = generated_set(tmp_path / "pki", EID, HOSTS)
    before = fingerprint(tmp_path / "pki")
    other = generated_set(tmp_path / "pki", EID, ["other.example"])
    assert other.ci.der != first.ci.der
    assert other.smdp_hosts == ["other.example"]
    assert fingerprint(tmp_path / "pki") == before


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "eUICC" / "CERT_EUICC_ECDSA_NIST.der").write_bytes(b"garbage"), "changed"),
        (lambda d: (d / "DPpb" / "SK_S_SM_DPpb_ECDSA_NIST.pem").unlink(), "missing"),
        (lambda d: (d / MANIFEST).write_text("{", encoding="utf-8"), "unreadable"),
    ],
    ids=["changed-certificate", "missing-key", "broken-manifest"],
)
def test_a_damaged_generated_set_is_reported_not_regenerated(
    tmp_path: Path, damage: object, expected: str
) -> None:
    generated_set(tmp_path / "pki", EID, HOSTS)
    damage(tmp_path / "pki")  # type: ignore[operator]
    before = fingerprint(tmp_path / "pki")
    with pytest.raises(DamagedSetError) as raised:
        generated_set(tmp_path / "pki", EID, HOSTS)
    assert expected in str(raised.value)
    assert "move it aside" in str(raised.value)
    assert fingerprint(tmp_path / "pki") == before


def test_a_set_without_manifest_whose_chains_do_not_match_is_reported(tmp_path: Path) -> None:
    """The old race left such sets: an eUICC certificate from another generation's EUM."""
    one, two = TestPki.generate(EID, HOSTS), TestPki.generate(EID, HOSTS)
    one.save(tmp_path / "pki")
    two.save(tmp_path / "other")
    for name in ("CERT_EUICC_ECDSA_NIST.der", "SK_EUICC_ECDSA_NIST.pem"):
        (tmp_path / "pki" / "eUICC" / name).write_bytes(
            (tmp_path / "other" / "eUICC" / name).read_bytes()
        )
    with pytest.raises(DamagedSetError) as raised:
        generated_set(tmp_path / "pki", EID, HOSTS)
    assert "euicc" in str(raised.value)


def test_a_users_set_is_never_written_and_the_generated_one_lives_beside_it(
    tmp_path: Path,
) -> None:
    users = TestPki.generate(EID, HOSTS)
    users.save(tmp_path / "pki")
    (tmp_path / "pki" / "CertificateIssuer" / "SK_CI_ECDSA_NIST.pem").unlink()  # as SGP.26
    before = fingerprint(tmp_path / "pki")
    ours = generated_set(tmp_path / "pki", EID, HOSTS)
    assert fingerprint(tmp_path / "pki") == before
    assert ours.ci.der != users.ci.der
    assert ours.ci.private_key is not None
