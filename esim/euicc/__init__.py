"""An emulated SGP.22 v2.2 consumer eUICC, faithful enough for a conformant LPA (lpac).

* :mod:`.card`: :class:`Euicc`, the facade: ``transmit(apdu)`` and helpers for the app.
* :mod:`.apdu`: C-APDU parsing, status words, logical channels, STORE DATA, ``61xx`` chaining.
* :mod:`.dispatch`: ES10 request routing by outer tag (SGP.22 §5.7).
* :mod:`.es10b_auth`, :mod:`.es10b_install`, :mod:`.es10b_notifications`, :mod:`.es10c`:
  the ES10a/b/c functions; :mod:`.profile_ops`: profile policy shared with the helpers.
* :mod:`.store`: the card's memory in SQLite, one transaction per operation.
* :mod:`.info`: EUICCInfo1/2 values; :mod:`.stdio`: lpac's stdio APDU backend protocol.
"""

from esim.euicc.card import Euicc
from esim.euicc.config import ISD_R_AID, EuiccConfig
from esim.euicc.context import ConfigurationError
from esim.euicc.profile_ops import MemoryResetResult, Result
from esim.euicc.records import (
    NotificationRecord,
    NotificationTarget,
    OperatorId,
    ProfileClass,
    ProfilePolicyRule,
    ProfileRecord,
)

__all__ = [
    "ISD_R_AID",
    "ConfigurationError",
    "Euicc",
    "EuiccConfig",
    "MemoryResetResult",
    "NotificationRecord",
    "NotificationTarget",
    "OperatorId",
    "ProfileClass",
    "ProfilePolicyRule",
    "ProfileRecord",
    "Result",
]
