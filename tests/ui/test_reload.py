"""Live reload under a running wall: the registry file is edited on disk while the window
runs, and the camera list, the tiles and the banner follow within two seconds."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FakeFactory
from videowall.registry.loader import load_registry
from videowall.streams.base import StreamState
from videowall.streams.manager import StreamManager
from videowall.ui.main_window import MainWindow
from videowall.ui.tile import letterbox
from videowall.ui.wall import DECODE_CHECK_MS
from videowall.wall.session import WallSession

#: What the wall promises: a saved edit shows within this many milliseconds.
APPLY_MS = 2000

HEADER = """\
sites:
  rp01: {name: "Sudirman – Thamrin junction"}
  mall: {name: Grand Mall}
agencies:
  transport: {name: Transport Department, colour: "#3d8bfd"}
  mall: {name: Grand Mall Security, colour: "#e8590c"}
cameras:
"""


def camera_yaml(camera_id: str, name: str, colour: str, site: str = "rp01") -> str:
    # The fake decoder reads its picture from the URL: host "live", colour in the query.
    agency = "transport" if site == "rp01" else "mall"
    return (
        f"  - id: {camera_id}\n"
        f"    name: {name}\n"
        f"    site: {site}\n"
        f"    agency: {agency}\n"
        f"    url: rtsp://live/{camera_id}?colour={colour}\n"
    )


CAMERAS = [
    camera_yaml("red", "Sudirman North", "ff0000"),
    camera_yaml("green", "Sudirman South", "00ff00"),
    camera_yaml("white", "Mall Gate", "ffffff", site="mall"),
]


def registry_text(cameras: list[str]) -> str:
    return HEADER + "".join(cameras)


def save(path: Path, text: str) -> None:
    """Save the way most editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "cameras.yaml"
    path.write_text(registry_text(CAMERAS), encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot: QtBot, registry_file: Path, manager: StreamManager) -> Iterator[MainWindow]:
    registry = load_registry(registry_file)
    win = MainWindow(WallSession(registry, manager, registry_path=registry_file), grid="2x2")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(
        lambda: [t.state for t in win.wall.tiles[:3]] == [StreamState.LIVE] * 3, timeout=3000
    )
    yield win
    win.close()
    assert win.registry_watcher is not None and not win.registry_watcher.running


def status_message(window: MainWindow) -> str:
    status = window.statusBar()
    assert status is not None
    return status.currentMessage()


def centre_colour(window: MainWindow, index: int) -> tuple[int, int, int]:
    """The RGB colour the tile's current decoder publishes, in the middle of the picture."""
    slot = window.wall.tile(index).slot
    frame = slot.latest() if slot is not None else None
    assert frame is not None
    b, g, r, _ = (int(v) for v in frame.image[frame.height // 2, frame.width // 2])
    return r, g, b


def test_a_new_camera_appears_in_the_list_within_two_seconds(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    assert window.registry_watcher is not None and window.registry_watcher.running
    assert "blue" not in window.camera_tree.visible_camera_ids()
    started = time.monotonic()
    save(registry_file, registry_text([*CAMERAS, camera_yaml("blue", "Thamrin East", "0000ff")]))
    qtbot.waitUntil(lambda: "blue" in window.camera_tree.visible_camera_ids(), timeout=APPLY_MS)
    elapsed = time.monotonic() - started
    print(f"\nedit applied after {elapsed * 1000:.0f} ms")
    assert window.camera_tree.group_labels()[0] == "Sudirman – Thamrin junction  (3)"
    assert status_message(window) == "Camera registry reloaded: 1 added, 0 removed, 0 changed"
    assert window.registry.get("blue") is not None and window.wall.registry is window.registry
    assert not window.banner.isVisible()
    # The new camera goes on the wall like any other.
    index = window.wall.place(window.registry.get("blue"))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: window.wall.tile(index).state == StreamState.LIVE, timeout=2000)
    assert centre_colour(window, index) == (0, 0, 255)


def test_an_invalid_edit_changes_nothing_and_shows_a_banner_until_fixed(
    qtbot: QtBot, window: MainWindow, registry_file: Path, factory: FakeFactory
) -> None:
    before = window.registry
    decoders = len(factory.created)
    broken = registry_text(
        [CAMERAS[0], CAMERAS[1].replace("rtsp://", "rtps://"), CAMERAS[2].replace("name:", "nmae:")]
    )
    url_line = broken.splitlines().index("    url: rtps://live/green?colour=00ff00") + 1
    save(registry_file, broken)
    qtbot.waitUntil(window.banner.isVisible, timeout=APPLY_MS)
    text = window.banner.text()
    assert "Camera registry cameras.yaml has 2 errors" in text
    assert "changes not applied" in text and "last good camera list" in text
    assert (
        f"line {url_line}: cameras[1].url: scheme 'rtps' is not one of rtsp, rtsps, http, "
        "https, udp, rtp, file (did you mean 'rtsp'?)"
    ) in text
    assert "cameras[2]: unknown key 'nmae' (did you mean 'name'?)" in text
    assert status_message(window) == "Camera registry not applied: 2 errors"
    # Nothing changed: the registry, the list, the tiles, the streams.
    assert window.registry is before and window.wall.registry is before
    assert window.camera_tree.visible_camera_ids() == ["red", "green", "white"]
    assert [t.camera.id if t.camera else None for t in window.wall.tiles] == [
        "red",
        "green",
        "white",
        None,
    ]
    assert all(t.state == StreamState.LIVE for t in window.wall.tiles[:3])
    assert len(factory.created) == decoders
    # The banner sits above the wall.
    assert window.banner.geometry().bottom() < window.wall.geometry().top()

    save(
        registry_file,
        registry_text([*CAMERAS[:2], camera_yaml("white", "Mall Gate 2", "ffffff", site="mall")]),
    )
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=APPLY_MS)
    assert status_message(window) == "Camera registry reloaded: 0 added, 0 removed, 1 changed"
    assert window.registry is not before


def test_a_changed_url_restarts_the_tiles_stream(
    qtbot: QtBot, window: MainWindow, registry_file: Path, factory: FakeFactory
) -> None:
    assert centre_colour(window, 0) == (255, 0, 0)
    old_slot = window.wall.tile(0).slot
    save(
        registry_file, registry_text([camera_yaml("red", "Sudirman North", "ffff00"), *CAMERAS[1:]])
    )
    qtbot.waitUntil(lambda: factory.count("red") == 2, timeout=APPLY_MS)
    tile = window.wall.tile(0)
    assert tile.slot is not old_slot
    assert tile.camera is not None and tile.camera.url == "rtsp://live/red?colour=ffff00"
    qtbot.waitUntil(lambda: tile.state == StreamState.LIVE, timeout=2000)
    qtbot.waitUntil(lambda: tile.frames_rendered > 0, timeout=2000)
    assert centre_colour(window, 0) == (255, 255, 0)
    # One decoder per camera, the old one stopped; the other tiles kept theirs.
    assert factory.count("green") == 1 and factory.count("white") == 1
    assert [s.camera.id for s in window.wall.manager.streams()] == ["red", "green", "white"]
    assert status_message(window) == "Camera registry reloaded: 0 added, 0 removed, 1 changed"


def test_a_removed_camera_leaves_its_tile_saying_so_and_comes_back(
    qtbot: QtBot, window: MainWindow, registry_file: Path, factory: FakeFactory
) -> None:
    save(registry_file, registry_text([CAMERAS[0], CAMERAS[2]]))
    tile = window.wall.tile(1)
    qtbot.waitUntil(lambda: tile.detail == "removed from registry", timeout=APPLY_MS)
    assert tile.state == StreamState.DISABLED
    assert tile.status_text() == "DISABLED — removed from registry"
    assert tile.camera is not None and tile.camera.name == "Sudirman South"  # still named
    assert window.wall.manager.get("green") is None  # its stream was let go
    assert window.camera_tree.visible_camera_ids() == ["red", "white"]
    assert status_message(window) == "Camera registry reloaded: 0 added, 1 removed, 0 changed"
    assert window.counts_text() == "2 live · 0 degraded · 0 offline · 1 off · 1 empty"
    # The tile shows its last picture dimmed, with the words in the middle.
    image = tile.grab().toImage()
    # Above the words, inside the picture (letterboxed in a tall tile).
    picture = letterbox(image.width(), image.height(), 16 / 9)
    middle = image.pixelColor(picture.center().x(), picture.top() + picture.height() // 4)
    assert middle.green() > 0 and middle.green() < 200 and middle.red() < 60

    # The wall refreshing events or another reload do not undo the mark.
    window.wall.refresh()
    assert tile.detail == "removed from registry"

    save(registry_file, registry_text(CAMERAS))
    qtbot.waitUntil(lambda: tile.state == StreamState.LIVE, timeout=APPLY_MS + 2000)
    assert tile.camera is not None and tile.camera.enabled
    assert factory.count("green") == 2
    assert "green" in window.camera_tree.visible_camera_ids()


def test_new_names_and_sites_show_on_the_tiles(
    qtbot: QtBot, window: MainWindow, registry_file: Path, factory: FakeFactory
) -> None:
    text = registry_text(CAMERAS).replace("Grand Mall}", "Grand Mall East Wing}")
    text = text.replace("name: Sudirman North", "name: Sudirman North Gate")
    save(registry_file, text)
    tile0, tile2 = window.wall.tile(0), window.wall.tile(2)
    qtbot.waitUntil(lambda: tile2.site == "Grand Mall East Wing", timeout=APPLY_MS)
    assert tile0.camera is not None and tile0.camera.name == "Sudirman North Gate"
    assert factory.count("red") == 1  # a new name does not restart the stream
    assert tile0.state == StreamState.LIVE
    index = window.camera_tree.index_for("red")
    assert index.data() == "Sudirman North Gate"
    assert window.camera_tree.group_labels()[1] == "Grand Mall East Wing  (1)"
    # The running stream carries the new record too, so a decoder restarted for a bigger
    # tile brings no old name back.
    stream = window.wall.manager.get("red")
    assert stream is not None and stream.camera.name == "Sudirman North Gate"
    window.wall.maximise(0)
    qtbot.wait(DECODE_CHECK_MS + 300)
    assert tile0.camera is not None and tile0.camera.name == "Sudirman North Gate"


def test_the_menu_reloads_the_registry_at_once(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    action = window.reload_action
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+R"
    bar = window.menuBar()
    assert bar is not None
    wall_menu = next(a.menu() for a in bar.actions() if a.text() == "&Wall")
    assert wall_menu is not None and action in wall_menu.actions()
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: status_message(window) == "Camera registry reloaded: no camera changed",
        timeout=1000,
    )


def test_a_wall_shows_what_a_tile_still_shows_after_a_grid_change(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    window.set_grid("1x1")  # tiles 1 and 2 park their cameras
    save(registry_file, registry_text([CAMERAS[0], CAMERAS[2].replace("Mall Gate", "Mall Door")]))
    qtbot.waitUntil(lambda: window.registry.get("green") is None, timeout=APPLY_MS)
    window.set_grid("2x2")
    cameras = window.wall.cameras()
    assert [c.id if c else None for c in cameras] == ["red", None, "white", None]
    assert cameras[2] is not None and cameras[2].name == "Mall Door"


def test_the_banner_lists_a_few_errors_and_counts_the_rest(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    broken = registry_text(
        [camera_yaml(f"c{n}", f"Camera {n}", "ff0000").replace("rtsp", "rtps") for n in range(7)]
    )
    save(registry_file, broken)
    qtbot.waitUntil(window.banner.isVisible, timeout=APPLY_MS)
    lines = window.banner.details_label.text().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("line 12: cameras[0].url: scheme 'rtps'")
    assert lines[-1] == f"… and 3 more: run  videowall cameras validate {registry_file}"
    assert "has 7 errors" in window.banner.title_label.text()
    # A file that goes away is reported too, and so is its return.
    registry_file.unlink()
    qtbot.waitUntil(lambda: "cannot be read" in window.banner.title_label.text(), timeout=APPLY_MS)
    assert window.banner.details_label.text() == (
        "cannot read the camera registry: No such file or directory"
    )
    save(registry_file, registry_text(CAMERAS))
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=APPLY_MS)
    assert status_message(window) == "Camera registry reloaded: no camera changed"
    assert np.all([t.camera is not None for t in window.wall.tiles[:3]])


def test_the_banner_button_checks_the_file_again(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    save(registry_file, registry_text([CAMERAS[0].replace("rtsp", "rtps")]))
    qtbot.waitUntil(window.banner.isVisible, timeout=APPLY_MS)
    first = window.banner.title_label.text()
    time.sleep(1.05)  # the banner names the second of the check
    qtbot.mouseClick(window.banner.reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.banner.title_label.text() != first, timeout=1000)
    assert window.banner.isVisible()
    assert window.banner.title_label.text().startswith("Camera registry cameras.yaml has 1 error ")


def test_a_reload_that_arrives_after_the_window_closed_is_dropped(
    qtbot: QtBot, window: MainWindow, registry_file: Path, factory: FakeFactory
) -> None:
    created = len(factory.created)
    window.close()
    save(registry_file, registry_text([*CAMERAS, camera_yaml("blue", "Thamrin East", "0000ff")]))
    assert window.registry_watcher is not None
    window.registry_watcher.reload_now()  # stopped: checks on this thread, emits directly
    assert window.registry.get("blue") is None
    assert window.wall.manager.streams() == [] and len(factory.created) == created


def test_run_wall_watches_the_file_the_registry_came_from(
    qtbot: QtBot, registry_file: Path, factory: FakeFactory
) -> None:
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from videowall.ui.app import run_wall

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen: dict[str, object] = {}

    def look_and_close() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        watcher = windows[0].registry_watcher if windows else None
        seen["path"] = watcher.path if watcher else None
        seen["running"] = bool(watcher and watcher.running)
        for win in windows:
            win.close()

    QTimer.singleShot(500, look_and_close)
    registry = load_registry(registry_file)
    assert run_wall(registry, grid="2x2", manager=StreamManager(factory)) == 0
    assert seen == {"path": str(registry_file), "running": True}


def test_a_health_section_edit_applies_to_the_wall(
    qtbot: QtBot, window: MainWindow, registry_file: Path
) -> None:
    manager = window.wall.manager
    assert manager.gate.per_host == 4
    blue = camera_yaml("blue", "Thamrin East", "0000ff")
    text = registry_text([*CAMERAS, blue]) + "health:\n  connections_per_host: 7\n" \
        "  retry_cap_s: 90\n"
    save(registry_file, text)
    qtbot.waitUntil(lambda: window.registry.health.connections_per_host == 7, timeout=APPLY_MS)
    assert manager.gate.per_host == 7
    # a stream started from now on retries by the new rules; running ones keep theirs
    index = window.wall.place(window.registry.get("blue"))  # type: ignore[arg-type]
    stream, running = manager.get("blue"), manager.get("white")
    assert stream is not None and running is not None and index >= 0
    assert stream.decoder.health_config.retry_cap_s == 90.0
    assert running.decoder.health_config.retry_cap_s == 30.0
