"""Synthetic grey pictures for the motion tests: a flat scene with sensor noise, objects
drawn on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from videowall.motion.analyser import AnalysisEvent, CameraAnalyser
from videowall.motion.frames import Grey
from videowall.registry.model import Camera, MotionConfig
from videowall.registry.motion import MotionSettings

SIZE = (256, 144)
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
#: (x, y, w, h) in fractions, a grey level.
Draw = tuple[tuple[float, float, float, float], int]


class Scene:
    """A flat grey scene with ``noise`` (uniform, +-) at ``fps``."""

    def __init__(self, level: int = 110, noise: int = 8, seed: int = 1) -> None:
        self.level = level
        self.noise = noise
        self.rng = np.random.default_rng(seed)

    def picture(self, draws: Sequence[Draw] = (), offset: int = 0) -> Grey:
        width, height = SIZE
        out = np.full((height, width), self.level + offset, np.int16)
        for (x, y, w, h), level in draws:
            out[round(y * height):round((y + h) * height),
                round(x * width):round((x + w) * width)] = level
        out += self.rng.integers(-self.noise, self.noise + 1, out.shape, dtype=np.int16)
        return np.clip(out, 0, 255).astype(np.uint8)


def camera(motion: MotionConfig | None = None, camera_id: str = "cam",
           tags: tuple[str, ...] = ()) -> Camera:
    return Camera(id=camera_id, name=camera_id, site="s", url="rtsp://10.0.0.1/a", tags=tags,
                  motion=motion or MotionConfig())


def run(analyser: CameraAnalyser, seconds: float,
        draws: Callable[[float], list[Draw]], scene: Scene | None = None,
        offset: Callable[[float], int] = lambda t: 0) -> list[AnalysisEvent]:
    """Feed ``seconds`` of pictures at the analysis rate; ``draws(t)`` says what is in
    the picture at ``t``."""
    scene = scene or Scene()
    events: list[AnalysisEvent] = []
    for t in times(analyser.settings, seconds):
        grey = scene.picture(draws(t), offset(t))
        events.extend(analyser.analyse(grey, t, START + timedelta(seconds=t)))
    return events


def times(settings: MotionSettings, seconds: float) -> Iterator[float]:
    n = round(seconds * settings.analysis_fps)
    for i in range(n):
        yield round(i / settings.analysis_fps, 6)
