"""Real GSMA TS.48 test profiles (SAIP unprotected packages) served by our SM-DP+ and installed.

Every file in the interop material's ``ts48/`` goes through ``esim smdp order --profile``'s
path: the ICCID comes from the package's ProfileHeader, the package is bound byte for byte, the
eUICC checks the header against the metadata and installs it, and the card then reports that
ICCID with the profile name (the header's profileType) and class from the metadata.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from interop_material import INTEROP, material, running_stack

from esim.cli import main
from esim.smdp import ProfileSpec
from esim.smdp.profile_package import read_profile_package, unprotected_profile_package

TS48 = sorted((INTEROP / "ts48").glob("*.der")) if INTEROP else []


def test_the_material_has_the_five_ts48_profiles() -> None:
    assert len(sorted(material("ts48").glob("*.der"))) == 5


@pytest.mark.parametrize("path", TS48, ids=[path.stem for path in TS48])
def test_ts48_profile_is_served_and_installed(tmp_path: Path, path: Path) -> None:
    upp = path.read_bytes()
    header = read_profile_package(upp)
    spec = ProfileSpec.from_upp(upp, profile_class="test")
    assert spec.iccid == header.iccid.digits
    assert unprotected_profile_package(spec) == upp  # served as is, not regenerated

    async def scenario() -> tuple[Any, list[Any]]:
        async with running_stack(tmp_path) as stack:
            order = stack.store.create_order(spec)
            result = await stack.lpa.download(order.activation_code)
            profiles = await asyncio.to_thread(stack.lpa.profiles.list_profiles)
            return result, profiles

    result, profiles = asyncio.run(scenario())
    assert result.iccid == header.iccid.digits
    (profile,) = profiles
    assert profile.iccid == header.iccid.digits
    assert profile.profile_name == "GSMA Generic eUICC Test Profile"
    assert profile.profile_class == "test"
    assert profile.state == "disabled"


def test_esim_smdp_order_takes_the_iccid_from_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = material("ts48", "TS48V2-SAIP2-1-BERTLV-UNIQUE.der")
    data = ["--data-dir", str(tmp_path)]
    assert main(["smdp", "order", *data, "--profile", str(path), "--json"]) == 0
    order = json.loads(capsys.readouterr().out)
    assert order["iccid"] == "8949449999999990049"
    assert order["profileName"] == "GSMA Generic eUICC Test Profile"
    assert order["profileClass"] == "operational"
    assert main(["smdp", "order", *data, "--profile", str(path), "--iccid", "8949449999999990049"])
    assert "exclude each other" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "upp.header-first"),
        (b"not a profile package", "upp."),
        (bytes.fromhex("a0038001020a"), "upp."),
        (bytes.fromhex("a003800102"), "upp.header-iccid"),
        (bytes.fromhex("a085ffffffffff"), "upp.tlv"),
    ],
)
def test_a_file_that_is_no_profile_package_is_refused_with_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, rule: str
) -> None:
    path = tmp_path / "bad.der"
    path.write_bytes(content)
    assert main(["smdp", "order", "--data-dir", str(tmp_path), "--profile", str(path)]) == 1
    assert rule in capsys.readouterr().err
