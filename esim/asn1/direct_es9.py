"""The direct DER layouts of the few SGP.22 messages an SM-DP+ decodes on every download.

EUICCInfo1, AuthenticateServerResponse, PrepareDownloadResponse and PendingNotification arrive
once per download each; through asn1tools (and the structural check before it) they cost about
a third of the server's Python time per download. :func:`read_direct` reads exactly the plain,
strict-DER shape of those types with the engine of :mod:`.direct_der` (the layouts the LPA
reads too are :mod:`.device_der`'s) and returns the value asn1tools would return, leaf types
included (``bytes``, ``str``, ``int``, ``(bytes, bits)``, lists, dicts, ``(name, value)`` for
a CHOICE, ``bytearray`` for ANY).

It never decides that input is wrong: on anything it does not expect (another tag, a long or
non-minimal length, an unknown extension, a size outside a constraint, an INTEGER too large,
bad UTF-8, a certificate that does not pass the structural check on its own) it answers
``None`` and :meth:`esim.asn1.codec.RspCodec.decode` takes the full asn1tools path, which
produces the value or the error exactly as before. Property tests hold the two equal over valid
and mutated messages. The work is linear in the input and the input is bounded
(:data:`MAX_DIRECT_BYTES`), so it is total and bounded on hostile input.
"""

from __future__ import annotations

from typing import Any

from esim.asn1.device_der import (
    AUTHENTICATE_SERVER_RESPONSE,
    EUICC_CERTIFICATES,
    NOTIFICATION_METADATA,
    PREPARE_DOWNLOAD_RESPONSE,
    PROFILE_INSTALLATION_RESULT,
    SUBJECT_KEY_IDENTIFIERS,
    VERSION,
)
from esim.asn1.direct_der import (
    DeclinedError,
    Reader,
    header,
    octets,
    sequence,
    untagged_choice,
)

MAX_DIRECT_BYTES = 64 * 1024
"""Longer input takes the full path: 64 KB holds at most 32,768 TLVs, far below the node limit
of :class:`~esim.asn1.der_check.DerLimits`, so the direct reader needs no node count."""

EUICC_INFO1 = sequence(
    (0x82, "svn", VERSION, None),
    (0xA9, "euiccCiPKIdListForVerification", SUBJECT_KEY_IDENTIFIERS, None),
    (0xAA, "euiccCiPKIdListForSigning", SUBJECT_KEY_IDENTIFIERS, None),
)
PENDING_NOTIFICATION = untagged_choice(
    (0xBF37, "profileInstallationResult", PROFILE_INSTALLATION_RESULT),
    (
        0x30,
        "otherSignedNotification",
        sequence(
            (0xBF2F, "tbsOtherNotification", NOTIFICATION_METADATA, None),
            (0x5F37, "euiccNotificationSignature", octets(), None),
            *EUICC_CERTIFICATES,
        ),
    ),
)

DIRECT_TYPES: dict[str, tuple[int | None, Reader]] = {
    "EUICCInfo1": (0xBF20, EUICC_INFO1),
    "AuthenticateServerResponse": (0xBF38, AUTHENTICATE_SERVER_RESPONSE),
    "PrepareDownloadResponse": (0xBF21, PREPARE_DOWNLOAD_RESPONSE),
    "PendingNotification": (None, PENDING_NOTIFICATION),
}
"""Type name → (its own tag, or None for an untagged CHOICE; the reader of its content)."""


def read_direct(type_name: str, data: bytes) -> Any | None:
    """The value of ``data`` as ``type_name`` when it is the plain case, else None (see the
    module docstring: None means "ask asn1tools", never "invalid")."""
    entry = DIRECT_TYPES.get(type_name)
    if entry is None or not 0 < len(data) <= MAX_DIRECT_BYTES:
        return None
    own_tag, reader = entry
    if type(data) is not bytes:
        data = bytes(data)  # the values are bytes, as asn1tools' are
    try:
        tag, start, stop = header(data, 0, len(data))
        if stop != len(data) or not data[0] & 0x20:
            return None
        if own_tag is not None and tag != own_tag:
            return None
        return reader(data, 0, start, stop)
    except DeclinedError:
        return None
