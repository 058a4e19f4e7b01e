"""The wall: assignment, shared streams, drops, maximise, grid changes, the repaint timer."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FakeFactory, WallMaker
from videowall.layout.grid import preset
from videowall.registry.model import Camera
from videowall.streams.base import StreamEvent, StreamState
from videowall.streams.manager import StreamManager
from videowall.ui.tile import TileWidget, camera_mime
from videowall.ui.wall import WallWidget
from videowall.wall.session import resolve_cameras


def cam(wall: WallWidget, camera_id: str) -> Camera:
    camera = wall.registry.get(camera_id)
    assert camera is not None
    return camera


def drop(tile: TileWidget, camera_id: str, source_tile: int = -1, *, plain: bool = False) -> bool:
    """Drop ``camera_id`` on ``tile`` the way a drag from the camera list does."""
    mime = camera_mime(camera_id, source_tile)
    if plain:
        mime.removeFormat("application/x-videowall-camera")
    pos = tile.rect().center()
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        pos, action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tile, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(
        QPointF(pos), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tile, event)
    return event.isAccepted()


def test_drop_of_a_camera_id_assigns_it(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager
) -> None:
    wall = make_wall("2x2")
    assert drop(wall.tile(2), "green")
    assert wall.tile(2).camera == cam(wall, "green")
    assert manager.get("green") is not None
    qtbot.waitUntil(lambda: wall.tile(2).frames_rendered >= 2, timeout=3000)
    # Plain text works too (a camera id typed or copied elsewhere).
    assert drop(wall.tile(1), "red", plain=True)
    assert wall.tile(1).camera == cam(wall, "red")


def test_drop_of_an_unknown_id_says_so(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("2x2")
    with qtbot.waitSignal(wall.message_posted, timeout=1000) as blocker:
        assert drop(wall.tile(0), "nosuchcam")
    assert blocker.args == ["No camera 'nosuchcam' in the camera list"]
    assert wall.tile(0).camera is None


def test_dragging_a_tile_onto_another_swaps_them(
    qtbot: QtBot, make_wall: WallMaker, factory: FakeFactory
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall, "red"))
    wall.assign(1, cam(wall, "green"))
    assert drop(wall.tile(1), "red", source_tile=0)
    assert wall.tile(0).camera == cam(wall, "green")
    assert wall.tile(1).camera == cam(wall, "red")
    assert (factory.count("red"), factory.count("green")) == (1, 1)  # nothing restarted
    assert drop(wall.tile(3), "green", source_tile=0)  # onto an empty tile: a move
    assert wall.tile(0).camera is None
    assert wall.tile(3).camera == cam(wall, "green")


def test_double_click_maximises_and_restores(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("2x2")
    wall.assign(3, cam(wall, "red"))
    tile = wall.tile(3)
    small = tile.size()
    with qtbot.waitSignal(wall.maximised_changed, check_params_cb=lambda i: i == 3):
        qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximised_index == 3
    assert tile.geometry() == wall.rect()
    assert not wall.tile(0).isVisible()
    # The bigger tile asks for bigger pictures (the decoder restarts at 960x540 here).
    qtbot.waitUntil(lambda: tile.frame_size == (640, 360), timeout=3000)
    with qtbot.waitSignal(wall.maximised_changed, check_params_cb=lambda i: i == -1):
        qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximised_index is None
    assert tile.size() == small
    assert all(t.isVisible() for t in wall.tiles)


def test_one_decoder_per_camera_even_on_two_tiles(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager, factory: FakeFactory
) -> None:
    wall = make_wall("2x2")
    red = cam(wall, "red")
    wall.assign(0, red)
    wall.assign(1, red)
    assert factory.count("red") == 1
    stream = manager.get("red")
    assert stream is not None and stream.users == 2
    assert wall.tile(0).slot is wall.tile(1).slot
    qtbot.waitUntil(lambda: min(wall.tile(0).frames_rendered, wall.tile(1).frames_rendered) >= 3)
    wall.clear(0)
    assert manager.get("red") is stream and stream.users == 1
    wall.clear(1)
    assert manager.get("red") is None


def test_repaints_follow_new_frames_only(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall, "red"))
    wall.assign(1, cam(wall, "off"))
    live, off = wall.tile(0), wall.tile(1)
    qtbot.waitUntil(lambda: off.state == StreamState.OFFLINE, timeout=2000)
    qtbot.waitUntil(lambda: live.frames_rendered >= 5, timeout=3000)
    first = live.frames_rendered
    qtbot.wait(1000)
    rendered = live.frames_rendered - first
    stream = manager.get("red")
    assert stream is not None
    assert 12 <= rendered <= 30, rendered  # the 25 fps source, painted at most once each
    assert live.frames_rendered <= stream.stats.frames_published
    assert not off.needs_repaint() and off.frames_rendered == 0
    assert 12 <= live.fps() <= 30


def test_state_changes_are_applied_recorded_and_signalled(
    qtbot: QtBot, make_wall: WallMaker
) -> None:
    wall = make_wall("2x2")
    seen: list[StreamEvent] = []
    wall.stream_event.connect(seen.append)
    wall.assign(0, cam(wall, "drop"))
    qtbot.waitUntil(lambda: wall.tile(0).state == StreamState.OFFLINE, timeout=3000)
    states = [ev.state for ev in wall.events if ev.camera_id == "drop"]
    assert states == [StreamState.CONNECTING, StreamState.LIVE, StreamState.OFFLINE]
    assert [ev.state for ev in seen] == states
    assert wall.events[-1].detail == "connection lost"
    assert all(ev.t >= wall.started_at for ev in wall.events)
    assert wall.state_counts() == {
        "live": 0, "degraded": 0, "offline": 1, "connecting": 0, "off": 0, "empty": 3
    }


def test_grid_change_releases_hidden_tiles_and_brings_them_back(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager, factory: FakeFactory
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall, "red"))
    wall.assign(3, cam(wall, "green"))
    wall.set_layout(preset("1x1"))
    assert len(wall.tiles) == 1
    assert manager.get("green") is None  # nobody sees it: it does not decode
    assert wall.tile(0).camera == cam(wall, "red")
    wall.set_layout(preset("1+5"))
    assert len(wall.tiles) == 6
    assert wall.tile(3).camera == cam(wall, "green")
    assert factory.count("green") == 2
    big, small = wall.tile(0).geometry(), wall.tile(1).geometry()
    assert big.width() > 1.8 * small.width() and big.height() > 1.8 * small.height()


def test_place_uses_the_selected_tile_then_the_first_free(
    qtbot: QtBot, make_wall: WallMaker
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall, "red"))
    qtbot.mouseClick(wall.tile(2), Qt.MouseButton.LeftButton)
    assert wall.selected_index == 2 and wall.tile(2).selected
    assert wall.place(cam(wall, "green")) == 2
    assert wall.selected_index is None
    assert wall.place(cam(wall, "blue43")) == 1
    assert wall.first_free() == 3


def test_disabled_camera_shows_disabled_without_a_stream(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager, factory: FakeFactory
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall, "old"))
    assert wall.tile(0).state == StreamState.DISABLED
    assert "DISABLED" in wall.tile(0).status_text()
    assert factory.count("old") == 0 and manager.get("old") is None
    wall.clear(0)


def test_stop_releases_every_stream(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager
) -> None:
    wall = make_wall("2x2")
    wall.assign_many([cam(wall, "red"), cam(wall, "green"), cam(wall, "red")])
    assert len(manager.streams()) == 2
    wall.stop()
    assert manager.streams() == []


def test_resolve_cameras(make_wall: WallMaker) -> None:
    wall = make_wall("2x2")
    registry = wall.registry
    first = resolve_cameras(registry, None, 4)
    assert [c.id for c in first] == ["red", "green", "blue43", "square"]
    assert [c.id for c in resolve_cameras(registry, None, 99)][-1] == "drop"  # not "old"
    assert [c.id for c in resolve_cameras(registry, ["off", "red"], 4)] == ["off", "red"]
    with pytest.raises(ValueError, match=r"unknown camera ids in test\.yaml: nope, nada"):
        resolve_cameras(registry, ["red", "nope", "nada"], 4)
    with pytest.raises(ValueError, match="3 cameras given for a grid of 2 tiles"):
        resolve_cameras(registry, ["red", "green", "off"], 2)
