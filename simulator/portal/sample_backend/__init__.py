"""The operator backend behind the bundled Contoso Mobile portal (resources/portal/).

A believable, small MO backend: a plan catalogue, accounts (sign in or new), an in-memory
line model (plan, balance in MB) and orders. eSIM orders are placed on the SM-DP+ through
ES2+ over HTTPS, as a real operator does (Mobile Plans architecture doc, arrow 3 "Portal↔SM-DP+";
esim/smdp/es2plus.py): ``downloadOrder`` (with the EID when the launch gave one), then
``confirmOrder`` with ``releaseFlag: true``; the activation code is
``1$<smdpAddress>$<matchingId>``.

Routes (attach with :meth:`SampleBackend.site` or :meth:`SampleBackend.routes`):

* ``GET  /api/plans``             the catalogue, each plan with its fulfilment
* ``POST /api/session``           ``{email, mode: "new"|"existing", password?}`` → the account
* ``POST /api/orders``            ``{plan, fulfilment?, eid?, iccid?, email?, transactionId?}``
* ``POST /api/orders/cancel``     ``{orderId}``: ES2+ cancelOrder (a cancelled delayed download)
* ``GET  /api/lines?iccids=a,b&email=e``  the lines on this PC and on the account, with balances

Every body is untrusted: anything malformed is a 400 with a message saying what is wrong, never
a 5xx. A refusal or an outage of the SM-DP+ is a 502 naming the ES2+ function and its status.

Modules: :mod:`.catalogue` (plans), :mod:`.model` (accounts, lines, orders),
:mod:`.es2_client` (ES2+ to the SM-DP+), :mod:`.validation` (parsing, responses),
:mod:`.backend` (the handlers).
"""

from simulator.portal.sample_backend.backend import SampleBackend
from simulator.portal.sample_backend.catalogue import (
    CATALOGUE,
    FULFILMENTS,
    OPERATOR_NAME,
    Plan,
    catalogue_json,
)
from simulator.portal.sample_backend.es2_client import Es2Client, SmdpRefusedError
from simulator.portal.sample_backend.model import Account, Line, OrderRecord
from simulator.portal.sample_backend.validation import MAX_BODY, BadRequestError

__all__ = [
    "CATALOGUE",
    "FULFILMENTS",
    "MAX_BODY",
    "OPERATOR_NAME",
    "Account",
    "BadRequestError",
    "Es2Client",
    "Line",
    "OrderRecord",
    "Plan",
    "SampleBackend",
    "SmdpRefusedError",
    "catalogue_json",
]
