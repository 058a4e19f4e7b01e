"""The store's writer: state changes reach a real SQLite store in batches, off the caller's
thread, and a store that cannot be written is said in words and caught up on; registries
are mirrored by the same thread into the same store."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.store.locking import write_lock_held
from videowall.registry.model import Camera, Registry, Site
from videowall.store import (
    Alert,
    AlertChange,
    AlertState,
    HealthEntry,
    LaneMinute,
    Store,
    SyncResult,
    alert_history,
    cameras,
    health_history,
    lane_minutes,
    list_alerts,
)
from videowall.store import spill as store_spill
from videowall.store import writer as store_writer
from videowall.store.writer import StoreWriter, WallStore, entry_of
from videowall.streams.base import StateChanged, StreamEvent, StreamState


def event(camera_id: str, state: StreamState, detail: str = "", ago: float = 0.0) -> StreamEvent:
    return StateChanged(time.monotonic() - ago, camera_id, state, detail)


def history(path: Path, camera_id: str) -> list[HealthEntry]:
    with Store(path) as store:
        return health_history(store, camera_id)


def test_entry_of_turns_monotonic_time_into_utc() -> None:
    now_utc = datetime(2024, 5, 1, 8, 0, 10, tzinfo=UTC)
    entry = entry_of(StateChanged(990.0, "cam", StreamState.STALLED, "no picture"),
                     now_monotonic=1000.0, now_utc=now_utc)
    assert entry == HealthEntry("cam", datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC), "stalled",
                                "no picture")


def test_state_changes_reach_the_store_in_order(tmp_path: Path) -> None:
    path = tmp_path / "data" / "videowall.db"
    log = StoreWriter(str(path), interval=0.05)
    log.stream_event(event("cam", StreamState.CONNECTING, "opening via fake", ago=3))
    log.stream_event(event("cam", StreamState.LIVE, "fake", ago=2))
    log.stream_event(StreamEvent(time.monotonic(), "cam"))  # not a state change: ignored
    log.stream_event(event("cam", StreamState.FROZEN, "picture unchanged", ago=1))
    log.stream_event(event("other", StreamState.OFFLINE, "connection refused"))
    log.close()
    assert log.written == 4 and log.dropped == 0
    entries = history(path, "cam")
    assert [(e.state, e.reason) for e in entries] == [
        ("connecting", "opening via fake"), ("live", "fake"), ("frozen", "picture unchanged")]
    now = datetime.now(UTC)
    assert now - timedelta(seconds=5) < entries[0].at < entries[1].at < entries[2].at < now
    assert [e.state for e in history(path, "other")] == ["offline"]


def test_a_burst_is_written_in_few_transactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[tuple[int, str]] = []
    record = store_writer.record_health

    def counting(store: Store, entries: list[HealthEntry]) -> int:
        batches.append((len(entries), threading.current_thread().name))
        return record(store, entries)

    monkeypatch.setattr(store_writer, "record_health", counting)
    path = tmp_path / "videowall.db"
    log = StoreWriter(str(path), interval=0.3)
    started = time.monotonic()
    for n in range(56):  # a switch with 56 cameras behind it went down
        log.stream_event(event(f"cam-{n:02d}", StreamState.OFFLINE, "connection refused"))
    queued_in = time.monotonic() - started
    log.close()
    assert queued_in < 0.05  # the caller never waits for the database
    assert sum(n for n, _ in batches) == 56 and len(batches) <= 2, batches
    assert {name for _, name in batches} == {"store-writer"}
    assert len(history(path, "cam-55")) == 1


def test_a_store_that_cannot_be_written_is_said_once_and_caught_up_on(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the store's folder should be")
    path = blocker / "videowall.db"
    said: list[str] = []
    log = StoreWriter(str(path), interval=0.02, retry_s=0.1, notify=said.append)
    log.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    deadline = time.monotonic() + 3
    while not said and time.monotonic() < deadline:
        time.sleep(0.02)
    log.stream_event(event("cam", StreamState.RECONNECTING, "attempt 2"))
    time.sleep(0.3)  # several failed attempts: still said only once
    assert len(said) == 1
    assert said[0].startswith("Health log not saved to the store: cannot create the store")
    blocker.unlink()  # the technician fixes it
    deadline = time.monotonic() + 3
    while log.written < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    log.close()
    assert said[-1] == "Health log saved to the store again" and len(said) == 2
    assert [e.state for e in history(path, "cam")] == ["offline", "reconnecting"]
    assert log.dropped == 0


def test_what_cannot_be_written_by_the_close_is_counted(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    log = StoreWriter(str(blocker / "videowall.db"), interval=0.01, retry_s=0.05,
                    max_pending=3)
    for n in range(5):
        log.stream_event(event("cam", StreamState.OFFLINE, f"attempt {n}"))
    log.close()
    assert log.written == 0 and log.dropped == 5  # 2 beyond the limit, 3 at the close


def test_wall_store_mirrors_the_registry_and_logs_the_states(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    registry = Registry(
        cameras=(Camera("cam", "Gate", "s1", "rtsp://127.0.0.1:18554/gate"),),
        sites={"s1": Site("s1", "Site one")}, source="test.yaml",
    )
    said: list[str] = []
    wall_store = WallStore(str(path))
    wall_store.registry_applied(registry, said.append)
    wall_store.stream_event(event("cam", StreamState.LIVE, "ffmpeg"))
    wall_store.stream_event(event("cam", StreamState.STALLED, "no picture for 2 s"))
    wall_store.close()
    assert said == []
    with Store(path) as store:
        assert [c.id for c in cameras(store)] == ["cam"]
        assert [e.state for e in health_history(store, "cam")] == ["live", "stalled"]


def test_changes_microseconds_apart_keep_their_order(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    log = StoreWriter(str(path), interval=0.05)
    t = time.monotonic()
    states = [StreamState.OFFLINE, StreamState.RECONNECTING, StreamState.OFFLINE,
              StreamState.RECONNECTING, StreamState.LIVE]
    for n, state in enumerate(states):
        log.stream_event(StateChanged(t + n * 2e-6, "cam", state))
    log.close()
    entries = history(path, "cam")
    assert [e.state for e in entries] == [s.value for s in states]
    assert all(a.at <= b.at for a, b in itertools.pairwise(entries))


def _registry() -> Registry:
    return Registry(
        cameras=(Camera("cam", "Gate", "s1", "rtsp://127.0.0.1:18554/gate"),),
        sites={"s1": Site("s1", "Site one")}, source="test.yaml",
    )


def test_one_thread_and_one_store_serve_the_registry_and_the_health_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    calls: list[tuple[str, str]] = []

    class CountingStore(Store):
        def __init__(self, url: str | None = None, **kwargs: Any) -> None:
            opened.append(threading.current_thread().name)
            super().__init__(url, **kwargs)

    sync, record = store_writer.sync_registry, store_writer.record_health

    def syncing(store: Store, registry: Registry, **kwargs: Any) -> SyncResult:
        calls.append(("sync", threading.current_thread().name))
        return sync(store, registry, **kwargs)

    def recording(store: Store, entries: list[HealthEntry]) -> int:
        calls.append(("health", threading.current_thread().name))
        return record(store, entries)

    monkeypatch.setattr(store_writer, "Store", CountingStore)
    monkeypatch.setattr(store_writer, "sync_registry", syncing)
    monkeypatch.setattr(store_writer, "record_health", recording)
    path = tmp_path / "videowall.db"
    said: list[str] = []
    writer = StoreWriter(str(path), interval=0.05)
    writer.registry_applied(_registry(), said.append)
    writer.stream_event(event("cam", StreamState.LIVE, "ffmpeg"))
    writer.registry_applied(_registry(), said.append)  # a reload
    writer.stream_event(event("cam", StreamState.STALLED, "no picture for 2 s"))
    names = {thread.name for thread in threading.enumerate()}
    writer.close()
    assert said == [] and writer.written == 2
    assert opened == ["store-writer"]
    assert {kind for kind, _ in calls} == {"sync", "health"}
    assert {name for _, name in calls} == {"store-writer"}
    assert "store-mirror" not in names and "health-log" not in names


def test_a_registry_that_cannot_be_mirrored_is_said_and_the_writer_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_writer, "sync_registry", broken)
    path = tmp_path / "videowall.db"
    said: list[str] = []
    writer = StoreWriter(str(path), interval=0.02)
    writer.registry_applied(_registry(), said.append)
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.close()
    assert said == ["Camera registry not saved to the store: disk on fire"]
    assert [e.state for e in history(path, "cam")] == ["offline"]


def test_a_store_that_cannot_be_created_is_said_for_each_registry(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the store's folder should be")
    said: list[str] = []
    writer = StoreWriter(str(blocker / "videowall.db"), interval=0.02, retry_s=0.05)
    writer.registry_applied(_registry(), said.append)
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.registry_applied(_registry(), said.append)
    writer.close()
    registry_words = [s for s in said if s.startswith("Store not updated: ")]
    health_words = [s for s in said if s.startswith("Health log not saved to the store: ")]
    assert len(registry_words) == 2 and len(health_words) == 1, said
    assert all("cannot create the store" in s for s in said)
    assert writer.dropped == 1


# -- alerts -------------------------------------------------------------------------------------


def _alert(alert_id: str = "01JDXW0000000000000000000A", count: int = 1) -> Alert:
    at = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    return Alert(alert_id, "offline", "cam", "s1", "", 2, at, at + timedelta(seconds=count),
                 count=count, members=("cam",), detail="connection refused")


def _step(item: Alert, change: str = "raised") -> AlertChange:
    return AlertChange(item.id, item.last_at, change, item.state, item.count)


def test_alert_steps_are_written_with_the_health_log_by_the_same_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, str]] = []
    health, alerts = store_writer.record_health, store_writer.record_alerts

    def recording_health(store: Store, entries: list[HealthEntry]) -> int:
        calls.append(("health", len(entries), threading.current_thread().name))
        return health(store, entries)

    def recording_alerts(store: Store, items: list[Alert], steps: list[AlertChange]) -> int:
        calls.append(("alerts", len(steps), threading.current_thread().name))
        return alerts(store, items, steps)

    monkeypatch.setattr(store_writer, "record_health", recording_health)
    monkeypatch.setattr(store_writer, "record_alerts", recording_alerts)
    path = tmp_path / "videowall.db"
    writer = StoreWriter(str(path), interval=0.3)
    first = _alert()
    started = time.monotonic()
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.alert_event(first, _step(first))
    for n in (2, 3):  # the camera flaps
        writer.stream_event(event("cam", StreamState.LIVE, "ffmpeg"))
        writer.alert_event(_alert(count=n), _step(_alert(count=n), "updated"))
    queued_in = time.monotonic() - started
    writer.close()
    assert queued_in < 0.05
    assert calls == [("health", 3, "store-writer"), ("alerts", 3, "store-writer")]
    assert (writer.written, writer.alerts_written, writer.alerts_dropped) == (3, 3, 0)
    with Store(path) as store:
        assert list_alerts(store) == [_alert(count=3)]
        assert [c.change for c in alert_history(store, first.id)] == [
            "raised", "updated", "updated"]


def test_a_step_given_with_another_alert_is_refused_at_once(tmp_path: Path) -> None:
    writer = StoreWriter(str(tmp_path / "videowall.db"), interval=0.01)
    try:
        with pytest.raises(ValueError, match="a step of alert 01JDXWOTHER given with alert "):
            writer.alert_event(_alert(), AlertChange("01JDXWOTHER", datetime.now(UTC),
                                                     "raised", AlertState.NEW))
    finally:
        writer.close()
    assert writer.alerts_written == 0


def test_alert_steps_wait_while_the_store_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Impatient(Store):
        def __init__(self, url: str | None = None, **kwargs: Any) -> None:
            super().__init__(url, busy_timeout=0.05)

    monkeypatch.setattr(store_writer, "Store", Impatient)
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program writes for a while
    said: list[str] = []
    writer = StoreWriter(str(path), interval=0.02, retry_s=0.1, notify=said.append)
    first = _alert()
    writer.alert_event(first, _step(first))
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    deadline = time.monotonic() + 5
    while not said and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.alert_event(_alert(count=2), _step(_alert(count=2), "updated"))
    time.sleep(0.3)  # several attempts while locked: said once, nothing written or lost
    assert len(said) == 1 and "another program holds a write lock" in said[0]
    assert (writer.written, writer.alerts_written, writer.alerts_dropped) == (0, 0, 0)
    lock.rollback()
    lock.close()
    deadline = time.monotonic() + 5
    while writer.alerts_written < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.close()
    assert said[-1] == "Health log saved to the store again"
    assert (writer.written, writer.alerts_written) == (1, 2)
    with Store(path) as store:
        assert list_alerts(store) == [_alert(count=2)]
        assert [c.count for c in alert_history(store, first.id)] == [1, 2]
        assert [e.state for e in health_history(store, "cam")] == ["offline"]


def test_alert_steps_that_cannot_be_written_by_the_close_are_counted(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    writer = StoreWriter(str(blocker / "videowall.db"), interval=0.01, retry_s=0.05,
                         max_pending=3)
    for n in range(1, 4):
        writer.alert_event(_alert(count=n), _step(_alert(count=n)))
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.stream_event(event("cam", StreamState.LIVE, "ffmpeg"))
    writer.close()
    # The two oldest steps went beyond the limit, the rest at the close.
    assert (writer.alerts_written, writer.alerts_dropped) == (0, 3)
    assert (writer.written, writer.dropped) == (0, 2)


def test_alert_steps_no_store_can_hold_do_not_stop_the_health_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "videowall.db"
    writer = StoreWriter(str(path), interval=0.02)
    broken = _alert()
    writer.alert_event(broken, dataclasses.replace(_step(broken),
                                                   state="lost"))  # type: ignore[arg-type]
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.close()
    assert (writer.alerts_written, writer.alerts_dropped, writer.written) == (0, 1, 1)
    with Store(path) as store:
        assert list_alerts(store) == []
        assert [e.state for e in health_history(store, "cam")] == ["offline"]


# -- closing while another program holds the write lock -------------------------------------


def _queue_changes_and_a_step(writer: StoreWriter) -> None:
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused", ago=2))
    writer.stream_event(event("cam", StreamState.RECONNECTING, "attempt 2", ago=1))
    writer.alert_event(_alert(), _step(_alert()))


@pytest.mark.timeout(60)
def test_closing_while_another_process_holds_the_lock_keeps_what_is_queued(
    tmp_path: Path,
) -> None:
    path = tmp_path / "videowall.db"
    spill = tmp_path / "videowall.db.pending.jsonl"
    with write_lock_held(path):
        writer = StoreWriter(str(path), interval=0.02)
        writer.registry_applied(_registry(), lambda _: None)
        _queue_changes_and_a_step(writer)
        time.sleep(0.1)
        started = time.monotonic()
        writer.close(timeout=4)
        closed_in = time.monotonic() - started
        assert not writer._thread.is_alive()
    assert closed_in < 4.5, closed_in  # never past its timeout
    assert (writer.written, writer.dropped, writer.alerts_dropped) == (0, 0, 0)
    assert writer.spilled == 3 and writer.spill_path == spill
    lines = spill.read_text().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["health", "health", "alert"]
    assert "rtsp://" not in spill.read_text()  # entries and steps only, no camera URL
    assert spill.stat().st_mode & 0o077 == 0
    # The next start writes what was kept, and the file goes.
    writer = StoreWriter(str(path), interval=0.02)
    writer.close()
    assert (writer.written, writer.alerts_written) == (2, 1)
    assert not spill.exists()
    assert [e.state for e in history(path, "cam")] == ["offline", "reconnecting"]
    with Store(path) as store:
        assert list_alerts(store) == [_alert()]


def test_a_spill_file_waits_while_the_store_stays_locked(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    with write_lock_held(path):
        writer = StoreWriter(str(path), interval=0.02, busy_timeout=0.2)
        _queue_changes_and_a_step(writer)
        writer.close(timeout=2)
        assert writer.spilled == 3
        again = StoreWriter(str(path), interval=0.02, busy_timeout=0.2)  # still locked
        again.stream_event(event("cam", StreamState.LIVE, "ffmpeg"))
        again.close(timeout=2)
    assert again.spilled == 4 and again.dropped == 0  # the kept three and the new one
    last = StoreWriter(str(path), interval=0.02)
    last.close()
    assert (last.written, last.alerts_written, last.spilled) == (3, 1, 0)
    assert [e.state for e in history(path, "cam")] == ["offline", "reconnecting", "live"]


def test_a_damaged_spill_line_is_said_with_its_line_and_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "videowall.db"
    spill = tmp_path / "videowall.db.pending.jsonl"
    entry = {"kind": "health", "camera_id": "cam", "at": "2024-05-01T08:00:00+00:00",
             "state": "offline", "reason": ""}
    spill.write_text("{not json\n" + json.dumps(entry) + "\n")
    writer = StoreWriter(str(path), interval=0.02)
    writer.close()
    assert writer.written == 1 and not spill.exists()
    assert f"{spill}:1: not a kept entry" in caplog.text


# -- lane minutes -----------------------------------------------------------------------------


def _lane(n: int, lane: str = "northbound", congested_s: float = 0.0,
          camera: str = "cam") -> LaneMinute:
    minute = datetime(2026, 12, 1, 7, 0, tzinfo=UTC) + timedelta(minutes=n)
    return LaneMinute(camera, lane, minute, 0.25 + n / 100, 0.5, congested_s)


def _lanes(path: Path) -> list[LaneMinute]:
    with Store(path) as store:
        return lane_minutes(store)


def test_lane_minutes_are_written_in_batches_by_the_same_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, str]] = []
    health, lanes, alerts = (store_writer.record_health, store_writer.record_lane_minutes,
                             store_writer.record_alerts)

    def recording_health(store: Store, entries: list[HealthEntry]) -> int:
        calls.append(("health", len(entries), threading.current_thread().name))
        return health(store, entries)

    def recording_lanes(store: Store, records: list[LaneMinute]) -> int:
        calls.append(("lanes", len(records), threading.current_thread().name))
        return lanes(store, records)

    def recording_alerts(store: Store, items: list[Alert], steps: list[AlertChange]) -> int:
        calls.append(("alerts", len(steps), threading.current_thread().name))
        return alerts(store, items, steps)

    monkeypatch.setattr(store_writer, "record_health", recording_health)
    monkeypatch.setattr(store_writer, "record_lane_minutes", recording_lanes)
    monkeypatch.setattr(store_writer, "record_alerts", recording_alerts)
    path = tmp_path / "videowall.db"
    writer = StoreWriter(str(path), interval=0.3)
    started = time.monotonic()
    for n in range(56):  # a minute of 56 cameras with a lane each
        writer.lane_minute(_lane(0, camera=f"cam-{n:02d}"))
    writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
    writer.alert_event(_alert(), _step(_alert()))
    writer.lane_minute(_lane(1, congested_s=30.0))
    writer.lane_minute(_lane(1, congested_s=42.0))  # the same minute again: replaces it
    queued_in = time.monotonic() - started
    writer.close()
    assert queued_in < 0.05  # the caller never waits for the database
    assert calls == [("health", 1, "store-writer"), ("lanes", 58, "store-writer"),
                     ("alerts", 1, "store-writer")]
    assert (writer.written, writer.lanes_written, writer.alerts_written) == (1, 58, 1)
    assert writer.lanes_dropped == 0
    stored = _lanes(path)
    assert len(stored) == 57
    assert stored[0] == _lane(1, congested_s=42.0)  # "cam" sorts first
    with Store(path) as store:
        assert lane_minutes(store, camera="cam-55") == [_lane(0, camera="cam-55")]


def test_a_lane_minute_no_store_can_hold_is_refused_at_once(tmp_path: Path) -> None:
    writer = StoreWriter(str(tmp_path / "videowall.db"), interval=0.01)
    try:
        with pytest.raises(ValueError, match="occupancy must be a number from 0 to 1"):
            writer.lane_minute(dataclasses.replace(_lane(0), occupancy=float("nan")))
        writer.lane_minute(_lane(0))
    finally:
        writer.close()
    assert (writer.lanes_written, writer.lanes_dropped) == (1, 0)


@pytest.mark.timeout(60)
def test_lane_minutes_wait_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    said: list[str] = []
    with write_lock_held(path):
        writer = StoreWriter(str(path), interval=0.02, retry_s=0.1, notify=said.append,
                             busy_timeout=0.1)
        writer.lane_minute(_lane(0))
        deadline = time.monotonic() + 5
        while not said and time.monotonic() < deadline:
            time.sleep(0.02)
        writer.lane_minute(_lane(1, congested_s=12.5))
        time.sleep(0.3)  # several attempts while locked: said once, nothing lost
        assert len(said) == 1 and "another program holds a write lock" in said[0]
        assert (writer.lanes_written, writer.lanes_dropped) == (0, 0)
    deadline = time.monotonic() + 5
    while writer.lanes_written < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.close()
    assert said[-1] == "Health log saved to the store again"
    assert _lanes(path) == [_lane(0), _lane(1, congested_s=12.5)]


@pytest.mark.timeout(60)
def test_lane_minutes_unwritten_at_the_close_are_kept_and_written_at_the_next_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "videowall.db"
    spill = tmp_path / "videowall.db.pending.jsonl"
    with write_lock_held(path):
        writer = StoreWriter(str(path), interval=0.02, busy_timeout=0.2)
        writer.lane_minute(_lane(0))
        writer.stream_event(event("cam", StreamState.OFFLINE, "connection refused"))
        writer.lane_minute(_lane(0, lane="southbound", congested_s=60.0))
        writer.close(timeout=2)
    assert writer.spilled == 3 and (writer.lanes_dropped, writer.dropped) == (0, 0)
    kept = [json.loads(line) for line in spill.read_text().splitlines()]
    assert [line["kind"] for line in kept] == ["lane", "health", "lane"]
    assert kept[0] == {"kind": "lane", "camera_id": "cam", "lane": "northbound",
                       "minute": "2026-12-01T07:00:00+00:00", "occupancy": 0.25,
                       "moving": 0.5, "congested_s": 0.0}
    again = StoreWriter(str(path), interval=0.02)
    again.close()
    assert (again.written, again.lanes_written) == (1, 2) and not spill.exists()
    assert _lanes(path) == [_lane(0), _lane(0, lane="southbound", congested_s=60.0)]


def test_a_spill_file_of_the_release_before_lanes_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    spill = tmp_path / "videowall.db.pending.jsonl"
    alert = _alert()
    # As the previous release wrote it: health entries and alert steps only.
    lines = [
        {"kind": "health", "camera_id": "cam", "at": "2026-11-29T08:00:00+00:00",
         "state": "offline", "reason": "connection refused"},
        store_spill._encode((alert, _step(alert))),
    ]
    spill.write_text("".join(json.dumps(line) + "\n" for line in lines))
    writer = StoreWriter(str(path), interval=0.02)
    writer.close()
    assert (writer.written, writer.alerts_written, writer.lanes_written) == (1, 1, 0)
    assert not spill.exists()
    with Store(path) as store:
        assert list_alerts(store) == [alert]


def test_a_lane_line_no_store_can_hold_is_said_with_its_line_and_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "videowall.db"
    spill = tmp_path / "videowall.db.pending.jsonl"
    good = store_spill._encode(_lane(0))
    bad = {**good, "minute": "2026-12-01T07:01:00+00:00", "occupancy": 7}
    no_number = {**good, "minute": "2026-12-01T07:02:00+00:00", "moving": "fast"}
    spill.write_text("".join(json.dumps(line) + "\n" for line in (bad, good, no_number)))
    writer = StoreWriter(str(path), interval=0.02)
    writer.close()
    assert writer.lanes_written == 1 and not spill.exists()
    assert _lanes(path) == [_lane(0)]
    assert f"{spill}:1: not a kept entry, left out (ValueError)" in caplog.text
    assert f"{spill}:3: not a kept entry, left out (TypeError)" in caplog.text
