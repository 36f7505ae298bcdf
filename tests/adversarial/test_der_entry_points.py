"""DER that used to loop asn1tools, and every single structural mutation of every SGP.22 message
the project decodes, at each entry point: the codec, the SM-DP+ (ES9+ over HTTPS), the LPA
(answers of a hostile SM-DP+) and the eUICC (ES10 over APDUs). Each ends in a typed refusal."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from der_mutations import every_mutant, get, node_mutants, parse, paths
from esim_samples import esim_samples
from euicc_harness import Lpa, open_card
from lpa_stack import running_stack
from smdp_es9_harness import ThreadedServer
from smdp_fake_euicc import ADDRESS, FakeEuicc, b64

from esim.asn1 import messages as m
from esim.asn1.errors import Asn1DecodeError
from esim.lpa import LpaError
from esim.lpa.es9_client import Es9Client
from esim.smdp.profile_package import ProfileSpec, generate_iccid

REPORTED_EUICC_INFO1 = base64.b64decode("vyALggMCAgKpAgUAqgA=")
INITIATE = "/gsma/rsp2/es9plus/initiateAuthentication"
AUTHENTICATE = "/gsma/rsp2/es9plus/authenticateClient"


def mutants_under(data: bytes, tag: bytes, limit: int | None = None) -> Iterator[bytes]:
    """Single structural mutants of the subtree(s) tagged ``tag`` inside ``data``."""
    root = parse(data)
    count = 0
    for path in paths(root):
        if get(root, path).tag != tag:
            continue
        for inner in paths(get(root, path), path):
            for _, mutant in node_mutants(root, inner):
                yield mutant.encode()
                count += 1
                if limit is not None and count >= limit:
                    return


def assert_answered(response: Any) -> str:
    """A well-formed ES9+ answer that is not an internal error: its status."""
    assert response.status_code in (200, 204), response.text
    if response.status_code == 204:
        return "204"
    header = response.json()["header"]["functionExecutionStatus"]
    data = header.get("statusCodeData", {})
    assert (data.get("subjectCode"), data.get("reasonCode")) != ("1.2", "4.2"), response.text
    return str(header["status"])


def assert_failed(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    header = response.json()["header"]["functionExecutionStatus"]
    assert header["status"] == "Failed", response.text
    assert set(response.json()) == {"header"}
    data: dict[str, Any] = header["statusCodeData"]
    return data


@pytest.fixture(scope="module")
def smdp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    server = ThreadedServer(tmp_path_factory.mktemp("der-smdp"))
    yield server
    server.close()


def initiate_body(euicc: FakeEuicc, info1: bytes | None = None) -> bytes:
    info1 = euicc.euicc_info1() if info1 is None else info1
    return json.dumps(
        {"smdpAddress": ADDRESS, "euiccChallenge": b64(euicc.challenge), "euiccInfo1": b64(info1)}
    ).encode()


def still_serving(smdp: ThreadedServer) -> None:
    answer = smdp.post(INITIATE, initiate_body(FakeEuicc())).json()
    assert answer["header"]["functionExecutionStatus"]["status"] == "Executed-Success"


# -- the codec ---------------------------------------------------------------------------------


def test_reported_sequence_of_element_with_the_wrong_tag_is_refused() -> None:
    with pytest.raises(Asn1DecodeError, match="euiccCiPKIdListForVerification") as caught:
        m.EUICC_INFO1.decode(REPORTED_EUICC_INFO1)
    assert caught.value.rule == "asn1.EUICCInfo1.malformed"


@pytest.mark.parametrize(
    "message", list(esim_samples().by_message), ids=lambda message: message.type_name
)
def test_every_single_mutation_is_decoded_or_refused(message: m.Message) -> None:
    rules: list[str] = []
    for _kind, mutant in every_mutant(esim_samples().by_message[message]):
        try:
            message.decode(mutant)
        except Asn1DecodeError as error:
            rules.append(error.rule)
    assert rules
    assert {rule.split(".")[0] for rule in rules} <= {"asn1", "der", "tlv"}, set(rules)


# -- the SM-DP+ over HTTPS ---------------------------------------------------------------------


def test_reported_initiate_authentication_is_refused_and_the_server_keeps_serving(
    smdp: ThreadedServer,
) -> None:
    body = (
        b'{"smdpAddress":"smdp.mobileplans.test","euiccChallenge":"AAAAAAAAAAAAAAAAAAAAAA==",'
        b'"euiccInfo1":"vyALggMCAgKpAgUAqgA="}'
    )
    data = assert_failed(smdp.post(INITIATE, body))
    assert (data["subjectCode"], data["reasonCode"]) == ("1.6", "2.1")
    assert "euiccInfo1" in data["message"]
    still_serving(smdp)


def test_mutated_euicc_info1_is_refused(smdp: ThreadedServer) -> None:
    euicc = FakeEuicc()
    answers = [
        assert_answered(smdp.post(INITIATE, initiate_body(euicc, mutant)))
        for mutant in mutants_under(euicc.euicc_info1(), b"\xa9")
    ]
    assert answers.count("Failed") > len(answers) // 2
    still_serving(smdp)


def test_mutated_euicc_info2_in_authenticate_client_is_refused(smdp: ThreadedServer) -> None:
    euicc = FakeEuicc()
    for mutant in mutants_under(_authenticate_server_response(smdp, euicc), b"\xbf\x22", 60):
        init = smdp.post(INITIATE, initiate_body(euicc)).json()
        body = {"transactionId": init["transactionId"], "authenticateServerResponse": b64(mutant)}
        # Signed by the eUICC: any change is refused, by the decoder or by the signature check.
        assert_failed(smdp.post(AUTHENTICATE, json.dumps(body).encode()))
    still_serving(smdp)


def test_mutated_prepare_download_response_is_refused(smdp: ThreadedServer) -> None:
    """getBoundProfilePackage decodes only in an authenticated session: one per mutant."""
    euicc = FakeEuicc()
    order = smdp.server.store.create_order(ProfileSpec(iccid=generate_iccid()))
    mutants: list[bytes] = []
    answers: list[str] = []
    for index in range(25):
        init = smdp.post(INITIATE, initiate_body(euicc)).json()
        response = euicc.authenticate_server(init, order.matching_id)
        body = {"transactionId": init["transactionId"], "authenticateServerResponse": b64(response)}
        auth = smdp.post(AUTHENTICATE, json.dumps(body).encode()).json()
        prepared = euicc.prepare_download(auth, None)
        mutants = mutants or [mutant for _, mutant in every_mutant(prepared)]
        body = {
            "transactionId": init["transactionId"],
            "prepareDownloadResponse": b64(mutants[index * 7 % len(mutants)]),
        }
        path = "/gsma/rsp2/es9plus/getBoundProfilePackage"
        answers.append(assert_answered(smdp.post(path, json.dumps(body).encode())))
    assert answers.count("Failed") == len(answers)  # signed by the eUICC: no mutant passes
    still_serving(smdp)


def _authenticate_server_response(smdp: ThreadedServer, euicc: FakeEuicc) -> bytes:
    init = smdp.post(INITIATE, initiate_body(euicc)).json()
    return euicc.authenticate_server(init, "NO-SUCH-ORDER")


# -- the LPA, reading a hostile SM-DP+'s answers -----------------------------------------------


@pytest.mark.parametrize(
    ("function", "field"),
    [
        ("initiateAuthentication", "serverSigned1"),
        ("authenticateClient", "profileMetadata"),
        ("authenticateClient", "smdpSigned2"),
        ("getBoundProfilePackage", "boundProfilePackage"),
    ],
)
def test_lpa_refuses_mutated_server_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, function: str, field: str
) -> None:
    original = Es9Client._call
    seen: list[bytes] = []
    mutants: list[bytes] = []

    async def hostile(self: Es9Client, *args: Any, **kwargs: Any) -> dict[str, Any]:
        body = await original(self, *args, **kwargs)
        if args[1] == function:
            seen.append(base64.b64decode(body[field]))
            if mutants:
                body = {**body, field: b64(mutants.pop())}
        return body

    monkeypatch.setattr(Es9Client, "_call", hostile)

    async def scenario() -> list[str]:
        rules: list[str] = []
        async with running_stack(tmp_path) as stack:
            order = stack.order()
            await stack.lpa.download(order.activation_code)  # records the valid field
            every = list(every_mutant(seen[0]))
            for _, mutant in every[:: max(1, len(every) // 12)]:
                mutants.append(mutant)
                try:  # some mutants stay valid (an optional field dropped): success is fine
                    await stack.lpa.download(stack.order().activation_code)
                except LpaError as error:
                    rules.append(error.rule)
        return rules

    rules = asyncio.run(scenario())
    assert len(rules) >= 6, rules
    assert not any("internal" in rule or "unexpected" in rule for rule in rules), rules


# -- the eUICC, over APDUs ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(esim_samples().es10_requests))
def test_es10_requests_with_mutations_get_a_card_answer(tmp_path: Path, name: str) -> None:
    card = open_card(tmp_path / "card")
    try:
        lpa = Lpa(card).open()
        words: set[int] = set()
        for _, mutant in every_mutant(esim_samples().es10_requests[name]):
            if len(mutant) > 255 * 40:
                continue
            answer = _es10_status(lpa, mutant)
            words.add(answer)
        assert 0x6F00 not in words, f"{name}: an internal error (6F00) for a mutant"
        assert lpa.es10(bytes.fromhex("BF3E035C015A"))  # still answering: GetEID
    finally:
        card.close()


def _es10_status(lpa: Lpa, request: bytes) -> int:
    from euicc_harness import CardStatusError

    try:
        lpa.es10(request)
    except CardStatusError as error:
        return error.sw
    return 0x9000
