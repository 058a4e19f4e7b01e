"""What the operator sees of stream health: the words and timers on tiles that are not
live, the retry action, the stream info box, the status bar counts and the hand-over of
state changes to the health log."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QColor, QImage
from PyQt6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FakeFactory, WallMaker
from tests.wall.test_status import STATUS_CASES, assert_says
from videowall.registry.model import Agency, Camera, Registry, Site
from videowall.streams.base import StreamEvent, StreamState
from videowall.streams.manager import StreamManager
from videowall.ui import theme
from videowall.ui.main_window import MainWindow
from videowall.ui.tile import TileWidget
from videowall.wall.session import WallSession
from videowall.wall.status import state_label

CAMERA = Camera("cam", "Sudirman North", "rp01", "fake://live", "transport")


def health_registry() -> Registry:
    """One camera in each state the wall can show."""
    sites = {"rp01": Site("rp01", "Sudirman – Thamrin junction")}
    agencies = {"transport": Agency("transport", "Transport Department", "#3d8bfd")}

    def make(cid: str, url: str, enabled: bool = True) -> Camera:
        return Camera(cid, cid.title(), "rp01", url, "transport", enabled=enabled)

    cameras = (
        make("live", "fake://live?colour=ff0000"),
        make("stalled", "fake://hold?state=stalled&detail=no%20picture%20for%202%20s&after=0.2"),
        make("frozen", "fake://hold?state=frozen&detail=picture%20unchanged&after=0.2"),
        make("reconnecting",
            "fake://hold?state=reconnecting&detail=connection%20lost&after=0.2&retry=12"),
        make("offline", "fake://offline?detail=connection%20refused"),
        make("noauth", "fake://offline?detail=unauthorized"),
        make("connecting", "fake://hold?state=connecting&detail=opening&after=0"),
        make("old", "fake://live?colour=808080", enabled=False),
        make("spare", "fake://live?colour=00ff00"),
        make("spare2", "fake://live?colour=0000ff"),
    )
    return Registry(cameras=cameras, sites=sites, agencies=agencies, source="health.yaml")


def cam(registry: Registry, camera_id: str) -> Camera:
    camera = registry.get(camera_id)
    assert camera is not None, camera_id
    return camera


def make_tile(qtbot: QtBot) -> TileWidget:
    tile = TileWidget(0)
    qtbot.addWidget(tile)
    tile.resize(480, 270)
    tile.set_camera(CAMERA, None, site="Sudirman – Thamrin junction")
    return tile


def action(menu: QMenu, text: str) -> QAction:
    for item in menu.actions():
        if item.text() == text:
            return item
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


# -- the words and the timer --------------------------------------------------------------


@pytest.mark.parametrize(("state", "detail", "ago", "retry", "expected"), STATUS_CASES)
def test_a_tile_that_is_not_live_says_why_since_when_and_when_it_retries(
    qtbot: QtBot,
    state: StreamState,
    detail: str,
    ago: float,
    retry: float,
    expected: tuple[str, str, str],
) -> None:
    tile = make_tile(qtbot)
    now, mono = 1_700_000_000.0, 5000.0
    tile.set_state(state, detail, since=now - ago)
    assert_says(tile, state, ago, retry, expected, now, mono)
    # The pill says the label the status says.
    assert theme.state_style(state).label == state_label(state)


def test_the_timer_counts_from_when_the_camera_was_last_live(qtbot: QtBot) -> None:
    tile = make_tile(qtbot)
    tile.set_state(StreamState.LIVE, "fake")
    tile.set_state(StreamState.STALLED, "no picture for 2 s")
    went = tile.state_since
    assert abs(went - time.time()) < 1
    tile.status.state_since -= 42  # as if 42 s went by
    went = tile.state_since
    for state in (StreamState.RECONNECTING, StreamState.OFFLINE, StreamState.RECONNECTING):
        tile.set_state(state, "connection refused")
        assert tile.state_since == went  # retrying does not restart the timer
    assert tile.status_lines()[0] == "RECONNECTING 00:42"
    tile.set_state(StreamState.LIVE, "fake")
    assert tile.state_since > went and tile.status_lines()[0] == "LIVE"


def test_a_camera_retrying_after_it_was_unreachable_stays_offline(qtbot: QtBot) -> None:
    tile = make_tile(qtbot)
    buckets = []
    for state in (StreamState.CONNECTING, StreamState.OFFLINE, StreamState.RECONNECTING,
                  StreamState.OFFLINE, StreamState.RECONNECTING, StreamState.LIVE,
                  StreamState.STALLED, StreamState.RECONNECTING, StreamState.UNAUTHORIZED,
                  StreamState.RECONNECTING, StreamState.FROZEN, StreamState.RECONNECTING):
        tile.set_state(state, "why")
        buckets.append(tile.bucket)
    assert buckets == ["connecting", "offline", "offline", "offline", "offline", "live",
                       "degraded", "degraded", "offline", "offline", "degraded", "degraded"]
    tile.clear_camera()
    assert tile.bucket == "connecting"


def test_the_retry_countdown_runs_down(qtbot: QtBot) -> None:
    tile = make_tile(qtbot)
    tile.set_state(StreamState.OFFLINE, "connection refused")
    tile.set_stats({"next_retry_in_s": 12.0}, now=100.0)
    assert tile.status_lines(now_monotonic=100.0)[2].endswith("retry in 12 s")
    assert tile.status_lines(now_monotonic=105.2)[2].endswith("retry in 7 s")
    assert "retry" not in tile.status_lines(now_monotonic=112.0)[2]


def test_the_overlay_is_drawn_again_only_when_its_words_change(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    tile = make_tile(qtbot)
    tile.set_state(StreamState.STALLED, "no picture for 2 s")
    drawn: list[tuple[str, str, str]] = []
    paint = tile._paint_overlay

    def counting(*args: object) -> None:
        drawn.append(args[2])  # type: ignore[arg-type]
        paint(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(tile, "_paint_overlay", counting)
    for _ in range(5):
        tile.grab()
    assert len(drawn) == 1
    tile.status.state_since -= 1  # a second later: the timer moved on
    tile.grab()
    tile.grab()
    assert len(drawn) == 2 and drawn[0][0] != drawn[1][0]


def test_a_stalled_tile_dims_its_last_frame_and_paints_the_state(
    qtbot: QtBot, make_wall: WallMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    wall = make_wall("1x1", size=(642, 362))
    wall.assign(0, cam(health_registry(), "stalled"))
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.STALLED, timeout=3000)
    assert tile.frames_rendered > 0
    headline, reason, note = tile.status_lines()
    assert re.fullmatch(r"STALLED 00:0\d", headline), headline
    assert reason == "no picture for 2 s" and note.startswith("since ")
    image: QImage = tile.grab().toImage()
    r, g, b = (lambda c: (c.red(), c.green(), c.blue()))(image.pixelColor(40, 300))
    assert 60 < r < 150 and g < 20 and b < 20, (r, g, b)  # red, dimmed
    pill = QColor(theme.state_style(StreamState.STALLED).background)
    row = [image.pixelColor(x, 160) for x in range(image.width())]
    assert sum(c == pill for c in row) > 60


def test_the_wall_hands_the_tile_its_next_retry(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1")
    wall.assign(0, cam(wall.registry, "off"))  # the fake waits 30 s before it retries
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.OFFLINE, timeout=2000)
    assert re.search(r"retry in (29|30) s$", tile.status_lines()[2]), tile.status_lines()
    assert 29 <= tile.stats["next_retry_in_s"] <= 30


def test_a_camera_moved_to_another_tile_keeps_its_timer(
    qtbot: QtBot, make_wall: WallMaker
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(health_registry(), "stalled"))
    wall.assign(1, cam(wall.registry, "red"))
    qtbot.waitUntil(lambda: wall.tile(0).state == StreamState.STALLED, timeout=3000)
    qtbot.waitUntil(lambda: wall.tile(1).state == StreamState.LIVE, timeout=3000)
    since = wall.tile(0).state_since
    time.sleep(0.05)
    wall.swap(0, 1)
    assert wall.tile(1).state == StreamState.STALLED
    assert abs(wall.tile(1).state_since - since) < 0.03
    assert wall.tile(0).state == StreamState.LIVE


# -- retry now ------------------------------------------------------------------------------


def test_retry_now_asks_the_manager(
    qtbot: QtBot, make_wall: WallMaker, manager: StreamManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def retry(camera_id: str) -> bool:
        asked.append(camera_id)
        return True

    monkeypatch.setattr(manager, "retry", retry)
    wall = make_wall("2x2")
    wall.assign(0, cam(wall.registry, "off"))
    wall.assign(1, cam(wall.registry, "red"))
    off, live = wall.tile(0), wall.tile(1)
    qtbot.waitUntil(lambda: off.state == StreamState.OFFLINE, timeout=2000)
    qtbot.waitUntil(lambda: live.state == StreamState.LIVE, timeout=2000)
    messages: list[str] = []
    wall.message_posted.connect(messages.append)

    assert not action(live.context_menu(), "Retry now").isEnabled()
    retry = action(off.context_menu(), "Retry now")
    assert retry.isEnabled()
    retry.trigger()
    assert asked == ["off"]
    assert messages == ["Mall Entrance: connecting again now"]
    assert "retry in" not in off.status_lines()[2]  # the countdown is over


def test_retry_now_reconnects_at_once(
    qtbot: QtBot, make_wall: WallMaker, factory: FakeFactory
) -> None:
    wall = make_wall("1x1")
    wall.assign(0, cam(wall.registry, "off"))
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.OFFLINE, timeout=2000)
    decoder = factory.created[-1]
    assert decoder.stats.reconnects == 0  # the next attempt is 30 s away
    action(tile.context_menu(), "Retry now").trigger()
    qtbot.waitUntil(lambda: decoder.stats.reconnects >= 1, timeout=2000)


def test_retry_is_not_offered_for_disabled_or_empty_tiles(
    qtbot: QtBot, make_wall: WallMaker
) -> None:
    wall = make_wall("2x2")
    wall.assign(0, cam(wall.registry, "old"))
    assert not action(wall.tile(0).context_menu(), "Retry now").isEnabled()
    assert not action(wall.tile(1).context_menu(), "Retry now").isEnabled()
    assert not wall.retry("old")


# -- the stream info box ----------------------------------------------------------------------


def corner(tile: TileWidget) -> tuple[int, int, int]:
    image = tile.grab().toImage()
    colour = image.pixelColor(image.width() - 12, image.height() - 12)
    return colour.red(), colour.green(), colour.blue()


def test_show_stream_info_toggles_the_corner_box(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1", size=(642, 362))
    wall.assign(0, cam(wall.registry, "red"))
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.LIVE and tile.frames_rendered > 2,
                    timeout=2000)
    assert not tile.info_visible
    assert corner(tile)[0] > 230  # the red picture

    info = action(tile.context_menu(), "Show stream info")
    assert info.isCheckable() and not info.isChecked()
    info.trigger()
    assert tile.info_visible and tile.show_info
    qtbot.waitUntil(lambda: bool(tile.stats), timeout=2000)
    first, second = tile.info_lines()
    width, height = tile.stats["width"], tile.stats["height"]
    assert f"{width}×{height}" in first and second.startswith("fake")
    r, g, b = corner(tile)
    assert r < 160, (r, g, b)  # the dark box over the red picture

    assert action(tile.context_menu(), "Show stream info").isChecked()
    action(tile.context_menu(), "Show stream info").trigger()
    assert not tile.info_visible
    assert corner(tile)[0] > 230


def test_the_info_box_shows_the_decoder_figures(qtbot: QtBot) -> None:
    tile = make_tile(qtbot)
    tile.set_state(StreamState.LIVE, "ffmpeg")
    tile.set_stats({"backend": "ffmpeg", "codec": "h264", "width": 1920, "height": 1080,
                    "fps": 24.96, "bitrate_kbps": 1840.0, "frames_dropped": 3})
    assert tile.info_lines() == ("25.0 fps · 1920×1080", "1.8 Mb/s · ffmpeg h264 · 3 dropped")
    tile.set_stats({"backend": "vlc", "fps": 12.5, "bitrate_kbps": 512})
    assert tile.info_lines() == ("12.5 fps", "512 kb/s · vlc")


def test_info_box_is_for_live_tiles_only(qtbot: QtBot) -> None:
    tile = make_tile(qtbot)
    tile.set_show_info(True)
    tile.set_state(StreamState.OFFLINE, "connection refused")
    assert not tile.info_visible
    tile.set_state(StreamState.LIVE, "fake")
    assert tile.info_visible


# -- the main window: key I, the View menu, the status bar, the health log --------------------


class Listener:
    """Stands in for the store: records the registries and the stream events."""

    def __init__(self) -> None:
        self.registries: list[Registry] = []
        self.events: list[StreamEvent] = []

    def registry_applied(self, registry: Registry, notify: object) -> None:
        self.registries.append(registry)

    def stream_event(self, event: StreamEvent) -> None:
        self.events.append(event)


@pytest.fixture
def listener() -> Listener:
    return Listener()


@pytest.fixture
def window(qtbot: QtBot, manager: StreamManager, listener: Listener) -> Iterator[MainWindow]:
    registry = health_registry()
    ids = ["live", "stalled", "frozen", "reconnecting", "offline", "noauth", "connecting",
           "old", "live"]
    win = MainWindow(WallSession(registry, manager, store=listener), grid="3x3", camera_ids=ids)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def wait_settled(qtbot: QtBot, window: MainWindow) -> None:
    want = {"live": StreamState.LIVE, "stalled": StreamState.STALLED,
            "frozen": StreamState.FROZEN, "reconnecting": StreamState.RECONNECTING,
            "offline": StreamState.OFFLINE, "noauth": StreamState.UNAUTHORIZED}

    def settled() -> bool:
        return all(
            tile.camera is None or tile.camera.id not in want
            or tile.state == want[tile.camera.id]
            for tile in window.wall.tiles
        )

    qtbot.waitUntil(settled, timeout=4000)


def test_status_bar_counts_cameras_by_health(qtbot: QtBot, window: MainWindow) -> None:
    wait_settled(qtbot, window)
    # "live" is on two tiles but is one camera.
    qtbot.waitUntil(lambda: window.counts_text()
                    == "1 live · 3 degraded · 2 offline · 1 connecting · 1 off", timeout=2000)
    assert window.registry_text() == "10 cameras · 2 not shown"
    text = window.counts_label.text()
    assert theme.BUCKET_COLOURS["degraded"] in text and "3 degraded" in text
    assert window.registry_label.text().strip() == "10 cameras · 2 not shown"
    window.wall.clear(8)
    window.wall.clear(0)
    assert window.counts_text().endswith("· 2 empty")
    assert window.registry_text() == "10 cameras · 3 not shown"


def test_key_i_toggles_the_info_box_of_the_selected_tile(
    qtbot: QtBot, window: MainWindow
) -> None:
    wait_settled(qtbot, window)
    tile = window.wall.tile(0)
    window.info_action.trigger()  # nothing selected: it says what to do
    status = window.statusBar()
    assert status is not None and "Click a tile first" in status.currentMessage()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert window.wall.selected_index == 0
    qtbot.keyClick(window.wall, Qt.Key.Key_I)
    assert tile.info_visible
    qtbot.keyClick(window.wall, Qt.Key.Key_I)
    assert not tile.info_visible
    # Typing an "i" into the camera filter filters, it does not toggle the box.
    window.camera_tree.filter_edit.setFocus()
    qtbot.keyClick(window.camera_tree.filter_edit, Qt.Key.Key_I)
    assert window.camera_tree.filter_edit.text() == "i"
    assert not tile.info_visible


def test_the_view_menu_shows_info_on_every_live_tile(qtbot: QtBot, window: MainWindow) -> None:
    wait_settled(qtbot, window)
    window.info_all_action.trigger()
    assert window.wall.info_all
    shown = [t.camera.id for t in window.wall.tiles if t.info_visible and t.camera]
    assert shown == ["live", "live"]
    window.set_grid("4x4")  # new tiles follow the wall's choice
    assert all(t._info_all for t in window.wall.tiles)
    window.info_all_action.trigger()
    assert not any(t.info_visible for t in window.wall.tiles)


def test_every_state_change_goes_to_the_listener(
    qtbot: QtBot, window: MainWindow, listener: Listener
) -> None:
    wait_settled(qtbot, window)
    assert listener.registries == [window.registry]
    seen = [(e.camera_id, e.state) for e in listener.events]
    assert ("stalled", StreamState.LIVE) in seen and ("stalled", StreamState.STALLED) in seen
    assert ("noauth", StreamState.UNAUTHORIZED) in seen
    # The last tile of a camera lets it go: the log hears that nobody watches it.
    window.wall.clear(1)
    stopped = listener.events[-1]
    assert (stopped.camera_id, stopped.state, stopped.detail) == (
        "stalled", StreamState.STOPPED, "taken off the wall")
    window.wall.clear(0)  # "live" is still on tile 8: its stream runs on
    assert listener.events[-1].camera_id != "live"
