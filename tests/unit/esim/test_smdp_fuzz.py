"""Hostile bodies at every ES9+/ES2+ endpoint: always a well-formed ``Failed`` answer, never 5xx."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smdp_es9_harness import ThreadedServer
from smdp_fake_euicc import ADDRESS, OPERATOR, FakeEuicc, b64

ES9 = [
    "initiateAuthentication",
    "authenticateClient",
    "getBoundProfilePackage",
    "handleNotification",
    "cancelSession",
]
ES2 = ["downloadOrder", "confirmOrder", "cancelOrder", "releaseProfile"]
PATHS = [f"/gsma/rsp2/es9plus/{name}" for name in ES9] + [
    f"/gsma/rsp2/es2plus/{name}" for name in ES2
]
FIELDS = [
    "transactionId",
    "smdpAddress",
    "euiccChallenge",
    "euiccInfo1",
    "authenticateServerResponse",
    "prepareDownloadResponse",
    "pendingNotification",
    "cancelSessionResponse",
    "iccid",
    "eid",
    "matchingId",
    "confirmationCode",
    "releaseFlag",
    "header",
]
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    running = ThreadedServer(tmp_path_factory.mktemp("smdp-fuzz"))
    yield running
    running.close()


def assert_well_formed_failure(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 204:
        raise AssertionError("a hostile notification was accepted")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    status = body["header"]["functionExecutionStatus"]
    assert status["status"] == "Failed"
    data = status["statusCodeData"]
    assert isinstance(data["subjectCode"], str)
    assert isinstance(data["reasonCode"], str)
    assert isinstance(data["message"], str)
    assert set(body) == {"header"}, "success fields must be omitted on failure"


der_like = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda tag, body: bytes(tag) + bytes([len(body)]) + body,
        st.sampled_from([b"\xbf\x38", b"\xbf\x21", b"\xbf\x37", b"\xbf\x41", b"\x30", b"\xbf\x20"]),
        st.binary(max_size=120),
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = st.one_of(
    json_values,
    der_like.map(lambda data: base64.b64encode(data).decode()),
    st.text(alphabet="0123456789ABCDEFabcdef", max_size=40),
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=6).map(
        lambda value: json.dumps(value).encode()
    ),
)


@pytest.mark.parametrize("path", PATHS)
@SETTINGS
@given(body=bodies)
def test_hostile_bodies_get_a_well_formed_failure(
    server: ThreadedServer, path: str, body: bytes
) -> None:
    assert_well_formed_failure(server.post(path, body))


def _live_transaction(server: ThreadedServer) -> str:
    euicc = FakeEuicc()
    info1 = euicc.euicc_info1()
    body = {
        "smdpAddress": ADDRESS,
        "euiccChallenge": b64(euicc.challenge),
        "euiccInfo1": b64(info1),
    }
    response = server.post("/gsma/rsp2/es9plus/initiateAuthentication", json.dumps(body).encode())
    return str(response.json()["transactionId"])


@pytest.mark.parametrize(
    ("function", "field"),
    [
        ("authenticateClient", "authenticateServerResponse"),
        ("getBoundProfilePackage", "prepareDownloadResponse"),
        ("cancelSession", "cancelSessionResponse"),
    ],
)
@SETTINGS
@given(der=der_like)
def test_hostile_der_in_a_live_session(
    server: ThreadedServer, function: str, field: str, der: bytes
) -> None:
    body = {"transactionId": _live_transaction(server), field: b64(der)}
    path = f"/gsma/rsp2/es9plus/{function}"
    assert_well_formed_failure(server.post(path, json.dumps(body).encode()))


@SETTINGS
@given(der=der_like)
def test_hostile_notifications(server: ThreadedServer, der: bytes) -> None:
    body = json.dumps({"pendingNotification": b64(der)}).encode()
    assert_well_formed_failure(server.post("/gsma/rsp2/es9plus/handleNotification", body))


@pytest.mark.parametrize("path", PATHS)
def test_wrong_content_type(server: ThreadedServer, path: str) -> None:
    assert_well_formed_failure(server.post(path, b"{}", content_type="text/plain"))


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=5))
def test_es2_with_a_valid_requester(server: ThreadedServer, fields: dict[str, Any]) -> None:
    fields["header"] = {"functionRequesterIdentifier": OPERATOR, "functionCallIdentifier": "x"}
    fields.pop("iccid", None)  # no ICCID: every function but downloadOrder must refuse
    for name in ["confirmOrder", "cancelOrder", "releaseProfile"]:
        path = f"/gsma/rsp2/es2plus/{name}"
        assert_well_formed_failure(server.post(path, json.dumps(fields).encode()))
