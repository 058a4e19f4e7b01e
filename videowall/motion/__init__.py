"""Motion and queues: detectors on small grey pictures, zones, masks and lanes, and one
watcher thread for the wall. Qt-free and store-free: events go to whoever the watcher is
given as its sink.

The names below are the package's public API; :mod:`~videowall.motion.clip` (a clip run
through a camera's analysis) is imported from its module.
"""

from videowall.motion.analyser import AnalysisEvent, CameraAnalyser, LaneState, Overlay, ZoneOutline
from videowall.motion.detector import (
    Detection,
    Mog2,
    MotionDetector,
    MotionRuntime,
    RunningAverage,
    make_detector,
)
from videowall.motion.events import CongestionEvent, LaneMinute, MotionEvent
from videowall.motion.frames import to_grey
from videowall.motion.lanes import Lane
from videowall.motion.tracker import MotionTracker
from videowall.motion.watcher import MotionWatchdog

__all__ = [
    "AnalysisEvent",
    "CameraAnalyser",
    "CongestionEvent",
    "Detection",
    "Lane",
    "LaneMinute",
    "LaneState",
    "Mog2",
    "MotionDetector",
    "MotionEvent",
    "MotionRuntime",
    "MotionTracker",
    "MotionWatchdog",
    "Overlay",
    "RunningAverage",
    "ZoneOutline",
    "make_detector",
    "to_grey",
]
