"""esim.lpa.tls_trust: the expired-DPtls check is OpenSSL's minus the dates, and the messages."""

from __future__ import annotations

import datetime
import ssl

from lpa_stack import certificates, foreign_certificates

from esim.lpa.tls_trust import check_server_certificate, tls_failure_message
from esim.pki.certificate_set import issue_dp_tls

HOST = "smdp.mobileplans.test"


def test_a_valid_dptls_passes_and_faults_are_named() -> None:
    ours, other = certificates(), foreign_certificates()
    assert ours.dp_tls is not None
    assert other.dp_tls is not None
    anchors = [ours.ci.certificate]
    assert check_server_certificate(ours.dp_tls.der, HOST, anchors) is None
    assert "not issued by a trusted CI" in str(
        check_server_certificate(other.dp_tls.der, HOST, anchors)
    )
    assert "not elsewhere.test" in str(
        check_server_certificate(ours.dp_tls.der, "elsewhere.test", anchors)
    )
    assert "not X.509" in str(check_server_certificate(b"\x30\x00", HOST, anchors))


def test_an_expired_dptls_passes_the_date_blind_check() -> None:
    ours = certificates()
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    expired = issue_dp_tls(ours.ci, [HOST], start=long_ago)
    assert expired.certificate.not_valid_after_utc.year == 2021
    assert check_server_certificate(expired.der, HOST, [ours.ci.certificate]) is None


def test_messages_name_the_cause() -> None:
    expired = ssl.SSLCertVerificationError(1, "certificate verify failed: certificate has expired")
    expired.verify_code = 10
    message = tls_failure_message(expired, HOST)
    assert "has expired" in message
    assert "--allow-expired-tls" in message
    unknown = ssl.SSLCertVerificationError(1, "unable to get local issuer certificate")
    unknown.verify_code = 20
    assert "must chain to a trusted CI" in tls_failure_message(unknown, HOST)
