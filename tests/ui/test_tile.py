"""Tiles paint real pixels: the frame's colour, letterboxed, and the state in words."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WallMaker
from videowall.streams.base import StreamState
from videowall.ui import theme
from videowall.ui.tile import (
    CAMERA_MIME,
    TileWidget,
    camera_id_from_mime,
    camera_mime,
    frame_to_qimage,
    letterbox,
    source_tile_from_mime,
)


def grab(tile: TileWidget) -> QImage:
    return tile.grab().toImage()


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def near(actual: tuple[int, int, int], expected: tuple[int, int, int], tol: int = 12) -> bool:
    return all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True))


def wait_frames(qtbot: QtBot, tile: TileWidget, count: int = 3) -> None:
    qtbot.waitUntil(lambda: tile.frames_rendered >= count, timeout=3000)


def test_tile_paints_the_frame_colour_at_its_centre(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("2x2")
    red = wall.registry.get("red")
    green = wall.registry.get("green")
    assert red is not None and green is not None
    wall.assign(0, red)
    wall.assign(3, green)
    for index in (0, 3):
        wait_frames(qtbot, wall.tile(index))
    qtbot.waitUntil(lambda: wall.tile(0).state == StreamState.LIVE, timeout=2000)
    for index, colour in ((0, (255, 0, 0)), (3, (0, 255, 0))):
        tile = wall.tile(index)
        image = grab(tile)
        assert near(rgb(image, image.width() // 2, image.height() // 2), colour)
        # The 640x360 source is decoded to fit the ~398x223 tile exactly.
        fw, fh = tile.frame_size
        assert fw <= tile.width() and fh <= tile.height()
        assert max(tile.width() - fw, tile.height() - fh) <= 4, (tile.frame_size, tile.size())
    assert wall.tile(0).status_text() == "LIVE"


def test_frames_keep_their_aspect_with_black_bars(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1", size=(642, 362))  # the tile is 640x360 inside a 1 px gap
    cam = wall.registry.get("blue43")  # 320x240: 4:3 in a 16:9 tile
    assert cam is not None
    wall.assign(0, cam)
    tile = wall.tile(0)
    wait_frames(qtbot, tile)
    assert (tile.width(), tile.height()) == (640, 360)
    image = grab(tile)
    mid = 180
    # 4:3 at 360 px high is 480 px wide: bars of 80 px left and right.
    assert near(rgb(image, 40, mid), (0, 0, 0))
    assert near(rgb(image, 600, mid), (0, 0, 0))
    assert near(rgb(image, 90, mid), (0, 0, 255))
    assert near(rgb(image, 550, mid), (0, 0, 255))


def test_display_aspect_wins_over_the_pixel_size(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1", size=(642, 362))
    cam = wall.registry.get("square")  # 320x180 pixels with a 1:1 display aspect
    assert cam is not None
    wall.assign(0, cam)
    tile = wall.tile(0)
    wait_frames(qtbot, tile)
    image = grab(tile)
    # 1:1 at 360 px high: a 360 px square from x=140 to x=500.
    assert near(rgb(image, 120, 180), (0, 0, 0))
    assert near(rgb(image, 160, 180), (255, 255, 255))
    assert near(rgb(image, 480, 180), (255, 255, 255))
    assert near(rgb(image, 520, 180), (0, 0, 0))


def test_offline_tile_says_so_in_words(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1", size=(642, 362))
    cam = wall.registry.get("off")
    assert cam is not None
    wall.assign(0, cam)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.OFFLINE, timeout=2000)
    assert tile.status_text() == "OFFLINE — connection refused"
    assert "OFFLINE — connection refused" in tile.toolTip()
    assert tile.frames_rendered == 0
    # The red pill is painted across the middle of the tile.
    image = grab(tile)
    pill = QColor(theme.state_style(StreamState.OFFLINE).background)
    expected = (pill.red(), pill.green(), pill.blue())
    row = [rgb(image, x, 178) for x in range(image.width())]
    assert sum(near(px, expected, 6) for px in row) > 100


def test_tile_that_drops_out_dims_its_last_frame(qtbot: QtBot, make_wall: WallMaker) -> None:
    wall = make_wall("1x1", size=(642, 362))
    cam = wall.registry.get("drop")  # yellow, offline after 0.4 s
    assert cam is not None
    wall.assign(0, cam)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state == StreamState.LIVE, timeout=2000)
    wait_frames(qtbot, tile)
    assert near(rgb(grab(tile), 80, 150), (255, 255, 0))
    qtbot.waitUntil(lambda: tile.state == StreamState.OFFLINE, timeout=3000)
    r, g, b = rgb(grab(tile), 80, 150)
    assert 60 < r < 150 and 60 < g < 150 and b < 20, (r, g, b)
    assert tile.status_text() == "OFFLINE — connection lost"


def test_empty_tile_invites_a_drop(qtbot: QtBot) -> None:
    tile = TileWidget(4)
    qtbot.addWidget(tile)
    tile.resize(320, 180)
    assert tile.status_text() == "Drop a camera here"
    image = grab(tile)
    assert image.width() == 320
    assert near(rgb(image, 2, 90), (13, 16, 20), 3)  # the empty tile's colour, not black


def test_qimage_reads_the_frame_without_copying() -> None:
    array = np.zeros((4, 6, 4), np.uint8)
    array[..., 2] = 255  # red in BGRX
    image, kept = frame_to_qimage(array)
    assert kept is array
    assert image.pixelColor(0, 0) == QColor(255, 0, 0)
    array[0, 0, 1] = 255  # the QImage sees the same memory
    assert image.pixelColor(0, 0) == QColor(255, 255, 0)
    with pytest.raises(ValueError):
        frame_to_qimage(np.zeros((4, 6, 3), np.uint8))


def test_letterbox() -> None:
    rect = letterbox(640, 360, 4 / 3)
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (80, 0, 480, 360)
    rect = letterbox(400, 400, 16 / 9)
    assert (rect.x(), rect.width(), rect.height()) == (0, 400, 225)
    assert rect.y() == (400 - 225) // 2


def test_camera_mime_round_trip(qtbot: QtBot) -> None:
    mime = camera_mime("rp01-north", source_tile=3)
    assert mime.hasFormat(CAMERA_MIME)
    assert mime.text() == "rp01-north"
    assert camera_id_from_mime(mime) == "rp01-north"
    assert source_tile_from_mime(mime) == 3
    assert source_tile_from_mime(camera_mime("x")) == -1
    plain = camera_mime("y")
    plain.removeFormat(CAMERA_MIME)
    assert camera_id_from_mime(plain) == "y"
    plain.setText("two words")
    assert camera_id_from_mime(plain) is None


def test_the_motion_overlay_draws_zones_boxes_and_lanes_when_asked(
    qtbot: QtBot, make_wall: WallMaker
) -> None:
    from videowall.motion.analyser import LaneState, Overlay, ZoneOutline
    from videowall.ui.motion_overlay import BAR_QUEUE, BOX_COLOUR, ZONE_COLOUR

    wall = make_wall("1x1", size=(640, 360))
    grey = wall.registry.get("square")  # white, 320x180 decoded to the tile
    assert grey is not None
    wall.assign(0, grey)
    tile = wall.tile(0)
    wait_frames(qtbot, tile)
    overlay = Overlay(
        boxes=(("door", (0.1, 0.1, 0.2, 0.2)),),
        zones=(ZoneOutline("door", "zone", ((0.05, 0.3), (0.45, 0.3), (0.45, 0.45), (0.05, 0.45))),
               ZoneOutline("north", "lane", ((0.5, 0.5), (1.0, 0.5), (1.0, 1.0), (0.5, 1.0)))),
        lanes=(LaneState("north", 0.8, False, True),),
    )
    tile.set_motion_overlay(overlay)

    def count(colour: QColor) -> int:
        image = grab(tile)
        want = (colour.red(), colour.green(), colour.blue())
        return sum(1 for x in range(image.width()) for y in range(image.height())
                   if near(rgb(image, x, y), want, 30))

    assert count(BOX_COLOUR) == 0  # off until asked
    tile.set_show_motion(True)
    assert tile.motion_visible
    assert count(BOX_COLOUR) > 80 and count(ZONE_COLOUR) > 40 and count(BAR_QUEUE) > 40
    tile.set_show_motion(False)
    wall.set_motion_all(True)
    assert tile.motion_visible and count(BOX_COLOUR) > 80
    wall.set_motion_all(False)
    assert count(BOX_COLOUR) == 0
