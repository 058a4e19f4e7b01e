"""The main window: default cameras, grid presets, full screen, the status bar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from videowall.layout.grid import PRESETS, preset
from videowall.registry.model import Registry
from videowall.streams.base import StreamState
from videowall.streams.manager import StreamManager
from videowall.ui import theme
from videowall.ui.main_window import MainWindow
from videowall.wall.session import WallSession


@pytest.fixture
def window(qtbot: QtBot, registry: Registry, manager: StreamManager) -> Iterator[MainWindow]:
    win = MainWindow(WallSession(registry, manager), grid="2x2")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_window_fills_tiles_with_the_first_enabled_cameras(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.windowTitle() == "videowall"
    cams = window.wall.cameras()
    assert [c.id if c else None for c in cams] == ["red", "green", "blue43", "square"]
    assert window.camera_dock.isVisible()
    assert window.dockWidgetArea(window.camera_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    qtbot.waitUntil(
        lambda: all(t.state == StreamState.LIVE for t in window.wall.tiles), timeout=3000
    )
    qtbot.waitUntil(lambda: window.counts_text() == "4 live · 0 degraded · 0 offline")
    assert "4 live" in window.counts_label.text()
    assert window.registry_text() == "7 cameras · 3 not shown"


def test_every_preset_has_an_action_and_switches_the_grid(qtbot: QtBot, window: MainWindow) -> None:
    assert list(window.grid_actions) == list(PRESETS)
    for name in PRESETS:
        window.grid_actions[name].trigger()
        assert window.wall.grid == preset(name)
        assert len(window.wall.tiles) == len(preset(name))
        assert window.grid_actions[name].isChecked()
    window.grid_actions["3x3"].trigger()
    counts = window.wall.state_counts()
    assert counts["empty"] == 5  # 4 cameras came back, 5 tiles free
    assert "5 empty" in window.counts_text()
    assert window.grid_label.text().strip() == "Grid 3x3 · 9 tiles"


def test_camera_list_double_click_fills_a_free_tile(qtbot: QtBot, window: MainWindow) -> None:
    window.set_grid("3x3")
    window.camera_tree.tree.activated.emit(window.camera_tree.index_for("off"))
    tile = window.wall.tile(4)
    assert tile.camera is not None and tile.camera.id == "off"
    qtbot.waitUntil(lambda: tile.state == StreamState.OFFLINE, timeout=2000)
    qtbot.waitUntil(lambda: "1 offline" in window.counts_text())


def test_f11_toggles_full_screen_and_esc_leaves(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=2000)
    assert not window.toolbar.isVisible() and not window.camera_dock.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=2000)
    assert window.toolbar.isVisible() and window.camera_dock.isVisible()
    # Esc outside full screen restores a maximised tile.
    window.wall.maximise(1)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.wall.maximised_index is None


def test_unknown_camera_ids_fail_before_a_window_exists(
    registry: Registry, manager: StreamManager
) -> None:
    with pytest.raises(ValueError, match=r"unknown camera id in test\.yaml: ghost"):
        MainWindow(WallSession(registry, manager), camera_ids=["red", "ghost"])
    with pytest.raises(ValueError, match="unknown grid"):
        MainWindow(WallSession(registry, manager), grid="9x1x")
    assert manager.streams() == []


def test_the_banner_sits_above_the_wall_and_hides_while_the_registry_is_fine(
    window: MainWindow,
) -> None:
    assert not window.banner.isVisible()
    central = window.centralWidget()
    assert central is not None and window.wall.parent() is central
    assert window.banner.parent() is central


def test_reload_without_a_registry_file_says_so(qtbot: QtBot, window: MainWindow) -> None:
    assert window.registry_watcher is None
    assert not window.reload_action.isEnabled()
    assert window.reload_action.shortcut().toString() == "Ctrl+R"
    window.reload_registry()
    status = window.statusBar()
    assert status is not None and status.currentMessage() == "No camera registry file to reload"


def test_cameras_watched_off_the_wall_reach_the_list_and_the_status_bar(
    qtbot: QtBot, window: MainWindow, registry: Registry
) -> None:
    on_wall = window.wall.camera_ids()
    off = [cam for cam in registry.cameras if cam.enabled and cam.id not in on_wall]
    assert off and window.watched_text() == ""
    assert window.camera_tree.state_of(off[0].id) is None
    assert "Not on the wall" in (window.camera_tree.item_for(off[0].id) or _no()).toolTip()
    assert window.session.watch(off[0])
    assert off[0].id == "off"  # the one that cannot be reached
    qtbot.waitUntil(lambda: window.camera_tree.state_of("off") == StreamState.OFFLINE,
                    timeout=4000)
    tip = (window.camera_tree.item_for("off") or _no()).toolTip()
    assert f"Watched off the wall: {theme.state_style(StreamState.OFFLINE).label}" in tip
    assert window.watched_text() == "Off the wall: 1 offline"
    assert "Off the wall: 1 offline" in window.watch_label.text()
    # a camera watched and shown on a tile counts on the wall only
    shown = next(iter(on_wall))
    camera = registry.get(shown)
    assert camera is not None and window.session.watch(camera)
    assert shown not in window.off_wall_states()
    window.session.unwatch(off[0].id)
    qtbot.waitUntil(lambda: window.camera_tree.state_of(off[0].id) is None, timeout=3000)


def _no() -> object:
    raise AssertionError("no such row")
