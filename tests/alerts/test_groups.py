"""Cameras of one site, or behind one host, failing together: one group alert."""

from __future__ import annotations

from videowall.alerts import AlertEngine, AlertEvent
from videowall.registry.alerts import AlertRules
from videowall.registry.model import Camera, Registry

from .helpers import at, camera, changes, down, engine, tick_until, up


def test_56_cameras_of_one_host_are_one_group_alert() -> None:
    cams = [camera(f"c{i:02d}", site="", host="127.0.0.1", port=8554 + i) for i in range(56)]
    eng = engine(*cams)
    events: list[AlertEvent] = []
    for i, cam in enumerate(cams):
        events += eng.report(down(cam.id, i / 56))  # all within one second
    group_id = events[0].alert.id
    assert changes(events) == [("raised", group_id)] + [("updated", group_id)] * 55
    [alert] = eng.open_alerts()
    assert alert.id == group_id and alert.camera == ""
    assert alert.members == tuple(c.id for c in cams)
    assert alert.group == "host:127.0.0.1" and alert.site == ""
    assert alert.count == 56 and alert.agency == "opd"
    assert alert.detail == "56 cameras offline behind 127.0.0.1"
    assert alert.first_at == at(0) and alert.last_at == at(55 / 56)
    assert events[1].history.detail == "c00 and c01 grouped: 2 cameras offline behind 127.0.0.1"
    assert events[-1].history.detail.startswith("c55 joined: 56 cameras offline")


def test_four_cameras_of_one_site_are_one_group() -> None:
    cams = [camera(f"c{i}", host=f"10.0.0.{i}", priority=3 if i else 2) for i in range(4)]
    cams.append(camera("elsewhere", site="rp06"))
    eng = engine(*cams)
    events: list[AlertEvent] = []
    for i, cam in enumerate(cams):
        events += eng.report(down(cam.id, i))
    group = eng.get(events[0].alert.id)
    assert group is not None
    assert (group.group, group.site, group.camera) == ("site:rp05", "rp05", "")
    assert group.members == ("c0", "c1", "c2", "c3")
    assert group.detail == "4 cameras offline"
    assert group.priority == 2  # its most urgent member's
    others = [a for a in eng.open_alerts() if a.id != group.id]
    assert [(a.camera, a.group) for a in others] == [("elsewhere", "")]


def test_a_single_alert_is_folded_into_the_group_as_one_row() -> None:
    eng = engine(camera("a"), camera("b"))
    [raised] = eng.report(down("a", 0))
    assert raised.change == "raised" and raised.alert.camera == "a"
    [folded] = eng.report(down("b", 4.5))
    # the same alert, the same row: it became the group
    assert folded.change == "updated" and folded.alert.id == raised.alert.id
    assert folded.alert.camera == "" and folded.alert.members == ("a", "b")
    assert folded.alert.group == "site:rp05" and folded.alert.count == 2
    assert folded.alert.first_at == at(0) and folded.alert.last_at == at(4.5)
    assert folded.history.change == "updated" and folded.history.count == 2
    assert [a.id for a in eng.open_alerts()] == [raised.alert.id]


def test_failures_further_apart_than_the_window_stay_single() -> None:
    eng = engine(camera("a"), camera("b"), rules=AlertRules(group_window_s=2.0))
    eng.report(down("a", 0))
    [second] = eng.report(down("b", 2.5))
    assert second.change == "raised"
    assert sorted(a.camera for a in eng.open_alerts()) == ["a", "b"]


def test_later_failures_join_the_open_group_and_an_old_single_stays_apart() -> None:
    eng = engine(camera("old"), camera("a"), camera("b"), camera("late"))
    [old] = eng.report(down("old", 0))
    [group] = eng.report(down("a", 100))
    assert group.change == "raised"  # 'old' began long before the window
    eng.report(down("b", 101))
    [joined] = eng.report(down("late", 400))
    assert joined.change == "updated" and joined.alert.id == group.alert.id
    assert joined.alert.members == ("a", "b", "late") and joined.alert.count == 3
    assert eng.get(old.alert.id).members == ("old",)  # type: ignore[union-attr]


def test_groups_are_per_kind_and_grace_raised_failures_group_too() -> None:
    eng = engine(camera("a"), camera("b"))
    eng.report(down("a", 0, "offline"))
    eng.report(down("b", 0.5, "stalled"))
    eng.report(down("a", 1, "stalled"))
    timeline = tick_until(eng, 0, 10)
    assert [(t, e.change) for t, e in timeline] == [(3.5, "raised"), (4.0, "updated")]
    stalled = timeline[-1][1].alert
    assert stalled.members == ("b", "a") and stalled.kind == "stalled"
    offline = [a for a in eng.open_alerts() if a.kind == "offline"]
    assert [(a.camera, a.members) for a in offline] == [("a", ("a",))]


def test_a_repeat_of_a_member_counts_into_its_group() -> None:
    eng = engine(camera("a"), camera("b"))
    eng.report(down("a", 0))
    eng.report(down("b", 1))
    eng.report(up("a", 2))
    [again] = eng.report(down("a", 3))
    assert again.change == "updated" and again.alert.count == 3
    assert again.alert.members == ("a", "b") and len(eng.open_alerts()) == 1


def test_motion_does_not_group() -> None:
    eng = engine(camera("a"), camera("b"))
    eng.report(down("a", 0, "motion", "movement in zone 1"))
    [second] = eng.report(down("b", 1, "motion", "movement in zone 1"))
    assert second.change == "raised" and second.alert.camera == "b"


def test_a_camera_with_neither_site_nor_host_never_groups() -> None:
    cams = [Camera(c, c, "", "udp://@:5004") for c in ("u1", "u2")]
    eng = AlertEngine(AlertRules(), Registry(cameras=tuple(cams)))
    eng.report(down("u1", 0))
    [second] = eng.report(down("u2", 0.1))
    assert second.change == "raised"
