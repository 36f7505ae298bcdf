"""Valid SGP.22 messages taken from a real download on the emulated eUICC: the seeds that the
adversarial tests and ``make fuzz`` mutate. Not a test module."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from euicc_harness import ICCID_A, FakeSmdp, Lpa, certificates, open_card, store_metadata
from euicc_harness import unprotected_package as make_upp

from esim.asn1 import messages as m
from esim.euicc import info


@dataclass(frozen=True)
class EsimSamples:
    """DER seeds by message, and the ES10 requests the card accepted."""

    by_message: dict[m.Message, bytes]
    es10_requests: dict[str, bytes]


@functools.cache
def esim_samples() -> EsimSamples:
    """One download, one notification listing and one profile listing on a scratch card."""
    with tempfile.TemporaryDirectory(prefix="adversarial-") as scratch:
        card = open_card(Path(scratch) / "card")
        try:
            lpa = Lpa(card).open()
            smdp = FakeSmdp()
            challenge_answer = lpa.es10(bytes.fromhex("BF2E00"))
            challenge = m.GET_EUICC_CHALLENGE_RESPONSE.decode(challenge_answer)["euiccChallenge"]
            auth_request = smdp.authenticate_server_request(challenge)
            auth_response = lpa.es10(auth_request)
            prepare_request = smdp.prepare_download_request(auth_response)
            prepare_response = lpa.es10(prepare_request)
            metadata = store_metadata(ICCID_A)
            bpp = smdp.bound_profile_package(prepare_response, metadata, make_upp(ICCID_A))
            result = lpa.load_bpp(bpp)
            requests = {
                "GetEuiccInfo1": bytes.fromhex("BF2000"),
                "GetEuiccInfo2": bytes.fromhex("BF2200"),
                "ListNotification": bytes.fromhex("BF2800"),
                "RetrieveNotificationsList": bytes.fromhex("BF2B00"),
                "RemoveNotificationFromList": bytes.fromhex("BF3003800101"),
                "GetProfilesInfo": bytes.fromhex("BF2D00"),
                "EnableProfile": m.ENABLE_PROFILE_REQUEST.encode(
                    {"profileIdentifier": ("iccid", _iccid_bytes()), "refreshFlag": False}
                ),
                "AuthenticateServer": auth_request,
                "PrepareDownload": prepare_request,
            }
            answers = {name: lpa.es10(request) for name, request in requests.items()}
            lpa.close()
        finally:
            card.close()
    pkid = certificates().ci_pkid
    by_message = {
        m.EUICC_INFO1: answers["GetEuiccInfo1"],
        m.EUICC_INFO2: info.euicc_info2([pkid], 1, 100_000),
        m.AUTHENTICATE_SERVER_REQUEST: auth_request,
        m.AUTHENTICATE_SERVER_RESPONSE: auth_response,
        m.PREPARE_DOWNLOAD_REQUEST: prepare_request,
        m.PREPARE_DOWNLOAD_RESPONSE: prepare_response,
        m.STORE_METADATA_REQUEST: metadata,
        m.BOUND_PROFILE_PACKAGE: bpp,
        m.PROFILE_INSTALLATION_RESULT: result,
        m.LIST_NOTIFICATION_RESPONSE: answers["ListNotification"],
        m.RETRIEVE_NOTIFICATIONS_LIST_RESPONSE: answers["RetrieveNotificationsList"],
        m.PROFILE_INFO_LIST_RESPONSE: answers["GetProfilesInfo"],
    }
    return EsimSamples(by_message, requests)


def _iccid_bytes() -> bytes:
    from esim.identifiers import Iccid

    return Iccid.parse(ICCID_A, check_luhn=False).to_sgp22_bytes()


def prepared_bpp(lpa: Lpa) -> bytes:
    """Authenticate and PrepareDownload on the card, then a valid BPP for a fresh ICCID."""
    from esim.smdp.profile_package import generate_iccid

    iccid = generate_iccid()
    smdp = FakeSmdp()
    answer = lpa.es10(bytes.fromhex("BF2E00"))
    challenge = m.GET_EUICC_CHALLENGE_RESPONSE.decode(answer)["euiccChallenge"]
    response = lpa.es10(smdp.authenticate_server_request(challenge))
    prepared = lpa.es10(smdp.prepare_download_request(response))
    return smdp.bound_profile_package(prepared, store_metadata(iccid), make_upp(iccid, 600))
