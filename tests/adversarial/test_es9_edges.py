"""Every ES9+/ES2+ edge answers a well-formed refusal over real HTTPS, and the SM-DP+ keeps
serving: false Content-Encoding, huge numbers, near-miss content types, damaged certificates,
and every field of every valid body replaced by the wrong JSON type or size."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from certificate_mutations import corrupted_certificates
from der_mutations import Node, parse
from smdp_es9_harness import ThreadedServer
from smdp_fake_euicc import ADDRESS, FakeEuicc, b64
from smdp_fake_euicc import test_certificates as smdp_certificates

from esim.asn1 import messages as m
from esim.asn1.tlv import encode_tlv

ES9 = "/gsma/rsp2/es9plus/"
ES2 = "/gsma/rsp2/es2plus/"
# Each replacement breaks a field's JSON type or size.
WRONG_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    [],
    {},
    "",
    "=",
    "A" * 70_000,
    ["AAAA"],
    {"nested": "AAAA"},
]
HUGE_NUMBER = "9" * 5000


@pytest.fixture(scope="module")
def smdp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    server = ThreadedServer(tmp_path_factory.mktemp("edges-smdp"))
    yield server
    server.close()


def post(smdp: ThreadedServer, path: str, content: bytes, **headers: str) -> Any:
    sent = {"Host": ADDRESS, "Content-Type": "application/json", **headers}
    return smdp.client.post(
        smdp.base + path, content=content, headers=sent, extensions={"sni_hostname": ADDRESS}
    )


def refusal(response: Any) -> tuple[str, str, str]:
    """(subject, reason, message) of a well-formed Failed answer that is not an internal error."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"header"}, body
    status = body["header"]["functionExecutionStatus"]
    assert status["status"] == "Failed", body
    data = status["statusCodeData"]
    code = (data["subjectCode"], data["reasonCode"])
    assert code != ("1.2", "4.2"), f"an internal error: {data['message']}"
    return data["subjectCode"], data["reasonCode"], data["message"]


def initiate_body(euicc: FakeEuicc) -> dict[str, Any]:
    info1 = euicc.euicc_info1()
    return {
        "smdpAddress": ADDRESS,
        "euiccChallenge": b64(euicc.challenge),
        "euiccInfo1": b64(info1),
    }


def still_serving(smdp: ThreadedServer) -> None:
    response = post(
        smdp, ES9 + "initiateAuthentication", json.dumps(initiate_body(FakeEuicc())).encode()
    )
    assert response.json()["header"]["functionExecutionStatus"]["status"] == "Executed-Success"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, gzip"])
def test_a_false_content_encoding_is_refused(smdp: ThreadedServer, encoding: str) -> None:
    body = json.dumps(initiate_body(FakeEuicc())).encode()
    subject, reason, message = refusal(
        post(smdp, ES9 + "initiateAuthentication", body, **{"Content-Encoding": encoding})
    )
    assert (subject, reason) == ("1.6", "2.1")
    assert "http.content-encoding" in message
    still_serving(smdp)


@pytest.mark.parametrize("compress", [gzip.compress, zlib.compress])
def test_a_true_content_encoding_is_read(smdp: ThreadedServer, compress: Any) -> None:
    encoding = "gzip" if compress is gzip.compress else "deflate"
    body = compress(json.dumps(initiate_body(FakeEuicc())).encode())
    response = post(smdp, ES9 + "initiateAuthentication", body, **{"Content-Encoding": encoding})
    assert response.json()["header"]["functionExecutionStatus"]["status"] == "Executed-Success"


def test_a_compressed_body_inflating_beyond_the_limit_is_refused(smdp: ThreadedServer) -> None:
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))
    _, _, message = refusal(
        post(smdp, ES9 + "initiateAuthentication", bomb, **{"Content-Encoding": "gzip"})
    )
    assert "inflates beyond" in message


@pytest.mark.parametrize("path", [ES9 + "initiateAuthentication", ES2 + "downloadOrder"])
def test_a_number_of_5000_digits_is_malformed_json(smdp: ThreadedServer, path: str) -> None:
    body = ('{"smdpAddress":' + HUGE_NUMBER + "}").encode()
    subject, reason, message = refusal(post(smdp, path, body))
    assert (subject, reason) == ("1.6", "2.1")
    assert "json.malformed" in message


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jsonXYZ",
        "application/json-patch+json",
        "text/json",
        "application/json; charset=latin-1",
    ],
)
def test_content_types_are_matched_exactly(smdp: ThreadedServer, content_type: str) -> None:
    body = json.dumps(initiate_body(FakeEuicc())).encode()
    subject, _, message = refusal(
        post(smdp, ES9 + "initiateAuthentication", body, **{"Content-Type": content_type})
    )
    assert subject == "1.2.1"
    assert "http.content-type" in message


def test_parameters_of_the_json_content_type_are_accepted(smdp: ThreadedServer) -> None:
    body = json.dumps(initiate_body(FakeEuicc())).encode()
    response = post(
        smdp,
        ES9 + "initiateAuthentication",
        body,
        **{"Content-Type": "Application/JSON;charset=UTF-8"},
    )
    assert response.json()["header"]["functionExecutionStatus"]["status"] == "Executed-Success"


def _received_certificates() -> list[tuple[str, bytes]]:
    certificates = smdp_certificates()
    assert certificates.eum is not None
    assert certificates.euicc is not None
    return [("eum", certificates.eum.der), ("euicc", certificates.euicc.der)]


@pytest.mark.parametrize(
    ("role", "broken"),
    [
        (role, name)
        for role, der in _received_certificates()
        for name, _ in corrupted_certificates(der)
    ],
)
def test_a_damaged_eum_or_euicc_certificate_is_refused(
    smdp: ThreadedServer, role: str, broken: str
) -> None:
    original = dict(_received_certificates())[role]
    mutant = dict(corrupted_certificates(original))[broken]
    euicc = FakeEuicc()
    init = post(smdp, ES9 + "initiateAuthentication", json.dumps(initiate_body(euicc)).encode())
    answer = euicc.authenticate_server(init.json(), "NO-SUCH-ORDER")
    assert original in answer
    body = {
        "transactionId": init.json()["transactionId"],
        "authenticateServerResponse": b64(answer.replace(original, mutant)),
    }
    subject, reason, _ = refusal(post(smdp, ES9 + "authenticateClient", json.dumps(body).encode()))
    assert subject.startswith("8.1"), (subject, reason)  # an EUM/eUICC/CI/signature refusal
    still_serving(smdp)


def _valid_bodies(smdp: ThreadedServer) -> dict[str, dict[str, Any]]:
    euicc = FakeEuicc()
    init = post(smdp, ES9 + "initiateAuthentication", json.dumps(initiate_body(euicc)).encode())
    tid = init.json()["transactionId"]
    es2_header = {"functionRequesterIdentifier": "x", "functionCallIdentifier": "1"}
    return {
        ES9 + "initiateAuthentication": initiate_body(FakeEuicc()),
        ES9 + "authenticateClient": {"transactionId": tid, "authenticateServerResponse": "AAAA"},
        ES9 + "getBoundProfilePackage": {"transactionId": tid, "prepareDownloadResponse": "AAAA"},
        ES9 + "handleNotification": {"pendingNotification": "AAAA"},
        ES9 + "cancelSession": {"transactionId": tid, "cancelSessionResponse": "AAAA"},
        ES2 + "downloadOrder": {"header": es2_header, "eid": "", "profileType": "p"},
        ES2 + "confirmOrder": {"header": es2_header, "iccid": "1", "releaseFlag": True},
        ES2 + "cancelOrder": {"header": es2_header, "iccid": "1"},
        ES2 + "releaseProfile": {"header": es2_header, "iccid": "1"},
    }


def test_every_field_with_the_wrong_json_type_or_size_is_refused(smdp: ThreadedServer) -> None:
    answered = 0
    for path, body in _valid_bodies(smdp).items():
        for field in body:
            for wrong in WRONG_VALUES:
                refusal(post(smdp, path, json.dumps({**body, field: wrong}).encode()))
                answered += 1
        for shape in ("[]", '"text"', "null", "[" * 100_000, '{"a":' * 100_000):
            refusal(post(smdp, path, shape.encode()))
    assert answered > 100
    still_serving(smdp)


def test_an_integer_too_long_for_python_in_an_unsigned_field_is_refused(
    smdp: ThreadedServer,
) -> None:
    """cancelSession before authenticateClient is not signature-checked: the reason decodes."""
    init = post(
        smdp, ES9 + "initiateAuthentication", json.dumps(initiate_body(FakeEuicc())).encode()
    )
    tid = bytes.fromhex(init.json()["transactionId"])
    oid = smdp_certificates().smdp_oid or "2.999.10"
    signed = m.EUICC_CANCEL_SESSION_SIGNED.encode(
        {"transactionId": tid, "smdpOid": oid, "reason": 1}
    )
    root = parse(signed)
    assert root.children is not None
    huge = replace(root, children=(*root.children[:2], Node(b"\x82", b"\x01" + bytes(2500))))
    response = encode_tlv(0xBF41, encode_tlv(0xA0, huge.encode() + encode_tlv(0x5F37, bytes(64))))
    body = {"transactionId": tid.hex().upper(), "cancelSessionResponse": b64(response)}
    subject, reason, message = refusal(post(smdp, ES9 + "cancelSession", json.dumps(body).encode()))
    assert (subject, reason) == ("1.6", "2.1")
    assert "INTEGER of 20001 bits" in message
