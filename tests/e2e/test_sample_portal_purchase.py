"""The bundled Contoso portal with its backend attached, ordering on a real stub SM-DP+ (ES2+)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Harness

from esim.pki import TestPki
from esim.smdp import OrderStore, SmdpConfig, SmdpServer
from simulator.portal.sample_backend import SampleBackend
from simulator.resources import resource_path
from simulator.runtime import Runtime

SMDP_ADDRESS = "smdp.mobileplans.test"
PORTAL_HOST = "portal.mobileplans.test"
PKI_EID = "89049032123451234512345678901235"


@pytest.fixture
def contoso(
    make_harness: Callable[..., Harness], runtime: Runtime, tmp_path: Path
) -> Iterator[tuple[Harness, OrderStore]]:
    certificates = TestPki.generate(PKI_EID, [SMDP_ADDRESS])
    store = OrderStore.open(tmp_path / "orders.sqlite", clock=lambda: 1_000_000.0)
    server = SmdpServer(SmdpConfig(SMDP_ADDRESS, certificates, tmp_path), store)
    port = runtime.loop.run(server.start("127.0.0.1", 0))
    backend = SampleBackend(
        f"https://{SMDP_ADDRESS}",
        {SMDP_ADDRESS: ("127.0.0.1", port)},
        [certificates.ci.certificate],
        es2_secret=server.es2_credential().secret,
    )
    folder = Path(resource_path("portal"))
    harness = make_harness(portal_dir=folder)
    runtime.front.attach(PORTAL_HOST, backend.site(folder))
    try:
        yield harness, store
    finally:
        runtime.loop.run(backend.aclose())
        runtime.loop.run(server.stop())
        store.close()


def _until(harness: Harness, condition: str, timeout: int = 10000) -> None:
    harness.qtbot.waitUntil(lambda: bool(harness.js(condition)), timeout=timeout)


def _to_confirmation(harness: Harness, plan_id: str) -> None:
    harness.launch_and_wait()
    _until(harness, f"document.getElementById('choose-{plan_id}') !== null")
    harness.js(f"document.getElementById('choose-{plan_id}').click()")
    _until(harness, "document.activeElement.id === 'account-title'")
    harness.js("document.getElementById('account-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'payment-title'")
    harness.js("document.getElementById('payment-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'confirm-title'")


def _args(call: Any) -> list[Any]:
    return [arg.get("v") for arg in call.fields["args"]]


def test_inline_plan_orders_on_the_smdp_and_calls_notify_profile_download(
    contoso: tuple[Harness, OrderStore],
) -> None:
    harness, store = contoso
    _to_confirmation(harness, "contoso-5gb")
    summary = harness.js("document.getElementById('summary').textContent")
    assert "Contoso 5 GB" in summary
    assert "$15.00" in summary
    assert "right away" in summary  # how it is fulfilled
    harness.js("document.getElementById('place-order').click()")
    call = harness.wait_for("bridge.call", method="notifyProfileDownload")
    assert call.fields["object"] == "MobilePlansInlineOperations"
    code = _args(call)[1]
    assert code.startswith(f"1${SMDP_ADDRESS}$")
    order = store.get(code.split("$")[2])
    assert order is not None
    assert order.eid == harness.js("Contoso.launch.eid")
    assert harness.js("MobilePlansInlineOperations.profileActivationCompleteScript") == (
        "contosoActivationComplete"
    )
    assert "placed" in harness.js("document.getElementById('done-title').textContent")


def test_legacy_plan_sends_the_launch_transaction_id_back(
    contoso: tuple[Harness, OrderStore],
) -> None:
    harness, _ = contoso
    _to_confirmation(harness, "contoso-classic-2gb")
    harness.js("document.getElementById('place-order').click()")
    call = harness.wait_for("bridge.call", method="notifyPurchaseResult")
    payload = json.loads(_args(call)[0])
    launch = harness.simulator.last_launch
    assert launch is not None
    assert payload["transactionId"] == launch.transaction_id
    assert payload["success"] is True
    assert payload["activationCode"].startswith(f"1${SMDP_ADDRESS}$")
    assert json.loads(payload["purchaseResult"])["planName"] == "Contoso Classic 2 GB"


def test_a_bad_card_is_refused_in_the_page_and_cancel_sends_the_documented_metadata(
    contoso: tuple[Harness, OrderStore],
) -> None:
    harness, _ = contoso
    harness.launch_and_wait()
    _until(harness, "document.getElementById('choose-contoso-5gb') !== null")
    harness.js("document.getElementById('choose-contoso-5gb').click()")
    harness.js("document.getElementById('account-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'payment-title'")
    harness.js("document.getElementById('card').value = '4111 1111 1111 1112'")
    harness.js("document.getElementById('payment-form').requestSubmit()")
    _until(harness, "document.activeElement.id === 'card'")
    assert "isn't valid" in harness.js("document.getElementById('card-error').textContent")
    methods = [str(e.fields["method"]) for e in harness.events("bridge.call")]
    assert not [m for m in methods if m.startswith("notify")]  # only the script properties
    harness.js("document.getElementById('cancel').click()")
    call = harness.wait_for("bridge.call", method="notifyCancelledPurchase")
    metadata = call.fields["args"][0]
    assert "Cancelled" in json.dumps(metadata)
    assert "Bailed" in json.dumps(metadata)


def test_without_a_backend_the_portal_says_so_and_still_walks_to_the_call(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=Path(resource_path("portal")))
    _to_confirmation(harness, "contoso-5gb")
    assert "Demo mode" in harness.js("document.getElementById('status').textContent")
    harness.js("document.getElementById('place-order').click()")
    call = harness.wait_for("bridge.call", method="notifyProfileDownload")
    assert _args(call)[1].startswith(f"1${SMDP_ADDRESS}$")
    assert "not attached" in harness.js("document.getElementById('receipt').textContent")
