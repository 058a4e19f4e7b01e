"""Motion detectors: what moves in one small grey picture, zone by zone.

A detector is a small interface with no thread and no clock inside (as Frigate's
``frigate/motion/__init__.py``): the caller hands it pictures at a steady rate and it says
what moved. Two backgrounds sit behind it, measured side by side by ``videowall bench
motion`` at 256x144: a running average (``accumulateWeighted``, ``absdiff``, threshold,
dilate, contours) at about 0.1 ms a picture, and OpenCV's MOG2 at about 1 ms. The running
average is the one the wall uses (:func:`make_detector`); MOG2 stays for the comparison.

What the registry says (sensitivity, smallest area, zones, masks) is turned once per
picture size into :class:`MotionRuntime`: the polygons rasterised, as Frigate's
``RuntimeMotionConfig`` adds the mask to what the user wrote.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from videowall.motion.frames import Grey
from videowall.registry.model import WHOLE_FRAME, MotionConfig, Polygon, Zone
from videowall.registry.motion import MotionSettings

#: The zone of a camera whose motion block names no zone: motion counts everywhere.
WHOLE_FRAME_ZONE = "frame"
#: A box in fractions of the picture: x, y, width, height.
Box = tuple[float, float, float, float]
#: Pictures are blurred before they are compared: sensor noise is pixel-sized.
BLUR = (5, 5)
#: Moving pixels are grown by this kernel, twice, so that one object makes one box.
DILATE_KERNEL = np.ones((3, 3), np.uint8)
#: Seconds the background is first learnt (and learnt again after a change of lighting),
#: during which nothing moves.
WARMUP_S = 1.0
#: Share of the background that follows the picture during the warm-up.
WARMUP_ALPHA = 0.5


def threshold_of(sensitivity: float) -> int:
    """The grey-level difference that counts as a change: 60 at sensitivity 0, 10 at 1."""
    return round(60 - 50 * min(1.0, max(0.0, sensitivity)))


def raster(polygon: Polygon, size: tuple[int, int]) -> Grey:
    """``polygon`` (frame fractions) filled with 255 in a ``(width, height)`` picture."""
    width, height = size
    out = np.zeros((height, width), np.uint8)
    points = np.array([[round(x * (width - 1)), round(y * (height - 1))] for x, y in polygon],
                      np.int32)
    cv2.fillPoly(out, [points], 255)
    return out


@dataclass
class MotionRuntime:
    """A camera's motion settings made ready for pictures of ``size`` (width, height).

    ``allowed`` is 255 wherever motion may count (everywhere but the masks); ``zones``
    holds the raster of each zone of kind ``zone`` (the whole picture as
    :data:`WHOLE_FRAME_ZONE` when the camera names no zone at all); ``lanes`` the
    raster of each lane, masks taken out.
    """

    config: MotionConfig
    size: tuple[int, int]
    threshold: int = 0
    min_area_px: float = 0.0
    allowed: Grey = field(init=False, repr=False)
    zones: dict[str, Grey] = field(init=False, repr=False)
    lanes: dict[str, Grey] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        width, height = self.size
        self.threshold = threshold_of(self.config.sensitivity)
        self.min_area_px = max(1.0, self.config.min_area * width * height)
        self.allowed = np.full((height, width), 255, np.uint8)
        for mask in self.config.masks:
            self.allowed[raster(mask, self.size) > 0] = 0
        zones: tuple[Zone, ...] = self.config.motion_zones
        if not self.config.zones:
            zones = (Zone(WHOLE_FRAME_ZONE, WHOLE_FRAME),)
        self.zones = {z.name: cv2.bitwise_and(raster(z.polygon, self.size), self.allowed)
                      for z in zones}
        self.lanes = {z.name: cv2.bitwise_and(raster(z.polygon, self.size), self.allowed)
                      for z in self.config.lanes}


@dataclass(frozen=True)
class Detection:
    """What one picture showed.

    ``boxes`` maps each zone where something moved to the boxes of what moved there (frame
    fractions, each at least the camera's ``min_area``). ``changed`` is the share of the
    whole picture that differs from the background. ``lighting``: so much changed at once
    that it was the light, not motion (the background was learnt anew). ``warming``: the
    background is still being learnt; nothing counts yet.
    """

    boxes: dict[str, tuple[Box, ...]]
    changed: float = 0.0
    lighting: bool = False
    warming: bool = False


class MotionDetector(ABC):
    """Finds what moves in a camera's grey pictures, handed in at ``fps``.

    No thread, no clock: :meth:`detect` is called once per analysed picture.
    """

    #: The name ``videowall bench motion`` gives the background.
    name = "detector"

    def __init__(self, config: MotionConfig, settings: MotionSettings, fps: float) -> None:
        self.config = config
        self.settings = settings
        self.fps = fps
        self.runtime: MotionRuntime | None = None
        self._warmup_left = 0

    @property
    def alpha(self) -> float:
        """Share of the background that follows each picture: ``learn_s`` as a time
        constant."""
        return 1.0 - math.exp(-1.0 / (self.fps * self.settings.learn_s))

    def is_calibrating(self) -> bool:
        """True while the background is being learnt (nothing counts)."""
        return self._warmup_left > 0

    def detect(self, grey: Grey) -> Detection:
        """What moved in ``grey`` since the background was learnt."""
        height, width = grey.shape[:2]
        if self.runtime is None or self.runtime.size != (width, height):
            self.runtime = MotionRuntime(self.config, (width, height))
            self.relearn(grey)
            return Detection({}, warming=True)
        runtime = self.runtime
        blurred = cv2.GaussianBlur(grey, BLUR, 0)
        changed_mask = self._foreground(blurred, runtime.threshold)
        changed = cv2.countNonZero(changed_mask) / changed_mask.size
        if changed > self.settings.lighting_change:
            self.relearn(grey)
            return Detection({}, changed=changed, lighting=True)
        if self._warmup_left > 0:
            self._warmup_left -= 1
            return Detection({}, changed=changed, warming=True)
        moving = cv2.bitwise_and(changed_mask, runtime.allowed)
        if cv2.countNonZero(moving) < runtime.min_area_px:
            return Detection({}, changed=changed)
        moving = cv2.dilate(moving, DILATE_KERNEL, iterations=2)
        boxes: dict[str, tuple[Box, ...]] = {}
        for name, zone in runtime.zones.items():
            found = _boxes(cv2.bitwise_and(moving, zone), runtime.min_area_px, width, height)
            if found:
                boxes[name] = found
        return Detection(boxes, changed=changed)

    def relearn(self, grey: Grey) -> None:
        """Learn the background anew from ``grey`` (a first picture, a change of light)."""
        self._warmup_left = max(1, math.ceil(WARMUP_S * self.fps))
        self._reset(cv2.GaussianBlur(grey, BLUR, 0))

    @abstractmethod
    def _foreground(self, blurred: Grey, threshold: int) -> Grey:
        """255 where ``blurred`` differs from the background; also learns from it."""

    @abstractmethod
    def _reset(self, blurred: Grey) -> None:
        """Start the background over from ``blurred``."""


def _boxes(moving: Grey, min_area: float, width: int,
           height: int) -> tuple[Box, ...]:
    contours, _ = cv2.findContours(moving, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours:
        if cv2.contourArea(contour) < min_area:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        out.append((x / width, y / height, w / width, h / height))
    return tuple(out)


class RunningAverage(MotionDetector):
    """The background is a running average of the pictures; what differs from it by more
    than the threshold moves. About 0.1 ms a picture at 256x144."""

    name = "running average"

    def __init__(self, config: MotionConfig, settings: MotionSettings, fps: float) -> None:
        super().__init__(config, settings, fps)
        self._background: npt.NDArray[np.float32] | None = None

    def _reset(self, blurred: Grey) -> None:
        self._background = blurred.astype(np.float32)

    def _foreground(self, blurred: Grey, threshold: int) -> Grey:
        background = self._background
        assert background is not None
        diff = cv2.absdiff(blurred, cv2.convertScaleAbs(background))
        alpha = WARMUP_ALPHA if self._warmup_left > 0 else self.alpha
        cv2.accumulateWeighted(blurred, background, alpha)
        _, mask = cv2.threshold(diff, threshold, 255, cv2.THRESH_BINARY)
        out: Grey = mask
        return out


class Mog2(MotionDetector):
    """OpenCV's mixture of Gaussians per pixel (MOG2): copes with a background that has
    two states (a flag, water), at ten times the running average's cost."""

    name = "MOG2"

    def __init__(self, config: MotionConfig, settings: MotionSettings, fps: float) -> None:
        super().__init__(config, settings, fps)
        self._model: cv2.BackgroundSubtractorMOG2 | None = None

    def _reset(self, blurred: Grey) -> None:
        history = max(2, round(self.fps * self.settings.learn_s))
        self._model = cv2.createBackgroundSubtractorMOG2(history=history, detectShadows=False)
        self._model.apply(blurred, learningRate=1.0)

    def _foreground(self, blurred: Grey, threshold: int) -> Grey:
        model = self._model
        assert model is not None
        # MOG2's threshold is a squared distance in standard deviations, not grey levels
        model.setVarThreshold(float(threshold))
        rate = WARMUP_ALPHA if self._warmup_left > 0 else -1.0
        out: Grey = model.apply(blurred, learningRate=rate)
        return out


#: The backgrounds by name, for the benchmark.
DETECTORS: dict[str, type[MotionDetector]] = {"running-average": RunningAverage,
                                              "mog2": Mog2}


def make_detector(config: MotionConfig, settings: MotionSettings, fps: float) -> MotionDetector:
    """The detector the wall uses: the running average (within 0.3 ms a picture)."""
    return RunningAverage(config, settings, fps)
