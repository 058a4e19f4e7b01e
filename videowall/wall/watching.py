"""Which cameras off the wall are watched now: the background-watching budget.

Every enabled camera is watched for its health (and, with a motion block, for motion)
whether or not a tile shows it. Watching costs a connection and some decoding, so a
budget caps it: at most ``max_cameras`` at once, and at most ``cpu_share`` of one core
for their decoding and analysis. Within the budget every candidate is watched all the
time. Over it, the most urgent half of the places is kept for the most urgent cameras
(an open alert first, then priority, then motion detection), and the other places go
round the rest in turns of ``turn_s`` seconds, so every camera is still looked at.

:class:`WatchPlanner` is plain data and arithmetic: no threads, no clock of its own;
the session asks it for a plan once a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Seconds each camera of the rotating part is watched before the next takes its place.
TURN_S = 30.0
#: Below this share of the CPU budget, a place taken away for CPU is given back (one per
#: turn): the budget neither flaps nor stays shrunk after a busy minute.
RECOVER_BELOW = 0.8


@dataclass(frozen=True)
class Candidate:
    """A camera that could be watched off the wall."""

    camera_id: str
    #: 1 (most urgent) to 5.
    priority: int = 3
    #: It has an open alert (it must not drop out of sight).
    alerting: bool = False
    #: Its motion is detected (a camera watched for health only is less urgent).
    motion: bool = False

    @property
    def urgency(self) -> tuple[bool, int, bool, str]:
        """Sorts the most urgent first."""
        return (not self.alerting, self.priority, not self.motion, self.camera_id)


@dataclass(frozen=True)
class WatchPlan:
    """One plan: the cameras to watch now and those waiting their turn."""

    watched: tuple[str, ...]
    waiting: tuple[str, ...]
    #: How many may be watched at once now (the budget, less what the CPU share took).
    places: int

    @property
    def in_turns(self) -> bool:
        """Whether some cameras wait for their turn (the wall is over its budget)."""
        return bool(self.waiting)

    def words(self) -> str:
        """What the status bar says about background watching."""
        total = len(self.watched) + len(self.waiting)
        if not total:
            return ""
        if not self.waiting:
            return f"watching {total} camera{'s' if total != 1 else ''} off the wall"
        return (f"watching {len(self.watched)} of {total} cameras off the wall, the others "
                f"in turns (budget {self.places})")


class WatchPlanner:
    """Decides which candidates are watched, within ``max_cameras`` and ``cpu_share``."""

    def __init__(self, max_cameras: int, cpu_share: float, turn_s: float = TURN_S) -> None:
        self.max_cameras = max(0, int(max_cameras))
        self.cpu_share = cpu_share
        self.turn_s = turn_s
        self._places = self.max_cameras
        self._turn = 0
        self._turn_at: float | None = None
        self._shrunk_at: float | None = None

    def configure(self, max_cameras: int, cpu_share: float) -> None:
        """New limits (a registry reload); places taken for CPU are given back."""
        self.max_cameras = max(0, int(max_cameras))
        self.cpu_share = cpu_share
        self._places = self.max_cameras

    @property
    def places(self) -> int:
        return self._places

    def plan(
        self, candidates: Sequence[Candidate], now: float, cpu_share: float | None = None
    ) -> WatchPlan:
        """The plan at ``now`` for ``candidates``; ``cpu_share`` is what watching cost over
        the last seconds (a share of one core), None when not measured."""
        ranked = sorted(candidates, key=lambda c: c.urgency)
        self._adapt(len(ranked), now, cpu_share)
        places = min(self._places, len(ranked))
        if len(ranked) <= self._places:
            return WatchPlan(tuple(c.camera_id for c in ranked), (), self._places)
        fixed_count = math.ceil(places / 2)
        # an alerting camera is never rotated away while places remain
        fixed_count = max(fixed_count, min(places, sum(1 for c in ranked if c.alerting)))
        fixed, rest = ranked[:fixed_count], ranked[fixed_count:]
        rotating = places - fixed_count
        if self._turn_at is None:
            self._turn_at = now
        while now - self._turn_at >= self.turn_s:
            self._turn_at += self.turn_s
            self._turn += 1
        chosen: list[Candidate] = []
        if rotating and rest:
            start = (self._turn * rotating) % len(rest)
            chosen = [rest[(start + i) % len(rest)] for i in range(min(rotating, len(rest)))]
        watched = [c.camera_id for c in fixed + chosen]
        waiting = [c.camera_id for c in rest if c not in chosen]
        return WatchPlan(tuple(watched), tuple(waiting), self._places)

    def _adapt(self, count: int, now: float, cpu_share: float | None) -> None:
        """Take places away while watching costs more than its share; give them back
        one per turn once it costs well below."""
        if cpu_share is None or self.cpu_share <= 0:
            return
        in_use = min(self._places, count)
        if cpu_share > self.cpu_share and in_use > 1:
            if self._shrunk_at is None or now - self._shrunk_at >= self.turn_s / 3:
                self._places = max(1, math.floor(in_use * self.cpu_share / cpu_share))
                self._shrunk_at = now
        elif (cpu_share < self.cpu_share * RECOVER_BELOW and self._places < self.max_cameras
              and (self._shrunk_at is None or now - self._shrunk_at >= self.turn_s)):
            self._places += 1
            self._shrunk_at = now
