"""The test eUICC writes its messages with the direct DER writers: what the codec would write.

The SM-DP+ tests and ``bench_smdp.py`` rely on it sending the messages a card sends; these hold
its AuthenticateServerResponse, PrepareDownloadResponse and installation result byte for byte
equal to the codec's encoding of the values it used to give the codec.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import smdp_fake_euicc
from smdp_fake_euicc import ADDRESS, DEVICE_INFO, EUICC_INFO2, FakeEuicc, b64, b64d

from esim.asn1 import der_builders as der
from esim.asn1 import messages as m
from esim.asn1.codec import rsp_codec
from esim.asn1.tlv import parse_single
from esim.crypto import encode_signature_tlv, sign_raw
from esim.identifiers import Iccid

TID = bytes.fromhex("0123456789abcdef0123456789abcdef")


def initiate_answer(card: FakeEuicc) -> dict[str, str]:
    """An initiateAuthentication answer for ``card``'s challenge, signed by DPauth."""
    certificates = smdp_fake_euicc.test_certificates()
    assert certificates.dp_auth is not None
    assert certificates.dp_auth.private_key is not None
    card.euicc_info1()
    signed1 = der.server_signed1(TID, card.challenge, ADDRESS, os.urandom(16))
    signature = sign_raw(certificates.dp_auth.private_key, signed1)
    return {
        "serverSigned1": b64(signed1),
        "serverSignature1": b64(encode_signature_tlv(signature)),
        "serverCertificate": b64(certificates.dp_auth.der),
    }


@pytest.mark.parametrize("matching_id", [None, "", "ABCDE-12345"])
def test_euicc_signed1_is_the_codecs_encoding(matching_id: str | None) -> None:
    card = FakeEuicc()
    answer = initiate_answer(card)
    response = card.authenticate_server(answer, matching_id)
    signed1 = m.euicc_signed1_part(response).signed
    server = m.SERVER_SIGNED1.decode(b64d(answer["serverSigned1"]))
    info2 = dict(EUICC_INFO2)
    info2["euiccCiPKIdListForVerification"] = [card.certs.ci_pkid]
    info2["euiccCiPKIdListForSigning"] = [card.certs.ci_pkid]
    context: dict[str, Any] = {"deviceInfo": DEVICE_INFO}
    if matching_id is not None:
        context["matchingId"] = matching_id
    expected = m.EUICC_SIGNED1.encode(
        {
            "transactionId": TID,
            "serverAddress": ADDRESS,
            "serverChallenge": server["serverChallenge"],
            "euiccInfo2": info2,
            "ctxParams1": ("ctxParamsForCommonAuthentication", context),
        }
    )
    assert signed1 == expected
    assert card.euicc_info1() == m.EUICC_INFO1.encode(
        {
            "svn": bytes.fromhex("020202"),
            "euiccCiPKIdListForVerification": [card.certs.ci_pkid],
            "euiccCiPKIdListForSigning": [card.certs.ci_pkid],
        }
    )


@pytest.mark.parametrize("code", [None, "1234"])
def test_euicc_signed2_and_the_installation_result_are_the_codecs_encoding(
    code: str | None,
) -> None:
    certificates = smdp_fake_euicc.test_certificates()
    assert certificates.dp_pb is not None
    assert certificates.dp_pb.private_key is not None
    card = FakeEuicc()
    card.authenticate_server(initiate_answer(card), "ABCDE-12345")
    signed2 = der.smdp_signed2(TID, code is not None)
    signature2 = sign_raw(
        certificates.dp_pb.private_key,
        m.smdp_signature2_input(signed2, card.download.euicc_signature1),
    )
    response = card.prepare_download(
        {
            "smdpSigned2": b64(signed2),
            "smdpSignature2": b64(encode_signature_tlv(signature2)),
            "smdpCertificate": b64(certificates.dp_pb.der),
            "profileMetadata": b64(b""),
        },
        code,
    )
    signed = m.euicc_signed2_part(response).signed
    assert card.download.one_time is not None
    value = m.EUICC_SIGNED2.decode(signed)
    assert value["transactionId"] == TID
    assert ("hashCc" in value) is (code is not None)
    assert m.EUICC_SIGNED2.encode(value) == signed
    iccid = Iccid.parse("8999001234567890123")
    for success in (True, False):
        result = card.installation_result(iccid, success=success)
        data = parse_single(result).value[: -len(encode_signature_tlv(b"\x00" * 64))]
        decoded = rsp_codec().decode("ProfileInstallationResultData", data)
        assert rsp_codec().encode("ProfileInstallationResultData", decoded) == data
        assert decoded["notificationMetadata"]["seqNumber"] == card.seq
        assert decoded["finalResult"][0] == ("successResult" if success else "errorResult")
