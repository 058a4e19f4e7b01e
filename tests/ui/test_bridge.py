"""The one bridge from the session into the GUI thread: events arrive in order, once, and
several changes of one alert waiting together arrive as the newest."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from videowall.alerts import AlertEvent
from videowall.registry.model import Registry
from videowall.store.records import Alert, AlertChange, AlertState
from videowall.streams.base import StateChanged, StreamState
from videowall.streams.manager import StreamManager
from videowall.ui.bridge import SessionBridge
from videowall.wall.events import AlertChanged, Notice
from videowall.wall.session import WallSession

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def changed(alert: Alert, change: str = "updated") -> AlertChanged:
    history = AlertChange(alert.id, T0, change, alert.state, alert.count)
    return AlertChanged(time.monotonic(), AlertEvent(change, alert, history))  # type: ignore[arg-type]


def test_events_cross_in_order_and_alert_changes_fold(
    qtbot: QtBot, registry: Registry, manager: StreamManager
) -> None:
    session = WallSession(registry, manager)
    bridge = SessionBridge(session)
    got: list[object] = []
    bridge.state_changed.connect(got.append)
    bridge.alert_changed.connect(lambda event: got.append(event.alert))
    bridge.notice_posted.connect(got.append)
    group = Alert(id="01G", kind="offline", camera="", site="rp05", agency="", priority=2,
                  first_at=T0, last_at=T0, members=("a",), state=AlertState.NEW)
    other = dataclasses.replace(group, id="01H", members=("z",))
    grown = [dataclasses.replace(group, members=("a", "b"), count=2),
             dataclasses.replace(group, members=("a", "b", "c"), count=3)]
    state = StateChanged(1.0, "a", StreamState.OFFLINE, "connection refused")
    for event in (state, changed(group, "raised"), changed(other, "raised"),
                  changed(grown[0]), Notice(2.0, "store locked"), changed(grown[1])):
        bridge._on_session_event(event)  # as the session's thread does
    bridge.deliver()
    assert got == [state, other, "store locked", grown[1]]
    bridge.deliver()  # nothing waits: nothing more
    assert len(got) == 4
    # From another thread: the bridge wakes the GUI thread by itself.
    session.notify("again")
    session.pump()
    qtbot.waitUntil(lambda: got[-1] == "again", timeout=2000)
    bridge.detach()
    session.close()
