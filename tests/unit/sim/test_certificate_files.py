"""Reading a kept certificate set without `cryptography`: the validity's end as cryptography
reads it (UTCTime and GeneralizedTime), damaged files refused with a sentence, never a crash."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from simulator.local_ca import LocalCa, name
from simulator.portal.certificate_files import (
    CertificateFileError,
    certificate_der,
    not_valid_after,
)

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _self_signed(not_after: dt.datetime) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(name("t"))
        .issuer_name(name("t"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    "not_after",
    [
        dt.datetime(2027, 12, 31, 23, 59, 58, tzinfo=dt.UTC),  # UTCTime, 20YY
        dt.datetime(2051, 1, 2, 3, 4, 5, tzinfo=dt.UTC),  # GeneralizedTime (2050 and later)
    ],
)
def test_the_validity_end_is_what_cryptography_reads(not_after: dt.datetime) -> None:
    certificate = _self_signed(not_after)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    der = certificate_der(pem)
    assert der == certificate.public_bytes(serialization.Encoding.DER)
    assert not_valid_after(der) == certificate.not_valid_after_utc == not_after


def test_a_local_ca_leaf_reads_like_cryptography_reads_it() -> None:
    ca = LocalCa.create(name("CA"), NOW)
    leaf_pem, _ = ca.issue(name("leaf"), x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, NOW)
    expected = x509.load_pem_x509_certificate(leaf_pem).not_valid_after_utc
    assert not_valid_after(certificate_der(leaf_pem)) == expected


@pytest.mark.parametrize(
    ("pem", "says"),
    [
        (b"not a certificate", "not a readable PEM certificate"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "not a readable PEM"),
        (b"\xff\xfe", "not a readable PEM certificate"),
    ],
)
def test_damaged_pem_is_refused_with_a_sentence(pem: bytes, says: str) -> None:
    with pytest.raises(CertificateFileError, match=says):
        certificate_der(pem)


def test_a_certificate_cut_short_has_no_validity() -> None:
    der = _self_signed(NOW + dt.timedelta(days=30)).public_bytes(serialization.Encoding.DER)
    with pytest.raises(CertificateFileError, match="no validity"):
        not_valid_after(der[:60])


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(data: bytes) -> None:
    for read in (not_valid_after, certificate_der):
        with contextlib.suppress(CertificateFileError):  # anything else fails the test
            read(data)


_DER = _self_signed(NOW + dt.timedelta(days=30)).public_bytes(serialization.Encoding.DER)


@given(st.lists(st.tuples(st.integers(0, len(_DER) - 1), st.integers(0, 255)), max_size=4))
def test_a_damaged_certificate_is_read_or_refused_never_a_crash(
    changes: list[tuple[int, int]],
) -> None:
    damaged = bytearray(_DER)
    for index, value in changes:
        damaged[index] = value
    with contextlib.suppress(CertificateFileError):  # anything else fails the test
        assert not_valid_after(bytes(damaged)).tzinfo is dt.UTC


@functools.cache
def _generalized_time_certificate() -> bytes:
    end = dt.datetime(2051, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    return _self_signed(end).public_bytes(serialization.Encoding.DER)


@given(st.text(alphabet="0123456789Z+- ", min_size=15, max_size=15))
def test_a_generalized_time_reads_as_strptime_reads_it(text: str) -> None:
    # The validity's end is read by hand instead of by strptime: the same dates; refused where
    # strptime refuses, and where it takes "+1" or " 1" for a two-digit field.
    der = _generalized_time_certificate().replace(
        b"\x18\x0f20510102030405Z", b"\x18\x0f" + text.encode()
    )
    try:
        expected: dt.datetime | None = dt.datetime.strptime(text, "%Y%m%d%H%M%SZ")
    except ValueError:
        expected = None
    try:
        read: dt.datetime | None = not_valid_after(der)
    except CertificateFileError:
        read = None
    if read is not None:
        assert expected is not None
        assert read == expected.replace(tzinfo=dt.UTC)
    elif expected is not None:
        assert not text[:14].isdigit()  # one of strptime's lenient spellings


def test_a_generalized_time_that_is_no_date_is_refused() -> None:
    der = _generalized_time_certificate().replace(b"20510102030405Z", b"20511302030405Z")
    with pytest.raises(CertificateFileError, match="is not a date"):
        not_valid_after(der)
