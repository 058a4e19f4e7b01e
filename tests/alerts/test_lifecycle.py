"""How alerts resolve, wait for and take acknowledgements, come back after a restart,
and follow a reloaded registry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from videowall.alerts import Signal
from videowall.registry.alerts import AlertRules, KindRule
from videowall.store.records import Alert, AlertState

from .helpers import at, camera, changes, down, engine, registry, tick_until, up


def test_an_alert_resolves_once_live_for_resolve_after_s_and_not_before() -> None:
    eng = engine(camera("c1"))
    [raised] = eng.report(down("c1", 0))
    eng.report(up("c1", 20))
    timeline = tick_until(eng, 20, 40)
    assert [(t, e.change) for t, e in timeline] == [(30.0, "resolved")]  # default: 10 s
    alert = timeline[0][1].alert
    assert alert.id == raised.alert.id and alert.state == AlertState.RESOLVED
    assert alert.resolved_at == at(30) and not alert.open
    assert timeline[0][1].history.detail == "clear again; lasted 30 s"
    assert eng.open_alerts() == []


def test_coming_back_before_resolution_counts_and_restarts_the_wait() -> None:
    eng = engine(camera("c1"), rules=AlertRules(resolve_after_s=5.0))
    eng.report(down("c1", 0))
    eng.report(up("c1", 1))
    assert tick_until(eng, 1, 5.75) == []
    eng.report(down("c1", 5.9))
    eng.report(up("c1", 6))
    timeline = tick_until(eng, 6, 20)
    assert [(t, e.change, e.alert.count) for t, e in timeline] == [(11.0, "resolved", 2)]
    [again] = eng.report(down("c1", 30))  # a new alert once resolved
    assert again.change == "raised" and again.alert.id != timeline[0][1].alert.id


def test_a_group_resolves_when_all_its_members_are_live() -> None:
    eng = engine(camera("a"), camera("b"))
    eng.report(down("a", 0))
    eng.report(down("b", 1))
    eng.report(up("a", 2))
    assert tick_until(eng, 2, 30) == []  # b is still offline
    eng.report(up("b", 31))
    timeline = tick_until(eng, 31, 50)
    assert [(t, e.change) for t, e in timeline] == [(41.0, "resolved")]
    assert timeline[0][1].alert.members == ("a", "b")


@pytest.mark.parametrize(("priority", "needs_ack"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_resolved_alert_needs_an_ack_by_its_priority(priority: int, needs_ack: bool) -> None:
    eng = engine(camera("c1", priority=priority))
    [raised] = eng.report(down("c1", 0))
    eng.report(up("c1", 1))
    [resolved] = eng.tick(at(11))
    assert resolved.alert.needs_ack is needs_ack
    assert resolved.alert.unacknowledged is needs_ack
    assert eng.get(raised.alert.id) == resolved.alert


def test_the_ack_setting_is_followed() -> None:
    eng = engine(camera("c1", priority=4), rules=AlertRules(ack_resolved_up_to=4))
    eng.report(down("c1", 0))
    eng.report(up("c1", 1))
    assert eng.tick(at(11))[0].alert.needs_ack


def test_acknowledging_a_group_acknowledges_it_and_it_still_counts_and_resolves() -> None:
    eng = engine(camera("a", priority=1), camera("b"))
    eng.report(down("a", 0))
    [group] = eng.report(down("b", 1))
    [ack] = eng.acknowledge([group.alert.id], "maria", "switch rebooting", at(5))
    assert ack.change == "acknowledged" and ack.alert.state == AlertState.ACKNOWLEDGED
    assert (ack.alert.acknowledged_by, ack.alert.acknowledged_at, ack.alert.note) == (
        "maria", at(5), "switch rebooting")
    assert not ack.alert.needs_ack and not ack.alert.unacknowledged
    assert (ack.history.by, ack.history.note, ack.history.state) == (
        "maria", "switch rebooting", AlertState.ACKNOWLEDGED)
    assert eng.acknowledge([group.alert.id], "tom", "", at(6)) == []  # once is enough
    eng.report(up("a", 7))
    [again] = eng.report(down("a", 8))
    assert again.alert.state == AlertState.ACKNOWLEDGED and again.alert.count == 3
    eng.report(up("a", 9))
    eng.report(up("b", 9))
    [resolved] = eng.tick(at(19))
    assert resolved.alert.state == AlertState.RESOLVED and not resolved.alert.needs_ack
    assert resolved.alert.acknowledged_by == "maria"


def test_acknowledging_unknown_ids_names_them_and_changes_nothing() -> None:
    eng = engine(camera("c1"))
    [raised] = eng.report(down("c1", 0))
    with pytest.raises(KeyError, match="01NOPE, 01GONE"):
        eng.acknowledge([raised.alert.id, "01NOPE", "01GONE"], "maria", "", at(1))
    assert eng.get(raised.alert.id) == raised.alert


def test_a_resolved_alert_waiting_for_an_ack_takes_it_and_stays_resolved() -> None:
    eng = engine(camera("c1", priority=1))
    [raised] = eng.report(down("c1", 0))
    eng.report(up("c1", 1))
    eng.tick(at(11))
    [ack] = eng.acknowledge([raised.alert.id], "maria", "seen", at(20))
    assert ack.alert.state == AlertState.RESOLVED and ack.alert.acknowledged_at == at(20)
    assert not ack.alert.needs_ack and not ack.alert.unacknowledged


def stored(alert_id: str, cam: str, **fields: object) -> Alert:
    base = Alert(id=alert_id, kind="offline", camera=cam, site="rp05", agency="opd",
                 priority=3, first_at=at(-600), last_at=at(-300), count=4, members=(cam,),
                 detail="connection refused")
    return replace(base, **fields)  # type: ignore[arg-type]


def test_restored_alerts_stay_open_take_repeats_and_resolve() -> None:
    eng = engine(camera("c1"), camera("a"), camera("b"), camera("c"))
    single = stored("01JA0000000000000000000001", "c1")
    group = stored("01JA0000000000000000000002", "", members=("a", "b"), group="site:rp05",
                   state=AlertState.ACKNOWLEDGED, acknowledged_by="tom",
                   acknowledged_at=at(-200))
    done = stored("01JA0000000000000000000003", "c1", state=AlertState.RESOLVED,
                  resolved_at=at(-100), priority=1)
    eng.restore([single, group, done])
    assert eng.open_alerts() == [single, group]
    assert eng.report(down("c1", 0)) == []  # still offline since before the restart
    eng.report(up("c1", 1))
    assert changes(eng.report(down("c1", 2))) == [("updated", single.id)]
    assert eng.get(single.id).count == 5  # type: ignore[union-attr]
    [joined] = eng.report(down("c", 3))  # the restored group is open: c joins it
    assert joined.alert.id == group.id and joined.alert.members == ("a", "b", "c")
    assert joined.alert.state == AlertState.ACKNOWLEDGED
    eng.report(up("c1", 4))
    assert changes(eng.tick(at(14))) == [("resolved", single.id)]
    assert changes(eng.acknowledge([done.id], "maria", "", at(15))) == [("acknowledged", done.id)]
    eng.restore([single])  # known ids are skipped
    assert eng.get(single.id).state == AlertState.RESOLVED  # type: ignore[union-attr]


def test_configure_applies_new_rules_and_registry() -> None:
    eng = engine(camera("c1"), camera("c2", site="rp06"))
    eng.report(down("c1", 0, "stalled"))
    eng.report(down("c2", 0, "stalled"))
    rules = AlertRules(kinds={"stalled": KindRule(grace_s=1.0, priority_offset=-1)},
                       group_window_s=0.0)
    eng.configure(rules, registry(camera("c1"), camera("c2", site="rp06", alerts=False)))
    timeline = tick_until(eng, 0, 5)
    assert [(t, e.change, e.alert.camera, e.alert.priority) for t, e in timeline] == [
        (1.0, "raised", "c1", 2)]
    assert eng.report(Signal("c1", "unauthorized", at(6), True, "")) != []


def test_unacknowledged_lists_open_and_resolved_alerts_waiting_for_an_ack() -> None:
    eng = engine(camera("urgent", priority=1, site="rp06"), camera("calm", priority=4),
                 camera("seen"))
    [urgent] = eng.report(down("urgent", 0))
    eng.report(down("calm", 0))
    [seen] = eng.report(down("seen", 100))
    eng.acknowledge([seen.alert.id], "maria", "", at(101))
    assert [a.camera for a in eng.unacknowledged()] == ["urgent", "calm"]
    eng.report(up("urgent", 110))
    eng.report(up("calm", 110))
    eng.tick(at(120))
    assert [a.id for a in eng.unacknowledged()] == [urgent.alert.id]  # priority 1 waits
    eng.acknowledge([urgent.alert.id], "maria", "", at(121))
    assert eng.unacknowledged() == []
