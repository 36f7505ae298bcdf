"""Routing of a complete ES10 request (the data of all its STORE DATA blocks) to its function.

The outer tag names the function (SGP.22 §5.7). LoadBoundProfilePackage arrives as
several commands whose first tag is BF36, A0, A1, 88, A2, A3 or 86 (§3.3).
"""

from __future__ import annotations

from collections.abc import Callable

from esim.asn1.errors import Asn1Error
from esim.asn1.tlv import read_tlv
from esim.euicc import es10b_auth, es10b_notifications, es10c
from esim.euicc.apdu import ApduError, StatusWord
from esim.euicc.context import CardContext
from esim.euicc.es10b_install import load_bound_profile_package

Handler = Callable[[CardContext, bytes], bytes]

HANDLERS: dict[int, Handler] = {
    # ES10a (SGP.22 §5.7.3-§5.7.4)
    0xBF3C: es10c.get_configured_addresses,
    0xBF3F: es10c.set_default_dp_address,
    # ES10b (§5.7.5-§5.7.14)
    0xBF2E: es10b_auth.get_euicc_challenge,
    0xBF20: es10b_auth.get_euicc_info1,
    0xBF22: es10b_auth.get_euicc_info2,
    0xBF38: es10b_auth.authenticate_server,
    0xBF21: es10b_auth.prepare_download,
    0xBF41: es10b_auth.cancel_session,
    0xBF43: es10b_auth.get_rat,
    0xBF28: es10b_notifications.list_notification,
    0xBF2B: es10b_notifications.retrieve_notifications_list,
    0xBF30: es10b_notifications.remove_notification_from_list,
    # ES10c (§5.7.15-§5.7.21)
    0xBF2D: es10c.get_profiles_info,
    0xBF31: es10c.enable,
    0xBF32: es10c.disable,
    0xBF33: es10c.delete,
    0xBF34: es10c.euicc_memory_reset,
    0xBF3E: es10c.get_eid,
    0xBF29: es10c.set_profile_nickname,
}
LOAD_BPP_FIRST_BYTES = frozenset({0xA0, 0xA1, 0x88, 0xA2, 0xA3, 0x86})
_SPEC = "SGP.22 §5.7 (ES10 catalogue)"


def _outer_tag(request: bytes) -> int:
    tag = request[0]
    if tag & 0x1F == 0x1F and len(request) > 1:
        tag = (tag << 8) | request[1]
    return tag


def dispatch(ctx: CardContext, request: bytes) -> bytes:
    """The ES10 response for ``request`` (b"" for a LoadBPP step that answers only 90 00)."""
    tag = _outer_tag(request)
    if tag == 0xBF36 or (tag in LOAD_BPP_FIRST_BYTES):
        try:
            return load_bound_profile_package(ctx, request)
        except Asn1Error as error:
            raise ApduError(StatusWord.WRONG_DATA, error.rule, error.message, error.spec) from None
    handler = HANDLERS.get(tag)
    if handler is None:
        raise ApduError(
            StatusWord.REFERENCED_DATA_NOT_FOUND,
            "es10.unknown-function",
            f"no ES10 function has the tag {tag:X}",
            _SPEC,
        )
    try:
        read_tlv(request)
        return handler(ctx, request)
    except Asn1Error as error:
        raise ApduError(StatusWord.WRONG_DATA, error.rule, error.message, error.spec) from None
