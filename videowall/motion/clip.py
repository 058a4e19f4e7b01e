"""A clip (or a stream) run through one camera's motion analysis, as fast as it decodes.

Pictures are taken at the analysis rate by their timestamps, so a file is judged as the
wall would judge it live, only sooner; times are seconds from the clip's first picture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from videowall.motion.analyser import AnalysisEvent, CameraAnalyser
from videowall.motion.events import CongestionEvent, LaneMinute, MotionEvent
from videowall.motion.frames import to_grey
from videowall.registry.model import Camera, MotionConfig
from videowall.registry.motion import MotionSettings

#: The camera of a clip run without ``--camera``: motion on, over the whole picture.
CLIP_CAMERA = Camera(id="clip", name="clip", site="", url="file:clip", motion=MotionConfig())
#: Seconds a stream may take to open or to send its next packet.
OPEN_TIMEOUT_S = 15.0


class ClipError(Exception):
    """The clip cannot be read: its words say why."""


@dataclass
class ClipRun:
    """What a clip showed: each event once (a start with its end, where it ended), the
    lanes' minutes, and how much was analysed."""

    events: list[MotionEvent | CongestionEvent] = field(default_factory=list)
    minutes: list[LaneMinute] = field(default_factory=list)
    analysed: int = 0
    seconds: float = 0.0

    def add(self, reports: list[AnalysisEvent]) -> None:
        """Fold the reports of one picture in: an end replaces its start."""
        for report in reports:
            if isinstance(report, LaneMinute):
                self.minutes.append(report)
                continue
            if report.end_t is not None:
                for index, known in enumerate(self.events):
                    if _same(known, report) and known.end_t is None:
                        self.events[index] = report
                        break
                else:
                    self.events.append(report)
            else:
                self.events.append(report)


def _same(a: MotionEvent | CongestionEvent, b: MotionEvent | CongestionEvent) -> bool:
    return type(a) is type(b) and a.t == b.t and _where(a) == _where(b)


def _where(event: MotionEvent | CongestionEvent) -> str:
    return event.zone if isinstance(event, MotionEvent) else event.lane


def event_record(event: MotionEvent | CongestionEvent) -> dict[str, Any]:
    """``videowall motion test --json``: one event as plain data, times in seconds."""
    record: dict[str, Any] = {"kind": event.kind, "camera": event.camera_id}
    if isinstance(event, MotionEvent):
        record["zone"] = event.zone
        record["box"] = [round(v, 4) for v in event.box]
        detail = "" if event.alerting else "outside the schedule: no alert"
    else:
        record["lane"] = event.lane
        record["box"] = None
        detail = event.detail
    record.update(t=round(event.t, 3),
                  end_t=None if event.end_t is None else round(event.end_t, 3), detail=detail)
    return record


def _pictures(source: str, duration: float | None) -> Iterator[tuple[float, Any]]:
    """``(seconds from the first picture, BGRA array)`` of each decoded picture."""
    import av

    try:
        container = av.open(source, timeout=OPEN_TIMEOUT_S)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ClipError(str(exc)) from None
    with container:
        if not container.streams.video:
            raise ClipError("it holds no video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        first: float | None = None
        index = 0
        rate = float(stream.average_rate or 25)
        try:
            for frame in container.decode(stream):
                at = frame.time if frame.time is not None else index / rate
                index += 1
                first = at if first is None else first
                seconds = at - first
                if duration is not None and seconds >= duration:
                    return
                yield seconds, frame
        except (av.error.FFmpegError, OSError) as exc:
            if first is None:
                raise ClipError(str(exc)) from None
            # a clip that breaks off: what was decoded counts


def analyse_clip(source: str, camera: Camera = CLIP_CAMERA,
                 settings: MotionSettings | None = None,
                 duration: float | None = None) -> ClipRun:
    """Run ``source`` (a file or a stream URL) through ``camera``'s motion analysis.

    Raises :class:`ClipError` when not a picture can be read.
    """
    settings = settings or MotionSettings()
    analyser = CameraAnalyser(camera, settings)
    interval = settings.interval_s
    run = ClipRun()
    start = datetime.now(UTC)
    due = 0.0
    seconds = 0.0
    for seconds, frame in _pictures(source, duration):
        if seconds + 1e-6 < due:
            continue
        due = due + interval if due + interval > seconds else seconds + interval
        image = frame.to_ndarray(format="bgra")
        grey = to_grey(image, settings.analysis_lines)
        run.add(analyser.analyse(grey, seconds, start + timedelta(seconds=seconds)))
        run.analysed += 1
    if run.analysed == 0:
        raise ClipError("not a picture could be decoded")
    run.add(analyser.finish(start + timedelta(seconds=seconds)))
    run.seconds = seconds
    return run


def with_camera_motion(camera: Camera) -> Camera:
    """``camera`` with motion on (a ``motion test`` judges what it would see)."""
    if camera.motion.enabled:
        return camera
    return dataclasses.replace(camera, motion=dataclasses.replace(camera.motion, enabled=True))
