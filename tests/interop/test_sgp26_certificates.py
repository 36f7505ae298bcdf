"""The GSMA SGP.26 test certificates, as published, used by our SM-DP+ and trusted by our eUICC.

SGP.26 ships the CI certificate without its key, DPauth/DPpb/DPtls with keys, and no EUM or
eUICC. Our eUICC keeps its own EUM/eUICC chain (its own CI) for its signatures and trusts the
SGP.26 CI for the server side; our SM-DP+ signs with the SGP.26 DPauth/DPpb keys and accepts
eUICCs of our CI.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from interop_material import material, our_certificates, running_stack

from esim.crypto.ecka import Curve
from esim.pki import load_certificate_set
from esim.pki.store import consistency_problems


def sgp26(curve: Curve = Curve.NIST_P256) -> Any:
    return load_certificate_set(material("sgp26"), curve)


@pytest.mark.parametrize("curve", [Curve.NIST_P256, Curve.BRAINPOOL_P256R1], ids=["NIST", "BRP"])
def test_the_published_set_loads_as_it_is(curve: Curve) -> None:
    certificates = sgp26(curve)
    assert certificates.ci.private_key is None  # no CI key is published
    assert certificates.eum is None
    assert certificates.euicc is None
    assert certificates.dp_auth is not None
    assert certificates.dp_auth.private_key is not None
    assert certificates.smdp_oid == "2.999.10"
    assert certificates.smdp_hosts == ["testsmdpplus1.example.com"]
    assert consistency_problems(certificates) == []


def test_our_euicc_passes_authenticate_server_with_sgp26_dp_keys(tmp_path: Path) -> None:
    """SGP.26 DPauth/DPpb in our SM-DP+ (TLS from our set), our eUICC with its own chain."""
    ours = our_certificates()
    server = dataclasses.replace(sgp26(), dp_tls=ours.dp_tls)

    async def scenario() -> tuple[Any, Any]:
        async with running_stack(
            tmp_path,
            server_certificates=server,
            card_options={"server_cis": (server.ci.certificate,)},
            smdp_options={"euicc_cis": (ours.ci.certificate,)},
            trust_anchors=[ours.ci.certificate, server.ci.certificate],
        ) as stack:
            order = stack.store.create_order(_spec())
            result = await stack.lpa.download(order.activation_code)
            info2 = await asyncio.to_thread(stack.lpa.profiles.euicc_info2)
            return result, info2

    result, info2 = asyncio.run(scenario())
    assert result.metadata.profile_name
    assert server.ci_pkid in info2["euiccCiPKIdListForVerification"]
    assert info2["euiccCiPKIdListForSigning"] == [ours.ci_pkid]


def test_without_trusting_the_sgp26_ci_the_euicc_refuses(tmp_path: Path) -> None:
    from esim.lpa import LpaError

    ours = our_certificates()
    server = dataclasses.replace(sgp26(), dp_tls=ours.dp_tls)

    async def scenario() -> LpaError:
        async with running_stack(
            tmp_path,
            server_certificates=server,
            smdp_options={"euicc_cis": (ours.ci.certificate,)},
            trust_anchors=[ours.ci.certificate],
        ) as stack:
            order = stack.store.create_order(_spec())
            with pytest.raises(LpaError) as raised:
                await stack.lpa.download(order.activation_code)
            return raised.value

    error = asyncio.run(scenario())
    # the eUICC does not list the SGP.26 CI for verification: the SM-DP+ has no usable DPauth
    assert error.rule == "es9.8.8.4/3.7"


def _spec() -> Any:
    from esim.smdp import ProfileSpec
    from esim.smdp.profile_package import generate_iccid

    return ProfileSpec(iccid=generate_iccid(), size_bytes=2048)


SGP26_HOST = "testsmdpplus1.example.com"


def _download_from_published_set(tmp_path: Path, **lpa_options: Any) -> Any:
    """Our SM-DP+ with the whole SGP.26 set, its expired NIST DPtls included."""
    ours = our_certificates()
    server = sgp26()

    async def scenario() -> Any:
        async with running_stack(
            tmp_path,
            server_certificates=server,
            card_options={"server_cis": (server.ci.certificate,)},
            smdp_options={"euicc_cis": (ours.ci.certificate,)},
            trust_anchors=[ours.ci.certificate, server.ci.certificate],
            lpa_options=lpa_options,
            address=SGP26_HOST,
        ) as stack:
            order = stack.store.create_order(_spec())
            return await stack.lpa.download(order.activation_code)

    return asyncio.run(scenario())


def test_expired_dptls_is_reported_as_expired_with_the_remedy(tmp_path: Path) -> None:
    from esim.lpa import LpaError

    assert sgp26().dp_tls.certificate.not_valid_after_utc.year == 2026  # type: ignore[union-attr]
    with pytest.raises(LpaError) as raised:
        _download_from_published_set(tmp_path)
    message = str(raised.value)
    assert raised.value.rule == "es9.transport.tls"
    assert "expired" in message
    assert "--allow-expired-tls" in message
    assert "must chain to a trusted CI" not in message
    assert "not chained" not in message


def test_allow_expired_tls_accepts_it_for_a_test(tmp_path: Path) -> None:
    result = _download_from_published_set(tmp_path, allow_expired_tls=True)
    assert result.smdp_address == SGP26_HOST


def test_allow_expired_tls_still_refuses_an_untrusted_ci(tmp_path: Path) -> None:
    from esim.lpa import LpaError

    ours = our_certificates()
    server = sgp26()

    async def scenario() -> LpaError:
        async with running_stack(
            tmp_path,
            server_certificates=server,
            card_options={"server_cis": (server.ci.certificate,)},
            smdp_options={"euicc_cis": (ours.ci.certificate,)},
            trust_anchors=[ours.ci.certificate],  # the SGP.26 CI is not trusted for TLS
            lpa_options={"allow_expired_tls": True},
            address=SGP26_HOST,
        ) as stack:
            order = stack.store.create_order(_spec())
            with pytest.raises(LpaError) as raised:
                await stack.lpa.download(order.activation_code)
            return raised.value

    error = asyncio.run(scenario())
    assert "not issued by a trusted CI" in str(error)
