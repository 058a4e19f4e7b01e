"""Which alerts one camera raises, and when: at once, after a grace period, or never."""

from __future__ import annotations

from videowall.alerts import health_signals
from videowall.registry.alerts import AlertRules, KindRule
from videowall.store.records import AlertState
from videowall.streams.base import StreamState

from .helpers import at, camera, changes, down, engine, registry, tick_until, up


def test_a_killed_camera_raises_offline_at_once() -> None:
    eng = engine(camera("c1", priority=2))
    assert eng.report(up("c1", 0)) == []
    events = eng.report(down("c1", 10))
    assert [e.change for e in events] == ["raised"]
    alert = events[0].alert
    assert (alert.kind, alert.camera, alert.site, alert.agency) == ("offline", "c1", "rp05", "opd")
    assert (alert.priority, alert.count, alert.state) == (2, 1, AlertState.NEW)
    assert alert.first_at == alert.last_at == at(10)
    assert alert.members == ("c1",) and alert.group == ""
    assert alert.detail == "connection refused"
    assert alert.needs_ack and alert.unacknowledged and alert.open
    assert len(alert.id) == 26
    history = events[0].history
    assert (history.alert_id, history.at, history.change, history.state) == (
        alert.id, at(10), "raised", AlertState.NEW)
    assert eng.open_alerts() == [alert]
    assert eng.get(alert.id) == alert
    assert tick_until(eng, 10, 30) == []  # still offline: nothing more


def test_a_flapping_camera_is_one_alert_with_a_count() -> None:
    eng = engine(camera("c1"))
    events = []
    for i in range(10):
        events += eng.report(down("c1", 6 * i))
        events += eng.report(up("c1", 6 * i + 3))
        events += eng.tick(at(6 * i + 4))
    first = events[0].alert.id
    assert changes(events) == [("raised", first)] + [("updated", first)] * 9
    [alert] = eng.open_alerts()
    assert (alert.id, alert.count, alert.first_at, alert.last_at) == (first, 10, at(0), at(54))
    assert [e.history.count for e in events] == list(range(1, 11))


def test_the_same_condition_again_without_clearing_counts_nothing() -> None:
    eng = engine(camera("c1"))
    events = eng.report(down("c1", 0))
    for seconds in (2, 5, 9):  # retrying: offline, reconnecting, offline...
        events += [e for s in health_signals("c1", StreamState.RECONNECTING, "", at(seconds))
                   for e in eng.report(s)]
        events += [e for s in health_signals("c1", StreamState.OFFLINE, "refused", at(seconds + 1))
                   for e in eng.report(s)]
    assert [e.change for e in events] == ["raised"]
    assert eng.open_alerts()[0].count == 1


def test_a_stall_shorter_than_its_grace_raises_nothing() -> None:
    eng = engine(camera("c1"))
    assert eng.report(down("c1", 0, "stalled", "no picture for 4 s")) == []
    timeline = tick_until(eng, 0, 2.5)
    assert eng.report(up("c1", 2.75, "stalled")) == []
    timeline += tick_until(eng, 2.75, 60)
    assert timeline == [] and eng.open_alerts() == []


def test_a_stall_longer_than_its_grace_raises_when_the_grace_is_over() -> None:
    eng = engine(camera("c1"))
    eng.report(down("c1", 1, "stalled", "no picture for 4 s"))
    timeline = tick_until(eng, 1, 10)
    assert [(t, e.change) for t, e in timeline] == [(4.0, "raised")]  # grace: 3 s
    alert = timeline[0][1].alert
    assert (alert.kind, alert.first_at, alert.detail) == ("stalled", at(1), "no picture for 4 s")
    assert timeline[0][1].history.at == at(4)


def test_frozen_raises_after_its_grace_and_unauthorized_at_once() -> None:
    eng = engine(camera("c1"), camera("c2"))
    eng.report(down("c1", 0, "frozen", "the picture has not changed for 20 s"))
    raised = eng.report(down("c2", 0.5, "unauthorized", "wrong user name or password"))
    assert [(e.change, e.alert.kind, e.alert.camera) for e in raised] == [
        ("raised", "unauthorized", "c2")]
    timeline = tick_until(eng, 0, 20)
    assert [(t, e.change, e.alert.kind) for t, e in timeline] == [(5.0, "raised", "frozen")]


def test_kinds_of_one_camera_are_separate_alerts() -> None:
    eng = engine(camera("c1"))
    eng.report(down("c1", 0, "offline"))
    eng.report(down("c1", 1, "unauthorized"))
    assert sorted(a.kind for a in eng.open_alerts()) == ["offline", "unauthorized"]


def test_priority_is_the_cameras_plus_the_kinds_offset_clamped() -> None:
    rules = AlertRules(kinds={"offline": KindRule(priority_offset=-2),
                              "unauthorized": KindRule(priority_offset=4)})
    eng = engine(camera("c1", priority=2), camera("c2", priority=4), rules=rules)
    assert eng.report(down("c1", 0))[0].alert.priority == 1
    assert eng.report(down("c2", 0, "unauthorized"))[0].alert.priority == 5
    assert eng.report(down("c1", 1, "motion"))[0].alert.priority == 2  # unnamed kind: +0


def test_cameras_nobody_must_be_alarmed_by_raise_nothing() -> None:
    eng = engine(camera("muted", alerts=False), camera("fire1", agency="fire", site="rp06"))
    reg = registry(camera("muted", alerts=False), camera("fire1", agency="fire", site="rp06"),
                   muted_agency=True)
    eng.configure(AlertRules(), reg)
    assert eng.report(down("muted", 0)) == []
    assert eng.report(down("fire1", 0)) == []
    assert eng.report(down("nobody", 0)) == []  # not in the registry
    assert tick_until(eng, 0, 20) == [] and eng.open_alerts() == []


def test_an_agency_that_alarms_does_raise() -> None:
    eng = engine(camera("fire1", agency="fire", site="rp06"))
    assert [e.change for e in eng.report(down("fire1", 0))] == ["raised"]
