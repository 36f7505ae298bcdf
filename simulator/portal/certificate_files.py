"""The local CAs' PEM files on disk: reused while valid, written atomically, loaded into `ssl`.

Reading a kept set is on every start-up's path, before the portal can load, so it needs only
the standard library's `ssl` (OpenSSL parses the certificate) and a TLV walk to its validity;
`cryptography` is imported only to make a new set (`simulator.local_ca`). Pure (no Qt).
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
import tempfile
from collections.abc import Sequence
from pathlib import Path

from esim.asn1.errors import Asn1DecodeError
from esim.asn1.tlv import iter_tlvs, parse_single

RENEW_BEFORE = dt.timedelta(days=7)  # a set this close to expiring is made again
_SEQUENCE, _EXPLICIT_VERSION, _UTC_TIME, _GENERALIZED_TIME = 0x30, 0xA0, 0x17, 0x18


class CertificateFileError(ValueError):
    """A certificate file that cannot be used, with what is wrong in words."""


def certificate_der(pem: bytes) -> bytes:
    """The DER of one PEM certificate that OpenSSL reads whole; else CertificateFileError."""
    try:
        der = ssl.PEM_cert_to_DER_cert(pem.decode("ascii").strip())
        # OpenSSL parses the whole certificate here (the signature is not checked: ours).
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=der)
    except (UnicodeDecodeError, ValueError, ssl.SSLError) as error:
        raise CertificateFileError(f"not a readable PEM certificate: {error}") from None
    return der


def not_valid_after(der: bytes) -> dt.datetime:
    """The end of a DER certificate's validity (RFC 5280 §4.1.2.5), in UTC."""
    try:
        tbs = next(iter_tlvs(parse_single(der, _SEQUENCE).value))
        fields = list(iter_tlvs(tbs.value))
        if fields and fields[0].tag == _EXPLICIT_VERSION:
            fields = fields[1:]
        # serialNumber, signature, issuer, validity
        validity = list(iter_tlvs(fields[3].value))
        end = validity[1]
    except (Asn1DecodeError, IndexError, StopIteration) as error:
        raise CertificateFileError(f"no validity in the certificate: {error}") from None
    text = end.value.decode("ascii", "replace")
    if end.tag == _UTC_TIME and len(text) == 13 and text.endswith("Z"):
        year = int(text[:2]) if text[:2].isdigit() else -1
        text = f"{19 if year >= 50 else 20}{text}"  # RFC 5280: YY >= 50 is 19YY
    elif end.tag != _GENERALIZED_TIME or len(text) != 15:
        raise CertificateFileError(f"the validity's end {text!r} is not a UTC time")
    # YYYYMMDDHHMMSSZ read by hand: strptime's first use imports _strptime, calendar and
    # locale and compiles its patterns (a few ms of every start-up, before the portal loads).
    digits = text[:14]
    try:
        if not (digits.isascii() and digits.isdigit() and text.endswith("Z")):
            raise ValueError(text)
        month, day, hour, minute, second = (int(digits[i : i + 2]) for i in range(4, 14, 2))
        return dt.datetime(int(digits[:4]), month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        raise CertificateFileError(f"the validity's end {text!r} is not a date") from None


def read_valid_set(files: Sequence[Path], leaf: Path, now: dt.datetime) -> list[bytes] | None:
    """The files' bytes when all exist and `leaf` is a certificate valid beyond
    :data:`RENEW_BEFORE`; None when the set is missing, damaged, foreign or nearly expired
    (it is then ours to make again)."""
    if not all(path.is_file() for path in files):
        return None
    contents = [path.read_bytes() for path in files]
    try:
        expires = not_valid_after(certificate_der(contents[list(files).index(leaf)]))
    except CertificateFileError:
        return None
    if expires - now <= RENEW_BEFORE:
        return None
    return contents


def write_set(files: Sequence[Path], contents: Sequence[bytes]) -> None:
    """Write each file atomically (a concurrent start reads the old file or the new one),
    readable by this user only."""
    for path, data in zip(files, contents, strict=True):
        _write_atomically(path, data)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp: mode 0600
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_chain(context: ssl.SSLContext, key_pem: bytes, chain_pem: bytes, scratch: Path) -> None:
    """Give `context` a private key and its certificate chain held in memory.

    ssl reads them from a file, once: the file is this process's own (another `run` may start
    on the same directory at the same moment), readable by this user only, and gone after."""
    scratch.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=scratch, prefix=".server-", suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(key_pem + chain_pem)
        context.load_cert_chain(temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)
