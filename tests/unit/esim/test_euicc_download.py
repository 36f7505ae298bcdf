"""esim.euicc download path: AuthenticateServer, PrepareDownload, LoadBPP, CancelSession
(SGP.22 §3.1.3) against a fake SM-DP+ built from real crypto."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from euicc_harness import (
    ICCID_A,
    ICCID_B,
    SMDP_ADDRESS,
    CardStatusError,
    FakeSmdp,
    Lpa,
    authenticate,
    certificates,
    download,
    foreign_certificates,
    open_card,
    store_metadata,
    unprotected_package,
)

from esim.asn1 import messages
from esim.crypto import verify_raw
from esim.euicc import Euicc
from esim.pki import verify_euicc_chain

h = bytes.fromhex


@pytest.fixture
def card(tmp_path: Path) -> Iterator[Euicc]:
    opened = open_card(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def lpa(card: Euicc) -> Lpa:
    return Lpa(card).open()


def euicc_key() -> ec.EllipticCurvePublicKey:
    key = certificates().euicc.certificate.public_key()  # type: ignore[union-attr]
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def final_result(bf37: bytes) -> tuple[str, dict[str, Any]]:
    data = messages.PROFILE_INSTALLATION_RESULT.decode(bf37)["profileInstallationResultData"]
    result: tuple[str, dict[str, Any]] = data["finalResult"]
    return result


def auth_error(response: bytes) -> int:
    kind, value = messages.AUTHENTICATE_SERVER_RESPONSE.decode(response)
    assert kind == "authenticateResponseError"
    return int(value["authenticateErrorCode"])


def test_authenticate_server_signs_euicc_signed1(lpa: Lpa) -> None:
    smdp = FakeSmdp()
    response = authenticate(lpa, smdp)
    kind, ok = messages.AUTHENTICATE_SERVER_RESPONSE.decode(response)
    assert kind == "authenticateResponseOk"
    signed1 = ok["euiccSigned1"]
    assert signed1["transactionId"] == smdp.transaction_id
    assert signed1["serverAddress"] == SMDP_ADDRESS
    assert signed1["serverChallenge"] == smdp.server_challenge
    assert signed1["ctxParams1"][1]["matchingId"] == "MATCH-1"
    part = messages.euicc_signed1_part(response)
    verify_raw(euicc_key(), part.signed, part.signature)
    from cryptography import x509

    verify_euicc_chain(
        x509.load_der_x509_certificate(bytes(ok["euiccCertificate"])),
        x509.load_der_x509_certificate(bytes(ok["eumCertificate"])),
        certificates().ci.certificate,
    )


def test_authenticate_server_errors(lpa: Lpa) -> None:
    assert auth_error(authenticate(lpa, FakeSmdp(), pkid=bytes(20))) == 7  # ciPKUnknown
    assert auth_error(authenticate(lpa, FakeSmdp(), certificate=h("3003020101"))) == 1
    foreign = foreign_certificates().dp_auth.der  # type: ignore[union-attr]
    assert auth_error(authenticate(lpa, FakeSmdp(), certificate=foreign)) == 1
    dp_pb = certificates().dp_pb.der  # type: ignore[union-attr]
    assert auth_error(authenticate(lpa, FakeSmdp(), certificate=dp_pb)) == 1  # wrong role
    assert auth_error(authenticate(lpa, FakeSmdp(), signature=bytes(range(1, 65)))) == 2
    smdp = FakeSmdp()
    lpa.es10(h("BF2E00"))
    assert auth_error(lpa.es10(smdp.authenticate_server_request(os.urandom(16)))) == 6


def test_challenge_is_single_use(lpa: Lpa) -> None:
    smdp = FakeSmdp()
    challenge = messages.GET_EUICC_CHALLENGE_RESPONSE.decode(lpa.es10(h("BF2E00")))
    request = smdp.authenticate_server_request(challenge["euiccChallenge"])
    assert lpa.es10(request)[:5] != b""
    assert auth_error(lpa.es10(request)) == 6


def test_prepare_download_signs_with_one_time_key(lpa: Lpa) -> None:
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    kind, ok = messages.PREPARE_DOWNLOAD_RESPONSE.decode(prepared)
    assert kind == "downloadResponseOk"
    assert ok["euiccSigned2"]["transactionId"] == smdp.transaction_id
    assert len(ok["euiccSigned2"]["euiccOtpk"]) == 65
    part = messages.euicc_signed2_part(prepared)
    verify_raw(
        euicc_key(),
        messages.euicc_signature2_input(part.signed, smdp.smdp_signature2),
        part.signature,
    )


def test_prepare_download_copies_hash_cc_and_checks_errors(lpa: Lpa) -> None:
    smdp = FakeSmdp()
    response = authenticate(lpa, smdp)
    missing_cc = lpa.es10(smdp.prepare_download_request(response, cc_required=True))
    assert messages.PREPARE_DOWNLOAD_RESPONSE.decode(missing_cc)[1]["downloadErrorCode"] == 127
    hash_cc = messages.hash_confirmation_code("1234", smdp.transaction_id)
    prepared = lpa.es10(smdp.prepare_download_request(response, cc_required=True, hash_cc=hash_cc))
    assert (
        messages.PREPARE_DOWNLOAD_RESPONSE.decode(prepared)[1]["euiccSigned2"]["hashCc"] == hash_cc
    )

    other = FakeSmdp()
    response = authenticate(lpa, other)
    other.transaction_id = os.urandom(16)
    wrong_tid = lpa.es10(other.prepare_download_request(response))
    assert messages.PREPARE_DOWNLOAD_RESPONSE.decode(wrong_tid)[1]["downloadErrorCode"] == 5

    tampered = bytearray(FakeSmdp().prepare_download_request(response))
    tampered[20] ^= 1  # inside smdpSigned2
    bad_sig = lpa.es10(bytes(tampered))
    assert messages.PREPARE_DOWNLOAD_RESPONSE.decode(bad_sig)[0] == "downloadResponseError"

    lpa.es10(h("BF2E00"))  # a new challenge drops the session
    no_session = lpa.es10(FakeSmdp().prepare_download_request(response))
    assert messages.PREPARE_DOWNLOAD_RESPONSE.decode(no_session)[1]["downloadErrorCode"] == 4


@pytest.mark.parametrize("replace_keys", [True, False])
def test_full_download_installs_a_disabled_profile(
    lpa: Lpa, card: Euicc, replace_keys: bool
) -> None:
    smdp = FakeSmdp()
    upp = unprotected_package(ICCID_A, 12_000)
    bf37 = download(lpa, ICCID_A, smdp=smdp, upp=upp, replace_keys=replace_keys)
    kind, success = final_result(bf37)
    assert kind == "successResult"
    assert success["aid"] == h("A0000005591010FFFFFFFF8900001000")
    part = messages.profile_installation_result_part(bf37)
    verify_raw(euicc_key(), part.signed, part.signature)
    data = messages.PROFILE_INSTALLATION_RESULT.decode(bf37)["profileInstallationResultData"]
    assert data["transactionId"] == smdp.transaction_id
    assert data["smdpOid"] == "2.999.10"
    assert data["notificationMetadata"]["notificationAddress"] == SMDP_ADDRESS
    (profile,) = card.profiles()
    assert (profile.iccid, profile.state, profile.size_bytes) == (ICCID_A, "disabled", 12_000)
    assert card.notifications()[0].pending == bf37
    # the PIR carries exactly the metadata the card lists for it
    listed = card.notifications()[0].metadata
    assert messages.NOTIFICATION_METADATA.encode(data["notificationMetadata"]) == listed
    assert bf37.find(listed) > 0
    # the segments after the BF37 are refused
    assert card.transmit(bytes([0x80 | lpa.channel]) + h("E2910002860000")) == h("6A88")


def test_tampered_segment_gives_early_bf37_then_6a88(lpa: Lpa, card: Euicc) -> None:
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    bpp = smdp.bound_profile_package(
        prepared, store_metadata(ICCID_A), unprotected_package(ICCID_A, 5000), tamper_segment=1
    )
    commands = messages.load_bpp_commands(bpp)
    answers = []
    for command in commands:
        try:
            answers.append(lpa.es10(command))
        except CardStatusError as error:
            answers.append(error.sw.to_bytes(2, "big"))
    results = [a for a in answers if a.startswith(h("BF37"))]
    assert len(results) == 1
    assert final_result(results[0]) == ("errorResult", {"bppCommandId": 5, "errorReason": 8})
    after = answers[answers.index(results[0]) + 1 :]
    assert after
    assert all(a == h("6A88") for a in after)
    assert card.profiles() == []
    assert [n.event for n in card.notifications()] == ["install"]


def test_duplicate_iccid_fails_at_store_metadata(lpa: Lpa, card: Euicc) -> None:
    download(lpa, ICCID_A)
    assert final_result(download(lpa, ICCID_A)) == (
        "errorResult",
        {"bppCommandId": 2, "errorReason": 9},
    )
    assert len(card.profiles()) == 1


def test_insufficient_memory(tmp_path: Path) -> None:
    card = open_card(tmp_path, memory_limit_bytes=8_000)
    lpa = Lpa(card).open()
    assert final_result(download(lpa, ICCID_A, upp=unprotected_package(ICCID_A, 5_000)))[0] == (
        "successResult"
    )
    result = download(lpa, ICCID_B, upp=unprotected_package(ICCID_B, 5_000))
    assert final_result(result) == ("errorResult", {"bppCommandId": 5, "errorReason": 10})
    assert [p.iccid for p in card.profiles()] == [ICCID_A]
    card.close()


def test_iccid_mismatch_and_bad_class(lpa: Lpa) -> None:
    mismatch = download(lpa, ICCID_A, upp=unprotected_package(ICCID_B))
    assert final_result(mismatch) == ("errorResult", {"bppCommandId": 5, "errorReason": 13})
    bad_class = download(lpa, ICCID_A, metadata=store_metadata(ICCID_A, profile_class=7))
    assert final_result(bad_class) == ("errorResult", {"bppCommandId": 2, "errorReason": 6})


def test_whole_bpp_in_one_command(lpa: Lpa, card: Euicc) -> None:
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    bpp = smdp.bound_profile_package(
        prepared, store_metadata(ICCID_A), unprotected_package(ICCID_A)
    )
    assert final_result(lpa.es10(bpp))[0] == "successResult"
    assert card.profile(ICCID_A) is not None


def test_bpp_for_another_transaction_is_refused(lpa: Lpa, card: Euicc) -> None:
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    smdp.transaction_id = os.urandom(16)
    bpp = smdp.bound_profile_package(
        prepared, store_metadata(ICCID_A), unprotected_package(ICCID_A)
    )
    assert final_result(lpa.load_bpp(bpp)) == ("errorResult", {"bppCommandId": 0, "errorReason": 3})
    assert card.profiles() == []


def test_cancel_session(lpa: Lpa) -> None:
    smdp = FakeSmdp()
    authenticate(lpa, smdp)
    wrong = lpa.es10(messages.CANCEL_SESSION_REQUEST.encode({"transactionId": b"x", "reason": 0}))
    assert messages.CANCEL_SESSION_RESPONSE.decode(wrong) == ("cancelSessionResponseError", 5)
    request = messages.CANCEL_SESSION_REQUEST.encode(
        {"transactionId": smdp.transaction_id, "reason": 0}
    )
    response = lpa.es10(request)
    kind, ok = messages.CANCEL_SESSION_RESPONSE.decode(response)
    assert kind == "cancelSessionResponseOk"
    assert ok["euiccCancelSessionSigned"] == {
        "transactionId": smdp.transaction_id,
        "smdpOid": "2.999.10",
        "reason": 0,
    }
    part = messages.cancel_session_part(response)
    verify_raw(euicc_key(), part.signed, part.signature)
    again = lpa.es10(request)
    assert messages.CANCEL_SESSION_RESPONSE.decode(again) == ("cancelSessionResponseError", 5)


def test_smdp_package_builder_interoperates(lpa: Lpa, card: Euicc) -> None:
    """The SM-DP+'s own BPP builder (esim/smdp) against this card, when it is present."""
    package = pytest.importorskip("esim.smdp.profile_package")
    spec = package.ProfileSpec(iccid=ICCID_B, size_bytes=4000)
    metadata = package.store_metadata(spec, SMDP_ADDRESS)
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    otpk = messages.PREPARE_DOWNLOAD_RESPONSE.decode(prepared)[1]["euiccSigned2"]["euiccOtpk"]
    from esim.crypto import Curve

    bpp = package.bind_profile_package(
        package.BindingInput(
            transaction_id=smdp.transaction_id,
            eid=card.eid(),
            euicc_otpk=otpk,
            metadata=metadata,
            upp=package.unprotected_profile_package(spec),
        ),
        certificates().dp_pb.private_key,  # type: ignore[union-attr]
        Curve.NIST_P256,
    )
    assert final_result(lpa.load_bpp(bpp))[0] == "successResult"
    assert card.profile(ICCID_B) is not None


def test_dp_certificate_verdicts_are_remembered_per_card_and_bounded(
    lpa: Lpa, card: Euicc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CERT.DPauth/DPpb are checked once per card; a refused one stays refused."""
    from esim.euicc import es10b_auth

    checked: list[tuple[bytes, object]] = []
    check = es10b_auth._check_dp_certificate

    def counting(ctx: Any, der: bytes, role: Any) -> Any:
        checked.append((der, role))
        return check(ctx, der, role)

    monkeypatch.setattr(es10b_auth, "_check_dp_certificate", counting)
    foreign = foreign_certificates().dp_auth.der  # type: ignore[union-attr]
    for _ in range(2):
        smdp = FakeSmdp()
        assert messages.AUTHENTICATE_SERVER_RESPONSE.decode(authenticate(lpa, smdp))[0] == (
            "authenticateResponseOk"
        )
        prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
        assert prepared[:2] == h("BF21")
        assert auth_error(authenticate(lpa, FakeSmdp(), certificate=foreign)) == 1
    assert len(checked) == 3  # DPauth, DPpb and the foreign DPauth, each once
    verdicts = card._ctx.dp_certificate_verdicts
    for number in range(40):
        card._ctx.remember_dp_certificate_verdict((bytes([number]), checked[0][1]), 1)  # type: ignore[arg-type]
    assert len(verdicts) == 32
