"""The SM-DP+ remembers eUICC chains that passed, never ones that failed, per CI."""

from __future__ import annotations

import pytest
import smdp_fake_euicc
from smdp_fake_euicc import EID, mint_euicc

from esim.pki import TestPki
from esim.smdp import verification as check
from esim.smdp.status import Es9Error


def _value(euicc_der: bytes, eum_der: bytes) -> dict[str, bytearray]:
    # asn1tools hands the certificates over as bytearrays (ASN.1 ANY)
    return {"euiccCertificate": bytearray(euicc_der), "eumCertificate": bytearray(eum_der)}


def test_a_chain_that_passed_is_checked_once_and_gives_the_same_eid() -> None:
    certs = smdp_fake_euicc.test_certificates()
    assert certs.euicc is not None
    assert certs.eum is not None
    value = _value(certs.euicc.der, certs.eum.der)
    first = check.verified_euicc(value, certs.ci.certificate, certs.ci_pkid)
    again = check.verified_euicc(value, certs.ci.certificate, certs.ci_pkid)
    assert first[1] == EID
    assert again[0] is first[0]  # the parsed certificate was kept, not parsed again


def test_a_refused_chain_is_refused_on_every_request_and_never_remembered() -> None:
    certs = smdp_fake_euicc.test_certificates()
    other = TestPki.generate(EID, ["other.example"])
    assert other.euicc is not None
    assert other.eum is not None
    value = _value(other.euicc.der, other.eum.der)
    for _ in range(2):
        with pytest.raises(Es9Error) as refused:
            check.verified_euicc(value, certs.ci.certificate, certs.ci_pkid)
        assert refused.value.rule == "chain.eum-not-from-chosen-ci"


def test_a_remembered_chain_does_not_pass_for_another_ci() -> None:
    certs, other = smdp_fake_euicc.test_certificates(), TestPki.generate(EID, ["other.example"])
    assert certs.eum is not None
    minted = mint_euicc("89049032123451234512345678901332")
    value = _value(minted.der, certs.eum.der)
    check.verified_euicc(value, certs.ci.certificate, certs.ci_pkid)
    with pytest.raises(Es9Error):
        check.verified_euicc(value, other.ci.certificate, other.ci_pkid)


def test_a_damaged_certificate_is_refused_each_time_naming_the_part() -> None:
    certs = smdp_fake_euicc.test_certificates()
    assert certs.eum is not None
    value = _value(b"\x30\x03\x02\x01\x00", certs.eum.der)
    for _ in range(2):
        with pytest.raises(Es9Error) as refused:
            check.verified_euicc(value, certs.ci.certificate, certs.ci_pkid)
        assert refused.value.rule == "certificate.euicc.malformed"
