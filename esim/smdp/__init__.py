"""The stub SM-DP+: ES9+ and ES2+ over HTTPS, orders, profile packages, SQLite store.

Public API (stable; others code against it)::

    from esim.smdp import SmdpServer, SmdpConfig, OrderStore, Order, OrderBehaviour, ProfileSpec

    config = SmdpConfig(address="smdp.mobileplans.test", certificates=certificate_set,
                        data_dir=path, clock=time.monotonic, session_ttl_seconds=300)
    store = OrderStore.open(data_dir / "smdp.sqlite")
    order = store.create_order(ProfileSpec(iccid="8999001…", service_provider="Contoso Mobile",
                                           profile_name="…", profile_class="operational",
                                           size_bytes=60 * 1024),
                               eid=None, confirmation_code=None, behaviour=OrderBehaviour())
    order.matching_id; order.activation_code  # "1$<address>$<matchingId>" (+ "$$1" with a CC)
    order.state                               # OrderState, a str: "released", "downloading",
                                              # "downloaded", "installed", "failed", "cancelled", …
    store.orders(); store.get(matching_id); store.get_by_iccid(iccid)
    store.set_behaviour(matching_id, OrderBehaviour(release_at=…, expires_at=…, expired=…,
                        confirmation_code_attempts=3, fail_at=Step.…, latency_seconds=…))
    server = SmdpServer(config, store)        # optional third argument: a clock
    port = await server.start(host="127.0.0.1", port=0, ssl_context=None)  # None: CERT.DPtls
    server.add_listener(lambda name, fields: …)  # name "smdp.order"; fields["action"] is
        # created, confirmed, released, download-started, downloaded, installed,
        # install-failed, refused (with subject_code/reason_code/rule), failed, expired,
        # cancelled, deleted, confirmation-code-refused, profile-enabled/disabled, …
    server.set_operator_url(url)              # ES2+ handleDownloadProgressInfo target
    await server.stop()

Modules: :mod:`.es9plus` (the five ES9+ functions), :mod:`.es2plus` (operator side),
:mod:`.sessions` (RSP sessions, expiry), :mod:`.orders` / :mod:`.store` (life cycle, SQLite),
:mod:`.profile_package` (UPP, metadata, BPP binding), :mod:`.behaviours`, :mod:`.status`
(the SGP.22 §6.5.2 codes), :mod:`.http_json` (the JSON binding), :mod:`.server`.
"""

from esim.smdp.behaviours import OrderBehaviour, Step
from esim.smdp.orders import Order, OrderState
from esim.smdp.profile_package import ProfileSpec, generate_iccid
from esim.smdp.server import SmdpConfig, SmdpServer, client_ssl_context, server_ssl_context
from esim.smdp.status import Es9Error, StatusCode
from esim.smdp.store import OrderStore, StoreError

__all__ = [
    "Es9Error",
    "Order",
    "OrderBehaviour",
    "OrderState",
    "OrderStore",
    "ProfileSpec",
    "SmdpConfig",
    "SmdpServer",
    "StatusCode",
    "Step",
    "StoreError",
    "client_ssl_context",
    "generate_iccid",
    "server_ssl_context",
]
