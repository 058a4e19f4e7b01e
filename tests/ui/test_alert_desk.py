"""The alert desk driven offscreen: an off-wall camera's alert appears in the panel and is
raised into the alarm tile; filtering; acknowledging with a note returns the alarm tile to
its camera; a tile's alert mark; the floating alarm window for a grid without alarm tile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FakeFactory
from videowall.registry.model import Registry
from videowall.store.records import AlertState
from videowall.streams.base import StreamState
from videowall.streams.manager import StreamManager
from videowall.ui.main_window import MainWindow
from videowall.wall.session import WallSession


@pytest.fixture
def window(qtbot: QtBot, registry: Registry, manager: StreamManager) -> Iterator[MainWindow]:
    # 1+5: tile 0 is the large one, the alarm tile; "off" is on no tile.
    win = MainWindow(WallSession(registry, manager), grid="1+5",
                     camera_ids=["red", "green", "blue43", "square"])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_an_off_wall_alert_is_raised_into_the_alarm_tile_and_returns_after_the_ack(
    qtbot: QtBot, window: MainWindow, factory: FakeFactory
) -> None:
    wall, panel = window.wall, window.alerts.panel
    assert wall.alarm_index == 0
    qtbot.waitUntil(lambda: wall.tile(0).state == StreamState.LIVE, timeout=3000)
    off = window.registry.get("off")
    assert off is not None
    window.session.watch(off)  # a camera nobody shows: watched in the background
    qtbot.waitUntil(lambda: panel.unacknowledged_count() == 1, timeout=3000)
    (alert,) = panel.alerts()
    assert (alert.kind, alert.camera, alert.state) == ("offline", "off", AlertState.NEW)
    # Raised into the alarm tile, marked; the badge counts it.
    qtbot.waitUntil(lambda: wall.tile(0).camera is not None
                    and wall.tile(0).camera.id == "off", timeout=2000)
    assert wall.raised_camera() == "off"
    assert wall.tile(0).status.alert is not None
    assert wall.tile(0).status.alert_label == "ALERT · OFFLINE"
    assert window.alerts.dock.windowTitle() == "Alerts (1)"
    assert window.windowTitle() == "videowall — 1 alert"
    # The operator may pin the raised camera there, or ask for the next one (there is
    # none: it stays).
    tile = wall.tile(0)
    menu = tile.context_menu()
    actions = {a.text(): a for a in menu.actions()}
    actions["Pin this alarm here"].trigger()
    assert wall.alarm_queue.pinned and tile.alarm_pinned_now
    actions["Next alarm"].trigger()
    assert wall.raised_camera() == "off" and not wall.alarm_queue.pinned
    # Filtering by text hides it, and shows it again.
    panel.set_filter_text("sudirman")
    assert panel.visible_alert_ids() == []
    panel.set_filter_text("mall")
    assert panel.visible_alert_ids() == [alert.id]
    # Acknowledged from the panel with a note: recorded, the tile goes back home.
    assert panel.select_alert(alert.id)
    panel.note_edit.setText("guard sent to the entrance")
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.unacknowledged_count() == 0, timeout=2000)
    done = window.session.alerts.get(alert.id)
    assert done is not None and done.state == AlertState.ACKNOWLEDGED
    assert done.note == "guard sent to the entrance" and done.acknowledged_by
    assert wall.tile(0).camera is not None and wall.tile(0).camera.id == "red"
    assert wall.raised_camera() is None and wall.tile(0).status.alert is None
    assert window.windowTitle() == "videowall" and window.alerts.dock.windowTitle() == "Alerts"


def test_an_alert_of_a_camera_on_the_wall_marks_its_tile_until_acknowledged(
    qtbot: QtBot, registry: Registry, manager: StreamManager
) -> None:
    win = MainWindow(WallSession(registry, manager), grid="2x2", camera_ids=["red", "off"])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        tile = win.wall.tile(1)
        qtbot.waitUntil(lambda: tile.status.alert is not None, timeout=3000)
        assert win.wall.raised_camera() is None  # on the wall already: nothing raised
        alert = tile.status.alert
        assert alert is not None and alert.camera == "off"
        assert "ALERT · OFFLINE" in tile.toolTip()
        menu = tile.context_menu()
        ack = next(a for a in menu.actions() if a.text().startswith("Acknowledge"))
        ack.trigger()
        qtbot.waitUntil(lambda: tile.status.alert is None, timeout=2000)
        assert win.alerts.panel.unacknowledged_count() == 0
    finally:
        win.close()


def test_a_grid_without_alarm_tile_raises_into_the_alarm_window(
    qtbot: QtBot, registry: Registry, manager: StreamManager
) -> None:
    win = MainWindow(WallSession(registry, manager), grid="2x2", camera_ids=["red"])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        assert win.wall.alarm_index is None
        off = win.registry.get("off")
        assert off is not None
        win.session.watch(off)
        alarm = win.alerts.alarm_window
        qtbot.waitUntil(alarm.isVisible, timeout=3000)
        tile = alarm.wall.tile(0)
        assert tile.camera is not None and tile.camera.id == "off"
        assert alarm.windowTitle() == "Alarm: Mall Entrance"
        (alert,) = win.alerts.panel.alerts()
        # Chosen in the panel: it is on no tile, so it is brought forward, pinned.
        assert win.alerts.panel.select_alert(alert.id)
        win.alerts.panel.camera_chosen.emit("off")
        assert win.wall.alarm_queue.pinned and win.wall.raised_camera() == "off"
        win.alerts.acknowledge([alert.id], "")
        qtbot.waitUntil(lambda: not alarm.isVisible(), timeout=2000)
        assert alarm.wall.tile(0).camera is None
    finally:
        win.close()


def test_the_alarm_tile_is_settable_per_wall(window: MainWindow) -> None:
    wall = window.wall
    wall.set_alarm_tile(2)
    assert wall.alarm_index == 2
    window.set_grid("3x3")
    assert wall.alarm_index == 2  # chosen, not automatic: kept while it fits
    wall.set_alarm_tile(None)
    assert wall.alarm_index is None
    wall.set_alarm_tile("auto")
    assert wall.alarm_index is None  # 3x3 has no large tile
    window.set_grid("2+8")
    assert wall.alarm_index == 0
    with pytest.raises(ValueError, match="no tile 10 in a grid of 10 tiles"):
        wall.set_alarm_tile(10)
