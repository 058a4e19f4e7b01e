"""Motion and queues on every stream the wall runs, shown on a tile or watched off it.

:class:`SessionMotion` keeps one :class:`~videowall.motion.watcher.MotionWatchdog` for the
session and, once a second (:meth:`SessionMotion.sync`, under the session's lock), gives
it an analyser for each running stream whose camera detects motion or measures lanes, and
takes away those whose stream stopped. The pictures are the ones the decoders already
publish: no second connection to a camera. What the analysers say comes back through a
queue and the session hands it on (alerts, the record, the store, the subscribers).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Sequence

from videowall.motion.analyser import AnalysisEvent, CameraAnalyser, Overlay
from videowall.motion.watcher import FrameSource, MotionWatchdog
from videowall.registry.model import Camera, Registry
from videowall.streams.frame import Frame
from videowall.streams.manager import StreamManager

#: Seconds between two looks at which streams are analysed.
SYNC_EVERY_S = 1.0


def analysed(camera: Camera) -> bool:
    """Whether the wall analyses ``camera``'s pictures (motion detection or lanes)."""
    return camera.enabled and camera.motion.enabled


class SessionMotion:
    """The motion analysis of one wall session."""

    def __init__(self, registry: Registry, manager: StreamManager) -> None:
        self.manager = manager
        self.registry = registry
        self._inbox: queue.SimpleQueue[AnalysisEvent] = queue.SimpleQueue()
        self.watchdog = MotionWatchdog(registry.motion, self._take)
        self._analysers: dict[str, tuple[Camera, CameraAnalyser]] = {}
        self._synced_at = 0.0
        self._cpu_at: float | None = None

    def _take(self, events: Sequence[AnalysisEvent]) -> None:
        # on the watchdog's thread: hand over, return
        for event in events:
            self._inbox.put(event)

    def configure(self, registry: Registry) -> None:
        """A new registry: cameras whose motion settings changed get new analysers at
        the next sync."""
        self.registry = registry
        self.watchdog.configure(registry.motion)
        self._synced_at = 0.0

    def sync(self, now: float | None = None, *, force: bool = False) -> None:
        """Analyse the running streams of cameras that want it, and no others."""
        now = time.monotonic() if now is None else now
        if not force and now - self._synced_at < SYNC_EVERY_S:
            return
        self._synced_at = now
        wanted: dict[str, Camera] = {}
        for stream in self.manager.streams():
            camera = self.registry.get(stream.camera.id) or stream.camera
            if analysed(camera):
                wanted[camera.id] = camera
        for camera_id in list(self._analysers):
            kept = wanted.get(camera_id)
            if kept is None or kept != self._analysers[camera_id][0]:
                self.watchdog.discard(camera_id)
                del self._analysers[camera_id]
        for camera_id, camera in wanted.items():
            if camera_id in self._analysers:
                continue
            analyser = CameraAnalyser(camera, self.registry.motion)
            self._analysers[camera_id] = (camera, analyser)
            self.watchdog.add(camera_id, self._source(camera_id), analyser)

    def _source(self, camera_id: str) -> FrameSource:
        manager = self.manager

        def newest() -> Frame | None:
            stream = manager.get(camera_id)  # the stream of the moment (a resize may
            return stream.slot.peek() if stream is not None else None  # replace it)

        return newest

    def drain(self) -> list[AnalysisEvent]:
        """What the analysers said since the last call, oldest first."""
        events: list[AnalysisEvent] = []
        while True:
            try:
                events.append(self._inbox.get_nowait())
            except queue.Empty:
                return events

    def overlay(self, camera_id: str) -> Overlay | None:
        """What a tile of ``camera_id`` draws over its picture (None: not analysed)."""
        entry = self._analysers.get(camera_id)
        return entry[1].overlay() if entry is not None else None

    def analysed_cameras(self) -> set[str]:
        return set(self._analysers)

    def cpu_taken(self) -> float:
        """CPU seconds the analysis took since the last call (for the watch budget)."""
        now = time.monotonic()
        last, self._cpu_at = self._cpu_at, now
        if last is None:
            return 0.0
        return self.watchdog.cpu_share * (now - last)

    def stop(self) -> None:
        self.watchdog.stop()
        self._analysers.clear()

