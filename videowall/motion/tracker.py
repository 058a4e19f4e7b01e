"""From what each picture showed to motion events, zone by zone.

Motion starts once it has lasted ``min_duration_s``, in two pictures at least, and ends
after ``end_after_s`` without any: one event at each end, with the start's time in both.
A picture stands for the interval until the next one, so motion seen in two pictures
0.2 s apart has lasted 0.4 s; at the default 5 pictures a second, motion is reported from
its second picture. The interval is the pictures' own when they come less often than the
analysis rate (a camera watched at key frames only: one a second), so motion seen in two
key frames in a row counts, and one noisy picture never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from videowall.motion.detector import Detection
from videowall.motion.events import Box, MotionEvent
from videowall.registry.motion import MotionSettings


def union(boxes: tuple[Box, ...] | list[Box]) -> Box:
    """The smallest box around ``boxes``."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


@dataclass
class _Zone:
    """Where one zone stands: motion pending since ``first_t``, or an event since it."""

    first_t: float | None = None
    last_t: float | None = None
    #: Pictures with motion since ``first_t``.
    seen: int = 0
    active: bool = False
    box: Box | None = None
    alerting: bool = True


class MotionTracker:
    """Per-picture detections of one camera in, motion events out."""

    def __init__(self, camera_id: str, settings: MotionSettings) -> None:
        self.camera_id = camera_id
        self.settings = settings
        self._zones: dict[str, _Zone] = {}
        self._previous_t: float | None = None

    @property
    def active_zones(self) -> list[str]:
        """The zones with motion going on."""
        return [name for name, zone in self._zones.items() if zone.active]

    def update(self, detection: Detection, t: float, *, alerting: bool = True) -> list[MotionEvent]:
        """The events the picture at ``t`` starts or ends; ``alerting`` is whether an event
        starting now raises an alert."""
        events: list[MotionEvent] = []
        interval = self.settings.interval_s
        if self._previous_t is not None:
            interval = max(interval, t - self._previous_t)
        self._previous_t = t
        for name, boxes in detection.boxes.items():
            zone = self._zones.setdefault(name, _Zone())
            box = union(boxes)
            if zone.first_t is None or (not zone.active and zone.last_t is not None
                                        and t - zone.last_t > interval * 1.5):
                zone.first_t, zone.box = t, box  # a gap: pending motion starts over
                zone.seen = 0
            zone.last_t = t
            zone.seen += 1
            zone.box = union([zone.box, box]) if zone.box is not None else box
            if (not zone.active and zone.seen >= 2
                    and t - zone.first_t + interval >= self.settings.min_duration_s):
                zone.active, zone.alerting = True, alerting
                events.append(self._event(name, zone, None))
        for name, zone in list(self._zones.items()):
            if name in detection.boxes or zone.last_t is None:
                continue
            if not zone.active:
                if t - zone.last_t > interval * 1.5:
                    del self._zones[name]
            elif t - zone.last_t >= self.settings.end_after_s:
                events.append(self._event(name, zone, zone.last_t))
                del self._zones[name]
        return events

    def finish(self) -> list[MotionEvent]:
        """End every event going on (the stream ended): each ends at its last motion."""
        events = [self._event(name, zone, zone.last_t)
                  for name, zone in self._zones.items() if zone.active]
        self._zones.clear()
        return events

    def _event(self, name: str, zone: _Zone, end_t: float | None) -> MotionEvent:
        assert zone.first_t is not None and zone.box is not None
        return MotionEvent(t=zone.first_t, camera_id=self.camera_id, zone=name, box=zone.box,
                           end_t=end_t, active=end_t is None, alerting=zone.alerting)
