"""esim.euicc ES10c/ES10a and notifications: result codes, policy, persistence, signatures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from euicc_harness import (
    EID,
    ICCID_A,
    ICCID_B,
    SMDP_ADDRESS,
    Lpa,
    certificates,
    download,
    open_card,
    store_metadata,
)

from esim.asn1 import messages
from esim.asn1.tlv import encode_tlv, iter_tlvs, parse_single
from esim.crypto import verify_raw
from esim.euicc import Euicc, MemoryResetResult, Result
from esim.identifiers import Iccid

h = bytes.fromhex


def iccid_tlv(iccid: str) -> bytes:
    return encode_tlv(0x5A, Iccid.parse(iccid).to_sgp22_bytes())


@pytest.fixture
def card(tmp_path: Path) -> Iterator[Euicc]:
    opened = open_card(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def lpa(card: Euicc) -> Lpa:
    return Lpa(card).open()


@pytest.fixture
def two_profiles(lpa: Lpa) -> Lpa:
    for iccid in (ICCID_A, ICCID_B):
        result = messages.PROFILE_INSTALLATION_RESULT.decode(download(lpa, iccid))
        assert result["profileInstallationResultData"]["finalResult"][0] == "successResult"
    return lpa


def enable(lpa: Lpa, identifier: bytes, refresh: bool = True) -> int:
    request = encode_tlv(
        0xBF31, encode_tlv(0xA0, identifier) + (h("8101FF") if refresh else h("810100"))
    )
    return int(messages.ENABLE_PROFILE_RESPONSE.decode(lpa.es10(request))["enableResult"])


def disable(lpa: Lpa, identifier: bytes) -> int:
    request = encode_tlv(0xBF32, encode_tlv(0xA0, identifier) + h("8101FF"))
    return int(messages.DISABLE_PROFILE_RESPONSE.decode(lpa.es10(request))["disableResult"])


def delete(lpa: Lpa, identifier: bytes) -> int:
    answer = lpa.es10(encode_tlv(0xBF33, identifier))
    return int(messages.DELETE_PROFILE_RESPONSE.decode(answer)["deleteResult"])


def only_pending(retrieve_response: bytes) -> bytes:
    """The single raw PendingNotification inside a RetrieveNotificationsList response."""
    outer = parse_single(retrieve_response, 0xBF2B)
    (container,) = iter_tlvs(outer.value)
    (pending,) = iter_tlvs(container.value)
    return pending.raw


def profiles_info(lpa: Lpa, body: bytes = b"") -> list[dict[str, Any]]:
    kind, value = messages.PROFILE_INFO_LIST_RESPONSE.decode(lpa.es10(encode_tlv(0xBF2D, body)))
    assert kind == "profileInfoListOk"
    return list(value)


def test_get_eid_and_configured_addresses(lpa: Lpa, card: Euicc) -> None:
    assert lpa.es10(h("BF3E035C015A")) == h("BF3E125A10") + h(EID)
    assert card.eid() == EID
    answer = messages.EUICC_CONFIGURED_ADDRESSES_RESPONSE.decode(lpa.es10(h("BF3C00")))
    assert answer == {"rootDsAddress": "testrootsmds.gsma.com"}
    set_answer = lpa.es10(encode_tlv(0xBF3F, encode_tlv(0x80, b"smdp.example.com")))
    assert messages.SET_DEFAULT_DP_ADDRESS_RESPONSE.decode(set_answer) == {
        "setDefaultDpAddressResult": 0
    }
    answer = messages.EUICC_CONFIGURED_ADDRESSES_RESPONSE.decode(lpa.es10(h("BF3C00")))
    assert answer["defaultDpAddress"] == "smdp.example.com"


def test_euicc_info_lists_the_ci(lpa: Lpa) -> None:
    info1 = messages.EUICC_INFO1.decode(lpa.es10(h("BF2000")))
    assert info1["euiccCiPKIdListForVerification"] == [certificates().ci_pkid]
    assert info1["svn"] == h("020202")
    info2 = messages.EUICC_INFO2.decode(lpa.es10(h("BF2200")))
    assert info2["euiccCiPKIdListForSigning"] == [certificates().ci_pkid]
    assert info2["extCardResource"][:3] == h("810108")


def test_profiles_info_lists_installed_profiles(two_profiles: Lpa, card: Euicc) -> None:
    infos = profiles_info(two_profiles)
    assert [info["isdpAid"].hex().upper()[-4:] for info in infos] == ["1000", "1100"]
    first = infos[0]
    assert first["iccid"] == Iccid.parse(ICCID_A).to_sgp22_bytes()
    assert first["profileState"] == 0
    assert first["serviceProviderName"] == "Contoso"
    assert first["dpProprietaryData"] == {"dpOid": "2.999.10"}
    assert [p.state for p in card.profiles()] == ["disabled", "disabled"]


def test_profiles_info_search_criteria_and_tag_list(two_profiles: Lpa) -> None:
    by_iccid = profiles_info(two_profiles, encode_tlv(0xA0, iccid_tlv(ICCID_B)))
    assert len(by_iccid) == 1
    assert by_iccid[0]["iccid"] == Iccid.parse(ICCID_B).to_sgp22_bytes()
    aid = h("A0000005591010FFFFFFFF8900001000")
    assert len(profiles_info(two_profiles, encode_tlv(0xA0, encode_tlv(0x4F, aid)))) == 1
    assert profiles_info(two_profiles, encode_tlv(0xA0, encode_tlv(0x4F, bytes(16)))) == []
    assert len(profiles_info(two_profiles, encode_tlv(0xA0, h("950102")))) == 2
    assert profiles_info(two_profiles, encode_tlv(0xA0, h("950100"))) == []
    only = profiles_info(two_profiles, encode_tlv(0x5C, h("5A9F7092")))
    # profileClass is OPTIONAL in ProfileInfo: the card sent only the three tags asked for
    assert set(only[0]) == {"iccid", "profileState", "profileName"}
    bad = two_profiles.es10(encode_tlv(0xBF2D, encode_tlv(0x5C, h("9F"))))
    assert messages.PROFILE_INFO_LIST_RESPONSE.decode(bad) == ("profileInfoListError", 1)


def test_enable_disable_delete_result_codes(two_profiles: Lpa, card: Euicc) -> None:
    lpa = two_profiles
    a, b = iccid_tlv(ICCID_A), iccid_tlv(ICCID_B)
    assert enable(lpa, iccid_tlv("89000123456789012358")) == 1
    assert disable(lpa, a) == 2  # not enabled
    assert enable(lpa, a) == 0
    assert enable(lpa, a) == 2  # already enabled
    assert delete(lpa, a) == 2  # enabled profiles cannot be deleted
    aid_b = encode_tlv(0x4F, h("A0000005591010FFFFFFFF8900001100"))
    assert enable(lpa, aid_b, refresh=False) == 0  # by AID; implicitly disables A
    assert [p.state for p in card.profiles()] == ["disabled", "enabled"]
    assert disable(lpa, b) == 0
    assert delete(lpa, a) == 0
    assert delete(lpa, a) == 1
    assert [p.iccid for p in card.profiles()] == [ICCID_B]


def test_one_enabled_profile_and_notifications(two_profiles: Lpa, card: Euicc) -> None:
    lpa = two_profiles
    assert enable(lpa, iccid_tlv(ICCID_A)) == 0
    assert enable(lpa, iccid_tlv(ICCID_B)) == 0
    events = [(n.seq_number, n.event, n.iccid) for n in card.notifications()]
    assert events == [
        (0, "install", ICCID_A),
        (1, "install", ICCID_B),
        (2, "enable", ICCID_A),
        (3, "disable", ICCID_A),
        (4, "enable", ICCID_B),
    ]


def test_notifications_are_signed_over_exact_bytes(two_profiles: Lpa) -> None:
    lpa = two_profiles
    enable(lpa, iccid_tlv(ICCID_A))
    listed = messages.LIST_NOTIFICATION_RESPONSE.decode(lpa.es10(h("BF2800")))
    assert [entry["seqNumber"] for entry in listed[1]] == [0, 1, 2]
    assert listed[1][2]["profileManagementOperation"] == (h("40"), 2)  # 81 02 06 40
    enables = messages.LIST_NOTIFICATION_RESPONSE.decode(lpa.es10(h("BF280481020640")))
    assert [entry["seqNumber"] for entry in enables[1]] == [2]
    kind, pending = messages.RETRIEVE_NOTIFICATIONS_LIST_RESPONSE.decode(lpa.es10(h("BF2B00")))
    assert kind == "notificationList"
    assert len(pending) == 3
    euicc_key = certificates().euicc.certificate.public_key()  # type: ignore[union-attr]
    assert isinstance(euicc_key, ec.EllipticCurvePublicKey)
    part = messages.other_signed_notification_part(only_pending(lpa.es10(h("BF2B05A003800102"))))
    verify_raw(euicc_key, part.signed, part.signature)
    pir_part = messages.profile_installation_result_part(
        only_pending(lpa.es10(h("BF2B05A003800100")))
    )
    verify_raw(euicc_key, pir_part.signed, pir_part.signature)
    missing = lpa.es10(h("BF2B05A003800163"))
    assert messages.RETRIEVE_NOTIFICATIONS_LIST_RESPONSE.decode(missing) == (
        "notificationsListResultError",
        1,
    )


def test_remove_notification(two_profiles: Lpa, card: Euicc) -> None:
    answer = two_profiles.es10(h("BF3003800100"))
    assert messages.NOTIFICATION_SENT_RESPONSE.decode(answer) == {"deleteNotificationStatus": 0}
    answer = two_profiles.es10(h("BF3003800100"))
    assert messages.NOTIFICATION_SENT_RESPONSE.decode(answer) == {"deleteNotificationStatus": 1}
    assert [n.seq_number for n in card.notifications()] == [1]


def test_notification_configuration_is_honoured(lpa: Lpa, card: Euicc) -> None:
    download(lpa, ICCID_A, metadata=store_metadata(ICCID_A, events=("delete",)))
    card.enable(ICCID_A)
    card.disable(ICCID_A)
    card.delete(ICCID_A)
    assert [n.event for n in card.notifications()] == ["install", "delete"]
    assert card.notifications()[1].address == SMDP_ADDRESS


def test_policy_rules_block_disable_and_delete(lpa: Lpa, card: Euicc) -> None:
    download(lpa, ICCID_A, metadata=store_metadata(ICCID_A, ppr={1, 2}))
    download(lpa, ICCID_B)
    assert card.delete(ICCID_A) is Result.DISALLOWED_BY_POLICY
    assert card.enable(ICCID_A) is Result.OK
    assert card.disable(ICCID_A) is Result.DISALLOWED_BY_POLICY
    assert card.enable(ICCID_B) is Result.DISALLOWED_BY_POLICY  # would disable A
    assert delete(lpa, iccid_tlv(ICCID_A)) == 2


def test_set_nickname(two_profiles: Lpa, card: Euicc) -> None:
    request = encode_tlv(0xBF29, iccid_tlv(ICCID_A) + encode_tlv(0x90, "Work ✓".encode()))
    assert messages.SET_NICKNAME_RESPONSE.decode(two_profiles.es10(request)) == {
        "setNicknameResult": 0
    }
    assert card.profile(ICCID_A).nickname == "Work ✓"  # type: ignore[union-attr]
    missing = encode_tlv(0xBF29, iccid_tlv("89000123456789012358") + encode_tlv(0x90, b"x"))
    assert messages.SET_NICKNAME_RESPONSE.decode(two_profiles.es10(missing)) == {
        "setNicknameResult": 1
    }
    assert profiles_info(two_profiles)[0]["profileNickname"] == "Work ✓"


def test_busy_card_answers_cat_busy(tmp_path: Path) -> None:
    card = open_card(tmp_path / "busy", busy=True)
    lpa = Lpa(card).open()
    download(lpa, ICCID_A)
    assert enable(lpa, iccid_tlv(ICCID_A)) == 5
    answer = lpa.es10(h("BF340482020780"))
    assert messages.EUICC_MEMORY_RESET_RESPONSE.decode(answer) == {"resetResult": 5}
    card.close()


def test_memory_reset(two_profiles: Lpa, card: Euicc) -> None:
    card.enable(ICCID_A)
    answer = two_profiles.es10(h("BF340482020780"))  # deleteOperationalProfiles
    assert messages.EUICC_MEMORY_RESET_RESPONSE.decode(answer) == {"resetResult": 0}
    assert card.profiles() == []
    answer = two_profiles.es10(h("BF340482020780"))
    assert messages.EUICC_MEMORY_RESET_RESPONSE.decode(answer) == {"resetResult": 1}
    card.transmit(h("00A4040010"))  # noise
    assert card.memory_reset(default_smdp_address=True) is MemoryResetResult.NOTHING_TO_DELETE


def test_state_survives_reopen(tmp_path: Path) -> None:
    card = open_card(tmp_path)
    lpa = Lpa(card).open()
    download(lpa, ICCID_A)
    card.enable(ICCID_A)
    card.set_nickname(ICCID_A, "Home")
    lpa.es10(encode_tlv(0xBF3F, encode_tlv(0x80, b"dp.example.com")))
    before = card.profiles()
    card.close()
    reopened = open_card(tmp_path)
    assert reopened.profiles() == before
    assert reopened.default_dp_address() == "dp.example.com"
    assert [n.seq_number for n in reopened.notifications()] == [0, 1]
    lpa = Lpa(reopened).open()
    download(lpa, ICCID_B)
    assert [n.seq_number for n in reopened.notifications()] == [0, 1, 2]
    assert reopened.profile(ICCID_B).aid.endswith("1100")  # type: ignore[union-attr]
    reopened.close()


def test_aids_are_not_reused_after_delete(lpa: Lpa, card: Euicc) -> None:
    download(lpa, ICCID_A)
    card.delete(ICCID_A)
    download(lpa, ICCID_A)
    assert card.profile(ICCID_A).aid.endswith("1100")  # type: ignore[union-attr]


def test_euicc_info2_follows_installs_and_deletes(lpa: Lpa, card: Euicc) -> None:
    """EUICCInfo2 is encoded once per card state: installs and deletes must show in it."""

    def resources() -> tuple[int, int]:
        value = messages.EUICC_INFO2.decode(lpa.es10(h("BF2200")))["extCardResource"]
        fields = {tlv.tag: tlv.value for tlv in iter_tlvs(value)}
        return fields[0x81][0], int.from_bytes(fields[0x82], "big")

    applications, free = resources()
    assert resources() == (applications, free)
    download(lpa, ICCID_A)
    after_install = resources()
    assert after_install[0] == applications + 1
    assert after_install[1] < free
    assert card.delete(ICCID_A) == 0
    assert resources() == (applications, free)
