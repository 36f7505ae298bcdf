"""RSP sessions shared through the store's SQLite file (several SM-DP+ processes, one port).

Two SmdpServer instances on one store file stand in for two processes here: each has its own
connection and nothing in memory in common (``tests/unit/esim/test_smdp_workers.py`` runs real
worker processes).
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from smdp_es9_harness import Es9Client, FakeClock, run_download, started_server
from smdp_fake_euicc import FakeEuicc

from esim.smdp import OrderState, ProfileSpec, SmdpServer, generate_iccid
from esim.smdp.server import WORKER_HEADER
from esim.smdp.sessions import Session, SessionState
from esim.smdp.shared_sessions import SharedSessionTable
from esim.smdp.status import Es9Error


class Alternating:
    """An LPA whose every ES9+ call goes to the other server than the call before."""

    def __init__(self, *servers: SmdpServer) -> None:
        self.clients = [Es9Client(server.port or 0) for server in servers]
        self.calls = 0
        self.workers: list[str | None] = []

    async def call(self, function: str, body: dict[str, Any]) -> httpx.Response:
        client = self.clients[self.calls % len(self.clients)]
        self.calls += 1
        response = await client.call(function, body)
        self.workers.append(response.headers.get(WORKER_HEADER))
        return response

    async def close(self) -> None:
        for client in self.clients:
            await client.client.aclose()


async def two_servers(tmp_path: Path, clock: Any = None) -> tuple[SmdpServer, SmdpServer]:
    first = await started_server(tmp_path, clock, shared_sessions=True, worker_label="1/2")
    second = await started_server(tmp_path, clock, shared_sessions=True, worker_label="2/2")
    return first, second


def spec() -> ProfileSpec:
    return ProfileSpec(generate_iccid(), size_bytes=3000)


def test_each_call_of_a_download_may_reach_another_process(tmp_path: Path) -> None:
    async def main() -> None:
        first, second = await two_servers(tmp_path)
        lpa = Alternating(first, second)
        try:
            order = first.store.create_order(spec())
            outcome = await run_download(lpa, FakeEuicc(), order.matching_id)  # type: ignore[arg-type]
            assert outcome.ok, outcome.responses
            assert lpa.workers == ["1/2", "2/2", "1/2", "2/2"]
            installed = second.store.get(order.matching_id)
            assert installed is not None
            assert installed.state is OrderState.INSTALLED
            assert len(first.es9plus.sessions) == len(second.es9plus.sessions) == 0
        finally:
            await lpa.close()
            await first.stop()
            await second.stop()

    asyncio.run(main())


def test_a_session_ended_in_one_process_is_unknown_in_the_other(tmp_path: Path) -> None:
    async def main() -> None:
        first, second = await two_servers(tmp_path)
        lpa = Alternating(first, second)
        try:
            order = first.store.create_order(spec())
            euicc = FakeEuicc()
            outcome = await run_download(lpa, euicc, order.matching_id)  # type: ignore[arg-type]
            assert outcome.ok
            # the BPP again, from either process: the session ended with the install result
            again = await run_download(lpa, euicc, order.matching_id)  # type: ignore[arg-type]
            assert again.code == ("8.2.6", "3.3")
        finally:
            await lpa.close()
            await first.stop()
            await second.stop()

    asyncio.run(main())


def test_an_expired_session_gives_its_claim_back_once(tmp_path: Path) -> None:
    released: list[str] = []

    async def main() -> None:
        clock = FakeClock()
        first, second = await two_servers(tmp_path, clock)
        first.add_listener(lambda _, fields: released.append(fields["action"]))
        second.add_listener(lambda _, fields: released.append(fields["action"]))
        lpa = Alternating(first, second)
        try:
            order = first.store.create_order(spec())
            stopped = await run_download(
                lpa,  # type: ignore[arg-type]
                FakeEuicc(),
                order.matching_id,
                stop_after="authenticateClient",
            )
            assert stopped.ok
            clock.now += 301
            released.clear()
            assert len(first.es9plus.sessions.expire()) == 1
            assert second.es9plus.sessions.expire() == []
            assert released.count("download-abandoned") == 1
            back = second.store.get(order.matching_id)
            assert back is not None
            assert back.state is OrderState.RELEASED
        finally:
            await lpa.close()
            await first.stop()
            await second.stop()

    asyncio.run(main())


def test_the_shared_table_keeps_every_field_and_caps_live_sessions(tmp_path: Path) -> None:
    async def main() -> None:
        server = await started_server(tmp_path)
        try:
            table = SharedSessionTable(server.store, lambda: 5.0, 300, max_sessions=2)
            session = table.create(b"c" * 16, b"k" * 20)
            session.eid, session.matching_id = "89049032123451234512345678901235", "MID"
            session.euicc_signature1, session.profile_metadata = b"s" * 64, b"\xbf\x25\x00"
            session.claim_held = True
            table.advance(session, SessionState.AUTHENTICATED)
            again = table.get(session.transaction_id, SessionState.AUTHENTICATED)
            assert again == session
            table.create(b"d" * 16, b"k" * 20)
            with pytest.raises(Exception, match="2 RSP sessions are live"):
                table.create(b"e" * 16, b"k" * 20)
            table.end(session)
            with pytest.raises(Exception, match="no live RSP session"):
                table.get(session.transaction_id)
        finally:
            await server.stop()

    asyncio.run(main())


def test_a_stale_copy_never_overwrites_what_another_process_advanced(tmp_path: Path) -> None:
    """Two authenticateClient calls of one session race on two processes: the one that claimed
    the order advanced the row; the loser's abort (its copy still INITIATED, no claim) must not
    write FAILED and "no claim" over it, or the winner's claim is orphaned."""

    async def main() -> None:
        server = await started_server(tmp_path)
        try:
            first = SharedSessionTable(server.store, lambda: 5.0, 300)
            second = SharedSessionTable(server.store, lambda: 5.0, 300)
            created = first.create(b"c" * 16, b"k" * 20)
            tid = created.transaction_id
            winner = first.get(tid, SessionState.INITIATED)
            loser = second.get(tid, SessionState.INITIATED)
            winner.claim_held = True
            first.advance(winner, SessionState.AUTHENTICATED)
            second.advance(loser, SessionState.FAILED)
            kept = first.get(tid)
            assert (kept.state, kept.claim_held) == (SessionState.AUTHENTICATED, True)
            with pytest.raises(Es9Error, match="another SM-DP\\+ process"):
                second.advance(second_copy_initiated(loser), SessionState.AUTHENTICATED)
            assert first.get(tid).state is SessionState.AUTHENTICATED
            first.close()
            second.close()
        finally:
            await server.stop()

    asyncio.run(main())


def second_copy_initiated(session: Session) -> Session:
    """``session`` as it was read before anybody advanced it."""
    return dataclasses.replace(session, state=SessionState.INITIATED, claim_held=False)
