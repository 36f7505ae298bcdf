"""Certificate sets on disk: generated once, atomically, under a lock; a user's set never written.

A generated set is written into a temporary sibling directory, its ``GENERATED.json`` manifest
(parameters and the SHA-256 of every file) last, then renamed into place in one step, while an
exclusive lock on ``.<name>.lock`` is held. Concurrent first uses of one data directory therefore
all end with the same set: the first process generates it, the others wait for the lock and load
it. A reader never sees half a set: either the directory is absent or it is complete.

A directory without a manifest is not ours: it is loaded as it is and never rewritten. When it is
a complete set with every private key it is used as the generated set would be (sets written
before the manifest existed); otherwise it is the user's set (for example the GSMA SGP.26 test
set, which has no CI private key and no eUICC) and the generated set lives beside it.

Whatever is wrong with a set (unreadable or changed files, a certificate not issued by the CI, a
key that does not match its certificate) is reported as :class:`DamagedSetError` naming each
problem and the remedy; nothing is regenerated over it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric import ec

from esim.crypto.ecka import Curve
from esim.pki.certificate_set import CertificateSet, Credential, TestPki, load_certificate_set
from esim.pki.errors import CertificateSetError, PkiError
from esim.pki.profiles import DEFAULT_SMDP_OID, authority_key_identifier, subject_key_identifier
from esim.pki.verify import verify_issued_by

MANIFEST = "GENERATED.json"
_SPEC = "SGP.22 §4.5.2 (certificates); GSMA SGP.26 file layout"
_ROLES = ("ci", "eum", "euicc", "dp_auth", "dp_pb", "dp_tls")


class DamagedSetError(CertificateSetError):
    """A set on disk is unusable; ``problems`` lists what is wrong, one item each."""

    def __init__(self, directory: Path, problems: list[str]) -> None:
        super().__init__(
            "pki.damaged-set",
            f"the certificate set in {directory} is damaged: {'; '.join(problems)}. It was left "
            "as it is: move it aside to have a new one generated, or restore it",
            _SPEC,
        )
        self.directory = directory
        self.problems = problems


# -- the lock ------------------------------------------------------------------------------------


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


def _lock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# -- checks ------------------------------------------------------------------------------------


def _key_matches(credential: Credential) -> bool:
    key = credential.private_key
    public = credential.certificate.public_key()
    return key is None or (
        isinstance(public, ec.EllipticCurvePublicKey)
        and key.public_key().public_numbers() == public.public_numbers()
    )


def consistency_problems(certificates: CertificateSet) -> list[str]:
    """Everything that makes the set's chains or keys not fit together (empty when sound)."""
    problems: list[str] = []
    issuers = {
        "eum": certificates.ci,
        "euicc": certificates.eum,
        "dp_auth": certificates.ci,
        "dp_pb": certificates.ci,
        "dp_tls": certificates.ci,
    }
    for role in _ROLES:
        credential: Credential | None = getattr(certificates, role)
        if credential is None:
            continue
        if not _key_matches(credential):
            problems.append(f"the {role} private key does not belong to the {role} certificate")
        issuer = issuers.get(role)
        if issuer is None or (role == "dp_tls" and _foreign_issuer(credential, issuer)):
            continue
        try:
            verify_issued_by(credential.certificate, issuer.certificate)
        except PkiError as error:
            problems.append(f"{role}: {error.message}")
    return problems


def _foreign_issuer(credential: Credential, issuer: Credential) -> bool:
    # A DPtls may come from a TLS CA other than the RSP CI; only a matching AKI is checked.
    return authority_key_identifier(credential.certificate) != subject_key_identifier(
        issuer.certificate
    )


def is_complete(certificates: CertificateSet) -> bool:
    """Every role present with its private key, the CI's included."""
    return all(
        getattr(certificates, role) is not None
        and getattr(certificates, role).private_key is not None
        for role in _ROLES
    )


# -- the manifest ------------------------------------------------------------------------------


def _files(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def _parameters(eid: str, hosts: list[str], oid: str, curve: Curve) -> dict[str, Any]:
    return {"eid": eid, "smdpHosts": list(hosts), "smdpOid": oid, "curve": curve.value}


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a generated set, None when ``directory`` has none (not ours)."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DamagedSetError(directory, [f"{MANIFEST} is unreadable ({error})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise DamagedSetError(directory, [f"{MANIFEST} is not a manifest"])
    return data


def _manifest_problems(directory: Path, manifest: dict[str, Any]) -> list[str]:
    recorded: dict[str, Any] = manifest["files"]
    present = _files(directory)
    problems = [f"{name} is missing" for name in recorded if name not in present]
    problems += [
        f"{name} was changed since it was generated"
        for name, digest in present.items()
        if name in recorded and recorded[name] != digest
    ]
    return problems


def load_generated(directory: Path, curve: Curve) -> CertificateSet:
    """Load a generated set, checking its manifest and chains; raises DamagedSetError."""
    manifest = read_manifest(directory)
    problems = [] if manifest is None else _manifest_problems(directory, manifest)
    if problems:
        raise DamagedSetError(directory, problems)
    return load_checked(directory, curve)


def load_checked(directory: Path, curve: Curve) -> CertificateSet:
    """Load any set (never writing to it) and check that its chains and keys fit together."""
    try:
        certificates = load_certificate_set(directory, curve)
    except CertificateSetError as error:
        raise DamagedSetError(directory, [error.message]) from None
    problems = consistency_problems(certificates)
    if problems:
        raise DamagedSetError(directory, problems)
    return certificates


# -- generation --------------------------------------------------------------------------------


def _write_generated(
    directory: Path, certificates: CertificateSet, parameters: dict[str, Any]
) -> None:
    """Write ``certificates`` to a temporary sibling, then rename it to ``directory``."""
    temporary = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.tmp-"))
    try:
        certificates.save(temporary)
        for path in temporary.rglob("*"):
            if path.is_file():
                with path.open("rb") as stream:
                    os.fsync(stream.fileno())
        manifest = {
            "generatedBy": "mobileplans-simulator",
            **parameters,
            "files": _files(temporary),
        }
        with (temporary / MANIFEST).open("w", encoding="utf-8") as stream:
            json.dump(manifest, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.rename(temporary, directory)  # atomic; fails if another process made it meanwhile
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _matches(manifest: dict[str, Any], parameters: dict[str, Any]) -> bool:
    return all(manifest.get(key) == value for key, value in parameters.items())


def _sibling(directory: Path, parameters: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()[:10]
    return directory.with_name(f"{directory.name}-{digest}")


def generated_set(
    directory: Path,
    eid: str,
    smdp_hosts: list[str],
    smdp_oid: str = DEFAULT_SMDP_OID,
    curve: Curve = Curve.NIST_P256,
) -> CertificateSet:
    """The generated set for these parameters: loaded when on disk, else generated atomically.

    Never overwrites anything: a set generated for other parameters, or a user's set, in
    ``directory`` stays, and this one goes to a sibling directory named after its parameters.
    """
    parameters = _parameters(eid, smdp_hosts, smdp_oid, curve)
    found = _existing(directory, parameters, curve)
    if isinstance(found, CertificateSet):
        return found
    if found is not None:
        return generated_set(found, eid, smdp_hosts, smdp_oid, curve)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(directory.parent / f".{directory.name}.lock"):
        found = _existing(directory, parameters, curve)
        if isinstance(found, CertificateSet):
            return found
        if found is not None:
            return generated_set(found, eid, smdp_hosts, smdp_oid, curve)
        fresh = TestPki.generate(eid, smdp_hosts, smdp_oid, curve)
        with contextlib.suppress(FileNotFoundError):
            directory.rmdir()  # empty (checked under the lock): the rename needs the name free
        _write_generated(directory, fresh, parameters)
        return fresh


def _existing(
    directory: Path, parameters: dict[str, Any], curve: Curve
) -> CertificateSet | Path | None:
    """The set to use from ``directory``, a sibling to look at instead, or None if absent."""
    if not directory.exists() or (directory.is_dir() and not any(directory.iterdir())):
        return None  # an empty directory (made by hand, or by a test) holds no set yet
    manifest = read_manifest(directory)
    if manifest is not None:
        if not _matches(manifest, parameters):
            return _sibling(directory, parameters)
        return load_generated(directory, curve)
    # Not ours. A complete set from before manifests is used if it fits; else it is the user's.
    try:
        legacy = load_certificate_set(directory, curve)
    except CertificateSetError:
        legacy = None
    if legacy is None or not is_complete(legacy):
        return _sibling(directory, parameters)
    problems = consistency_problems(legacy)
    if problems:
        raise DamagedSetError(directory, problems)
    if (
        legacy.eid == parameters["eid"]
        and legacy.smdp_hosts == parameters["smdpHosts"]
        and legacy.smdp_oid == parameters["smdpOid"]
    ):
        return legacy
    return _sibling(directory, parameters)
