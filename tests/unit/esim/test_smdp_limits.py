"""Bounds the SM-DP+ keeps on state anyone can create without a credential."""

from __future__ import annotations

import pytest

from esim.smdp.sessions import SessionTable
from esim.smdp.status import Es9Error


def test_live_sessions_are_capped() -> None:
    now = [0.0]
    table = SessionTable(lambda: now[0], 300, max_sessions=3)
    for _ in range(3):
        table.create(bytes(16), b"")
    with pytest.raises(Es9Error) as caught:
        table.create(bytes(16), b"")
    assert (caught.value.rule, str(caught.value.code)) == ("session.too-many", "1.2/4.4")
    now[0] = 301  # expiry frees the table
    table.create(bytes(16), b"")
    assert len(table) == 1
