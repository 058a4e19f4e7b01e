"""The SQL store: the registry mirrored into real SQLite files, locks and errors in words."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from videowall.registry.loader import load_registry
from videowall.registry.model import (
    Camera,
    Location,
    MotionConfig,
    Registry,
    ScheduleWindow,
    Site,
    Zone,
)
from videowall.store import (
    SCHEMA_VERSION,
    HealthEntry,
    Store,
    StoreError,
    cameras,
    changes,
    default_path,
    health_before,
    health_camera_ids,
    health_history,
    record_health,
    sync_registry,
)

DEMO = Path(__file__).resolve().parents[2] / "config" / "cameras.yaml"
PASSWORD = "Zq8-hunter2-pw"


@pytest.fixture(scope="module")
def demo() -> Registry:
    return load_registry(DEMO)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "videowall.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        opened.create()
        yield opened


def _replace_camera(registry: Registry, camera_id: str, **fields: object) -> Registry:
    cams = tuple(
        dataclasses.replace(cam, **fields) if cam.id == camera_id else cam  # type: ignore[arg-type]
        for cam in registry.cameras
    )
    return dataclasses.replace(registry, cameras=cams)


def _without(registry: Registry, camera_id: str) -> Registry:
    cams = tuple(cam for cam in registry.cameras if cam.id != camera_id)
    return dataclasses.replace(registry, cameras=cams)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _small(*cams: Camera) -> Registry:
    return Registry(
        cameras=cams, sites={"s1": Site("s1", "Site one", Location(-6.2, 106.8))},
        source="test.yaml",
    )


# -- where the store lives --------------------------------------------------------------------


def test_default_path_prefers_videowall_data_then_xdg_then_home() -> None:
    assert default_path({"VIDEOWALL_DATA": "/srv/vw", "XDG_DATA_HOME": "/x", "HOME": "/h"}) == (
        Path("/srv/vw/videowall.db")
    )
    assert default_path({"XDG_DATA_HOME": "/x", "HOME": "/h"}) == Path(
        "/x/videowall/videowall.db"
    )
    assert default_path({"HOME": "/h"}) == Path("/h/.local/share/videowall/videowall.db")


def test_store_without_url_uses_the_data_folder(tmp_path: Path) -> None:
    with Store(environ={"VIDEOWALL_DATA": str(tmp_path / "vw")}) as store:
        store.create()
        assert store.path == tmp_path / "vw" / "videowall.db"
        assert store.path.is_file()


def test_url_with_password_is_masked_in_errors() -> None:
    with pytest.raises(StoreError) as caught:
        Store("nosuchdialect://op:s3cretpw@db.example/videowall")
    text = str(caught.value)
    assert "s3cretpw" not in text
    assert "op:***@db.example" in text
    assert "driver" in text


# -- creating the store ------------------------------------------------------------------------


def test_create_is_idempotent_and_records_the_schema_version(store: Store, db_path: Path) -> None:
    store.create()
    store.create()
    assert store.schema_version() == SCHEMA_VERSION
    tables = {name for (name,) in _rows(db_path, "SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")}
    assert {"schema_version", "sites", "agencies", "cameras", "registry_changes",
            "registry_syncs", "health_log"} <= tables
    assert _rows(db_path, "SELECT id, version FROM schema_version") == [(1, SCHEMA_VERSION)]


def test_schema_version_is_none_before_create(db_path: Path) -> None:
    db_path.parent.mkdir()
    with Store(db_path) as store:
        assert store.schema_version() is None


def test_store_of_a_newer_videowall_is_refused(store: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    newer = (rf"cannot use the store .*: it was written by a newer videowall "
             rf"\(schema {SCHEMA_VERSION + 1},")
    with pytest.raises(StoreError, match=newer):
        store.create()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(db_path: Path) -> None:
    with Store(db_path, busy_timeout=1.5) as store:
        store.create()
        with store.read() as session:
            conn = session.connection()
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    # WAL is a property of the file: another program sees it too.
    assert _rows(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_foreign_keys_are_enforced(store: Store) -> None:
    from videowall.store.models import CameraRow

    with pytest.raises(StoreError, match="FOREIGN KEY constraint failed"), \
            store.write() as session:
        session.add(CameraRow(id="x", name="X", site_id="no-such-site", agency_id=None,
                              url_masked="rtsp://h/x", sub_url_masked=None, lat=None,
                              lon=None, heading=None))


# -- syncing the registry ----------------------------------------------------------------------


def test_first_sync_adds_everything_of_the_demo_registry(
    store: Store, demo: Registry, db_path: Path
) -> None:
    text = DEMO.read_text(encoding="utf-8")
    result = sync_registry(store, demo, source_text=text)

    assert result.cameras == len(demo.cameras) > 50
    assert result.sites == len(demo.sites)
    assert result.agencies == len(demo.agencies)
    assert result.added == len(demo.cameras) + len(demo.sites) + len(demo.agencies)
    assert result.count("added", "camera") == len(demo.cameras)
    assert {c.kind for c in result.changes} == {"added"}
    assert result.recorded and result.sync_id is not None
    assert result.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()

    stored = cameras(store)
    assert [c.id for c in stored] == sorted(c.id for c in demo.cameras)
    by_id = {c.id: c for c in stored}
    for cam in demo.cameras:
        row = by_id[cam.id]
        assert (row.name, row.site_id, row.agency_id or "") == (cam.name, cam.site, cam.agency)
        assert row.url_masked == cam.safe_url
        assert row.backend == cam.backend and row.enabled == cam.enabled
        assert row.tags == cam.tags and row.priority == cam.priority
        assert (row.lat, row.lon) == ((cam.location.lat, cam.location.lon)
                                      if cam.location else (None, None))
        assert row.heading == cam.heading
        assert not row.removed
        assert row.created_at == result.at

    syncs = _rows(db_path, "SELECT source, sha256, cameras, sites, agencies, added "
                           "FROM registry_syncs")
    assert syncs == [(str(DEMO), result.sha256, len(demo.cameras), len(demo.sites),
                      len(demo.agencies), result.added)]
    assert _rows(db_path, "SELECT count(*), count(DISTINCT sync_id) FROM registry_changes") == [
        (result.added, 1)
    ]
    for site in demo.sites.values():
        lat, lon = (site.location.lat, site.location.lon) if site.location else (None, None)
        assert _rows(db_path, f"SELECT name, lat, lon, colour, contact FROM sites "
                              f"WHERE id = '{site.id}'") == [
            (site.name, lat, lon, site.colour, site.contact)
        ]


def test_second_sync_of_the_same_registry_changes_and_records_nothing(
    store: Store, demo: Registry, db_path: Path
) -> None:
    text = DEMO.read_text(encoding="utf-8")
    first = sync_registry(store, demo, source_text=text)
    before = cameras(store)
    again = sync_registry(store, demo, source_text=text)

    assert again.changes == () and not again.changed
    assert not again.recorded and again.sync_id is None
    assert again.summary() == "no change"
    assert cameras(store) == before
    assert _rows(db_path, "SELECT count(*) FROM registry_syncs") == [(1,)]
    assert _rows(db_path, "SELECT count(*) FROM registry_changes") == [(first.added,)]


def test_an_edit_of_comments_only_records_a_sync_without_changes(
    store: Store, demo: Registry, db_path: Path
) -> None:
    text = DEMO.read_text(encoding="utf-8")
    sync_registry(store, demo, source_text=text)
    result = sync_registry(store, demo, source_text=text + "# checked by the night shift\n")
    assert result.changes == ()
    assert result.recorded
    assert _rows(db_path, "SELECT count(*), count(DISTINCT sha256) FROM registry_syncs") == [
        (2, 2)
    ]


def test_editing_a_camera_records_which_fields_changed(
    store: Store, demo: Registry, db_path: Path
) -> None:
    sync_registry(store, demo)
    cam = demo.cameras[0]
    new_url = "rtsp://10.20.0.7:554/moved"
    edited = _replace_camera(demo, cam.id, name="Renamed camera", url=new_url)

    result = sync_registry(store, edited)

    assert [(c.kind, c.entity, c.subject) for c in result.changes] == [
        ("updated", "camera", cam.id)
    ]
    change = result.changes[0]
    assert change.fields == ("name", "url")
    assert change.detail == (
        f"name: '{cam.name}' → 'Renamed camera'; url: '{cam.url}' → '{new_url}'"
    )
    row = next(c for c in cameras(store) if c.id == cam.id)
    assert (row.name, row.url_masked) == ("Renamed camera", new_url)
    assert row.updated_at == result.at and row.created_at < result.at

    history = changes(store, camera_id=cam.id)
    assert [c.kind for c in history] == ["added", "updated"]
    assert history[-1] == change
    stored = _rows(db_path, f"SELECT kind, fields, detail, source FROM registry_changes "
                            f"WHERE camera_id = '{cam.id}' AND kind = 'updated'")
    assert stored == [("updated", '["name", "url"]', change.detail, str(DEMO))]


def test_disabling_a_camera_is_recorded_as_disabled(store: Store, demo: Registry) -> None:
    sync_registry(store, demo)
    cam = next(c for c in demo.cameras if c.enabled)
    result = sync_registry(store, _replace_camera(demo, cam.id, enabled=False))
    assert [(c.kind, c.subject, c.fields) for c in result.changes] == [
        ("disabled", cam.id, ("enabled",))
    ]
    assert result.changes[0].detail == "enabled: true → false"
    again = sync_registry(store, demo)
    assert [(c.kind, c.fields) for c in again.changes] == [("updated", ("enabled",))]


def test_a_removed_camera_keeps_its_row_disabled_and_is_restored_when_it_returns(
    store: Store, demo: Registry, db_path: Path
) -> None:
    first = sync_registry(store, demo)
    cam = [c for c in demo.cameras if c.enabled][3]

    gone = sync_registry(store, _without(demo, cam.id))
    assert [(c.kind, c.subject, c.fields) for c in gone.changes] == [
        ("removed", cam.id, ("enabled",))
    ]
    assert gone.changes[0].detail == f"no longer in {DEMO}; disabled"
    assert cam.id not in {c.id for c in cameras(store)}
    kept = {c.id: c for c in cameras(store, include_removed=True)}[cam.id]
    assert kept.removed and not kept.enabled
    assert _rows(db_path, "SELECT count(*) FROM cameras") == [(len(demo.cameras),)]

    # Still gone: nothing new to say.
    assert sync_registry(store, _without(demo, cam.id)).changes == ()

    back = sync_registry(store, demo)
    assert [(c.kind, c.subject) for c in back.changes] == [("restored", cam.id)]
    assert back.changes[0].fields == ("enabled",)
    assert back.changes[0].detail == f"back in {DEMO}; enabled: false → true"
    row = {c.id: c for c in cameras(store)}[cam.id]
    assert not row.removed and row.enabled
    assert row.created_at == first.at
    assert [c.kind for c in changes(store, camera_id=cam.id)] == [
        "added", "removed", "restored"
    ]


def test_a_sync_that_fails_half_way_leaves_nothing_behind(
    store: Store, demo: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr("videowall.store.sync._record", fail)
    with pytest.raises(RuntimeError, match="power cut"):
        sync_registry(store, demo)
    assert cameras(store, include_removed=True) == []
    assert changes(store) == []


def test_sites_and_agencies_are_removed_and_restored_too(store: Store) -> None:
    cam = Camera("c1", "One", "s1", "rtsp://h/1", agency="police")
    reg = dataclasses.replace(_small(cam), sites={
        "s1": Site("s1", "Site one"), "s2": Site("s2", "Site two", contact="+62 21 1"),
    })
    first = sync_registry(store, reg)
    # "police" is not described by the registry: it gets a row named by its id.
    assert sorted((c.entity, c.subject) for c in first.changes) == [
        ("agency", "police"), ("camera", "c1"), ("site", "s1"), ("site", "s2"),
    ]
    result = sync_registry(store, dataclasses.replace(reg, sites={"s1": Site("s1", "Site 1")}))
    assert sorted((c.kind, c.entity, c.subject, c.detail) for c in result.changes) == [
        ("removed", "site", "s2", "no longer in test.yaml"),
        ("updated", "site", "s1", "name: 'Site one' → 'Site 1'"),
    ]
    back = sync_registry(store, reg)
    assert sorted((c.kind, c.subject) for c in back.changes) == [
        ("restored", "s2"), ("updated", "s1")
    ]


def test_passwords_never_reach_the_database(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
        cam = Camera(
            "door", "Door", "s1", f"rtsp://admin:{PASSWORD}@10.0.0.5:554/main",
            sub_url=f"rtsp://admin:{PASSWORD}@10.0.0.5:554/sub",
            tags=(f"http://viewer:{PASSWORD}@nvr/x",),
            motion=MotionConfig(schedule=(ScheduleWindow(("mon",), "08:00", "18:00"),)),
        )
        sync_registry(store, _small(cam))
        moved = dataclasses.replace(cam, url=f"rtsp://admin:{PASSWORD}x@10.0.0.6:554/main")
        result = sync_registry(store, _small(moved))

        assert result.changes[0].detail == (
            "url: 'rtsp://admin:***@10.0.0.5:554/main' → 'rtsp://admin:***@10.0.0.6:554/main'"
        )
        row = cameras(store)[0]
        assert row.url_masked == "rtsp://admin:***@10.0.0.6:554/main"
        assert row.sub_url_masked == "rtsp://admin:***@10.0.0.5:554/sub"
        assert row.tags == ("http://viewer:***@nvr/x",)
        # Written through the WAL and checkpointed: look at every file SQLite keeps.
        files = sorted(tmp_path.glob("videowall.db*"))
        assert path in files and len(files) >= 2
        for file in files:
            assert PASSWORD.encode() not in file.read_bytes(), file
    with Store(path) as store:  # after close, everything is in the main file
        assert cameras(store)[0].url_masked.endswith("10.0.0.6:554/main")
    assert PASSWORD.encode() not in path.read_bytes()
    assert b"10.0.0.6:554/main" in path.read_bytes()


def test_a_password_only_change_is_no_change(store: Store) -> None:
    cam = Camera("door", "Door", "s1", f"rtsp://admin:{PASSWORD}@10.0.0.5/main")
    sync_registry(store, _small(cam))
    rotated = dataclasses.replace(cam, url="rtsp://admin:new-password@10.0.0.5/main")
    assert sync_registry(store, _small(rotated)).changes == ()


@dataclasses.dataclass(frozen=True)
class _FutureCamera(Camera):
    """A camera record with fields the store has no column for."""

    fov: float = 90.0
    ptz: dict[str, object] = dataclasses.field(default_factory=dict)
    api_token: str = "tok-should-not-be-stored"


def test_fields_without_a_column_go_into_attrs_and_secrets_are_left_out(
    store: Store, db_path: Path
) -> None:
    motion = MotionConfig(sensitivity=0.7,
                          zones=(Zone("door", ((0.0, 0.0), (1.0, 0.0), (0.5, 1.0))),))
    cam = _FutureCamera("ptz1", "PTZ", "s1", "rtsp://h/ptz", motion=motion,
                        ptz={"preset": 3, "password": "ptz-pw-123"})
    sync_registry(store, _small(cam))
    attrs = cameras(store)[0].attrs
    assert attrs["fov"] == 90.0
    assert attrs["ptz"] == {"preset": 3}
    assert "api_token" not in attrs
    assert attrs["motion"]["sensitivity"] == 0.7
    assert attrs["motion"]["zones"] == [
        {"name": "door", "polygon": [[0.0, 0.0], [1.0, 0.0], [0.5, 1.0]], "kind": "zone"}]
    raw = db_path.read_bytes() + db_path.with_name("videowall.db-wal").read_bytes()
    assert b"tok-should-not-be-stored" not in raw and b"ptz-pw-123" not in raw

    assert sync_registry(store, _small(cam)).changes == ()  # JSON round trip is stable
    result = sync_registry(store, _small(dataclasses.replace(cam, fov=60.0)))
    assert [(c.kind, c.fields, c.detail) for c in result.changes] == [
        ("updated", ("fov",), "fov: 90.0 → 60.0")
    ]
    result = sync_registry(store, _small(dataclasses.replace(cam, fov=60.0, priority=1)))
    assert [(c.fields, c.detail) for c in result.changes] == [(("priority",), "priority: 3 → 1")]


def test_changes_since_and_limit(store: Store, demo: Registry) -> None:
    first = sync_registry(store, demo)
    cam = demo.cameras[0]
    second = sync_registry(store, _replace_camera(demo, cam.id, name="Later"))
    assert second.at > first.at
    assert changes(store, since=second.at) == list(second.changes)
    assert changes(store, since=second.at + timedelta(seconds=1)) == []
    naive_utc = second.at.astimezone(UTC).replace(tzinfo=None)
    assert changes(store, since=naive_utc) == list(second.changes)
    last_two = changes(store, limit=2)
    assert last_two[-1] == second.changes[0] and len(last_two) == 2
    assert all(c.at.tzinfo is UTC for c in changes(store))
    assert first.at <= datetime.now(UTC)


# -- several users at once -------------------------------------------------------------------


def test_readers_are_not_blocked_by_a_writer(store: Store, demo: Registry, db_path: Path) -> None:
    sync_registry(store, demo)
    cam = demo.cameras[0]
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        # EXCLUSIVE would shut readers out of a rollback-journal database; in WAL it doesn't.
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("UPDATE cameras SET name = 'uncommitted' WHERE id = ?", (cam.id,))
        start = time.monotonic()
        names = {c.id: c.name for c in cameras(store)}
        assert time.monotonic() - start < 1.0
        assert names[cam.id] == cam.name  # the reader sees the last commit, not the write
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert {c.id: c.name for c in cameras(store)}[cam.id] == "uncommitted"


def test_sync_on_a_worker_thread_while_the_main_thread_reads(
    store: Store, demo: Registry
) -> None:
    stop = threading.Event()
    seen: list[int] = []
    count = len(demo.cameras)

    def read_until_stopped() -> None:
        # a reader that never sleeps takes the GIL back at each of the writer's SQLite
        # calls (a convoy: six syncs took 4-10 s and sometimes timed out); a millisecond
        # apart, reads still land before, between and during the syncs
        while not stop.wait(0.001):
            seen.append(len(cameras(store)))

    with ThreadPoolExecutor(max_workers=2) as pool:
        reader = pool.submit(read_until_stopped)
        try:
            for _ in range(3):
                assert pool.submit(sync_registry, store, demo).result(timeout=30).cameras == count
                pool.submit(sync_registry, store, _without(demo, demo.cameras[0].id)).result(
                    timeout=30
                )
        finally:
            stop.set()
        reader.result(timeout=10)
    # Every read saw a whole sync: all cameras or all but one, never a half-written state.
    assert seen and set(seen) <= {0, count - 1, count}


# -- failures in words -------------------------------------------------------------------------


def test_a_locked_database_raises_store_error_and_nothing_is_written(
    db_path: Path, demo: Registry
) -> None:
    with Store(db_path, busy_timeout=0.2) as store:
        store.create()
        holder = sqlite3.connect(db_path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE schema_version SET updated_at = updated_at")
            start = time.monotonic()
            with pytest.raises(StoreError) as caught:
                sync_registry(store, demo)
            waited = time.monotonic() - start
        finally:
            holder.rollback()
            holder.close()
        assert 0.15 <= waited < 3.0
        error = caught.value
        assert str(error) == (
            f"cannot sync the camera registry into the store {db_path}: another program "
            f"holds a write lock on it (gave up after waiting 0.2 s)"
        )
        assert error.where == str(db_path)
        assert cameras(store, include_removed=True) == []
        # The registry in memory is untouched and the next sync does the whole job.
        assert demo.get(demo.cameras[0].id) is demo.cameras[0]
        assert sync_registry(store, demo).count("added", "camera") == len(demo.cameras)


def test_a_path_that_cannot_be_created_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    path = blocker / "videowall.db"
    with pytest.raises(StoreError) as caught:
        Store(path).create()
    message = str(caught.value)
    assert message.startswith(f"cannot create the store {path}: cannot make its folder ")
    assert "Not a directory" in message or "File exists" in message


def test_a_folder_in_place_of_the_file_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    path.mkdir()
    with pytest.raises(StoreError, match=r"the file cannot be opened"):
        Store(path).create()


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "videowall.db"
    path.write_bytes(b"these are the minutes of the night shift, not a database\n" * 20)
    with pytest.raises(StoreError) as caught:
        Store(path).create()
    assert str(caught.value) == (
        f"cannot create the store {path}: the file is not a videowall store "
        "(not an SQLite database)"
    )


def test_sync_into_a_store_that_was_never_created_raises_store_error(
    db_path: Path, demo: Registry
) -> None:
    db_path.parent.mkdir()
    with Store(db_path) as store, pytest.raises(StoreError, match="tables are missing"):
        sync_registry(store, demo)


# -- the health log ----------------------------------------------------------------------------


def test_health_log_round_trip(store: Store, db_path: Path) -> None:
    t0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    entries = [
        HealthEntry("rp01-north", t0, "connecting", "opening via ffmpeg"),
        HealthEntry("rp01-north", t0 + timedelta(seconds=2), "live", "ffmpeg"),
        HealthEntry("rp01-south", t0 + timedelta(seconds=3), "offline", "connection refused"),
        HealthEntry("rp01-north", t0 + timedelta(minutes=5), "stalled", "no picture for 2 s"),
        HealthEntry("rp01-north", t0 + timedelta(minutes=5, seconds=1), "reconnecting",
                    f"cannot open rtsp://admin:{PASSWORD}@10.0.0.5/live — attempt 1"),
    ]
    assert record_health(store, entries) == 5
    assert record_health(store, []) == 0
    north = health_history(store, "rp01-north")
    assert [(e.state, e.at) for e in north] == [(e.state, e.at) for e in entries
                                                if e.camera_id == "rp01-north"]
    assert all(e.at.tzinfo is UTC for e in north)
    assert north[-1].reason == "cannot open rtsp://admin:***@10.0.0.5/live — attempt 1"
    assert PASSWORD not in str(_rows(db_path, "SELECT * FROM health_log"))
    assert str(north[2]) == "rp01-north stalled: no picture for 2 s"
    # Since (aware or naive UTC), limit, the state before, the cameras with a history.
    later = t0 + timedelta(minutes=1)
    assert [e.state for e in health_history(store, "rp01-north", since=later)] == [
        "stalled", "reconnecting"]
    naive = later.replace(tzinfo=None)
    assert len(health_history(store, "rp01-north", since=naive)) == 2
    assert [e.state for e in health_history(store, "rp01-north", limit=1)] == ["reconnecting"]
    before = health_before(store, "rp01-north", later)
    assert before is not None and (before.state, before.at) == ("live", entries[1].at)
    assert health_before(store, "rp01-north", t0) is None
    assert health_camera_ids(store) == ["rp01-north", "rp01-south"]
    assert health_history(store, "nobody") == []


def test_health_log_rows_need_no_camera_row(store: Store) -> None:
    # The registry mirror may be behind the wall: state changes are kept all the same.
    assert cameras(store) == []
    record_health(store, [HealthEntry("new-cam", datetime.now(UTC), "live", "vlc")])
    assert [e.state for e in health_history(store, "new-cam")] == ["live"]


def _store_at_schema_1(path: Path, registry: Registry) -> None:
    """A store as the first videowall wrote it: the registry tables, no health log (and no
    alerts)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path) as old:
        old.create()
        sync_registry(old, registry)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE health_log")
        conn.execute("DROP TABLE alert_history")
        conn.execute("DROP TABLE alerts")
        conn.execute("DROP TABLE lane_occupancy")
        conn.execute("DROP TABLE alembic_version")
        conn.execute("UPDATE schema_version SET version = 1")


def test_a_store_of_schema_1_gains_the_health_log(db_path: Path, demo: Registry) -> None:
    _store_at_schema_1(db_path, demo)
    tables = {name for (name,) in _rows(db_path, "SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")}
    assert "health_log" not in tables
    with Store(db_path) as store:
        assert store.schema_version() == 1
        with pytest.raises(StoreError, match="its tables are missing"):
            record_health(store, [HealthEntry("x", datetime.now(UTC), "live")])
        store.create()
        assert store.schema_version() == SCHEMA_VERSION == 4
        # What schema 1 held is still there, and the health log works.
        assert len(cameras(store)) == len(demo.cameras)
        cam = demo.cameras[0].id
        record_health(store, [HealthEntry(cam, datetime.now(UTC), "frozen", "picture black")])
        assert [e.reason for e in health_history(store, cam)] == ["picture black"]
        store.create()  # and again: nothing to do
        assert store.schema_version() == SCHEMA_VERSION
    indexes = {name for (name,) in _rows(db_path, "SELECT name FROM sqlite_master "
                                                  "WHERE type = 'index'")}
    assert "ix_health_log_camera_id_at" in indexes
