"""What an emulated eUICC is made of: its EID, its credentials and its card-level settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from esim.pki import CertificateSet

ISD_R_AID = bytes.fromhex("A0000005591010FFFFFFFF8900000100")
"""The ISD-R's AID, the application every ES10 command goes to (SGP.22 §5.7.2)."""
ECASD_AID = bytes.fromhex("A0000005591010FFFFFFFF8900000200")
ISDP_AID_PREFIX = bytes.fromhex("A0000005591010FFFFFFFF89")
"""ISD-P AIDs are this prefix and ``00001000``, ``00001100``, … (SGP.22 AIDs)."""
FIRST_ISDP_SUFFIX = 0x1000
ISDP_AID_STEP = 0x100

DEFAULT_ROOT_DS_ADDRESS = "testrootsmds.gsma.com"
"""The root SM-DS a test card reports in GetEuiccConfiguredAddresses (SGP.22 §5.7)."""
SGP22_MAX_SEGMENT = 1020
"""SGP.22 §2.5.5: a BPP segment TLV is at most 1020 bytes."""
TOLERATED_MAX_SEGMENT = 1036
"""osmo-smdpp cuts 1008 plaintext bytes a segment (1036-byte TLVs); real eUICCs install them."""
DEFAULT_MEMORY_BYTES = 285_688
"""Free non-volatile memory of a sysmoEUICC1-C2T with no profile (SGP.22 EUICCInfo)."""


@dataclass(frozen=True)
class EuiccConfig:
    """Settings of one emulated eUICC.

    ``certificates`` must hold the CI to trust and the eUICC and EUM credentials (the eUICC
    with its private key). ``memory_limit_bytes`` is the space for profiles (None: the §4.8
    sysmoEUICC figure); a profile that does not fit fails with
    installFailedDueToInsufficientMemoryForProfile. ``busy`` plays a running proactive (CAT)
    session: Enable, Disable and eUICCMemoryReset answer ``catBusy(5)`` as SGP.22 §5.7.16,
    §5.7.17 and §5.7.19 define, every other command works. ``clock`` gives the seconds stored
    with profiles and notifications (default ``time.time``).
    """

    eid: str
    certificates: CertificateSet
    memory_limit_bytes: int | None = None
    busy: bool = False
    clock: Callable[[], float] | None = None
    default_dp_address: str | None = None
    """Written to the store on first open only (ES10a.SetDefaultDpAddress changes it later)."""
    root_ds_address: str = DEFAULT_ROOT_DS_ADDRESS
    max_logical_channels: int = 4
    """Channels 0..n-1; ETSI TS 102 221 §11.1.17 allows up to 20, 4 is common on UICCs."""
    strict_segment_size: bool = False
    """Refuse BPP segments above SGP.22's 1020 bytes (scp03tStructureError). By default the
    card accepts up to 1036, as real eUICCs do for osmo-smdpp, and says so in a note."""
    server_cis: tuple[x509.Certificate, ...] = ()
    """More CIs to trust for the SM-DP+'s certificates (e.g. the GSMA SGP.26 test CI), while
    the card keeps its own EUM/eUICC chain under ``certificates.ci`` for its signatures."""
    note_listener: Callable[[str, dict[str, Any]], None] | None = None
    """Told (kind, fields) when a peer deviates from SGP.22 in a way the card tolerates."""

    @property
    def max_segment_length(self) -> int:
        """The largest BPP segment TLV this card accepts."""
        return SGP22_MAX_SEGMENT if self.strict_segment_size else TOLERATED_MAX_SEGMENT

    @property
    def certificate_set(self) -> CertificateSet:
        """Alias of ``certificates``."""
        return self.certificates


def isdp_aid(index: int) -> bytes:
    """The AID of the ``index``-th ISD-P ever created on this card (0 → ``…89000010 00``)."""
    return ISDP_AID_PREFIX + (FIRST_ISDP_SUFFIX + ISDP_AID_STEP * index).to_bytes(4, "big")
