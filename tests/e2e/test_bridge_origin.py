"""Origin policy (web portal doc): https, the notification host, top-level documents only."""

from __future__ import annotations

from e2e_helpers import Harness

from simulator.app import PORTAL_DIR_HOST
from simulator.portal.hosting import INSECURE_HOST

OTHER_HOST = "other.mobileplans.test"


def _calls_and_ready(harness: Harness) -> tuple[int, int]:
    return len(harness.events("bridge.call")), len(harness.events("bridge.ready"))


def _settled_calls_and_ready(harness: Harness) -> tuple[int, int]:
    """The counts once the allowed page's own load-time calls have all arrived (a busy
    machine delivers them after `launch_and_wait` returns)."""
    counts = _calls_and_ready(harness)
    while True:
        harness.qtbot.wait(300)
        again = _calls_and_ready(harness)
        if again == counts:
            return counts
        counts = again


def test_plain_http_page_gets_no_objects_and_reaches_no_python(harness: Harness) -> None:
    harness.launch_and_wait()
    before = _settled_calls_and_ready(harness)
    harness.load(f"http://{INSECURE_HOST}/index.html")
    assert harness.js("window.headSaw.mobilePlans") == "undefined"
    assert harness.js("typeof MobilePlansActivationError") == "undefined"
    harness.qtbot.wait(200)
    assert _calls_and_ready(harness) == before


def test_other_https_host_gets_no_objects(harness: Harness) -> None:
    harness.launch_and_wait()
    before = _settled_calls_and_ready(harness)
    harness.load(f"https://{OTHER_HOST}/index.html")
    assert harness.js("window.headSaw") == {
        "mobilePlans": "undefined",
        "inline": "undefined",
        "metadata": "none",
    }
    harness.qtbot.wait(200)
    assert _calls_and_ready(harness) == before


def test_sub_frames_of_any_origin_get_no_objects(harness: Harness) -> None:
    harness.launch_and_wait()
    before_ready = len(harness.events("bridge.ready"))
    harness.load(f"https://{PORTAL_DIR_HOST}/with-frame.html")
    harness.qtbot.waitUntil(lambda: harness.js("window.frameReports.length") == 2, timeout=10000)
    assert harness.js("window.frameReports") == [{"frameSaw": "undefined"}] * 2
    # Only the top-level document introduced itself to Python.
    assert len(harness.events("bridge.ready")) == before_ready + 1
    assert harness.js("typeof MobilePlans") == "object"


def test_navigating_away_removes_the_objects_and_coming_back_restores_them(
    harness: Harness,
) -> None:
    page, host = harness.simulator.page, harness.simulator.host
    harness.launch_and_wait()
    # The gate's idea of the page's address is Qt's at every step (kept from urlChanged).
    assert host.page_url == page.url().toString() != ""
    harness.load(f"https://{OTHER_HOST}/index.html")
    assert host.page_url == page.url().toString() == f"https://{OTHER_HOST}/index.html"
    assert harness.js("typeof MobilePlans") == "undefined"
    before = len(harness.events("bridge.call"))
    harness.load(f"https://{PORTAL_DIR_HOST}/index.html")
    assert host.page_url == page.url().toString() == f"https://{PORTAL_DIR_HOST}/index.html"
    assert harness.js("typeof MobilePlans") == "object"
    harness.js("MobilePlans.notifyCancelledPurchase({moDirectStatus: 'Cancelled', planName: ''})")
    harness.wait_for("bridge.call", method="notifyCancelledPurchase")
    assert len(harness.events("bridge.call")) > before


def test_reload_gives_a_new_document_whose_calls_are_numbered_afresh(harness: Harness) -> None:
    harness.launch_and_wait()
    first_doc = harness.events("bridge.ready")[-1].fields["doc"]
    # The <head> script's last message: after it, the first document has nothing in flight.
    harness.wait_for("bridge.call", method="registrationChangedScript", doc=first_doc)
    before = len(harness.simulator.events)
    harness.simulator.page.triggerAction(harness.simulator.page.WebAction.Reload)
    harness.wait_for("bridge.ready", after=before)
    second_doc = harness.events("bridge.ready")[-1].fields["doc"]
    assert second_doc != first_doc
    harness.js("MobilePlans.createPurchaseMetaData()")
    call = harness.wait_for("bridge.call", after=before, method="createPurchaseMetaData")
    assert call.fields["doc"] == second_doc
    assert not harness.events("bridge.rejected")


def test_a_call_without_this_launchs_token_never_reaches_the_session(harness: Harness) -> None:
    harness.launch_and_wait()
    before = len(harness.events("bridge.call"))
    forged = (
        '{"kind":"call","seq":5,"doc":"' + "0" * 32 + '","token":"forged","href":"x",'
        '"object":"MobilePlans","member":"notifyCancelledPurchase","args":[],"operationId":null}'
    )
    harness.simulator.page.endpoint.call(forged)
    rejected = harness.wait_for("bridge.rejected", rule="bridge.token")
    assert "launch" in rejected.fields["message"]
    assert len(harness.events("bridge.call")) == before


def test_a_page_cannot_steal_the_channel(harness: Harness) -> None:
    harness.launch_and_wait()
    stolen = harness.js(
        "(function () { try { qt.webChannelTransport.onmessage = function () {};"
        " return 'replaced'; } catch (error) { return 'refused'; } })()"
    )
    assert stolen in ("refused", "replaced")
    harness.js("MobilePlans.createPurchaseMetaData()")
    harness.wait_for("bridge.call", method="createPurchaseMetaData")
    harness.js("MobilePlansInlineOperations.notifyBalanceAddition({})")
    harness.wait_for("bridge.call", method="notifyBalanceAddition")
