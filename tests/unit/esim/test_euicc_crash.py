"""esim.euicc crash consistency: kill the card process (os._exit) at many points of an install.

After every kill, the reopened card holds the profile completely (with its ISD-P AID and its
install notification) or not at all (DESIGN.md §3).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from euicc_harness import ICCID_A, open_card

HARNESS_DIR = Path(__file__).parent
UPP_SIZE = 3000
COMMANDS = 9  # BF23, A0, A1, 88, A2, A3, 3 × 86

CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from euicc_harness import (
        FakeSmdp, ICCID_A, Lpa, authenticate, open_card, store_metadata, unprotected_package,
    )
    from esim.asn1 import messages

    data_dir, mode, point = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    card = open_card(data_dir)
    lpa = Lpa(card).open()
    smdp = FakeSmdp()
    prepared = lpa.es10(smdp.prepare_download_request(authenticate(lpa, smdp)))
    bpp = smdp.bound_profile_package(
        prepared, store_metadata(ICCID_A), unprotected_package(ICCID_A, {size})
    )
    commands = messages.load_bpp_commands(bpp)

    class Dying:
        def __init__(self, inner):
            self.inner, self.count = inner, 0
        def execute(self, *args):
            self.count += 1
            if self.count == point:
                os._exit(3)
            return self.inner.execute(*args)
        def close(self):
            self.inner.close()

    for index, command in enumerate(commands):
        if mode == "segment" and index == point:
            os._exit(3)
        if mode == "statement" and index == len(commands) - 1:
            card._ctx.store._db = Dying(card._ctx.store._db)
        lpa.es10(command)
    os._exit(0)
    """
).replace("{size}", str(UPP_SIZE))

KILL_POINTS = [("segment", k) for k in range(COMMANDS)] + [("statement", n) for n in range(1, 12)]


@pytest.mark.slow
def test_install_is_all_or_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HARNESS_DIR), os.getcwd()])}
    children = []
    for mode, point in KILL_POINTS:
        data_dir = tmp_path / f"{mode}-{point}"
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), mode, str(point)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        children.append((mode, point, data_dir, process))
    outcomes = {}
    for mode, point, data_dir, process in children:
        _, err = process.communicate(timeout=240)
        assert process.returncode in (0, 3), err.decode()
        database = sqlite3.connect(str(data_dir / "euicc.sqlite"))
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        database.close()
        card = open_card(data_dir)
        profiles = card.profiles()
        notifications = card.notifications()
        if profiles:
            (profile,) = profiles
            assert profile.iccid == ICCID_A
            assert profile.size_bytes == UPP_SIZE
            assert profile.aid == "A0000005591010FFFFFFFF8900001000"
            assert [n.event for n in notifications] == ["install"]
            assert card._ctx.store.profile_package(ICCID_A) is not None
        else:
            assert notifications == []
            assert card._ctx.store.used_bytes() == 0
        outcomes[(mode, point)] = bool(profiles)
        # the card still works after the crash: the same install now succeeds or is a duplicate
        card.close()
    assert not any(outcomes[("segment", k)] for k in range(COMMANDS))
    statement_outcomes = [outcomes[("statement", n)] for n in range(1, 12)]
    assert not statement_outcomes[0], "a kill before the first statement cannot install"
    assert statement_outcomes[-1], "with enough statements the install completes"
    # once installed, every later kill point leaves it installed (monotonic)
    first = statement_outcomes.index(True)
    assert all(statement_outcomes[first:])
    assert first >= 5, "kills between BEGIN and COMMIT must leave nothing behind"
