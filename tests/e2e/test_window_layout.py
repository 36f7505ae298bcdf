"""At its default size the window shows every side panel's controls without scrolling sideways,
and the portal keeps its 800x600 frame while the app's screens come and go."""

from __future__ import annotations

from collections.abc import Callable

from e2e_helpers import Harness
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QTableWidget, QWidget

from simulator.ui.layout import PORTAL_FRAME, wanted_window_size


def _fully_shown(widget: QWidget, scroller: QScrollArea) -> bool:
    """The widget lies inside the scroll area's viewport, horizontally."""
    viewport = scroller.viewport()
    left = widget.mapTo(viewport, QPoint(0, 0)).x()
    return widget.isVisible() and left >= 0 and left + widget.width() <= viewport.width()


def _column_shown(table: QTableWidget, header: str) -> bool:
    labels = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    column = labels.index(header)
    start = table.columnViewportPosition(column)
    return 0 <= start < table.viewport().width()


def test_side_panels_fit_their_dock_at_the_default_size(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(portal_dir=None, time_scale=0)
    sim = harness.simulator
    window = sim.window
    window.resize(wanted_window_size())
    window.show()
    harness.qtbot.waitExposed(window)
    checks: dict[str, list[QWidget]] = {
        "operator": [
            sim.operator_panel.create_button,
            sim.operator_panel.bind_eid,
            sim.operator_panel.release_again,
            sim.operator_panel.next_arm,
        ],
        "clock": list(sim.clock_panel.findChildren(QAbstractButton)),
        "esim": [*sim.euicc_panel.buttons.values(), sim.euicc_panel.memory],
        "platform": [sim.platform_panel.send],
    }
    for name, widgets in checks.items():
        dock = window.docks[name]
        dock.raise_()
        harness.qtbot.wait(50)
        scroller = dock.widget()
        assert isinstance(scroller, QScrollArea)
        assert not scroller.horizontalScrollBar().isVisible(), name
        for widget in widgets:
            if widget.isVisibleTo(scroller.widget()):
                assert _fully_shown(widget, scroller), (name, widget.objectName())
    window.docks["operator"].raise_()
    harness.qtbot.wait(50)
    assert _column_shown(sim.operator_panel.table, "activation code")
    window.docks["esim"].raise_()
    harness.qtbot.wait(50)
    for header in ("ICCID", "state", "nickname", "provider"):
        assert _column_shown(sim.euicc_panel.table, header), header
    assert window.view.size() == PORTAL_FRAME
