"""The alarm tile's queue: most urgent first, turns by dwell, back home after acknowledgement
or the timeout, pin and skip."""

from __future__ import annotations

from datetime import UTC, datetime

from videowall.store.records import Alert
from videowall.wall.alarm import AlarmQueue, raised_camera

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def alert(alert_id: str, camera: str, priority: int = 3, members: tuple[str, ...] = ()) -> Alert:
    return Alert(id=alert_id, kind="offline", camera=camera, site="rp01", agency="dishub",
                 priority=priority, first_at=T0, last_at=T0, members=members or (camera,))


def test_the_most_urgent_first_then_back_home() -> None:
    queue = AlarmQueue(dwell_s=10, return_after_s=0)
    assert queue.tick(0.0) is None
    assert queue.add(alert("a", "cam-a", priority=3), 0.0)
    assert queue.tick(0.1) == "cam-a"
    assert queue.add(alert("b", "cam-b", priority=1), 1.0)
    assert queue.tick(1.1) == "cam-b"  # more urgent: at once
    assert queue.tick(50.0) == "cam-b"  # still the most urgent; no timeout set
    queue.remove("b")  # acknowledged
    assert queue.tick(50.1) == "cam-a"
    queue.remove("a")
    assert queue.tick(50.2) is None and len(queue) == 0


def test_equal_urgency_takes_turns_by_dwell() -> None:
    queue = AlarmQueue(dwell_s=10, return_after_s=0)
    for name in ("a", "b", "c"):
        queue.add(alert(name, f"cam-{name}"), 0.0)
    shown = [queue.tick(t) for t in (0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0)]
    assert shown == ["cam-a", "cam-a", "cam-b", "cam-b", "cam-c", "cam-a", "cam-b"]


def test_an_old_alert_leaves_after_the_timeout_unless_pinned() -> None:
    queue = AlarmQueue(dwell_s=10, return_after_s=60)
    queue.add(alert("a", "cam-a"), 0.0)
    assert queue.tick(1.0) == "cam-a"
    queue.pin()
    assert queue.pinned
    assert queue.tick(61.0) == "cam-a"  # pinned: stays
    queue.pin(False)
    assert queue.tick(62.0) is None


def test_skip_and_updates() -> None:
    queue = AlarmQueue(dwell_s=100, return_after_s=0)
    queue.add(alert("a", "cam-a"), 0.0)
    queue.add(alert("b", "cam-b"), 0.0)
    assert queue.tick(0.0) == "cam-a"
    queue.skip(1.0)
    assert queue.camera() == "cam-b" and queue.alert_id() == "b"
    assert not queue.add(alert("a", "cam-a", priority=1), 2.0)  # known: takes the priority
    assert queue.tick(2.0) == "cam-a"


def test_a_group_raises_its_first_member() -> None:
    group = alert("g", "", members=("rp05-n", "rp05-s"))
    assert raised_camera(group) == "rp05-n"
    queue = AlarmQueue()
    assert queue.add(group, 0.0) and queue.tick(0.0) == "rp05-n"
    assert not queue.add(Alert(id="x", kind="offline", camera="", site="", agency="",
                               priority=1, first_at=T0, last_at=T0), 0.0)


def test_the_operator_brings_a_camera_forward_pinned() -> None:
    queue = AlarmQueue(dwell_s=1, return_after_s=0)
    queue.add(alert("a", "cam-a", priority=1), 0.0)
    assert queue.tick(0.0) == "cam-a"
    queue.bring(alert("b", "cam-b", priority=4), 1.0)
    assert queue.camera() == "cam-b" and queue.pinned
    assert queue.tick(30.0) == "cam-b"  # pinned: the more urgent one waits
    queue.remove("b")
    assert queue.tick(31.0) == "cam-a"
