"""One thread that analyses every watched camera's newest picture, ``analysis_fps`` times
a second.

Each camera comes with a callable that returns its newest frame (``slot.peek``: looking
does not count as showing) and its :class:`~videowall.motion.analyser.CameraAnalyser`. A
picture whose ``seq`` did not change since the last round is skipped: a stalled camera
costs nothing. Events go to a sink that must only hand them off (a queue, a session's
inbox). The thread measures the CPU time it takes (``time.thread_time``) so that the
share of a core background watching takes can be held to a budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from videowall.motion.analyser import AnalysisEvent, CameraAnalyser
from videowall.motion.frames import to_grey
from videowall.registry.motion import MotionSettings
from videowall.streams.frame import Frame

log = logging.getLogger(__name__)

#: Returns a camera's newest frame, or None before the first.
FrameSource = Callable[[], Frame | None]
#: Takes the events of one round; must only hand them off.
EventSink = Callable[[Sequence[AnalysisEvent]], None]
#: Seconds over which :attr:`MotionWatchdog.cpu_share` is measured.
CPU_WINDOW_S = 10.0


@dataclass
class _Watched:
    camera_id: str
    source: FrameSource
    analyser: CameraAnalyser
    seq: int = -1


class MotionWatchdog:
    """Analyses the newest picture of each added camera, ``analysis_fps`` times a second.

    The thread starts with the first :meth:`add` and stops at :meth:`stop` (flag, event,
    join). A camera whose analysis raises is logged once and kept; a sink that raises is
    logged once too: a bug in one camera must not blind the wall.
    """

    THREAD_NAME = "motion-watchdog"

    def __init__(self, settings: MotionSettings, sink: EventSink) -> None:
        self.settings = settings
        self._sink = sink
        self._lock = threading.Lock()
        self._watched: dict[str, _Watched] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wake = threading.Event()
        self._failed: set[str] = set()
        self._sink_failed = False
        #: (monotonic time, CPU seconds) of each recent round.
        self._rounds: deque[tuple[float, float]] = deque()
        #: Pictures analysed since the start.
        self.analysed = 0

    def add(self, camera_id: str, frame_source: FrameSource, analyser: CameraAnalyser) -> None:
        """Watch ``camera_id`` (again, with a new source and analyser if it was)."""
        with self._lock:
            self._watched[camera_id] = _Watched(camera_id, frame_source, analyser)
            self._failed.discard(camera_id)
            if self._thread is None and not self._stopping:
                self._wake.clear()
                self._thread = threading.Thread(target=self._loop, name=self.THREAD_NAME,
                                                daemon=True)
                self._thread.start()

    def discard(self, camera_id: str) -> None:
        """Stop watching ``camera_id`` (nothing if it was not watched)."""
        with self._lock:
            self._watched.pop(camera_id, None)
            self._failed.discard(camera_id)

    def configure(self, settings: MotionSettings) -> None:
        """New wall-wide settings: the rate applies from the next round; the analysers
        keep theirs until they are added again."""
        with self._lock:
            self.settings = settings

    def __contains__(self, camera_id: object) -> bool:
        with self._lock:
            return camera_id in self._watched

    def __len__(self) -> int:
        with self._lock:
            return len(self._watched)

    @property
    def cpu_share(self) -> float:
        """Share of one core the thread took over the last :data:`CPU_WINDOW_S`."""
        with self._lock:
            rounds = list(self._rounds)
        if not rounds:
            return 0.0
        span = max(self.settings.interval_s, time.monotonic() - rounds[0][0])
        return sum(cpu for _, cpu in rounds) / span

    def stop(self, timeout: float = 5.0) -> None:
        """Forget every camera and wait for the thread to end."""
        with self._lock:
            self._stopping = True
            self._watched.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def analyse_all(self, now: float | None = None) -> int:
        """One round: each camera's newest unseen picture analysed (the thread calls
        this; tests may call it directly). Returns the pictures analysed."""
        now = time.monotonic() if now is None else now
        utc = datetime.now(UTC)
        with self._lock:
            watched = list(self._watched.values())
            lines = self.settings.analysis_lines
        events: list[AnalysisEvent] = []
        count = 0
        for item in watched:
            try:
                frame = item.source()
                if frame is None or frame.seq == item.seq:
                    continue
                item.seq = frame.seq
                events.extend(item.analyser.analyse(to_grey(frame.image, lines), now, utc))
                count += 1
            except Exception:
                if item.camera_id not in self._failed:
                    self._failed.add(item.camera_id)
                    log.exception("analysing motion of %s failed", item.camera_id)
        self.analysed += count
        if events:
            try:
                self._sink(events)
            except Exception:
                if not self._sink_failed:
                    self._sink_failed = True
                    log.exception("handing motion events on failed")
        return count

    def _loop(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._stopping or self._wake.is_set():
                        self._thread = None
                        return
                    interval = self.settings.interval_s
                started, cpu = time.monotonic(), time.thread_time()
                self.analyse_all(started)
                self._account(started, time.thread_time() - cpu)
                self._wake.wait(max(0.005, interval - (time.monotonic() - started)))
        except Exception:  # never die silently: say so, and let the next add() restart
            log.exception("the motion watchdog stopped")
            with self._lock:
                self._thread = None

    def _account(self, started: float, cpu: float) -> None:
        with self._lock:
            self._rounds.append((started, cpu))
            while self._rounds and self._rounds[0][0] < started - CPU_WINDOW_S:
                self._rounds.popleft()
