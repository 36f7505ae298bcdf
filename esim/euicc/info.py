"""EUICCInfo1 and EUICCInfo2 with realistic values (SGP.22 §5.7.8).

The figures follow the sysmoEUICC1-C2T test card of §4.8 where SGP.22 leaves them to the
manufacturer; the version is SGP.22 v2.2.2, the one lpac declares, and the CI lists hold the
single CI of the configured certificate set. The free memory in ``extCardResource`` is the
card's real remaining space, so an SM-DP+ can refuse with 8.1/4.8 before the download.
"""

from __future__ import annotations

from typing import Any

from esim.asn1 import messages

SVN = bytes.fromhex("020202")
"""SGP.22 v2.2.2."""
PROFILE_VERSION = bytes.fromhex("020301")
"""SIMalliance / TCA Interoperable Profile version 2.3.1."""
FIRMWARE_VERSION = bytes.fromhex("010400")
TS102241_VERSION = bytes.fromhex("0F0100")
"""ETSI TS 102 241 v15.1.0."""
GLOBALPLATFORM_VERSION = bytes.fromhex("020300")
PP_VERSION = bytes.fromhex("010000")
SAS_ACCREDITATION_NUMBER = "MPS-EMULATED-EUICC-1"
UICC_CAPABILITY = (bytes.fromhex("067F36F3C0"), 34)
"""USIM, ISIM, CSIM, MILENAGE, TUAK, GBA, Java Card … as the §4.8 test card reports."""
RSP_CAPABILITY = messages.named_bits({0, 3, 4})
"""additionalProfile, testProfileSupport, deviceInfoExtensibilitySupport (§4.8)."""
FREE_VOLATILE_MEMORY = 9_241
BASE_INSTALLED_APPLICATIONS = 8
"""Applications present before any profile (ISD-R, ECASD, the card's own packages)."""


def euicc_info1(ci_pkids: list[bytes], verification: list[bytes] | None = None) -> bytes:
    """The BF20 TLV of GetEUICCInfo1; ``verification`` defaults to ``ci_pkids`` (signing)."""
    return messages.EUICC_INFO1.encode(
        {
            "svn": SVN,
            "euiccCiPKIdListForVerification": list(
                ci_pkids if verification is None else verification
            ),
            "euiccCiPKIdListForSigning": list(ci_pkids),
        }
    )


def ext_card_resource(installed_applications: int, free_memory: int) -> bytes:
    """ETSI TS 102 226 §8.2.1.3.2 tags 81 (applications), 82 (free NV), 83 (free volatile)."""
    free_nv = max(0, min(free_memory, 0xFFFFFFFF))
    return (
        b"\x81\x01"
        + bytes([min(installed_applications, 0xFF)])
        + b"\x82\x04"
        + free_nv.to_bytes(4, "big")
        + b"\x83\x02"
        + FREE_VOLATILE_MEMORY.to_bytes(2, "big")
    )


def euicc_info2_value(
    ci_pkids: list[bytes],
    installed_profiles: int,
    free_memory: int,
    verification: list[bytes] | None = None,
) -> dict[str, Any]:
    """The EUICCInfo2 value (asn1tools form), also embedded in euiccSigned1 (§3.5 step 3)."""
    return {
        "profileVersion": PROFILE_VERSION,
        "svn": SVN,
        "euiccFirmwareVer": FIRMWARE_VERSION,
        "extCardResource": ext_card_resource(
            BASE_INSTALLED_APPLICATIONS + installed_profiles, free_memory
        ),
        "uiccCapability": UICC_CAPABILITY,
        "ts102241Version": TS102241_VERSION,
        "globalplatformVersion": GLOBALPLATFORM_VERSION,
        "rspCapability": RSP_CAPABILITY,
        "euiccCiPKIdListForVerification": list(ci_pkids if verification is None else verification),
        "euiccCiPKIdListForSigning": list(ci_pkids),
        "euiccCategory": 1,  # basicEuicc: a consumer eUICC with one enabled profile
        "ppVersion": PP_VERSION,
        "sasAcreditationNumber": SAS_ACCREDITATION_NUMBER,
    }


def euicc_info2(
    ci_pkids: list[bytes],
    installed_profiles: int,
    free_memory: int,
    verification: list[bytes] | None = None,
) -> bytes:
    """The BF22 TLV of GetEUICCInfo2."""
    return messages.EUICC_INFO2.encode(
        euicc_info2_value(ci_pkids, installed_profiles, free_memory, verification)
    )
