"""The ES9+ clients' TLS context is built once per set of trust anchors (one client per
download would otherwise load the CI certificates every time)."""

from __future__ import annotations

import ssl

import pytest
from lpa_stack import certificates, foreign_certificates

from esim.lpa.transport import trust_context


def test_clients_trusting_the_same_anchors_share_one_context() -> None:
    ci = certificates().ci.certificate
    first = trust_context([ci])
    assert first is trust_context([ci])
    assert first.verify_mode is ssl.CERT_REQUIRED
    assert first.minimum_version is ssl.TLSVersion.TLSv1_2
    assert len(first.get_ca_certs()) == 1


def test_other_anchors_get_their_own_context() -> None:
    ours = certificates().ci.certificate
    other = foreign_certificates().ci.certificate
    assert trust_context([ours]) is not trust_context([other])
    assert len(trust_context([ours, other]).get_ca_certs()) == 2


def test_no_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one CI certificate"):
        trust_context([])
