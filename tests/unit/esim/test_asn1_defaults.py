"""DEFAULT and OPTIONAL as SGP.22 v2.2.2 declares them, and as real cards encode them."""

from __future__ import annotations

from typing import Any

from esim.asn1 import messages as m

ICCID = bytes.fromhex("989900010000000010f2")


def profile_info(**fields: Any) -> dict[str, Any]:
    return {"iccid": ICCID, "profileState": 0, **fields}


def test_profile_info_keeps_an_operational_class_as_cards_send_it() -> None:
    encoded = m.PROFILE_INFO_LIST_RESPONSE.encode(
        ("profileInfoListOk", [profile_info(profileClass=2), profile_info(profileClass=0)])
    )
    assert encoded.count(bytes.fromhex("950102")) == 1
    assert encoded.count(bytes.fromhex("950100")) == 1
    _, profiles = m.PROFILE_INFO_LIST_RESPONSE.decode(encoded)
    assert [p["profileClass"] for p in profiles] == [2, 0]


def test_profile_info_without_a_class_decodes_without_one() -> None:
    """OPTIONAL, not DEFAULT: the reader decides (our LPA reads it as operational)."""
    encoded = m.PROFILE_INFO_LIST_RESPONSE.encode(("profileInfoListOk", [profile_info()]))
    assert b"\x95\x01" not in encoded
    _, profiles = m.PROFILE_INFO_LIST_RESPONSE.decode(encoded)
    assert "profileClass" not in profiles[0]


def test_store_metadata_request_omits_its_default_operational_class() -> None:
    metadata = {
        "iccid": ICCID,
        "serviceProviderName": "Contoso",
        "profileName": "Unlimited",
        "profileClass": 2,
    }
    encoded = m.STORE_METADATA_REQUEST.encode(metadata)
    assert b"\x95\x01\x02" not in encoded
    # asn1tools fills a missing DEFAULT with its name; the eUICC maps it (es10b_install)
    assert m.STORE_METADATA_REQUEST.decode(encoded)["profileClass"] == "operational"
    assert b"\x95\x01\x00" in m.STORE_METADATA_REQUEST.encode({**metadata, "profileClass": 0})


def test_euicc_category_is_default_other() -> None:
    from test_asn1_messages import EUICC_INFO2

    other = m.EUICC_INFO2.encode({**EUICC_INFO2, "euiccCategory": 0})
    basic = m.EUICC_INFO2.encode({**EUICC_INFO2, "euiccCategory": 1})
    assert b"\x8b\x01\x00" not in other
    assert b"\x8b\x01\x01" in basic
    without = {key: value for key, value in EUICC_INFO2.items() if key != "euiccCategory"}
    assert m.EUICC_INFO2.decode(m.EUICC_INFO2.encode(without))["euiccCategory"] == 0
