"""The hand-built DER of the SM-DP+'s hot path equals the codec's encoding, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esim.asn1 import der_builders as build
from esim.asn1 import messages as m
from esim.asn1.errors import Asn1EncodeError

OCTET16 = st.binary(min_size=16, max_size=16)
TID = st.binary(min_size=1, max_size=16)
TEXT = st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(TID, OCTET16, TEXT, OCTET16)
def test_server_signed1(tid: bytes, challenge: bytes, address: str, server: bytes) -> None:
    value = {
        "transactionId": tid,
        "euiccChallenge": challenge,
        "serverAddress": address,
        "serverChallenge": server,
    }
    assert build.server_signed1(tid, challenge, address, server) == m.SERVER_SIGNED1.encode(value)


@settings(max_examples=50, deadline=None)
@given(TID, st.booleans())
def test_smdp_signed2(tid: bytes, cc_required: bool) -> None:
    value = {"transactionId": tid, "ccRequiredFlag": cc_required}
    assert build.smdp_signed2(tid, cc_required) == m.SMDP_SIGNED2.encode(value)


@settings(max_examples=50, deadline=None)
@given(OCTET16, OCTET16, OCTET16)
def test_replace_session_keys_request(mcv: bytes, enc: bytes, cmac: bytes) -> None:
    value = {"initialMacChainingValue": mcv, "ppkEnc": enc, "ppkCmac": cmac}
    expected = m.REPLACE_SESSION_KEYS_REQUEST.encode(value)
    assert build.replace_session_keys_request(mcv, enc, cmac) == expected


NOTIFICATIONS = st.lists(
    st.tuples(st.frozensets(st.integers(0, 11), max_size=4), st.text(max_size=30)), max_size=3
)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=10, max_size=10),
    st.text(max_size=32),
    st.text(max_size=64),
    st.integers(0, 2),
    st.one_of(st.none(), st.binary(max_size=1024)),
    NOTIFICATIONS,
)
def test_store_metadata_request(
    iccid: bytes,
    spn: str,
    name: str,
    profile_class: int,
    icon: bytes | None,
    notifications: list[tuple[frozenset[int], str]],
) -> None:
    value: dict[str, Any] = {
        "iccid": iccid,
        "serviceProviderName": spn,
        "profileName": name,
        "profileClass": profile_class,
    }
    if icon is not None:
        value |= {"iconType": 1, "icon": icon}
    entries = [(m.named_bits(set(bits)), address) for bits, address in notifications]
    if entries:
        value["notificationConfigurationInfo"] = [
            {"profileManagementOperation": bits, "notificationAddress": address}
            for bits, address in entries
        ]
    built = build.store_metadata_request(iccid, spn, name, profile_class, icon, entries)
    assert built == m.STORE_METADATA_REQUEST.encode(value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: build.server_signed1(b"", bytes(16), "a", bytes(16)),
        lambda: build.server_signed1(bytes(17), bytes(16), "a", bytes(16)),
        lambda: build.server_signed1(b"t", bytes(15), "a", bytes(16)),
        lambda: build.smdp_signed2(b"", False),
        lambda: build.replace_session_keys_request(bytes(16), bytes(16), bytes(8)),
        lambda: build.store_metadata_request(bytes(9), "", "", 2, None, []),
        lambda: build.store_metadata_request(bytes(10), "x" * 33, "", 2, None, []),
        lambda: build.store_metadata_request(bytes(10), "", "", 2, bytes(1025), []),
    ],
)
def test_what_the_codec_refuses_is_refused_with_its_rule(call: Any) -> None:
    with pytest.raises(Asn1EncodeError, match=r"asn1\.\w+\.invalid-value"):
        call()


@pytest.mark.parametrize("icon", [None, b"", b"\x89PNG-ish"])
@pytest.mark.parametrize("profile_class", ["test", "provisioning", "operational"])
def test_the_smdps_metadata_is_the_codecs_encoding(icon: bytes | None, profile_class: str) -> None:
    from esim.identifiers import Iccid
    from esim.smdp.profile_package import (
        PROFILE_CLASSES,
        ProfileSpec,
        default_icon,
        store_metadata,
    )

    spec = ProfileSpec("89990012345678901233", profile_class=profile_class, icon=icon)
    value: dict[str, Any] = {
        "iccid": Iccid.parse(spec.iccid).to_sgp22_bytes(),
        "serviceProviderName": spec.service_provider,
        "profileName": spec.profile_name,
        "profileClass": PROFILE_CLASSES[profile_class],
        "notificationConfigurationInfo": [
            {
                "profileManagementOperation": m.named_bits({1, 2, 3}),
                "notificationAddress": "smdp.example.com",
            }
        ],
    }
    shown = default_icon() if icon is None else icon
    if shown:
        value |= {"iconType": 1, "icon": shown}
    assert store_metadata(spec, "smdp.example.com") == m.STORE_METADATA_REQUEST.encode(value)
