"""Reports people want to read: one self-contained HTML page per run or test.

`write_report(events, screenshots, path)` (html.py) renders the timeline, a sequence diagram of
the messages between Portal, App, LPA, eUICC and SM-DP+ (sequence_svg.py), the contract checks
with their spec sections and a screenshot at each screen change (`ScreenCollector`, screens.py).
"""

from simulator.report.html import write_report
from simulator.report.screens import ScreenCollector, Screenshot

__all__ = ["ScreenCollector", "Screenshot", "write_report"]
