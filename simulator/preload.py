"""Imported by `mobileplans-sim run|demo` before PySide6: the Qt-free modules of a run.

Once PySide6 is imported, its import hook reads the source of every module imported after it
(to look for its `__feature__` switches), about 0.1-0.2 ms per module: importing these
hundreds of modules (asyncio, h11, the contract, the flows) first keeps that off the app's
start-up. Importing this module changes nothing else. The contract's rule book is not here:
only the Contract panel reads it, built after the portal's first load.
"""

from __future__ import annotations

import simulator.bridge.gate
import simulator.flows.engine
import simulator.flows.portal_session
import simulator.runtime  # noqa: F401  (imported for its side effect: loaded before Qt)
