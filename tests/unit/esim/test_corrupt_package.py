"""The "corrupt package" order behaviour through the real stack: the SM-DP+ binds a package
whose last profile element is cut short, the eUICC itself refuses it while installing with BPP
errorReason installFailedDueToPEProcessingError (SGP.22 §5.7.6), nothing is installed, and the
SM-DP+ learns the failure from the installation result."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lpa_stack import Stack, running_stack

from esim.asn1.errors import Asn1Error
from esim.asn1.tlv import iter_tlvs
from esim.lpa import LpaError
from esim.smdp import OrderBehaviour
from esim.smdp.behaviours import cut_short
from esim.smdp.profile_package import ProfileSpec, generate_iccid, unprotected_profile_package


def test_the_card_rejects_the_cut_short_package(tmp_path: Path) -> None:
    async def scenario(stack: Stack) -> None:
        order = stack.order(behaviour=OrderBehaviour(corrupt_package=True))
        with pytest.raises(LpaError) as caught:
            await stack.lpa.download(order.activation_code)
        error = caught.value
        assert error.rule == "es10.LoadBoundProfilePackage.installFailedDueToPEProcessingError"
        assert error.activation_error == "cardGeneralFailure"
        assert stack.lpa.profiles.list_profiles() == []
        assert stack.state(order) == "failed"  # the installation result reached the SM-DP+
        # the same order without the behaviour installs: the failure was the package's
        plain = stack.order(iccid=None)
        assert (await stack.lpa.download(plain.activation_code)).iccid == plain.iccid

    async def main() -> None:
        async with running_stack(tmp_path) as stack:
            await scenario(stack)

    asyncio.run(main())


def test_cut_short_leaves_a_package_that_is_no_longer_whole_tlvs() -> None:
    upp = unprotected_profile_package(ProfileSpec(iccid=generate_iccid(), size_bytes=4096))
    assert len(list(iter_tlvs(upp))) > 2
    with pytest.raises(Asn1Error):
        list(iter_tlvs(cut_short(upp)))
    assert OrderBehaviour.from_json(OrderBehaviour(corrupt_package=True).to_json()).corrupt_package


def test_corrupt_package_must_be_a_boolean() -> None:
    with pytest.raises(ValueError, match="corrupt_package must be true or false"):
        OrderBehaviour.from_json('{"corrupt_package": "yes"}')
