"""lpac's stdio APDU backend protocol, served by an :class:`~esim.euicc.Euicc` (esim-rsp.md §5.2).

With ``LPAC_APDU=stdio`` lpac writes one JSON object a line (ndJSON)::

    {"type":"apdu","payload":{"func":"connect|disconnect|logic_channel_open|
                                      logic_channel_close|transmit","param":"<hex>"}}

and reads one answer a line: ``{"type":"apdu","payload":{"ecode":<int>,"data":"<hex>"}}``
(lpac ``docs/backends/stdio-schema.json``). ``logic_channel_open`` carries the AID and answers
the channel number in ``ecode`` (negative on failure); ``transmit`` carries a C-APDU and answers
``ecode`` 0 with the R-APDU, status word included, in ``data``. Wire lpac's stdout to
:func:`serve`'s input and :func:`serve`'s output to lpac's stdin.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from esim.euicc.card import Euicc

FAILURE = -1


def _answer(ecode: int, data: bytes | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"ecode": ecode}
    if data is not None:
        payload["data"] = data.hex().upper()
    return {"type": "apdu", "payload": payload}


def _hex(param: Any) -> bytes | None:
    if not isinstance(param, str):
        return None
    try:
        return bytes.fromhex(param)
    except ValueError:
        return None


def handle_message(card: Euicc, message: Any) -> dict[str, Any]:
    """The answer to one decoded request line (never raises)."""
    if not isinstance(message, dict) or message.get("type") != "apdu":
        kind = message.get("type") if isinstance(message, dict) else None
        return {"type": kind if isinstance(kind, str) else "apdu", "payload": {"ecode": FAILURE}}
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return _answer(FAILURE)
    func = payload.get("func")
    param = _hex(payload.get("param", ""))
    if func in ("connect", "disconnect"):
        if func == "disconnect":
            card.reset()
        return _answer(0)
    if param is None:
        return _answer(FAILURE)
    if func == "transmit":
        return _answer(0, card.transmit(param))
    if func == "logic_channel_open":
        if not 5 <= len(param) <= 16:
            return _answer(FAILURE)
        opened = card.transmit(bytes.fromhex("0070000001"))
        if len(opened) != 3 or opened[-2:] != b"\x90\x00":
            return _answer(FAILURE)
        channel = opened[0]
        cla = channel if channel < 4 else 0x40 | (channel - 4)
        selected = card.transmit(bytes([cla, 0xA4, 0x04, 0x00, len(param)]) + param)
        if selected[-2:] != b"\x90\x00" and selected[-2] != 0x61:
            card.transmit(bytes([0x00, 0x70, 0x80, channel]))
            return _answer(FAILURE)
        return _answer(channel)
    if func == "logic_channel_close":
        if len(param) != 1:
            return _answer(FAILURE)
        closed = card.transmit(bytes([0x00, 0x70, 0x80, param[0]]))
        return _answer(0 if closed == b"\x90\x00" else FAILURE)
    return _answer(FAILURE)


def serve(card: Euicc, requests: TextIO, answers: TextIO) -> None:
    """Answer every request line until end of input; malformed lines get ``ecode`` -1."""
    for line in requests:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        answers.write(json.dumps(handle_message(card, message), separators=(",", ":")) + "\n")
        answers.flush()
