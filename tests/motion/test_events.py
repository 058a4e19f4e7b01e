"""From detections to events: minimum duration, end, per zone; queues in lanes; the
schedule; the lanes' minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.motion.helpers import START, Scene, camera, run
from videowall.motion.analyser import CameraAnalyser
from videowall.motion.detector import Detection
from videowall.motion.events import CongestionEvent, LaneMinute, MotionEvent
from videowall.motion.lanes import duration_words
from videowall.motion.tracker import MotionTracker, union
from videowall.registry.model import MotionConfig, ScheduleWindow, Zone
from videowall.registry.motion import MotionSettings

BOX = (0.1, 0.1, 0.2, 0.2)
LANE = ((0.1, 0.4), (0.9, 0.4), (0.9, 0.7), (0.1, 0.7))


def _feed(tracker: MotionTracker, moving: set[float], until: float,
          zone: str = "door") -> list[MotionEvent]:
    events = []
    for i in range(round(until * 5)):
        t = i / 5
        boxes = {zone: (BOX,)} if round(t, 1) in moving else {}
        events.extend(tracker.update(Detection(boxes), t))
    return events


def test_motion_starts_after_its_minimum_and_ends_after_its_pause() -> None:
    tracker = MotionTracker("cam", MotionSettings())
    moving = {round(3.0 + i / 5, 1) for i in range(10)}  # 3.0 .. 4.8
    start, end = _feed(tracker, moving, 10)
    assert start == MotionEvent(t=3.0, camera_id="cam", zone="door", box=start.box)
    assert end == MotionEvent(t=3.0, camera_id="cam", zone="door", box=end.box, end_t=4.8,
                              active=False)
    assert start.box == pytest.approx(BOX) and end.box == pytest.approx(BOX)
    assert MotionEvent.kind == "motion"


def test_a_blip_shorter_than_the_minimum_raises_nothing() -> None:
    settings = MotionSettings(min_duration_s=0.5)
    assert _feed(MotionTracker("cam", settings), {3.0, 3.2}, 10) == []
    assert _feed(MotionTracker("cam", settings), {3.0, 3.6, 4.2}, 10) == []
    assert len(_feed(MotionTracker("cam", settings), {3.0, 3.2, 3.4}, 10)) == 2


def test_a_pause_shorter_than_the_end_keeps_one_event() -> None:
    moving = {3.0, 3.2, 3.4, 4.6, 4.8}  # 1.2 s without motion < end_after_s 2 s
    events = _feed(MotionTracker("cam", MotionSettings()), moving, 10)
    assert [(e.t, e.end_t) for e in events] == [(3.0, None), (3.0, 4.8)]


def test_zones_have_their_own_events_and_the_box_is_the_union() -> None:
    tracker = MotionTracker("cam", MotionSettings())
    events = []
    for i in range(30):
        t = i / 5
        boxes = {}
        if 1 <= t < 2:
            boxes["door"] = ((0.1, 0.1, 0.1, 0.1), (0.5, 0.5, 0.1, 0.1))
        if 1.4 <= t < 2.2:
            boxes["gate"] = ((0.6, 0.6, 0.1, 0.1),)
        events.extend(tracker.update(Detection(boxes), t))
    assert [(e.zone, e.t, e.end_t) for e in events] == [
        ("door", 1.0, None), ("gate", 1.4, None), ("door", 1.0, 1.8), ("gate", 1.4, 2.0)]
    assert events[0].box == pytest.approx((0.1, 0.1, 0.5, 0.5))
    assert union([(0, 0, 0.1, 0.1), (0.5, 0.5, 0.5, 0.5)]) == (0, 0, 1.0, 1.0)
    assert tracker.finish() == []


def test_finish_ends_what_goes_on_at_its_last_motion() -> None:
    tracker = MotionTracker("cam", MotionSettings())
    _feed(tracker, {1.0, 1.2, 1.4}, 1.6)
    (end,) = tracker.finish()
    assert (end.t, end.end_t, end.active) == (1.0, 1.4, False)


def test_the_analyser_finds_an_object_entering_a_zone() -> None:
    analyser = CameraAnalyser(camera(MotionConfig(zones=(Zone("door", LANE),))),
                              MotionSettings())
    events = run(analyser, 12, lambda t: [((0.3, 0.45, 0.1, 0.2), 220)] if 4 <= t < 7 else [])
    assert [(e.zone, e.t, e.end_t) for e in events if isinstance(e, MotionEvent)] == [
        ("door", 4.0, None), ("door", 4.0, 6.8)]
    overlay = analyser.overlay()
    assert not overlay.warming and overlay.boxes == ()
    assert [(z.name, z.kind) for z in overlay.zones] == [("door", "zone")]


def test_outside_its_schedule_motion_is_detected_but_does_not_alert() -> None:
    # START is a Monday at noon, UTC; the window covers no hour of Monday in any zone
    motion = MotionConfig(schedule=(ScheduleWindow(("fri",), "00:00", "01:00"),))
    analyser = CameraAnalyser(camera(motion), MotionSettings())
    events = run(analyser, 6, lambda t: [((0.3, 0.45, 0.1, 0.2), 220)] if t >= 3 else [])
    (start,) = [e for e in events if isinstance(e, MotionEvent)]
    assert start.t == 3.0 and not start.alerting


def _queue(t: float) -> list[tuple[tuple[float, float, float, float], int]]:
    """A queue drives into the lane at 2-4 s, stands until 14 s, then drives off."""
    if t < 2:
        return []
    if t < 4:
        return [((0.1, 0.42, 0.8 * (t - 2) / 2, 0.26), 210)]
    if t < 14:
        return [((0.1, 0.42, 0.8, 0.26), 210)]
    left = 0.1 + 0.8 * (t - 14) / 2
    return [((left, 0.42, max(0.0, 0.9 - left), 0.26), 210)] if t < 16 else []


def test_a_lane_that_fills_and_stands_still_is_a_queue_until_it_clears() -> None:
    settings = MotionSettings(congestion_after_s=5)
    analyser = CameraAnalyser(camera(MotionConfig(zones=(Zone("north", LANE, "lane"),))),
                              settings)
    events = run(analyser, 125, _queue)
    queues = [e for e in events if isinstance(e, CongestionEvent)]
    # the lane is under 45% full from 15.1 s; pictures come every 0.2 s
    assert [(e.lane, e.t, e.end_t, e.active) for e in queues] == [
        ("north", 4.0, None, True), ("north", 4.0, pytest.approx(15.1, abs=0.2), False)]
    assert queues[0].detail == "queue in lane 'north' for 5 s, 86% occupied"
    assert queues[1].detail == "queue in lane 'north' cleared after 11 s"
    assert CongestionEvent.kind == "congestion"
    minutes = [e for e in events if isinstance(e, LaneMinute)]
    assert [m.minute for m in minutes] == [START, START + timedelta(minutes=1)]
    first = minutes[0]
    assert first.camera_id == "cam" and first.lane == "north"
    assert first.congested_s == pytest.approx(15.0 - 9.0, abs=0.3)  # judged at 9 s
    assert 0.15 < first.occupancy < 0.25 and 0 < first.moving < 0.1
    assert minutes[1].congested_s == 0 and minutes[1].occupancy < 0.01
    assert not any(isinstance(e, MotionEvent) for e in events)  # lanes only: no motion


def test_traffic_that_flows_raises_nothing() -> None:
    settings = MotionSettings(congestion_after_s=3)
    analyser = CameraAnalyser(camera(MotionConfig(zones=(Zone("north", LANE, "lane"),))),
                              settings)

    def cars(t: float) -> list[tuple[tuple[float, float, float, float], int]]:
        return [(((0.3 * t + k * 0.25) % 1.0, 0.45, 0.2, 0.2), 210) for k in range(3)]

    events = run(analyser, 60, cars)
    assert not [e for e in events if isinstance(e, CongestionEvent)]
    lane = analyser.overlay().lanes[0]
    assert lane.name == "north" and lane.moving and not lane.congested


def test_a_stalled_lane_with_a_change_of_light_learns_the_road_anew() -> None:
    analyser = CameraAnalyser(camera(MotionConfig(zones=(Zone("north", LANE, "lane"),))),
                              MotionSettings(congestion_after_s=3))
    events = run(analyser, 20, lambda t: [], offset=lambda t: 40 if t >= 5 else 0)
    assert events == []
    assert analyser.overlay().lanes[0].occupancy < 0.05


def test_durations_in_words() -> None:
    assert [duration_words(s) for s in (5, 59, 120, 3900)] == ["5 s", "59 s", "2 min",
                                                               "1 h 5 min"]


def test_noise_and_a_scene_alone_raise_nothing() -> None:
    analyser = CameraAnalyser(camera(), MotionSettings())
    assert run(analyser, 60, lambda t: [], Scene(noise=10)) == []
