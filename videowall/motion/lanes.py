"""Queues at junctions: how full each lane is, whether it moves, and when it is a queue.

Occupancy is the share of a lane's pixels that differ from a picture of the empty road,
learnt slowly (``lane_learn_s``) and never from a lane that stands full and still (a
queue must not become the road). Whether the lane moves is the frame-to-frame difference
inside it, smoothed over about a second (a queue creeps). A lane that stays occupied (at
least ``lane_occupied``) and still for ``congestion_after_s``, counted from the last
picture in which it moved, is a queue; it ends once the occupancy stayed below the
threshold, less :data:`HYSTERESIS`, for ``end_after_s``.
Traffic that flows, however dense, moves, and raises nothing.

The empty road is first taken from the first picture: a lane that starts full looks
empty until the road shows and is learnt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np
import numpy.typing as npt

from videowall.motion.events import CongestionEvent, LaneMinute
from videowall.motion.frames import Grey
from videowall.registry.motion import MotionSettings

#: A queue ends when its lane is this much emptier than ``lane_occupied``.
HYSTERESIS = 0.15
#: Share of a lane changing from one picture to the next that counts as moving.
MOVING_SHARE = 0.02
#: Seconds over which "it moves" is smoothed ...
MOVING_SMOOTH_S = 1.0
#: ... and the smoothed share of pictures that moved under which the lane is still.
STILL_BELOW = 0.25


def duration_words(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 5 min``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


@dataclass
class _Minute:
    start: datetime
    occupancy: float = 0.0
    moving: float = 0.0
    pictures: int = 0
    congested_s: float = 0.0


class Lane:
    """One lane of one camera: its empty road, its occupancy, its queue."""

    def __init__(self, camera_id: str, name: str, raster: Grey,
                 settings: MotionSettings, threshold: int) -> None:
        self.camera_id = camera_id
        self.name = name
        self.settings = settings
        self.threshold = threshold
        self._mask = raster
        self._inside = raster > 0
        self._pixels = max(1, int(np.count_nonzero(self._inside)))
        self._road: npt.NDArray[np.float32] | None = None
        self._previous: Grey | None = None
        #: Share of the lane that differs from the empty road (last picture).
        self.occupancy = 0.0
        #: Smoothed share of recent pictures in which the lane moved.
        self.moving = 0.0
        self._moved = False
        self._moved_t: float | None = None
        self._still_since: float | None = None
        self._clear_since: float | None = None
        self._queue_t: float | None = None
        self._last_t: float | None = None
        self._minute: _Minute | None = None

    @property
    def congested(self) -> bool:
        return self._queue_t is not None

    @property
    def still(self) -> bool:
        """True when the lane hardly moved over the last second or so."""
        return self.moving < STILL_BELOW

    def relearn(self, blurred: Grey) -> None:
        """Take the road anew from ``blurred`` (after a change of lighting)."""
        self._road = blurred.astype(np.float32)
        self._previous = blurred

    def update(self, blurred: Grey, t: float,
               utc: datetime) -> list[CongestionEvent | LaneMinute]:
        """Judge the lane in ``blurred`` (the camera's blurred grey picture) at ``t``."""
        out: list[CongestionEvent | LaneMinute] = []
        interval = self.settings.interval_s if self._last_t is None else \
            min(t - self._last_t, 4 * self.settings.interval_s)
        self._last_t = t
        if self._road is None or self._previous is None:
            self.relearn(blurred)
        assert self._road is not None and self._previous is not None
        self.occupancy = self._share(cv2.absdiff(blurred, cv2.convertScaleAbs(self._road)))
        self._moved = self._share(cv2.absdiff(blurred, self._previous)) >= MOVING_SHARE
        self._previous = blurred
        if self._moved or self._moved_t is None:
            self._moved_t = t
        smooth = 1.0 - math.exp(-interval / MOVING_SMOOTH_S)
        self.moving += smooth * ((1.0 if self._moved else 0.0) - self.moving)
        occupied = self.occupancy >= self.settings.lane_occupied
        still = self.still
        if not self.congested and not (occupied and still):
            alpha = 1.0 - math.exp(-interval / self.settings.lane_learn_s)
            cv2.accumulateWeighted(blurred, self._road, alpha, mask=self._mask)
        event = self._judge(t, occupied=occupied, still=still)
        if event is not None:
            out.append(event)
        out.extend(self._count(utc, interval))
        return out

    def finish(self, utc: datetime) -> list[CongestionEvent | LaneMinute]:
        """The minute under way, as it stands (the stream ended)."""
        minute, self._minute = self._minute, None
        return [] if minute is None or not minute.pictures else [self._record(minute)]

    def _share(self, diff: Grey) -> float:
        changed = np.count_nonzero((diff > self.threshold) & self._inside)
        return float(changed) / self._pixels

    def _judge(self, t: float, *, occupied: bool, still: bool) -> CongestionEvent | None:
        settings = self.settings
        if self._queue_t is None:
            if not (occupied and still):
                self._still_since = None
                return None
            if self._still_since is None:
                self._still_since = self._moved_t if self._moved_t is not None else t
            if t - self._still_since < settings.congestion_after_s:
                return None
            self._queue_t, self._clear_since = self._still_since, None
            return self._event(t, None)
        if self.occupancy >= settings.lane_occupied - HYSTERESIS:
            self._clear_since = None
            return None
        if self._clear_since is None:
            self._clear_since = t
        if t - self._clear_since < settings.end_after_s:
            return None
        event = self._event(t, self._clear_since)
        self._queue_t = self._still_since = self._clear_since = None
        return event

    def _event(self, t: float, end_t: float | None) -> CongestionEvent:
        assert self._queue_t is not None
        lasted = (t if end_t is None else end_t) - self._queue_t
        detail = (f"queue in lane {self.name!r} for {duration_words(lasted)}, "
                  f"{self.occupancy:.0%} occupied")
        if end_t is not None:
            detail = f"queue in lane {self.name!r} cleared after {duration_words(lasted)}"
        return CongestionEvent(t=self._queue_t, camera_id=self.camera_id, lane=self.name,
                               occupancy=round(self.occupancy, 3), end_t=end_t,
                               active=end_t is None, detail=detail)

    def _count(self, utc: datetime, interval: float) -> list[LaneMinute]:
        start = utc.replace(second=0, microsecond=0)
        out = []
        if self._minute is not None and self._minute.start != start:
            out.append(self._record(self._minute))
            self._minute = None
        if self._minute is None:
            self._minute = _Minute(start)
        minute = self._minute
        minute.pictures += 1
        minute.occupancy += self.occupancy
        minute.moving += 1.0 if self._moved else 0.0
        if self.congested and self._clear_since is None:
            minute.congested_s += interval
        return out

    def _record(self, minute: _Minute) -> LaneMinute:
        n = max(1, minute.pictures)
        return LaneMinute(camera_id=self.camera_id, lane=self.name, minute=minute.start,
                          occupancy=round(minute.occupancy / n, 4),
                          moving=round(minute.moving / n, 4),
                          congested_s=round(min(60.0, minute.congested_s), 3))
