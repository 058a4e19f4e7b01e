"""``videowall bench motion``: what motion detection costs, what it raises for nothing,
and how soon it raises what counts.

Scenes are drawn here as grey pictures of the analysis size and fed straight to the
analysis at its rate (not in real time), so ten minutes of scene take seconds:

* cost: CPU milliseconds per analysed picture (``time.thread_time``) of each background,
  running average and MOG2, on the same pictures (a textured scene with a moving object,
  a zone and a mask), and of :func:`~videowall.motion.frames.to_grey` from 640x360;
* false alerts: motion events in ten minutes each of a still scene with sensor noise, a
  lighting step of +40 levels, motion only in a masked area, and a tree-like flicker in a
  masked area (target 0 each);
* delay: seconds from the first picture with motion in a zone to its motion event
  (target under 0.5 s at the default analysis rate).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np

from videowall.motion.analyser import CameraAnalyser
from videowall.motion.detector import DETECTORS
from videowall.motion.events import MotionEvent
from videowall.motion.frames import Grey, grey_size, to_grey
from videowall.registry.model import Camera, MotionConfig, Polygon, Zone
from videowall.registry.motion import MotionSettings

#: Milliseconds of CPU one analysed picture may take; seconds of delay; false events.
TARGET_MS = 0.3
TARGET_DELAY_S = 0.5
TARGET_FALSE = 0

#: The tree in the top right corner and the masked path in the bottom left, with margins.
TREE: Polygon = ((0.58, 0.0), (1.0, 0.0), (1.0, 0.5), (0.58, 0.5))
PATH: Polygon = ((0.0, 0.55), (0.45, 0.55), (0.45, 1.0), (0.0, 1.0))
DOOR: Polygon = ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5))
START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)

#: (picture index) -> grey picture.
Scene = Callable[[int], Grey]


class _Painter:
    """A textured scene with sensor noise, and what may be drawn on it."""

    def __init__(self, settings: MotionSettings, seed: int = 7) -> None:
        self.width, self.height = grey_size(320 * 4, 180 * 4, settings.analysis_lines)
        self.fps = settings.analysis_fps
        self.rng = np.random.default_rng(seed)
        noise = self.rng.integers(0, 256, (self.height, self.width)).astype(np.uint8)
        texture = cv2.GaussianBlur(noise, (0, 0), 3).astype(np.float32)
        low, high = float(texture.min()), float(texture.max())
        # spread over 60..160: a scene with contrast, and room for a lighting step
        self.base = (60 + (texture - low) * 100 / max(1.0, high - low)).astype(np.int16)
        self.phase = self.rng.uniform(0, 2 * math.pi, (self.height, self.width))

    def picture(self, offset: int = 0, square: tuple[float, float] | None = None,
                flicker: float | None = None) -> Grey:
        out = self.base + offset
        if square is not None:  # a bright object, its top left corner in fractions
            x, y = round(square[0] * self.width), round(square[1] * self.height)
            side = self.height // 6
            out[y:y + side, x:x + side] = 230
        if flicker is not None:  # leaves in the wind: every pixel of the tree swings
            y1, x0 = round(0.45 * self.height), round(0.62 * self.width)
            swing = 60 * np.sin(flicker * 6.0 + self.phase[:y1, x0:])
            out[:y1, x0:] = self.base[:y1, x0:] + swing.astype(np.int16)
        out = out + self.rng.integers(-8, 9, out.shape, dtype=np.int16)
        picture: Grey = np.clip(out, 0, 255).astype(np.uint8)
        return picture


def _camera(motion: MotionConfig) -> Camera:
    return Camera(id="bench", name="bench", site="", url="file:bench", motion=motion)


def _count_events(settings: MotionSettings, scene: Scene, pictures: int) -> int:
    analyser = CameraAnalyser(_camera(MotionConfig(masks=(TREE, PATH))), settings)
    count = 0
    for i in range(pictures):
        t = i / settings.analysis_fps
        events = analyser.analyse(scene(i), t, START + timedelta(seconds=t))
        count += sum(1 for e in events if isinstance(e, MotionEvent) and e.active)
    return count


def false_alerts(settings: MotionSettings, minutes: float) -> dict[str, int]:
    """Motion events in ``minutes`` of each scene that should raise none."""
    painter = _Painter(settings)
    fps = settings.analysis_fps
    pictures = max(2, round(minutes * 60 * fps))
    half = pictures // 2

    def walk(i: int) -> tuple[float, float]:  # back and forth along the masked path
        phase = (i / fps / 8.0) % 2
        return 0.05 + 0.25 * (phase if phase < 1 else 2 - phase), 0.7

    scenes: dict[str, Scene] = {
        "sensor noise": lambda i: painter.picture(),
        "lighting step +40": lambda i: painter.picture(offset=40 if i >= half else 0),
        "motion in a masked area": lambda i: painter.picture(square=walk(i)),
        "tree flicker in a masked area": lambda i: painter.picture(flicker=i / fps),
    }
    return {name: _count_events(settings, scene, pictures) for name, scene in scenes.items()}


def delays(settings: MotionSettings, trials: int = 10) -> list[float]:
    """Seconds from the first picture with motion in a zone to the motion event."""
    painter = _Painter(settings, seed=11)
    fps = settings.analysis_fps
    out = []
    for trial in range(trials):
        analyser = CameraAnalyser(_camera(MotionConfig(zones=(Zone("door", DOOR),))),
                                  settings)
        first = round(3 * fps) + trial % 3  # after the warm-up, at a varying picture
        for i in range(first + round(5 * fps)):
            t = i / fps
            square = (0.05 + 0.01 * (i - first), 0.1) if i >= first else None
            events = analyser.analyse(painter.picture(square=square), t,
                                      START + timedelta(seconds=t))
            if any(isinstance(e, MotionEvent) and e.active for e in events):
                out.append(round(t - first / fps, 3))
                break
        else:
            out.append(math.inf)
    return out


def costs(settings: MotionSettings, pictures: int = 600) -> dict[str, float]:
    """CPU milliseconds per analysed picture of each background, and of the grey
    conversion from 640x360."""
    painter = _Painter(settings, seed=3)
    frames = [painter.picture(square=((0.01 * i) % 0.8, 0.2)) for i in range(pictures)]
    motion = MotionConfig(zones=(Zone("door", DOOR),), masks=(TREE,))
    out = {}
    for key, detector_type in DETECTORS.items():
        detector = detector_type(motion, settings, settings.analysis_fps)
        for frame in frames[:20]:
            detector.detect(frame)
        started = time.thread_time()
        for frame in frames:
            detector.detect(frame)
        out[key] = (time.thread_time() - started) / len(frames) * 1000
    source = np.zeros((360, 640, 4), np.uint8)
    source[..., 1] = painter.base.max()
    started = time.thread_time()
    for _ in range(pictures):
        to_grey(source, settings.analysis_lines)
    out["to_grey 640x360"] = (time.thread_time() - started) / pictures * 1000
    return out


def measure(minutes: float, settings: MotionSettings | None = None) -> dict[str, Any]:
    """Every figure of the benchmark."""
    settings = settings or MotionSettings()
    found = delays(settings)
    finite = [d for d in found if math.isfinite(d)]
    width, height = grey_size(1280, 720, settings.analysis_lines)
    return {
        "analysis": {"fps": settings.analysis_fps, "size": f"{width}x{height}",
                     "minutes_per_scene": minutes},
        "cost_ms": {k: round(v, 4) for k, v in costs(settings).items()},
        "false_alerts": false_alerts(settings, minutes),
        "delay_s": {"median": statistics.median(finite) if finite else math.inf,
                    "worst": max(found), "values": found},
    }


def print_table(figures: dict[str, Any], file: Any = None) -> None:
    """The figures as a table, each against its target."""
    out = file or sys.stdout
    analysis = figures["analysis"]
    print(f"motion at {analysis['size']}, {analysis['fps']:g} pictures a second", file=out)
    rows: list[tuple[str, str, str, str]] = []
    for key, value in figures["cost_ms"].items():
        name = {"running-average": "running average", "mog2": "MOG2"}.get(key, key)
        target = f"< {TARGET_MS:g} ms" if key in DETECTORS else ""
        verdict = ("ok" if value < TARGET_MS else "MISSED") if key in DETECTORS else ""
        rows.append((f"CPU per picture, {name}", f"{value:.3f} ms", target, verdict))
    minutes = analysis["minutes_per_scene"]
    for name, count in figures["false_alerts"].items():
        rows.append((f"motion events, {minutes:g} min of {name}", str(count),
                     f"{TARGET_FALSE}", "ok" if count <= TARGET_FALSE else "MISSED"))
    delay = figures["delay_s"]
    rows.append(("delay to the motion event (median, worst)",
                 f"{delay['median']:.2f} s, {delay['worst']:.2f} s", f"< {TARGET_DELAY_S:g} s",
                 "ok" if delay["worst"] < TARGET_DELAY_S else "MISSED"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)), row[3],
              file=out)


def main(argv: list[str]) -> int:
    """``videowall bench motion [--minutes M] [--json]``."""
    parser = argparse.ArgumentParser(prog="videowall bench motion",
                                     description="CPU per analysed picture of both "
                                                 "backgrounds, false alerts, delay")
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="minutes of each false-alert scene (default 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.error("--minutes must be more than 0")
    figures = measure(args.minutes)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0
