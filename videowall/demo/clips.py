"""Generated demo media: short looping H.264 clips of city scenes, and a colour probe.

Every clip is drawn by the ``ffmpeg`` command line from lavfi sources: a still background of
boxes (roads, shop fronts, parking bays), objects that move on a fixed schedule (vehicles,
people, a boat), a scene title and a camera-style clock. The schedule repeats within the
clip, so a looped clip has quiet spells and busy spells that motion detection can see.

Clips are cached under :func:`cache_dir`, named by scene and a hash of the recipe, so a
change to a scene regenerates it and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy.typing as npt

log = logging.getLogger(__name__)

#: Midnight of the day the demo clocks show (2024-05-01); every scene starts at 18:30.
_DAY = 1714521600

#: Bump when the encoding settings change in a way the scene data does not show.
RECIPE_VERSION = 2

#: Geometry every scene is drawn in; other sizes are scaled from it.
BASE_W, BASE_H = 640, 360

#: Length of the demo clips. The schedules below repeat with periods that divide it.
DEMO_SECONDS = 24

#: Quadrant name -> ((x_frac, y_frac) of the quadrant centre, (r, g, b)) of the probe clip.
PROBE_COLOURS: dict[str, tuple[tuple[float, float], tuple[int, int, int]]] = {
    "top_left": ((0.25, 0.25), (255, 0, 0)),
    "top_right": ((0.75, 0.25), (0, 255, 0)),
    "bottom_left": ((0.25, 0.75), (0, 0, 255)),
    "bottom_right": ((0.75, 0.75), (255, 255, 255)),
}

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/consola.ttf",
)

# Tagged H.264 colour description (BT.601, limited range) so every decoder converts alike.
_COLOUR_TAGS = (
    "-colorspace", "smpte170m",
    "-color_primaries", "smpte170m",
    "-color_trc", "smpte170m",
    "-color_range", "tv",
)  # fmt: skip


class ClipError(RuntimeError):
    """ffmpeg could not make a clip; the message carries the end of its error output."""


# --------------------------------------------------------------------------- scene model


@dataclass(frozen=True)
class Rect:
    """A filled box in scene coordinates (640x360), or relative to a moving object."""

    x: int
    y: int
    w: int
    h: int
    colour: str

    def drawbox(self) -> str:
        return f"drawbox=x={self.x}:y={self.y}:w={self.w}:h={self.h}:color={self.colour}:t=fill"


@dataclass(frozen=True)
class Mover:
    """A box that travels through ``path`` (``(t, x, y)`` points, linear in between).

    Outside the first and last time of the path it is off screen. The path repeats every
    ``period`` seconds; ``details`` are boxes drawn on the object (windows, lights, a head).
    """

    w: int
    h: int
    colour: str
    path: tuple[tuple[float, int, int], ...]
    period: float = DEMO_SECONDS
    details: tuple[Rect, ...] = ()

    def _coord(self, index: int) -> str:
        """Piecewise-linear ffmpeg expression of x (index 1) or y (index 2) over time."""
        tt = f"mod(t,{self.period:g})"
        points = self.path
        expr = "-4000"  # after the last point: far off screen
        for (t0, *a), (t1, *b) in reversed(list(itertools.pairwise(points))):
            v0, v1 = a[index - 1], b[index - 1]
            moving = v0 != v1 and t1 != t0
            seg = f"{v0}+({v1 - v0})*({tt}-{t0:g})/{t1 - t0:g}" if moving else f"{v0}"
            expr = f"if(lt({tt},{t1:g}),{seg},{expr})"
        return f"if(lt({tt},{points[0][0]:g}),-4000,{expr})"

    def source(self, fps: int) -> str:
        chain = [f"color=c={self.colour}:s={self.w}x{self.h}:r={fps}"]
        chain += [d.drawbox() for d in self.details]
        return ",".join(chain)

    def overlay(self) -> str:
        return f"overlay=x='{self._coord(1)}':y='{self._coord(2)}':eval=frame"


@dataclass(frozen=True)
class Scene:
    """One demo camera view: background, fixed boxes, moving objects, title and clock."""

    name: str
    title: str
    background: str
    rects: tuple[Rect, ...]
    movers: tuple[Mover, ...]
    #: Wall-clock time the clip's first frame shows (Unix seconds, shown as UTC).
    clock_start: int = _DAY + 18 * 3600 + 30 * 60
    #: Length of the loop when it is not :data:`DEMO_SECONDS` (a queue needs time to build).
    seconds: float | None = None
    #: ``(from_s, to_s, levels)``: the whole picture (not the captions) is brighter by
    #: ``levels`` of luma in that spell, as when street lights come on.
    lighting: tuple[tuple[float, float, int], ...] = ()

    @property
    def loop_seconds(self) -> float:
        """How long the clip of this scene runs before it loops."""
        return DEMO_SECONDS if self.seconds is None else self.seconds


def _car(
    colour: str, *, vertical: bool = False, length: int = 48, glass: str = "0x1d2633"
) -> tuple[int, int, tuple[Rect, ...]]:
    """Size and window boxes of a car seen from above."""
    width = 24
    if vertical:
        return width, length, (Rect(3, length // 4, width - 6, length // 5, glass),)
    return length, width, (Rect(length * 5 // 8, 3, length // 5, width - 6, glass),)


def _vehicle(
    colour: str,
    path: tuple[tuple[float, int, int], ...],
    *,
    vertical: bool = False,
    length: int = 48,
    period: float = DEMO_SECONDS,
) -> Mover:
    w, h, details = _car(colour, vertical=vertical, length=length)
    return Mover(w, h, colour, path, period, details)


def _person(
    colour: str, path: tuple[tuple[float, int, int], ...], period: float = DEMO_SECONDS
) -> Mover:
    return Mover(14, 34, colour, path, period, (Rect(2, 0, 10, 10, "0xd9b38c"),))


def _dashes(
    *,
    horizontal: bool,
    at: int,
    start: int,
    stop: int,
    length: int,
    gap: int,
    thickness: int,
    colour: str,
    skip: tuple[int, int] | None = None,
) -> list[Rect]:
    rects = []
    for pos in range(start, stop, length + gap):
        if skip and skip[0] - length < pos < skip[1]:
            continue
        if horizontal:
            rects.append(Rect(pos, at, length, thickness, colour))
        else:
            rects.append(Rect(at, pos, thickness, length, colour))
    return rects


def _junction() -> Scene:
    road, line = "0x3b3b3e", "0xe8e8e0"
    rects = [
        Rect(0, 140, 640, 100, road),
        Rect(270, 0, 100, 360, road),
        *_dashes(
            horizontal=True,
            at=188,
            start=0,
            stop=640,
            length=24,
            gap=24,
            thickness=4,
            colour=line,
            skip=(262, 378),
        ),
        *_dashes(
            horizontal=False,
            at=318,
            start=0,
            stop=360,
            length=16,
            gap=16,
            thickness=4,
            colour=line,
            skip=(92, 256),
        ),
        Rect(256, 192, 6, 48, line),  # stop lines
        Rect(378, 140, 6, 48, line),
        Rect(270, 126, 48, 6, line),
        Rect(322, 248, 48, 6, line),
        *[Rect(276 + i * 18, 100, 10, 22, line) for i in range(5)],  # zebra crossing
        Rect(20, 20, 120, 90, "0x6b5b4b"),  # buildings on the corners
        Rect(450, 24, 160, 86, "0x5b6470"),
        Rect(24, 264, 200, 80, "0x6e6458"),
        Rect(420, 270, 96, 70, "0x57606b"),
        Rect(232, 108, 8, 24, "0x222222"),  # a traffic light pole
        Rect(231, 108, 10, 8, "0x36d646"),
    ]
    movers = [
        _vehicle("0xc62828", ((0, -60, 202), (4, 700, 202))),
        _vehicle("0x1e63c6", ((1.5, 700, 154), (5.5, -60, 154))),
        _vehicle("0xf0f0f0", ((4, -80, 200), (9, 700, 200)), length=72),
        _vehicle("0xf2c230", ((5.5, 700, 156), (9.5, -60, 156))),
        _vehicle("0x2e7d32", ((12, 284, -60), (16, 284, 420)), vertical=True),
        _vehicle("0x9e9e9e", ((13, 332, 420), (17, 332, -60)), vertical=True),
        _vehicle("0x6a1b9a", ((16.5, 284, -60), (21, 284, 420)), vertical=True),
        _vehicle("0xef6c00", ((17.5, 332, 420), (22, 332, -60)), vertical=True),
        _person("0x283593", ((10, 282, 96), (13, 362, 96))),
    ]
    return Scene("junction", "ROAD JUNCTION", "0x4a5a3c", tuple(rects), tuple(movers))


def _atrium() -> Scene:
    floor = "0xa39479"
    rects = [
        *[Rect(x, 100, 1, 260, "0x8a7c63") for x in range(0, 640, 64)],
        *[Rect(0, y, 640, 1, "0x8a7c63") for y in range(100, 360, 52)],
        Rect(0, 0, 640, 96, "0x3c3a40"),
        Rect(10, 12, 140, 80, "0x8e3b3b"),
        Rect(165, 12, 140, 80, "0x2f5f86"),
        Rect(320, 12, 140, 80, "0x5f7a2f"),
        Rect(475, 12, 155, 80, "0x8a6d2a"),
        *[Rect(40 + i * 155, 40, 60, 52, "0x1b1b1f") for i in range(4)],  # doorways
        Rect(0, 96, 640, 4, "0xc9c9c9"),  # balcony edge
        Rect(270, 200, 100, 56, "0x2f5d35"),  # planter
        Rect(280, 206, 80, 44, "0x3f7d45"),
    ]
    movers = [
        _person("0x1565c0", ((0, -20, 130), (8, 660, 300))),
        _person("0xad1457", ((2, 660, 150), (10, -20, 170))),
        _person("0x2e7d32", ((3, 120, 380), (9, 200, 96))),
        _person("0xf9a825", ((6, 500, 96), (13, 420, 380))),
        _person("0x4e342e", ((9, -20, 280), (15, 660, 250))),
        _person("0x37474f", ((11, 660, 320), (17, 300, 330), (19, 300, 330), (22, -20, 300))),
    ]
    return Scene("atrium", "MALL ATRIUM", floor, tuple(rects), tuple(movers))


def _carpark() -> Scene:
    line = "0xdcdcdc"
    parked = {
        0: "0x7b1fa2",
        1: "0x9e9e9e",
        3: "0x1e88e5",
        5: "0xfafafa",
        6: "0x43a047",
        10: "0xe53935",
        12: "0x212121",
        13: "0xfdd835",
        14: "0x8d6e63",
    }
    rects = [Rect(0, 30, 640, 300, "0x565656")]
    for i in range(9):
        x = 10 + i * 70
        rects += [Rect(x, 36, 3, 96, line), Rect(x, 232, 3, 96, line)]
    for bay, colour in parked.items():
        row, col = divmod(bay, 8)
        x = 10 + col * 70 + 23
        y = 46 if row == 0 else 244
        rects += [Rect(x, y, 26, 46, colour), Rect(x + 3, y + 28, 20, 9, "0x1d2633")]
    rects += [Rect(0, 0, 640, 30, "0x2f3a2f"), Rect(0, 330, 640, 30, "0x2f3a2f")]
    movers = [
        _vehicle("0xd84315", ((3, -60, 172), (8, 250, 172), (14, 250, 172), (18, 700, 172))),
        _person("0x0d47a1", ((15, 345, 240), (17, 345, 180), (22, 660, 170))),
    ]
    return Scene("carpark", "CAR PARK LEVEL 1", "0x565656", tuple(rects), tuple(movers))


def _bridge() -> Scene:
    water, rail = "0x1f4a6e", "0xa0a0a0"
    rects = [
        Rect(0, 0, 640, 128, water),
        Rect(0, 242, 640, 118, water),
        *[
            Rect(x, y, 40, 2, "0x3a6d96")
            for y in (30, 80, 280, 330)
            for x in range(y % 50, 640, 90)
        ],
        Rect(0, 128, 640, 12, rail),
        Rect(0, 230, 640, 12, rail),
        *[Rect(x, 128, 4, 12, "0x606060") for x in range(0, 640, 32)],
        Rect(0, 140, 640, 90, "0x4f4f52"),
        *_dashes(
            horizontal=True,
            at=183,
            start=0,
            stop=640,
            length=30,
            gap=20,
            thickness=4,
            colour="0xe8e8e0",
        ),
    ]
    movers = [
        Mover(
            80,
            18,
            "0xd0d0d0",
            ((0, -90, 300), (24, 700, 300)),
            details=(Rect(50, 3, 20, 12, "0x8d6e63"),),
        ),
        _vehicle("0xc62828", ((0, -60, 196), (4, 700, 196))),
        _vehicle("0xf5f5f5", ((7, -90, 194), (12, 700, 194)), length=80),
        _vehicle("0x1e88e5", ((14, -60, 196), (18, 700, 196))),
        _vehicle("0xfbc02d", ((3, 700, 152), (7, -60, 152))),
        _vehicle("0x455a64", ((10, 700, 152), (14, -60, 152))),
        _vehicle("0x00897b", ((18, 700, 152), (22, -60, 152))),
    ]
    return Scene("bridge", "RIVER BRIDGE", water, tuple(rects), tuple(movers))


def _market() -> Scene:
    rects: list[Rect] = [Rect(0, 0, 640, 120, "0x5a4a3a")]
    awnings = (
        ("0xc62828", "0xf5f5f5"),
        ("0x2e7d32", "0xf5f5f5"),
        ("0x1565c0", "0xfff59d"),
        ("0xef6c00", "0xfafafa"),
    )
    for i, (a, b) in enumerate(awnings):
        x0 = 8 + i * 158
        rects += [Rect(x0 + s * 20, 20, 20, 40, a if s % 2 == 0 else b) for s in range(7)]
        rects += [Rect(x0 + 6, 64, 128, 40, "0x795548"), Rect(x0 + 12, 70, 116, 12, "0xffb300")]
    rects += [Rect(0, 120, 640, 6, "0x7a6a55"), Rect(0, 340, 640, 20, "0x6d5d48")]
    movers = [
        _person("0x1565c0", ((0, -20, 150), (7, 660, 170))),
        _person("0xc2185b", ((1, 660, 230), (9, -20, 210))),
        _person("0x558b2f", ((4, 200, 380), (8, 240, 130), (12, 240, 130), (16, 420, 380))),
        _person("0x4527a0", ((6, -20, 290), (14, 660, 300))),
        _person("0xff8f00", ((12, 660, 160), (19, -20, 180))),
        _person("0x00838f", ((16, -20, 250), (23, 660, 260))),
        Mover(
            44,
            26,
            "0x8b4513",
            ((5, -50, 200), (17, 690, 205)),
            details=(Rect(4, 4, 36, 18, "0xa5d6a7"),),
        ),
    ]
    return Scene("market", "MARKET STREET", "0x8a7356", tuple(rects), tuple(movers))


def _night() -> Scene:
    rects = [
        Rect(40, 20, 260, 150, "0x14161f"),
        Rect(360, 40, 220, 130, "0x161922"),
        *[
            Rect(60 + c * 40, 40 + r * 36, 16, 18, "0xc8a94a")
            for r in range(3)
            for c in range(6)
            if (r * 7 + c * 3) % 4 != 0
        ],
        *[
            Rect(380 + c * 36, 60 + r * 34, 14, 16, "0x9fb4c8")
            for r in range(3)
            for c in range(5)
            if (r + c) % 3 == 0
        ],
        Rect(0, 200, 640, 80, "0x1a1b22"),
        *_dashes(
            horizontal=True,
            at=238,
            start=0,
            stop=640,
            length=24,
            gap=30,
            thickness=3,
            colour="0x5a5a50",
        ),
        *[Rect(x, 120, 4, 80, "0x2c2c30") for x in (150, 470)],
        *[Rect(x - 40, 200, 84, 80, "0x2e2a1e") for x in (150, 470)],
        *[Rect(x - 6, 116, 16, 6, "0xfff2b0") for x in (150, 470)],
    ]
    lights_right = (Rect(54, 2, 6, 6, "0xfff4c0"), Rect(54, 16, 6, 6, "0xfff4c0"))
    lights_left = (Rect(0, 2, 6, 6, "0xfff4c0"), Rect(0, 16, 6, 6, "0xfff4c0"))
    movers = [
        Mover(60, 24, "0x202228", ((6, -70, 248), (10, 700, 248)), details=lights_right),
        Mover(60, 24, "0x2a2024", ((16, 700, 210), (19, -70, 210)), details=lights_left),
    ]
    return Scene("night", "NIGHT STREET", "0x0b0d16", tuple(rects), tuple(movers))


# --------------------------------------------------------------------------- event scenes
#
# Three scenes carry events on a known schedule, for motion detection to be seen at work:
# a person at a closed market's gate, a queue that stands in a junction's approach lane,
# and street lights that brighten the whole picture (which must raise nothing). The times
# below are used both to draw the scenes and in :data:`EVENTS`.

#: Seconds of the market-night loop; the person comes through the gate at ``_GATE_ENTRY_S``.
MARKET_NIGHT_SECONDS = 48
_GATE_ENTRY_S = 30.0
_GATE_INSIDE_S = 31.5
_GATE_FAR_SIDE_S = 38.0
_GATE_GONE_S = 40.0

#: Seconds of the junction-queue loop, and when its approach lane fills, stands, clears.
JUNCTION_QUEUE_SECONDS = 48
_QUEUE_FIRST_S = 14.0  # the first car of the queue comes into the picture
_QUEUE_FULL_S = 17.5  # the third car stops: the lane is covered
_QUEUE_GO_S = 37.0  # the light turns green: the first car moves off
_QUEUE_CLEAR_S = 40.0  # the last car of the queue has left the lane
_FLOW_AGAIN_S = 41.0

#: When the street lights of the lighting scene come on and go off, and by how much.
LIGHTS_ON_S = 8.0
LIGHTS_OFF_S = 16.0
#: Luma levels (limited range) the lights add: about 40 levels of a full-range grey picture.
LIGHTS_LEVELS = 35


def _market_night() -> Scene:
    """A closed market at night: shuttered shop fronts, a gate in the left wall, a tree."""
    rects: list[Rect] = [Rect(0, 0, 640, 156, "0x101218")]
    for i in range(3):
        x0 = 20 + i * 152
        rects += [
            Rect(x0, 18, 140, 26, "0x3a2f25"),  # sign board
            Rect(x0, 48, 140, 100, "0x2c2e35"),  # shutter
            *[Rect(x0, y, 140, 2, "0x1c1e24") for y in range(56, 146, 12)],  # its slats
        ]
    rects += [
        Rect(0, 156, 640, 180, "0x1a1c22"),  # the market floor
        *[Rect(0, y, 640, 1, "0x22252c") for y in range(180, 336, 30)],
        Rect(0, 156, 44, 204, "0x2a2b30"),  # the left wall...
        Rect(0, 200, 44, 92, "0x07080b"),  # ...and its open gate
        Rect(40, 196, 6, 100, "0x4a4a50"),  # the gate post
        Rect(560, 40, 10, 116, "0x2a2218"),  # a tree trunk (top right)
        Rect(505, 10, 120, 60, "0x1c2a1a"),  # its dark crown
        Rect(300, 150, 6, 8, "0xd8c890"),  # a lamp over the floor
    ]
    leaves = [
        # small oscillating blobs: leaves in the wind under the lamp light
        Mover(18, 14, "0x4f7a3a", ((0, 515, 20), (0.5, 523, 24), (1, 515, 20)), period=1),
        Mover(16, 12, "0x5a8a40", ((0, 560, 14), (0.75, 552, 20), (1.5, 560, 14)), period=1.5),
        Mover(20, 14, "0x46703a", ((0, 590, 36), (1, 598, 30), (2, 590, 36)), period=2),
        Mover(14, 12, "0x5f9045", ((0, 540, 50), (0.5, 534, 46), (1, 540, 50)), period=1),
    ]
    person = _person(
        "0x9aa4b0",
        (
            (_GATE_ENTRY_S, -16, 236),
            (_GATE_INSIDE_S, 60, 240),
            (_GATE_FAR_SIDE_S, 560, 250),
            (_GATE_GONE_S, 660, 252),
        ),
        period=MARKET_NIGHT_SECONDS,
    )
    return Scene(
        "market_night",
        "MARKET AT NIGHT",
        "0x0a0c12",
        tuple(rects),
        (*leaves, person),
        clock_start=_DAY + 2 * 3600 + 10 * 60,
        seconds=MARKET_NIGHT_SECONDS,
    )


#: Where a car of the junction-queue scene's approach lane runs (left edge), and its size.
_LANE_X, _CAR_W, _CAR_L = 336, 68, 80


def _lane_car(colour: str, path: tuple[tuple[float, int, int], ...], period: float) -> Mover:
    """A car seen from above heading up the picture, its windscreen at the top."""
    details = (Rect(6, 12, _CAR_W - 12, 14, "0x6a7b8a"), Rect(6, 66, _CAR_W - 12, 6, "0x8a3030"))
    return Mover(_CAR_W, _CAR_L, colour, path, period, details)


def _junction_queue() -> Scene:
    """A junction's approach seen from above: traffic flows, queues at a red light, goes."""
    period = JUNCTION_QUEUE_SECONDS
    road, line = "0x3b3b3e", "0xe8e8e0"
    rects = [
        Rect(0, 20, 640, 80, road),  # the cross road at the top
        Rect(220, 100, 200, 260, road),  # the approach: down (left), up (right)
        *_dashes(
            horizontal=False, at=318, start=112, stop=360, length=20, gap=16,
            thickness=4, colour=line,
        ),
        *_dashes(
            horizontal=True, at=58, start=0, stop=640, length=24, gap=24,
            thickness=4, colour=line, skip=(212, 428),
        ),
        Rect(324, 102, 92, 6, line),  # stop line of the approach lane
        Rect(214, 100, 6, 260, "0x9a9a90"),  # kerbs
        Rect(420, 100, 6, 260, "0x9a9a90"),
        Rect(20, 130, 170, 110, "0x6b5b4b"),  # buildings
        Rect(470, 130, 150, 90, "0x5b6470"),
        Rect(436, 72, 8, 40, "0x222222"),  # the traffic light of the approach
        Rect(434, 96, 12, 10, "0x36d646"),
    ]
    up = (370, -90)  # enter at the bottom, leave above the cross road

    def flowing(t: float) -> tuple[tuple[float, int, int], ...]:
        return ((t, _LANE_X, up[0]), (t + 2.2, _LANE_X, up[1]))

    queue = (
        # (colour, arrives, stops at y, time it stops, moves off, gone)
        ("0xf0f0f0", _QUEUE_FIRST_S, 112, 15.6, _QUEUE_GO_S, 38.4),
        ("0xf2c230", 15.2, 200, 16.6, 37.6, 39.4),
        ("0x64b5f6", 16.4, 288, _QUEUE_FULL_S, 38.2, _QUEUE_CLEAR_S + 0.2),
    )
    movers = [
        *[
            _lane_car(colour, flowing(t), period)
            for colour, t in (("0xbdbdbd", 1), ("0xef6c00", 4.5), ("0x9ccc65", 8), ("0xf0f0f0", 11))
        ],
        *[
            _lane_car(c, ((t0, _LANE_X, up[0]), (t1, _LANE_X, y), (t2, _LANE_X, y),
                          (t3, _LANE_X, up[1])), period)
            for c, t0, y, t1, t2, t3 in queue
        ],
        *[
            _lane_car(colour, flowing(t), period)
            for colour, t in (("0xef6c00", _FLOW_AGAIN_S), ("0xbdbdbd", _FLOW_AGAIN_S + 3.5))
        ],
        # the other direction flows all the time, a car every 3 s
        Mover(_CAR_W, _CAR_L, "0xd0d0d0", ((0, 236, -90), (2.2, 236, 370)), 6),
        Mover(_CAR_W, _CAR_L, "0x1e63c6", ((3, 236, -90), (5.2, 236, 370)), 6),
        # cross traffic while the approach waits
        _vehicle("0xc62828", ((20, -60, 64), (23, 700, 64)), period=period),
        _vehicle("0x2e7d32", ((26, 700, 30), (29, -60, 30)), period=period),
        _vehicle("0xf0f0f0", ((31, -80, 62), (34.5, 700, 62)), length=72, period=period),
        # the red lamp, lit from the first car of the queue until the light turns green
        Mover(12, 10, "0xe53935", ((_QUEUE_FIRST_S - 1, 434, 96), (_QUEUE_GO_S, 434, 96)), period),
    ]
    return Scene(
        "junction_queue",
        "JUNCTION APPROACH",
        "0x4a5a3c",
        tuple(rects),
        tuple(movers),
        seconds=JUNCTION_QUEUE_SECONDS,
    )


def _lights() -> Scene:
    """A car park forecourt at dusk whose street lights come on and go off again."""
    line = "0x8a8a8a"
    rects = [
        Rect(0, 0, 640, 90, "0x2a3040"),  # the dusk sky over the buildings
        Rect(30, 30, 200, 60, "0x252830"),
        Rect(400, 20, 210, 70, "0x22252c"),
        Rect(0, 90, 640, 270, "0x3c3e42"),  # the forecourt
        *[Rect(40 + i * 80, 110, 3, 80, line) for i in range(8)],
        *[Rect(x, 120, 40, 60, c) for x, c in ((60, "0x4a3a5a"), (220, "0x5a4a3a"),
                                                  (380, "0x3a4a5a"), (460, "0x505a4a"))],
        *[Rect(x, 90, 6, 140, "0x2a2a2e") for x in (160, 480)],  # lamp posts
        *[Rect(x - 10, 86, 26, 8, "0x6a6a60") for x in (160, 480)],
    ]
    movers = [
        _person("0x7a6a9a", ((1, -20, 260), (6, 300, 280))),
        _vehicle("0x8d6e63", ((18, 700, 250), (22, -60, 250))),
    ]
    return Scene(
        "lights",
        "FORECOURT AT DUSK",
        "0x3c3e42",
        tuple(rects),
        tuple(movers),
        lighting=((LIGHTS_ON_S, LIGHTS_OFF_S, LIGHTS_LEVELS),),
    )


#: What a viewer sees in the event scenes and when: scene -> ((second of the loop, what)).
EVENTS: dict[str, tuple[tuple[float, str], ...]] = {
    "market_night": (
        (0.0, "closed market, nobody about; leaves flicker in the tree top right (masked)"),
        (_GATE_ENTRY_S, "a person comes in through the gate in the left wall"),
        (_GATE_INSIDE_S, "the person walks across the market floor"),
        (_GATE_GONE_S, "the person has left at the right; quiet again"),
    ),
    "junction_queue": (
        (0.0, "traffic flows up the approach lane, a car every 3-4 s"),
        (_QUEUE_FIRST_S, "the light is red: a queue builds, cars stop nose to tail"),
        (_QUEUE_FULL_S, "the queue covers the approach lane and stands still"),
        (_QUEUE_GO_S, "the light turns green: the queue moves off"),
        (_QUEUE_CLEAR_S, "the approach lane is clear"),
        (_FLOW_AGAIN_S, "traffic flows again"),
    ),
    "lights": (
        (1.0, "a person walks across the forecourt"),
        (LIGHTS_ON_S, "the street lights come on: the whole picture about 40 levels brighter"),
        (LIGHTS_OFF_S, "the street lights go off again"),
        (18.0, "a car drives across"),
    ),
}


#: The demo scenes by name.
SCENES: dict[str, Scene] = {
    s.name: s
    for s in (
        _junction(), _atrium(), _carpark(), _bridge(), _market(), _night(),
        _market_night(), _junction_queue(), _lights(),
    )
}


# --------------------------------------------------------------------------- ffmpeg


def _scene(scene: str | Scene) -> Scene:
    if isinstance(scene, Scene):
        return scene
    try:
        return SCENES[scene]
    except KeyError:
        raise ValueError(f"unknown scene {scene!r} (one of {', '.join(SCENES)})") from None


def cache_dir() -> Path:
    """Where generated demo clips live: ``$VIDEOWALL_CACHE/demo``, else the XDG cache."""
    explicit = os.environ.get("VIDEOWALL_CACHE")
    if explicit:
        base = Path(explicit)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "videowall"
    return base / "demo"


@functools.cache
def find_font() -> str | None:
    """A TrueType font file for titles, or None to let ffmpeg's fontconfig choose."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            out = subprocess.run(
                [fc_match, "-f", "%{file}", "monospace:bold"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and Path(out).is_file():
            return out
    return None


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise ClipError("ffmpeg not found on PATH: install FFmpeg to generate the demo media")
    return exe


def _escape_filter_value(value: str) -> str:
    """Quote a value (a path) for use inside a filter graph option."""
    return "'" + value.replace("\\", "/").replace("'", r"'\''").replace(":", r"\:") + "'"


def _text(text: str, *, x: str, y: str, size: int, colour: str = "white") -> str:
    font = find_font()
    font_opt = f"fontfile={_escape_filter_value(font)}:" if font else ""
    return (
        f"drawtext={font_opt}text='{text}':x={x}:y={y}:fontsize={size}:fontcolor={colour}"
        ":box=1:boxcolor=black@0.55:boxborderw=4"
    )


# drawtext and filter-graph syntax give these characters a meaning; titles do without.
_TITLE_UNSAFE = re.compile(r"[^\w .,&()/+-]")


def _clock(start: int) -> str:
    # %{pts:gmtime:START:FORMAT}; the colons inside the time format need a double escape.
    return rf"%{{pts\:gmtime\:{start}\:%Y-%m-%d %H\\\:%M\\\:%S}}"


def _scene_graph(scene: Scene, *, size: tuple[int, int], fps: int, seconds: float) -> str:
    background = [f"color=c={scene.background}:s={BASE_W}x{BASE_H}:r={fps}:d={seconds:g}"]
    background += [r.drawbox() for r in scene.rects]
    parts = [",".join(background) + "[bg]"]
    current = "bg"
    for i, mover in enumerate(scene.movers):
        parts.append(f"{mover.source(fps)}[m{i}]")
        parts.append(f"[{current}][m{i}]{mover.overlay()}[v{i}]")
        current = f"v{i}"
    finish = [
        # bottom right, above the clock: the wall draws its own captions top left
        _text(_TITLE_UNSAFE.sub("", scene.title), x="w-tw-10", y="h-th-38", size=16),
        _text(_clock(scene.clock_start), x="w-tw-10", y="h-th-10", size=15),
    ]
    if size != (BASE_W, BASE_H):
        finish.append(f"scale={size[0]}:{size[1]}")
    steps = [
        f"lutyuv=y='clip(val+{levels},16,235)':enable='between(t,{t0:g},{t1:g})'"
        for t0, t1, levels in scene.lighting
    ]
    parts.append(f"[{current}]" + ",".join([*steps, *finish]) + "[out]")
    return ";".join(parts)


def _probe_graph(*, size: tuple[int, int], fps: int, seconds: float) -> str:
    w, h = size
    hw, hh = w // 2, h // 2
    box = max(8, min(w, h) // 15)
    radius = max(4, min(w, h) // 12)
    quads = [
        f"drawbox=x=0:y=0:w={hw}:h={hh}:color=0xFF0000:t=fill",
        f"drawbox=x={hw}:y=0:w={w - hw}:h={hh}:color=0x00FF00:t=fill",
        f"drawbox=x=0:y={hh}:w={hw}:h={h - hh}:color=0x0000FF:t=fill",
        f"drawbox=x={hw}:y={hh}:w={w - hw}:h={h - hh}:color=0xFFFFFF:t=fill",
    ]
    return (
        f"color=c=black:s={w}x{h}:r={fps}:d={seconds:g}," + ",".join(quads) + "[bg];"
        f"color=c=0x202020:s={box}x{box}:r={fps}[box];"
        f"[bg][box]overlay=x='{hw - box // 2}+{radius}*cos(2*PI*t)'"
        f":y='{hh - box // 2}+{radius}*sin(2*PI*t)':eval=frame[out]"
    )


def _h264_args(*, fps: int, gop: int) -> list[str]:
    return [
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline",
        "-pix_fmt", "yuv420p", "-r", str(fps), "-g", str(gop), "-keyint_min", str(gop),
        "-sc_threshold", "0", "-bf", "0", *_COLOUR_TAGS,
        "-movflags", "+faststart", "-an", "-f", "mp4",
    ]  # fmt: skip


def run_ffmpeg(args: Sequence[str], *, timeout: float = 300.0) -> None:
    """Run ``ffmpeg`` with ``args``; raise :class:`ClipError` with its last error lines."""
    cmd = [_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ClipError(f"ffmpeg took longer than {timeout:g} s") from exc
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:]) or "(no error output)"
        raise ClipError(f"ffmpeg failed (exit {proc.returncode}):\n{tail}")


def _write_atomically(path: Path, args_for: Sequence[str]) -> Path:
    """Run ffmpeg with output to a temporary file beside ``path``, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        run_ffmpeg([*args_for, str(tmp)])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def make_clip(
    path: Path,
    *,
    scene: str | Scene,
    size: tuple[int, int] = (BASE_W, BASE_H),
    fps: int = 25,
    seconds: float = 20,
    gop: int | None = None,
) -> Path:
    """Render one scene to an H.264 MP4 at ``path`` (baseline, yuv420p, no audio)."""
    the_scene = _scene(scene)
    graph = _scene_graph(the_scene, size=size, fps=fps, seconds=seconds)
    frames = round(seconds * fps)
    args = [
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-frames:v",
        str(frames),
        *_h264_args(fps=fps, gop=gop or fps),
    ]
    started = time.monotonic()
    _write_atomically(path, args)
    log.info(
        "made clip %s (%s, %.1f s) in %.2f s",
        path,
        the_scene.name,
        seconds,
        time.monotonic() - started,
    )
    return Path(path)


def make_probe_clip(
    path: Path, size: tuple[int, int] = (BASE_W, BASE_H), fps: int = 25, seconds: float = 6
) -> Path:
    """Render the colour probe: four solid quadrants (see :data:`PROBE_COLOURS`).

    A small dark box circles the centre, away from the quadrant centres, so every frame
    differs from the last.
    """
    graph = _probe_graph(size=size, fps=fps, seconds=seconds)
    args = [
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-frames:v",
        str(round(seconds * fps)),
        *_h264_args(fps=fps, gop=fps),
    ]
    return _write_atomically(path, args)


def make_mjpeg_clip(path: Path, source: Path, *, quality: int = 5) -> Path:
    """Re-encode ``source`` as Motion JPEG in Matroska, ready to be served without work."""
    args = [
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-c:v",
        "mjpeg",
        "-q:v",
        str(quality),
        "-pix_fmt",
        "yuvj420p",
        "-an",
        "-f",
        "matroska",
    ]
    return _write_atomically(path, args)


def scene_recipe(scene: Scene, *, seconds: float | None = None, fps: int = 25) -> str:
    """Everything that decides how a demo clip looks, as one string (hashed for its name)."""
    seconds = scene.loop_seconds if seconds is None else seconds
    graph = _scene_graph(scene, size=(BASE_W, BASE_H), fps=fps, seconds=seconds)
    return f"v{RECIPE_VERSION}|{graph}|{' '.join(_h264_args(fps=fps, gop=fps))}"


def demo_clip_path(scene: Scene | str) -> Path:
    """Where the cached clip of ``scene`` lives (whether or not it exists yet)."""
    the_scene = _scene(scene)
    digest = hashlib.sha1(scene_recipe(the_scene).encode(), usedforsecurity=False).hexdigest()
    return cache_dir() / f"{the_scene.name}-{digest[:10]}.mp4"


_STALE_RE = re.compile(r"^(?P<scene>[a-z0-9_]+)-[0-9a-f]{10}\.mp4$")


def ensure_demo_clips() -> dict[str, Path]:
    """Make the demo clips that are not cached yet; return scene name -> clip path.

    Clips of an older recipe are removed.
    """
    clips: dict[str, Path] = {}
    for name, scene in SCENES.items():
        path = demo_clip_path(scene)
        if not path.is_file() or path.stat().st_size == 0:
            make_clip(path, scene=scene, seconds=scene.loop_seconds)
        clips[name] = path
    wanted = {p.name for p in clips.values()}
    folder = cache_dir()
    for old in folder.glob("*.mp4"):
        match = _STALE_RE.match(old.name)
        if match and match.group("scene") in SCENES and old.name not in wanted:
            log.info("removing outdated demo clip %s", old)
            old.unlink(missing_ok=True)
    return clips


def probe_mismatches(
    image: npt.NDArray[Any], *, channels: str = "rgb", tolerance: int = 24
) -> list[str]:
    """Compare a decoded frame of the probe clip with :data:`PROBE_COLOURS`.

    ``image`` is HxWxC with ``channels`` naming its channel order ("rgb", "bgr", "rgbx",
    "bgrx": the frames of :class:`~videowall.streams.frame.Frame` are "bgrx"). Each quadrant
    is judged by the mean of a small patch at its centre. Returns one line per quadrant
    whose colour is off by more than ``tolerance`` in any channel (empty: all match).
    """
    if image.ndim != 3 or image.shape[2] != len(channels):
        raise ValueError(f"image of shape {image.shape} does not match channels {channels!r}")
    order = [channels.index(c) for c in "rgb"]
    h, w = image.shape[:2]
    r = max(1, min(w, h) // 40)
    problems = []
    for name, ((fx, fy), want) in PROBE_COLOURS.items():
        x, y = int(fx * w), int(fy * h)
        patch = image[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1][..., order]
        got = tuple(round(float(v)) for v in patch.reshape(-1, 3).mean(axis=0))
        if max(abs(g - e) for g, e in zip(got, want, strict=True)) > tolerance:
            problems.append(f"{name}: got {got}, expected {want}")
    return problems
