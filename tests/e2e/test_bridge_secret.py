"""The bridge's secret stays out of the page, and only the live allowed document reaches Python.

The three token-theft probes of issue 11 (a replaced `JSON.stringify`, a wrapped
`qt.webChannelTransport.send`, an `Object.prototype` "token" setter) and more are planted by a
`<head>` script of the allowed page before its first call (pages/thief.html); then a later plain
http document replays a call with the old document id and the launch's real token.
"""

from __future__ import annotations

import json

from e2e_helpers import Harness

from simulator.app import PORTAL_DIR_HOST
from simulator.portal.hosting import INSECURE_HOST

OTHER_HOST = "other.mobileplans.test"
THIEF = f"https://{PORTAL_DIR_HOST}/thief.html"


def _launch(harness: Harness) -> None:
    """Launch, and let the <head> script's own calls arrive, so nothing of it is in flight."""
    harness.launch_and_wait()
    doc = harness.events("bridge.ready")[-1].fields["doc"]
    harness.wait_for("bridge.call", method="registrationChangedScript", doc=doc)


def _token(harness: Harness) -> str:
    token = harness.simulator.host._token
    assert len(token) == 32
    return token


def _load_thief(harness: Harness) -> str:
    """Open the thief page; return its document id once its calls have reached Python."""
    _launch(harness)
    before = len(harness.simulator.events)
    harness.load(THIEF)
    ready = harness.wait_for("bridge.ready", after=before, url=THIEF)
    harness.wait_for("bridge.call", after=before, method="notifyBalanceAddition")
    return str(ready.fields["doc"])


def _forged_call(doc: str, token: str, seq: int = 50, href: str = THIEF) -> str:
    return json.dumps(
        {
            "kind": "call",
            "seq": seq,
            "doc": doc,
            "token": token,
            "href": href,
            "object": "MobilePlans",
            "member": "notifyCancelledPurchase",
            "args": [],
            "operationId": None,
        }
    )


def test_no_page_probe_sees_the_launch_token(harness: Harness) -> None:
    _load_thief(harness)
    token = _token(harness)
    stolen = harness.js("window.stolen")
    assert isinstance(stolen, list)
    # The probes are live (they caught the page's own canaries), and caught nothing secret.
    assert ["JSON.stringify", '{"canary":true}'] in stolen
    assert ["Object.prototype.token", "canary"] in stolen
    leaks = [(where, text[:120]) for where, text in stolen if token in text]
    assert leaks == []
    # Nothing of the channel is reachable from the page's world.
    assert harness.js("typeof qt") == "undefined"
    assert harness.js("typeof QWebChannel") == "undefined"
    # The bridge still works for the page that patched everything: the inline call answered
    # {Id} at once, and that Id reached Python with the call.
    result = harness.js("window.inlineResult")
    call = harness.events("bridge.call")[-1]
    assert call.fields["method"] == "notifyBalanceAddition"
    assert result == {"Id": call.fields["operationId"]}


def test_later_http_document_cannot_replay_a_call_with_the_old_document_and_token(
    harness: Harness,
) -> None:
    old_doc = _load_thief(harness)
    token = _token(harness)  # the worst case: the token leaked by some other means
    harness.load(f"http://{INSECURE_HOST}/index.html")
    calls_before = len(harness.events("bridge.call"))
    sent = harness.js(
        "(function () {"
        "  if (typeof qt === 'undefined' || !qt || !qt.webChannelTransport) return 'no-transport';"
        "  qt.webChannelTransport.send(JSON.stringify({type: 6, object: 'mobilePlansBridge',"
        f"    method: 'call', args: [{_forged_call(old_doc, token)!r}], id: 99}}));"
        "  return 'sent';"
        "})()"
    )
    assert sent == "no-transport"
    harness.qtbot.wait(300)
    assert len(harness.events("bridge.call")) == calls_before


def test_python_refuses_a_message_of_a_document_on_a_page_that_is_now_plain_http(
    harness: Harness,
) -> None:
    old_doc = _load_thief(harness)
    harness.load(f"http://{INSECURE_HOST}/index.html")
    calls_before = len(harness.events("bridge.call"))
    harness.simulator.page.endpoint.call(_forged_call(old_doc, _token(harness)))
    rejected = harness.wait_for("bridge.rejected", rule="bridge.origin")
    assert "https" in rejected.fields["message"]
    assert len(harness.events("bridge.call")) == calls_before


def test_python_refuses_a_message_of_a_document_on_a_page_now_at_another_host(
    harness: Harness,
) -> None:
    old_doc = _load_thief(harness)
    harness.load(f"https://{OTHER_HOST}/index.html")
    calls_before = len(harness.events("bridge.call"))
    harness.simulator.page.endpoint.call(_forged_call(old_doc, _token(harness)))
    harness.wait_for("bridge.rejected", rule="bridge.origin")
    assert len(harness.events("bridge.call")) == calls_before


def test_python_refuses_a_navigated_away_document_even_on_the_allowed_host(
    harness: Harness,
) -> None:
    old_doc = _load_thief(harness)
    before = len(harness.simulator.events)
    harness.load(f"https://{PORTAL_DIR_HOST}/index.html")
    new_doc = harness.wait_for("bridge.ready", after=before).fields["doc"]
    assert new_doc != old_doc
    # The page's <head> script makes three calls, delivered once its channel is up: they may
    # come after bridge.ready, so the count starts after the last of them.
    harness.wait_for("bridge.call", after=before, method="registrationChangedScript")
    calls_before = len(harness.events("bridge.call"))
    harness.simulator.page.endpoint.call(_forged_call(old_doc, _token(harness)))
    rejected = harness.wait_for("bridge.rejected", rule="bridge.document")
    assert "navigated away" in rejected.fields["message"]
    # The live document is still believed.
    harness.js("MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''})")
    call = harness.wait_for("bridge.call", method="notifyCancelledPurchase")
    assert call.fields["doc"] == new_doc
    assert len(harness.events("bridge.call")) == calls_before + 1


def test_python_refuses_a_message_claiming_another_address_than_the_page(
    harness: Harness,
) -> None:
    doc = _load_thief(harness)
    forged = _forged_call(doc, _token(harness), href=f"http://{INSECURE_HOST}/index.html")
    calls_before = len(harness.events("bridge.call"))
    harness.simulator.page.endpoint.call(forged)
    harness.wait_for("bridge.rejected", rule="bridge.origin")
    assert len(harness.events("bridge.call")) == calls_before


def test_a_page_script_cannot_join_the_hand_over_after_document_creation(
    harness: Harness,
) -> None:
    _launch(harness)
    calls_before = len(harness.events("bridge.call"))
    caught = harness.js(
        "(function () {"
        "  const mine = document.createElement('span');"
        "  const caught = [];"
        "  document.addEventListener('mobileplans-bridge-page', (event) => {"
        "    if (event.relatedTarget !== mine) caught.push(String(event.relatedTarget)); }, true);"
        # ask the page half to announce its node again, and offer the channel half a node
        "  document.dispatchEvent(new CustomEvent('mobileplans-bridge-channel'));"
        "  document.dispatchEvent(new MouseEvent('mobileplans-bridge-page',"
        "    {relatedTarget: mine}));"
        "  mine.dispatchEvent(new CustomEvent('mobileplans-to-app', {detail: {kind: 'call',"
        "    object: 'MobilePlans', member: 'notifyCancelledPurchase', args: [],"
        "    operationId: null}}));"
        "  return caught;"
        "})()"
    )
    assert caught == []
    # A real call after the attempt is the next thing Python hears.
    harness.js("MobilePlans.createPurchaseMetaData()")
    call = harness.wait_for("bridge.call", method="createPurchaseMetaData")
    assert len(harness.events("bridge.call")) == calls_before + 1
    assert call.fields["method"] == "createPurchaseMetaData"


def test_calls_survive_a_page_that_poisons_the_built_in_prototypes(harness: Harness) -> None:
    _launch(harness)
    start = len(harness.simulator.events)
    result = harness.js(
        "(function () {"
        "  const trap = () => { throw new Error('poisoned'); };"
        "  const poison = Object.setPrototypeOf({get: trap, set: trap, configurable: true}, null);"
        "  for (const name of ['get', 'set', 'value', 'detail', 'bubbles', 'toJSON', 'kind']) {"
        "    Object.defineProperty(Object.prototype, name, poison);"
        "  }"
        "  for (const index of ['0', '1', '2']) {"
        "    Object.defineProperty(Array.prototype, index, poison);"
        "  }"
        "  const saved = [Array.prototype.push, Reflect.apply, Object.defineProperty];"
        "  Array.prototype.push = trap; Reflect.apply = trap; EventTarget.prototype.dispatchEvent ="
        "    trap; window.CustomEvent = trap; Object.defineProperty = trap;"
        "  const answer = MobilePlansInlineOperations.notifyBalanceAddition('a', ['b', 'c']);"
        "  MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''});"
        "  const id = Object.getOwnPropertyDescriptor(answer, 'Id').value;"
        "  for (const name of ['get', 'set', 'value', 'detail', 'bubbles', 'toJSON', 'kind']) {"
        "    delete Object.prototype[name];"
        "  }"
        "  for (const index of ['0', '1', '2']) delete Array.prototype[index];"
        "  [Array.prototype.push, Reflect.apply, Object.defineProperty] = saved;"
        "  return id;"
        "})()"
    )
    balance = harness.wait_for("bridge.call", method="notifyBalanceAddition")
    cancelled = harness.wait_for("bridge.call", method="notifyCancelledPurchase")
    assert balance.seq > start
    assert balance.fields["operationId"] == result
    assert balance.fields["args"] == [
        {"t": "string", "v": "a"},
        {"t": "array", "v": [{"t": "string", "v": "b"}, {"t": "string", "v": "c"}]},
    ]
    assert cancelled.fields["method"] == "notifyCancelledPurchase"
    assert not harness.events("bridge.rejected")
