"""Helpers for the widget tests that drive an `EsimWorld` (imported by the tests)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from simulator.esim_world import DownloadOutcome, EsimWorld


def download_outcome(qtbot: QtBot, world: EsimWorld, activation_code: str) -> DownloadOutcome:
    """Download through the world's LPA and return its outcome once the download is over."""
    outcomes: list[DownloadOutcome] = []
    world.download(
        activation_code, confirmation_code=None, progress=lambda *_: None, done=outcomes.append
    )
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20000)
    return outcomes[0]
