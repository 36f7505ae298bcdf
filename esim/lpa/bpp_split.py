"""The LoadBoundProfilePackage commands of a BPP, cut by a direct walk of its TLVs.

:func:`esim.asn1.messages.load_bpp_commands` builds a ``Tlv`` object for every segment and walks
the package twice (once to check its layout, once to cut it). :func:`load_bpp_commands` cuts a
well-formed package (strict DER headers, the layout BF23, A0, A1, optional A2, A3, every segment
with its section's tag) in one pass over offsets, and hands anything else to that function,
whose commands or errors are the reference (property tests hold the two equal,
``tests/unit/esim/test_lpa_bpp_split.py``).
"""

from __future__ import annotations

from esim.asn1 import messages
from esim.asn1.direct_der import DeclinedError, header

_SECTIONS = ((0xA0, 0x87, False), (0xA1, 0x88, True), (0xA2, 0x87, False), (0xA3, 0x86, True))
"""(container tag, segment tag, sent as a header and one command per segment)."""


def load_bpp_commands(data: bytes) -> list[bytes]:
    """The ES10b commands lpac sends for ``data`` (SGP.22 §5.7.2); raises what
    :func:`esim.asn1.messages.load_bpp_commands` raises for a package it refuses."""
    commands = _direct(bytes(data))
    return messages.load_bpp_commands(data) if commands is None else commands


def _direct(data: bytes) -> list[bytes] | None:
    end = len(data)
    try:
        tag, start, stop = header(data, 0, end)
        if tag != 0xBF36 or stop != end:
            return None
        tag, _, first_stop = header(data, start, end)
        if tag != 0xBF23:
            return None
        commands = [data[:first_stop]]
        offset = first_stop
        for container, segment_tag, split in _SECTIONS:
            if offset == end:
                return None  # A3 missing
            tag, value_start, value_stop = header(data, offset, end)
            if tag != container:
                if container == 0xA2:
                    continue  # the optional secondSequenceOf87
                return None
            inner = value_start
            segments = []
            while inner < value_stop:
                segment, _, segment_stop = header(data, inner, value_stop)
                if segment != segment_tag:
                    return None
                segments.append(data[inner:segment_stop])
                inner = segment_stop
            if split:
                commands.append(data[offset:value_start])
                commands.extend(segments)
            else:
                commands.append(data[offset:value_stop])
            offset = value_stop
        return commands if offset == end else None
    except DeclinedError:
        return None
