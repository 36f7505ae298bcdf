"""The bridge's gate: only the live document, on the allowed top-level URL, with the token."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.bridge.envelope import Envelope
from simulator.bridge.gate import RETIRED_DOCUMENTS_KEPT, DocumentGate
from simulator.bridge.origin import OriginPolicy

HOST = "portal.mobileplans.test"
PAGE = f"https://{HOST}/index.html"
TOKEN = "a" * 32
DOC_A = "a" * 32
DOC_B = "b" * 32


def _envelope(
    kind: str = "call", doc: str = DOC_A, token: str = TOKEN, href: str = PAGE
) -> Envelope:
    return Envelope(kind=kind, seq=1, doc=doc, token=token, href=href, body={})  # type: ignore[arg-type]


def _gate_with_live(doc: str = DOC_A) -> DocumentGate:
    gate = DocumentGate(OriginPolicy(HOST), TOKEN)
    assert gate.admit(_envelope("ready", doc), PAGE) is None
    return gate


def test_the_live_document_on_the_allowed_page_is_admitted() -> None:
    gate = _gate_with_live()
    assert gate.live_doc == DOC_A
    assert gate.live_url == PAGE
    assert gate.admit(_envelope(), PAGE) is None


def test_a_wrong_token_is_refused_before_anything_else() -> None:
    refusal = _gate_with_live().admit(_envelope(token="b" * 32), "http://x/")
    assert refusal is not None
    assert refusal.rule == "bridge.token"


def test_an_unconfigured_gate_believes_nobody() -> None:
    refusal = DocumentGate(OriginPolicy(""), "").admit(_envelope("ready", token=""), PAGE)
    assert refusal is not None
    assert refusal.rule == "bridge.token"


def test_the_live_document_is_refused_once_the_page_is_plain_http_or_elsewhere() -> None:
    gate = _gate_with_live()
    for page_url in (
        f"http://{HOST}/index.html",
        "https://other.mobileplans.test/index.html",
        f"https://{HOST}:8443/index.html",
        "about:blank",
        "",
    ):
        refusal = gate.admit(_envelope(), page_url)
        assert refusal is not None, page_url
        assert refusal.rule == "bridge.origin"
        assert "now elsewhere" in refusal.message


def test_a_message_from_another_address_than_the_allowed_one_is_refused() -> None:
    refusal = _gate_with_live().admit(_envelope(href=f"http://{HOST}/"), PAGE)
    assert refusal is not None
    assert refusal.rule == "bridge.origin"
    assert "http://" in refusal.message


def test_a_new_document_retires_the_old_one() -> None:
    gate = _gate_with_live(DOC_A)
    assert gate.admit(_envelope("ready", DOC_B), PAGE) is None
    refusal = gate.admit(_envelope(doc=DOC_A), PAGE)
    assert refusal is not None
    assert refusal.rule == "bridge.document"
    assert "navigated away" in refusal.message
    assert gate.admit(_envelope(doc=DOC_B), PAGE) is None


def test_a_document_that_never_introduced_itself_is_refused() -> None:
    refusal = _gate_with_live().admit(_envelope(doc="c" * 32), PAGE)
    assert refusal is not None
    assert "never introduced" in refusal.message


def test_a_retired_document_cannot_introduce_itself_again() -> None:
    gate = _gate_with_live(DOC_A)
    gate.admit(_envelope("ready", DOC_B), PAGE)
    refusal = gate.admit(_envelope("ready", DOC_A), PAGE)
    assert refusal is not None
    assert gate.live_doc == DOC_B


def test_the_gate_remembers_a_bounded_number_of_documents() -> None:
    gate = _gate_with_live()
    for number in range(RETIRED_DOCUMENTS_KEPT * 10):
        assert gate.admit(_envelope("ready", f"{number:032x}"), PAGE) is None
    assert len(gate._retired) == RETIRED_DOCUMENTS_KEPT


@given(
    kind=st.sampled_from(["ready", "call", "set", "callback-result"]),
    doc=st.sampled_from([DOC_A, DOC_B, "0" * 32]),
    token=st.sampled_from([TOKEN, "", "b" * 32, TOKEN.upper()]),
    href=st.sampled_from([PAGE, f"http://{HOST}/", "https://evil.test/", f"https://{HOST}:1/"]),
    page_url=st.sampled_from([PAGE, f"http://{HOST}/", "https://evil.test/", "about:blank"]),
)
def test_nothing_but_the_live_document_with_the_token_on_the_allowed_page_is_admitted(
    kind: str, doc: str, token: str, href: str, page_url: str
) -> None:
    gate = _gate_with_live(DOC_A)
    admitted = gate.admit(_envelope(kind, doc, token, href), page_url) is None
    allowed_everywhere = token == TOKEN and href == PAGE and page_url == PAGE
    if kind == "ready":
        assert admitted == (allowed_everywhere and doc != DOC_A)
    else:
        assert admitted == (allowed_everywhere and doc == DOC_A)
