"""The watcher: one thread for every camera, new pictures only, events handed off, its CPU
measured, a failing camera logged once and kept."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pytest

from tests.motion.helpers import camera
from videowall.motion.analyser import AnalysisEvent, CameraAnalyser
from videowall.motion.events import MotionEvent
from videowall.motion.frames import Grey
from videowall.motion.watcher import MotionWatchdog, _Watched
from videowall.registry.motion import MotionSettings
from videowall.streams.frame import Frame, FrameSlot


class _Counting(CameraAnalyser):
    def __init__(self) -> None:
        super().__init__(camera(), MotionSettings())
        self.seen = 0

    def analyse(self, grey: Grey, t: float, utc: datetime) -> list[AnalysisEvent]:
        self.seen += 1
        assert grey.shape == (144, 256)
        return [MotionEvent(t=t, camera_id="cam", zone="frame")]


def _picture(level: int = 100) -> np.ndarray:
    return np.full((360, 640, 4), level, np.uint8)


def test_a_round_analyses_only_new_pictures_and_hands_the_events_on() -> None:
    got: list[Sequence[AnalysisEvent]] = []
    watchdog = MotionWatchdog(MotionSettings(), got.append)
    slot = FrameSlot()
    analyser = _Counting()
    watchdog._watched["cam"] = _Watched("cam", slot.peek, analyser)  # no thread: by hand
    assert watchdog.analyse_all(1.0) == 0  # no picture yet
    slot.publish(_picture())
    assert watchdog.analyse_all(1.2) == 1
    assert watchdog.analyse_all(1.4) == 0  # the same picture: skipped
    slot.publish(_picture())
    assert watchdog.analyse_all(1.6) == 1
    assert analyser.seen == 2 and [len(e) for e in got] == [1, 1]


def test_the_thread_watches_until_it_is_stopped(caplog: pytest.LogCaptureFixture) -> None:
    got: list[AnalysisEvent] = []
    done = threading.Event()

    def sink(events: Sequence[AnalysisEvent]) -> None:
        got.extend(events)
        if len(got) >= 3:
            done.set()

    watchdog = MotionWatchdog(MotionSettings(analysis_fps=25), sink)
    frames = iter(range(1, 1_000_000))

    def source() -> Frame:
        return Frame(_picture(), next(frames), time.monotonic(), 16 / 9)

    def broken() -> Frame:
        raise RuntimeError("decoder gone")

    caplog.set_level(logging.ERROR, "videowall.motion.watcher")
    watchdog.add("cam", source, _Counting())
    watchdog.add("bad", broken, _Counting())
    assert "cam" in watchdog and len(watchdog) == 2
    try:
        assert done.wait(5)
        deadline = time.monotonic() + 5
        while watchdog.cpu_share == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0 < watchdog.cpu_share < 1
        watchdog.discard("bad")
        assert "bad" not in watchdog
        watchdog.configure(MotionSettings(analysis_fps=10))
        assert watchdog.settings.analysis_fps == 10
    finally:
        watchdog.stop()
    assert not any(t.name == MotionWatchdog.THREAD_NAME for t in threading.enumerate())
    failures = [r for r in caplog.records if "analysing motion of bad failed" in r.message]
    assert len(failures) == 1  # logged once, however many rounds
    caplog.clear()  # the expected error, said once
