"""The card's logical channels, and the in-place path for the middle blocks of a STORE DATA chain.

An LPA in the same process hands the card a whole chain of APDUs at once
(:meth:`esim.euicc.Euicc.transmit_chain`); most of them are middle blocks of one ES10 command
(P1 11). :func:`accept_middle_blocks` takes a run of those with a handful of checks each, every
block accepted exactly when the general path (parse, dispatch, assembler) would accept it, and
with the same effect; anything else is left to the general path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from esim.euicc.apdu import (
    CLASS_CODINGS,
    INS_STORE_DATA,
    MAX_ES10_REQUEST,
    P1_MORE_BLOCKS,
    ApduError,
    PendingResponse,
    StoreDataAssembler,
)


@dataclass
class LogicalChannel:
    """One open logical channel: whether the ISD-R is selected on it, the STORE DATA blocks
    of the command being received, and the answer waiting for GET RESPONSE."""

    isd_r_selected: bool = False
    assembler: StoreDataAssembler = field(default_factory=StoreDataAssembler)
    pending: PendingResponse = field(default_factory=PendingResponse)


def accept_middle_blocks(
    channels: Mapping[int, LogicalChannel], apdus: Sequence[bytes], start: int
) -> int:
    """How many APDUs from ``start`` on are middle STORE DATA blocks the card accepts in place
    (each answered ``90 00``); 0 when ``apdus[start]`` is not one.

    A block qualifies with P1 11, Lc and Le present, a proprietary class on an open channel
    with the ISD-R selected, the next block number and the assembled size within
    :data:`MAX_ES10_REQUEST`. The class byte's reading, the channel and its selection are
    checked on the first block and hold for the following ones with the same class byte
    (nothing else runs meanwhile); length, block number and size bound are checked on each.
    """
    first = apdus[start]
    size = len(first)
    if size < 7 or first[1] != INS_STORE_DATA or first[2] != P1_MORE_BLOCKS:
        return 0
    cla = first[0]
    coding = CLASS_CODINGS[cla]
    if first[4] != size - 6 or isinstance(coding, ApduError) or not coding[1]:
        return 0
    channel = channels.get(coding[0])
    if channel is None or not channel.isd_r_selected:
        return 0
    assembler = channel.assembler
    blocks = assembler.blocks
    total = assembler.size
    index, end = start, len(apdus)
    while index < end:
        apdu = apdus[index]
        length = len(apdu) - 6
        if (
            length < 1
            or apdu[0] != cla
            or apdu[1] != INS_STORE_DATA
            or apdu[2] != P1_MORE_BLOCKS
            or apdu[4] != length
            or apdu[3] != len(blocks) % 256
            or total + length > MAX_ES10_REQUEST
        ):
            break
        blocks.append(apdu[5:-1])
        total += length
        index += 1
    assembler.size = total
    if index > start:
        channel.pending.data = b""  # as any STORE DATA does
    return index - start
