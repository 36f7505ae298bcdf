"""Corrections installed into asn1tools' DER decoder before the RSP module is compiled.

asn1tools 0.16x decodes a DER SEQUENCE OF / SET OF with a loop that asks the element type to
decode at the current offset until the announced length is consumed. When an element carries
the wrong tag, the element decoder does not raise: it answers the marker ``TAG_MISMATCH`` and
the *unchanged* offset (a cheap "absent" for OPTIONAL members of a SEQUENCE). The BER variant
checks for that marker; the DER variant does not, so it appends the marker forever without
advancing: one 14-byte EUICCInfo1 whose SubjectKeyIdentifier list holds a NULL (05 00) instead
of an OCTET STRING (04 ..) pins a CPU and grows memory without bound.

:func:`install_sequence_of_fix` replaces that method with one that refuses an element with the
wrong tag and any element decode that does not advance, so the class of "no progress" loops
cannot recur even for another marker. :func:`sequence_of_fix_holds` proves it on that input.
"""

from __future__ import annotations

from typing import Any

import asn1tools.codecs.ber as asn1tools_ber
import asn1tools.codecs.der as asn1tools_der

# The 14 bytes of the reported loop: EUICCInfo1 with a NULL in euiccCiPKIdListForVerification.
SEQUENCE_OF_WRONG_TAG_PROBE = bytes.fromhex("bf200b8203020202a9020500aa00")


def _decode_array_content(
    self: Any, data: bytearray, offset: int, length: int
) -> tuple[list[Any], int]:
    decoded: list[Any] = []
    end_offset = offset + length
    while offset < end_offset:
        element, next_offset = self.element_type.decode(data, offset)
        if element is asn1tools_ber.TAG_MISMATCH:
            raise asn1tools_ber.DecodeTagError(self.element_type, data, offset)
        if next_offset <= offset:
            raise asn1tools_ber.DecodeError(
                f"an element of {self.name} at byte {offset} decodes to nothing", offset=offset
            )
        decoded.append(element)
        offset = next_offset
    if offset != end_offset:
        raise asn1tools_ber.DecodeError(
            f"the last element of {self.name} runs past its end", offset=offset
        )
    return decoded, offset


def install_sequence_of_fix() -> None:
    """Make DER SEQUENCE OF / SET OF decoding refuse wrong-tag elements (idempotent)."""
    # Compiled types look the method up on their class at call time, so already compiled
    # specifications are fixed too.
    asn1tools_der.ArrayType.decode_content = _decode_array_content


def sequence_of_fix_holds(compiled: Any) -> bool:
    """True when every DER array type uses the fix and ``compiled`` refuses the probe."""
    # Probing an unfixed decoder would hang, so the method itself is checked first.
    for array_type in (asn1tools_der.SequenceOf, asn1tools_der.SetOf):
        if getattr(array_type, "decode_content", None) is not _decode_array_content:
            return False
    try:
        compiled.decode("EUICCInfo1", SEQUENCE_OF_WRONG_TAG_PROBE)
    except Exception:  # asn1tools' DecodeTagError is the expected refusal
        return True
    return False
