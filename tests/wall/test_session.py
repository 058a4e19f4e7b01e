"""The wall session runs the wall without a screen: streams, the record of state changes,
the health log, the registry file and the subscribers, all without a widget."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes import FakeFactory, make_registry
from videowall.registry.loader import load_registry
from videowall.registry.model import Registry
from videowall.store import Store, health_history
from videowall.store.records import Alert, AlertChange, AlertState
from videowall.store.writer import WallStore
from videowall.streams.base import StateChanged, StreamEvent, StreamState
from videowall.streams.manager import StreamManager
from videowall.wall.events import AlertChanged, Notice, RegistryChecked, WallEvent
from videowall.wall.session import (
    NOT_WATCHED,
    OFF_THE_WALL,
    WALL_CLOSED,
    WATCH_SIZE,
    WallSession,
    last_live_change,
    resolve_cameras,
)


def wait_for(done: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


class Recorder:
    """A subscriber that keeps what it was handed and on which thread."""

    def __init__(self) -> None:
        self.events: list[WallEvent] = []
        self.threads: set[str] = set()

    def __call__(self, event: WallEvent) -> None:
        self.events.append(event)
        self.threads.add(threading.current_thread().name)

    def states(self, camera_id: str) -> list[tuple[StreamState, str]]:
        return [(e.state, e.detail) for e in self.events
                if isinstance(e, StateChanged) and e.camera_id == camera_id]


@pytest.fixture
def registry() -> Registry:
    return make_registry()


@pytest.fixture
def session(registry: Registry) -> Iterator[WallSession]:
    manager = StreamManager(FakeFactory())
    wall = WallSession(registry, manager)
    yield wall
    wall.close()
    manager.shutdown()


def test_the_health_log_records_a_camera_shown_on_no_tile(
    tmp_path: Path, registry: Registry
) -> None:
    """No widget exists: the session's own thread pumps the camera's state changes into a
    real SQLite store, from the first connection to the stop."""
    db = tmp_path / "videowall.db"
    store = WallStore(str(db))
    session = WallSession(registry, StreamManager(FakeFactory()), store=store)
    try:
        session.start()
        drop = registry.get("drop")
        assert drop is not None and session.watch(drop)
        assert not session.watch(drop)  # watched once
        wait_for(lambda: any(e.state == StreamState.OFFLINE and e.camera_id == "drop"
                             for e in session.events if isinstance(e, StateChanged)))
        assert session.watched() == {"drop"}
        session.unwatch("drop")
        assert session.stream("drop") is None
    finally:
        session.close()
        session.manager.shutdown()
        store.close()
    with Store(db) as reader:
        entries = health_history(reader, "drop")
    states = [(e.state, e.reason) for e in entries]
    assert states[:2] == [("connecting", "opening via fake"), ("live", "fake")]
    assert ("offline", "connection lost") in states
    assert states[-1] == ("stopped", NOT_WATCHED)
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_subscribers_get_typed_events_in_order_on_the_sessions_thread(
    session: WallSession, registry: Registry
) -> None:
    seen = Recorder()
    session.subscribe(seen)
    session.start()
    red = registry.get("red")
    assert red is not None
    session.acquire(red, (320, 180))
    wait_for(lambda: (StreamState.LIVE, "fake") in seen.states("red"))
    assert seen.states("red")[0] == (StreamState.CONNECTING, "opening via fake")
    assert seen.threads == {"wall-session"}
    assert all(isinstance(e, StateChanged) and e.kind == "state" for e in seen.events)
    # The record holds the same changes, with times from the session's start on.
    assert [e for e in session.events if e.camera_id == "red"] == seen.events
    assert all(e.t >= session.started_at for e in session.events)


def test_the_last_release_says_why_the_stream_stopped(
    session: WallSession, registry: Registry
) -> None:
    seen = Recorder()
    session.subscribe(seen)
    red = registry.get("red")
    assert red is not None
    session.acquire(red, (320, 180))
    assert session.acquire(red, (640, 360)) is session.stream("red")  # shared
    session.release("red")
    assert session.stream("red") is not None and seen.states("red") == []
    session.release("red")
    assert session.stream("red") is None
    assert seen.states("red") == [(StreamState.STOPPED, OFF_THE_WALL)]
    session.release("red")  # nothing to release: nothing said
    assert len(seen.states("red")) == 1


def test_a_watched_camera_is_a_watcher_at_key_frames_only_until_a_tile_shows_it(
    session: WallSession, registry: Registry
) -> None:
    red = registry.get("red")
    assert red is not None and session.watch(red)
    stream = session.stream("red")
    assert stream is not None and (stream.viewers, stream.watchers) == (0, 1)
    assert stream.decoder.key_frames_only and stream.decoder.max_size == WATCH_SIZE
    assert session.acquire(red, (640, 360)) is stream  # a tile: a viewer, every frame
    assert (stream.viewers, stream.watchers) == (1, 1) and not stream.decoder.key_frames_only
    session.release("red")  # the tile goes, the watch stays: key frames only again
    assert session.stream("red") is stream and stream.decoder.key_frames_only
    session.unwatch("red")
    assert session.stream("red") is None


def test_a_failing_subscriber_does_not_starve_the_others(
    session: WallSession, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: WallEvent) -> None:
        raise RuntimeError("boom")

    seen = Recorder()
    session.subscribe(broken)
    session.subscribe(seen)
    green = registry.get("green")
    assert green is not None
    session.acquire(green)
    def pumped() -> bool:
        session.pump()
        return bool(seen.states("green"))

    with caplog.at_level(logging.ERROR, logger="videowall.wall.session"):
        wait_for(pumped)
    assert seen.states("green")[0][0] == StreamState.CONNECTING
    assert "a subscriber of the wall session failed" in caplog.text
    session.unsubscribe(broken)
    session.unsubscribe(broken)  # twice: no error


def test_notices_from_any_thread_reach_the_subscribers(session: WallSession) -> None:
    seen = Recorder()
    session.subscribe(seen)
    thread = threading.Thread(target=session.notify, args=("Store not updated: locked",))
    thread.start()
    thread.join()
    assert seen.events == []  # handed on at the next pump, not on the notifying thread
    session.pump()
    assert [e.text for e in seen.events if isinstance(e, Notice)] == ["Store not updated: locked"]


def test_close_lets_every_stream_go_and_stops_its_thread(registry: Registry) -> None:
    factory = FakeFactory()
    manager = StreamManager(factory)
    session = WallSession(registry, manager)
    seen = Recorder()
    session.subscribe(seen)
    session.start()
    assert session.running
    for camera_id in ("red", "green"):
        camera = registry.get(camera_id)
        assert camera is not None
        session.acquire(camera)
        session.acquire(camera)
    session.close()
    assert not session.running and session.closed
    assert session.manager.streams() == []
    assert [s for s in seen.states("red") if s[0] == StreamState.STOPPED] == [
        (StreamState.STOPPED, WALL_CLOSED)
    ]
    session.close()  # twice: nothing more happens
    session.start()  # a closed session does not start again
    assert not session.running
    # A manager passed in stays its owner's: it still works after the close.
    red = registry.get("red")
    assert red is not None
    manager.acquire(red)
    assert manager.get("red") is not None
    manager.shutdown()
    assert manager.streams() == [] and not manager.watchdog._thread


def test_a_session_shuts_down_the_manager_it_made(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    shut: list[StreamManager] = []
    real = StreamManager.shutdown

    def counting(self: StreamManager, timeout: float = 10.0) -> None:
        shut.append(self)
        real(self, timeout)

    monkeypatch.setattr(StreamManager, "shutdown", counting)
    session = WallSession(registry)
    assert session.manager.gate.per_host == registry.health.connections_per_host
    session.close()
    assert shut == [session.manager]


def test_the_session_takes_each_valid_edit_of_its_registry_file(tmp_path: Path) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text(CAMERA_FILE, encoding="utf-8")
    registry = load_registry(path)
    manager = StreamManager(FakeFactory())
    session = WallSession(registry, manager, registry_path=path, watch_interval=0.05)
    seen = Recorder()
    session.subscribe(seen)
    try:
        session.start()
        assert session.watcher is not None and session.watcher.running
        save(path, CAMERA_FILE + "health:\n  connections_per_host: 7\n")
        wait_for(lambda: any(isinstance(e, RegistryChecked) for e in seen.events))
        checked = [e for e in seen.events if isinstance(e, RegistryChecked)]
        assert checked[0].result.registry is session.registry
        assert session.registry.health.connections_per_host == 7
        assert manager.gate.per_host == 7  # the new limit applies at once
        save(path, CAMERA_FILE.replace("rtsp://", "rtps://"))
        wait_for(lambda: len([e for e in seen.events if isinstance(e, RegistryChecked)]) == 2)
        broken = [e for e in seen.events if isinstance(e, RegistryChecked)][1]
        assert broken.result.registry is None and broken.result.errors
        assert session.registry.health.connections_per_host == 7  # nothing changed
    finally:
        session.close()
        manager.shutdown()
    assert not session.watcher.running
    session.watcher.reload_now()  # after the close: checked, but dropped
    session.pump()
    assert len([e for e in seen.events if isinstance(e, RegistryChecked)]) == 2


def test_apply_registry_gives_running_streams_their_new_record(
    session: WallSession, registry: Registry
) -> None:
    class Listener:
        def __init__(self) -> None:
            self.registries: list[Registry] = []

        def registry_applied(self, registry: Registry, notify: Callable[[str], None]) -> None:
            self.registries.append(registry)
            notify("mirrored")

    listener = Listener()
    session.store = listener
    red = registry.get("red")
    assert red is not None
    stream = session.acquire(red)
    renamed = dataclasses.replace(registry, cameras=tuple(
        dataclasses.replace(cam, name="Renamed") if cam.id == "red" else cam
        for cam in registry.cameras
    ))
    session.apply_registry(renamed)
    assert session.registry is renamed and stream.camera.name == "Renamed"
    assert listener.registries == [renamed]
    session.apply_registry(renamed)  # the same registry again: nothing to do
    assert listener.registries == [renamed]
    seen = Recorder()
    session.subscribe(seen)
    session.pump()
    assert [e.text for e in seen.events if isinstance(e, Notice)] == ["mirrored"]


def test_resolve_cameras(registry: Registry) -> None:
    assert [c.id for c in resolve_cameras(registry, None, 3)] == ["red", "green", "blue43"]
    assert [c.id for c in resolve_cameras(registry, ["off", "red"], 4)] == ["off", "red"]
    with pytest.raises(ValueError, match=r"unknown camera ids in test\.yaml: ghost, spook"):
        resolve_cameras(registry, ["ghost", "red", "spook"], 4)
    with pytest.raises(ValueError, match="3 cameras given for a grid of 2 tiles"):
        resolve_cameras(registry, ["red", "green", "off"], 2)


def test_last_live_change() -> None:
    def ev(t: float, state: StreamState) -> StreamEvent:
        return StateChanged(t, "cam", state)

    assert last_live_change([]) is None
    history = [ev(1, StreamState.CONNECTING), ev(2, StreamState.OFFLINE),
               ev(3, StreamState.RECONNECTING)]
    assert last_live_change(history) == 1
    history += [ev(4, StreamState.LIVE), ev(9, StreamState.STALLED),
                ev(10, StreamState.RECONNECTING), ev(12, StreamState.OFFLINE)]
    assert last_live_change(history) == 9
    assert last_live_change([StreamEvent(0.5, "cam"), *history]) == 9  # other kinds pass


CAMERA_FILE = """\
sites:
  rp01: {name: Sudirman junction}
cameras:
  - id: red
    name: Sudirman North
    site: rp01
    url: rtsp://live/red?colour=ff0000
"""


def save(path: Path, text: str) -> None:
    """Save the way most editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class AlertStore:
    """A fake of the store writer's alert side: keeps what it is handed."""

    def __init__(self, carried: list[Alert]) -> None:
        self.carried = carried
        self.kept: list[tuple[Alert, AlertChange]] = []
        self.registries: list[Registry] = []

    def registry_applied(self, registry: Registry, notify: Callable[[str], None]) -> None:
        self.registries.append(registry)

    def alert_event(self, alert: Alert, change: AlertChange) -> None:
        self.kept.append((alert, change))

    def open_alerts(self) -> list[Alert]:
        return list(self.carried)


def test_a_failing_camera_raises_an_alert_for_subscribers_and_the_store(
    registry: Registry,
) -> None:
    carried = Alert(id="01JAAAAAAAAAAAAAAAAAAAAAAA", kind="offline", camera="red",
                    site="rp01", agency="transport", priority=3,
                    first_at=datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
                    last_at=datetime(2026, 11, 29, 8, 0, tzinfo=UTC), members=("red",))
    store = AlertStore([carried])
    manager = StreamManager(FakeFactory())
    session = WallSession(registry, manager, store=store)
    seen = Recorder()
    session.subscribe(seen)
    try:
        session.start()
        assert session.alerts.get(carried.id) == carried  # carried over a restart
        off = registry.get("off")
        assert off is not None
        session.watch(off)  # on no tile: its alert comes all the same
        wait_for(lambda: any(isinstance(e, AlertChanged) for e in seen.events))
        raised = [e.event for e in seen.events if isinstance(e, AlertChanged)]
        assert [(e.change, e.alert.kind, e.alert.camera) for e in raised] == [
            ("raised", "offline", "off")
        ]
        alert = raised[0].alert
        assert alert.state == AlertState.NEW and alert.priority == off.priority
        assert store.kept == [(alert, raised[0].history)]
        done = session.acknowledge([alert.id], "budi", "cable cut, team sent")
        assert [(a.state, a.acknowledged_by, a.note) for a in done] == [
            (AlertState.ACKNOWLEDGED, "budi", "cable cut, team sent")
        ]
        assert store.kept[-1][0] == done[0] and store.kept[-1][1].change == "acknowledged"
        with pytest.raises(KeyError, match="nope"):
            session.acknowledge(["nope"], "budi")
        assert [e.event.change for e in session.alert_events] == ["raised", "acknowledged"]
    finally:
        session.close()
        manager.shutdown()
    # Closing the wall resolves nothing: the alert is still open.
    assert session.alerts.get(alert.id) is not None
    assert session.alerts.get(alert.id).state == AlertState.ACKNOWLEDGED  # type: ignore[union-attr]


def test_alerts_reach_the_real_store_and_come_back_after_a_restart(
    tmp_path: Path, registry: Registry
) -> None:
    db = str(tmp_path / "videowall.db")
    off = registry.get("off")
    assert off is not None

    def run(until: Callable[[WallSession], bool]) -> WallSession:
        store = WallStore(db)
        session = WallSession(registry, StreamManager(FakeFactory()), store=store)
        try:
            session.start()
            session.watch(off)
            wait_for(lambda: until(session))
        finally:
            session.close()
            session.manager.shutdown()
            store.close()
        return session

    first = run(lambda s: bool(s.alerts.open_alerts()))
    (alert,) = first.alerts.open_alerts()
    from videowall.store import Store, acknowledge_alerts, list_alerts

    with Store(db) as store:
        assert [a.id for a in list_alerts(store, state="open")] == [alert.id]
        acknowledge_alerts(store, [alert.id], "sari", "seen on the map")
    # The restarted wall carries the open alert over, with the acknowledgement made on the
    # store meanwhile; the camera still down continues it: no new alert.
    second = run(lambda s: any(isinstance(e, StateChanged) and e.state == StreamState.OFFLINE
                               for e in s.events))
    (again,) = second.alerts.open_alerts()
    assert again.id == alert.id and again.count == 1
    assert (again.acknowledged_by, again.note) == ("sari", "seen on the map")
    assert not [e for e in second.alert_events if e.event.change == "raised"]
