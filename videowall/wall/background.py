"""Watching every camera, on a tile or not: which off-wall cameras the session watches.

Every enabled camera whose registry entry does not say ``watch: false`` is watched for
its health (and, with a motion block, for motion) although no tile shows it: its stream
runs as a *watcher* of the stream manager (key frames only, at the analysis size), and
its state changes reach the record, the store, the alert engine and every subscriber as
an on-wall camera's do. When a tile comes to show it, the tile shares that stream.

:class:`BackgroundWatch` asks the :class:`~videowall.wall.watching.WatchPlanner` once a
second which candidates fit the budget and starts and stops the watchers to match. It
runs under the session's lock, on the thread that pumps.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from videowall.registry.model import Camera, Registry
from videowall.streams.manager import StreamManager
from videowall.wall.watching import Candidate, WatchPlan, WatchPlanner

log = logging.getLogger(__name__)

#: Seconds between two plans.
PLAN_EVERY_S = 1.0
#: Seconds over which the CPU of background watching is measured.
CPU_WINDOW_S = 10.0

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def thread_cpu_s(native_id: int) -> float | None:
    """CPU seconds (user and system) the thread ``native_id`` of this process used, or
    None when it is gone or the system does not say."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1]
    except (OSError, IndexError):
        return None
    parts = fields.split()
    try:
        return (int(parts[11]) + int(parts[12])) / _TICKS
    except (IndexError, ValueError):
        return None


class CpuMeter:
    """The share of one core that a changing set of threads used over the last window."""

    def __init__(self, window_s: float = CPU_WINDOW_S) -> None:
        self.window_s = window_s
        self._last: dict[int, float] = {}
        self._samples: list[tuple[float, float]] = []  # (when, CPU seconds in the step)
        self._at: float | None = None

    def sample(self, native_ids: set[int], now: float, extra_cpu_s: float = 0.0) -> float | None:
        """Add what the threads used since the last sample (plus ``extra_cpu_s``
        measured elsewhere); the share over the window, None until it holds a second."""
        used = extra_cpu_s
        current: dict[int, float] = {}
        for tid in native_ids:
            cpu = thread_cpu_s(tid)
            if cpu is None:
                continue
            current[tid] = cpu
            if tid in self._last:
                used += max(0.0, cpu - self._last[tid])
        self._last = current
        if self._at is not None:
            self._samples.append((now, used))
        else:
            self._at = now
        while self._samples and now - self._samples[0][0] > self.window_s:
            self._at = self._samples.pop(0)[0]
        span = now - (self._at if self._at is not None else now)
        if span < 1.0:
            return None
        return sum(cpu for _, cpu in self._samples) / span


class BackgroundWatch:
    """Starts and stops the watchers of cameras on no tile, within the budget.

    ``watch`` and ``unwatch`` are the session's; ``alerting`` gives the cameras with an
    open alert (kept in sight over the budget); ``extra_cpu`` returns the CPU seconds
    analysis took since it was last asked (the motion watchdog's), added to the
    decoders' for the budget's CPU share.
    """

    def __init__(
        self,
        registry: Registry,
        manager: StreamManager,
        watch: Callable[[Camera], bool],
        unwatch: Callable[[str], None],
        alerting: Callable[[], set[str]],
        extra_cpu: Callable[[], float] | None = None,
    ) -> None:
        self.manager = manager
        self._watch, self._unwatch, self._alerting = watch, unwatch, alerting
        self._extra_cpu = extra_cpu
        settings = registry.motion
        self.planner = WatchPlanner(settings.watch_max_cameras, settings.watch_cpu_share)
        self.registry = registry
        self.plan = WatchPlan((), (), self.planner.places)
        #: Off-wall cameras this watch started (and will stop).
        self.ours: set[str] = set()
        self.cpu = CpuMeter()
        self.cpu_share: float | None = None
        self._planned_at = 0.0

    def configure(self, registry: Registry) -> None:
        """A new registry: its budget applies at the next plan."""
        self.registry = registry
        self.planner.configure(registry.motion.watch_max_cameras,
                               registry.motion.watch_cpu_share)
        self._planned_at = 0.0

    def candidates(self) -> list[Candidate]:
        """Enabled cameras that may be watched and that no tile shows."""
        out = []
        alerting = self._alerting()
        for camera in self.registry.cameras:
            if not camera.enabled or not camera.watch:
                continue
            stream = self.manager.get(camera.id)
            if stream is not None and stream.viewers:
                continue
            out.append(Candidate(camera.id, camera.priority, camera.id in alerting,
                                 camera.motion.enabled))
        return out

    def tick(self, now: float | None = None) -> bool:
        """Plan again when it is time; True when it did."""
        now = time.monotonic() if now is None else now
        if now - self._planned_at < PLAN_EVERY_S:
            return False
        self._planned_at = now
        self.cpu_share = self._measure(now)
        self.plan = self.planner.plan(self.candidates(), now, self.cpu_share)
        wanted = set(self.plan.watched)
        for camera_id in sorted(self.ours - wanted):
            stream = self.manager.get(camera_id)
            if stream is not None and stream.viewers:
                continue  # on a tile now: the tile keeps it; ours until it leaves
            self._unwatch(camera_id)
            self.ours.discard(camera_id)
        for camera_id in self.plan.watched:
            camera = self.registry.get(camera_id)
            if camera is not None and camera_id not in self.ours and self._watch(camera):
                self.ours.add(camera_id)
        return True

    def stop(self) -> None:
        """Let every watcher this watch started go."""
        for camera_id in sorted(self.ours):
            self._unwatch(camera_id)
        self.ours.clear()

    def words(self) -> str:
        """What the status bar says of the budget (empty while within it)."""
        return self.plan.words() if self.plan.in_turns else ""

    def _measure(self, now: float) -> float | None:
        ids: set[int] = set()
        for camera_id in self.ours:
            stream = self.manager.get(camera_id)
            if stream is None or stream.viewers:
                continue
            tid = getattr(stream.decoder, "native_id", None)
            if isinstance(tid, int):
                ids.add(tid)
        extra = self._extra_cpu() if self._extra_cpu is not None else 0.0
        return self.cpu.sample(ids, now, extra)
