"""One camera's motion analysis: its detector, its zones' events and its lanes, from one
grey picture at a time.

The schedule of the camera's motion block decides whether motion alerts, not whether it
is detected: the overlay of a tile and ``videowall motion test`` show motion at any hour.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import cv2

from videowall.motion.detector import BLUR, Box, MotionDetector, make_detector
from videowall.motion.events import CongestionEvent, LaneMinute, MotionEvent
from videowall.motion.frames import Grey
from videowall.motion.lanes import Lane
from videowall.motion.tracker import MotionTracker
from videowall.registry.model import Camera, Polygon
from videowall.registry.motion import MotionSettings

#: What :meth:`CameraAnalyser.analyse` reports.
AnalysisEvent = MotionEvent | CongestionEvent | LaneMinute


@dataclass(frozen=True)
class ZoneOutline:
    """A zone or lane as a tile draws it."""

    name: str
    kind: str
    polygon: Polygon


@dataclass(frozen=True)
class LaneState:
    """A lane as a tile labels it: how full, whether it moves, whether it is a queue."""

    name: str
    occupancy: float
    moving: bool
    congested: bool


@dataclass(frozen=True)
class Overlay:
    """What a tile draws over a camera's picture: what moves now (zone, box), the zones
    and lanes, each lane's state; ``lighting`` while a change of light is being
    learnt, ``warming`` while the background first is."""

    boxes: tuple[tuple[str, Box], ...] = ()
    zones: tuple[ZoneOutline, ...] = ()
    masks: tuple[Polygon, ...] = ()
    lanes: tuple[LaneState, ...] = ()
    lighting: bool = False
    warming: bool = True


class CameraAnalyser:
    """Detector, tracker and lanes of one camera; fed by one thread at a time.

    ``analyse(grey, t, utc)``: ``t`` is the caller's monotonic clock, ``utc`` the wall
    clock (for the schedule, in local time, and the lanes' minutes). :meth:`overlay` may
    be called from any thread.
    """

    def __init__(self, camera: Camera, settings: MotionSettings,
                 detector: MotionDetector | None = None) -> None:
        self.camera = camera
        self.settings = settings
        self.detector = detector or make_detector(camera.motion, settings,
                                                  settings.analysis_fps)
        self.tracker = MotionTracker(camera.id, settings)
        self.lanes: dict[str, Lane] = {}
        self._lock = threading.Lock()
        self._overlay = Overlay(
            zones=tuple(ZoneOutline(z.name, z.kind, z.polygon) for z in camera.motion.zones),
            masks=camera.motion.masks,
        )

    def analyse(self, grey: Grey, t: float, utc: datetime) -> list[AnalysisEvent]:
        """The events of the picture ``grey`` taken at ``t``."""
        detection = self.detector.detect(grey)
        alerting = self.camera.motion.active_at(utc.astimezone())
        events: list[AnalysisEvent] = []
        events.extend(self.tracker.update(detection, t, alerting=alerting))
        runtime = self.detector.runtime
        if runtime is not None and runtime.lanes:
            blurred = cv2.GaussianBlur(grey, BLUR, 0)
            if set(self.lanes) != set(runtime.lanes) or detection.lighting:
                self._lanes_for(runtime.lanes, runtime.threshold, blurred)
            for lane in self.lanes.values():
                events.extend(lane.update(blurred, t, utc))
        self._publish(detection.boxes, detection.lighting, detection.warming)
        return events

    def finish(self, utc: datetime) -> list[AnalysisEvent]:
        """End what goes on (the clip or the stream ended)."""
        events: list[AnalysisEvent] = list(self.tracker.finish())
        for lane in self.lanes.values():
            events.extend(lane.finish(utc))
        return events

    def overlay(self) -> Overlay:
        """A snapshot of what a tile draws."""
        with self._lock:
            return self._overlay

    def _lanes_for(self, rasters: dict[str, Grey], threshold: int,
                   blurred: Grey) -> None:
        if set(self.lanes) != set(rasters):
            self.lanes = {name: Lane(self.camera.id, name, raster, self.settings, threshold)
                          for name, raster in rasters.items()}
        for lane in self.lanes.values():
            lane.relearn(blurred)

    def _publish(self, boxes: dict[str, tuple[Box, ...]], lighting: bool,
                 warming: bool) -> None:
        lanes = tuple(LaneState(lane.name, lane.occupancy, not lane.still, lane.congested)
                      for lane in self.lanes.values())
        flat = tuple((zone, box) for zone, found in boxes.items() for box in found)
        with self._lock:
            old = self._overlay
            self._overlay = Overlay(flat, old.zones, old.masks, lanes, lighting, warming)
