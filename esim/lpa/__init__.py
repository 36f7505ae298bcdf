"""The Local Profile Assistant: ES10 over APDUs to the eUICC, ES9+ over HTTPS to the SM-DP+.

* :mod:`.apdu_channel`: logical channel, SELECT ISD-R, STORE DATA blocks (chained in one call
  when the card is in the same process), GET RESPONSE.
* :mod:`.es10`: typed ES10a/b/c calls. :mod:`.es9_client`: the ES9+ JSON client (CI-only TLS,
  host names from a resolver table) over :mod:`.http11` (one keep-alive HTTPS connection).
  :mod:`.transport`: the TLS context and the resolving httpx transport.
* :mod:`.download`: the download of SGP.22 §3.1.3 with CancelSession (§3.8).
* :mod:`.profiles`, :mod:`.notifications`: ES10c management, notification delivery (§3.7).
* :mod:`.errors`, :mod:`.activation_errors`: typed errors and the one table to Mobile Plans
  ``MobilePlansActivationError`` values (Mobile Plans callbacks doc).
* :mod:`.lpa`: :class:`Lpa`, the façade.
"""

from esim.lpa.activation_errors import MOBILE_PLANS_ACTIVATION_ERRORS, to_lpa_error
from esim.lpa.apdu_channel import DEFAULT_BLOCK_SIZE, ISD_R_AID, ApduChannel, CardTransport
from esim.lpa.download import DownloadResult, ProfileMetadata
from esim.lpa.errors import (
    CancelOutcome,
    CardError,
    Es9Error,
    Es9TransportError,
    Es10Error,
    LpaError,
)
from esim.lpa.es9_client import Es9Client
from esim.lpa.es10 import DeviceInfo, Es10, NotificationInfo, ProfileInfo
from esim.lpa.lpa import Lpa
from esim.lpa.notifications import NotificationOutcome
from esim.lpa.profiles import ProfileManager
from esim.lpa.transport import Resolver

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "ISD_R_AID",
    "MOBILE_PLANS_ACTIVATION_ERRORS",
    "ApduChannel",
    "CancelOutcome",
    "CardError",
    "CardTransport",
    "DeviceInfo",
    "DownloadResult",
    "Es9Client",
    "Es9Error",
    "Es9TransportError",
    "Es10",
    "Es10Error",
    "Lpa",
    "LpaError",
    "NotificationInfo",
    "NotificationOutcome",
    "ProfileInfo",
    "ProfileManager",
    "ProfileMetadata",
    "Resolver",
    "to_lpa_error",
]
