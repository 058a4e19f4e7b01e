"""The store's Alembic migrations: real store files written by earlier releases are
upgraded with their data, every upgraded store matches the models, and a store of a newer
videowall is refused by the wall and by the commands that read it."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from videowall.cli.app import build_parser
from videowall.store import (
    SCHEMA_VERSION,
    Alert,
    AlertChange,
    AlertState,
    HealthEntry,
    LaneMinute,
    Store,
    StoreError,
    alert_history,
    cameras,
    changes,
    health_history,
    lane_minutes,
    migrate,
    open_alerts,
    record_alerts,
    record_health,
    record_lane_minutes,
)
from videowall.store.models import Base

STORES = Path(__file__).resolve().parents[1] / "data" / "stores"
#: Written by the release before Alembic (schema 2) and by the first store (schema 1),
#: each with tests/data/valid.yaml synced; schema 2 also holds rp01-north's morning.
SCHEMA_1 = STORES / "schema1.db"
SCHEMA_2 = STORES / "schema2.db"
CAMERAS = ["lab-clip", "mall_a_lobby", "rp01-north", "rp01-south"]
NEWER = (r"cannot use the store .*: it was written by a newer videowall "
         r"\(revision 0099; this one knows up to revision 0004\)")


def _copy(source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "videowall.db"
    shutil.copyfile(source, path)
    return path


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _differences(store: Store) -> list[object]:
    with store.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _at_future_revision(tmp_path: Path) -> Path:
    path = _copy(SCHEMA_2, tmp_path)
    with Store(path) as store:
        store.create()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    return path


def test_the_head_is_the_schema_version() -> None:
    assert migrate.head() == migrate.revision_of(SCHEMA_VERSION) == "0004"
    assert migrate.known() == {"0001", "0002", "0003", "0004"}
    assert (migrate.MIGRATIONS / "env.py").is_file()


def test_a_new_store_is_upgraded_from_empty_and_matches_the_models(tmp_path: Path) -> None:
    with Store(tmp_path / "videowall.db") as store:
        assert store.revision() is None
        store.create()
        assert store.revision() == migrate.head()
        assert store.schema_version() == SCHEMA_VERSION
        assert _differences(store) == []


def test_a_store_of_the_previous_release_is_stamped_and_upgraded(tmp_path: Path) -> None:
    path = _copy(SCHEMA_2, tmp_path)
    assert _rows(path, "SELECT version FROM schema_version") == [(2,)]
    with Store(path) as store:
        assert store.revision() is None
        store.create()
        assert store.revision() == migrate.head()
        assert store.schema_version() == SCHEMA_VERSION
        assert _differences(store) == []
        # What the previous release wrote is all there.
        assert [c.id for c in cameras(store)] == CAMERAS
        assert {c.kind for c in changes(store)} == {"added"} and len(changes(store)) == 8
        morning = health_history(store, "rp01-north")
        assert [(e.at, e.state, e.reason) for e in morning] == [
            (datetime(2026, 11, 28, 8, 0, tzinfo=UTC), "connecting", "opening via ffmpeg"),
            (datetime(2026, 11, 28, 8, 0, 2, tzinfo=UTC), "live", "ffmpeg"),
            (datetime(2026, 11, 28, 8, 5, tzinfo=UTC), "stalled", "no picture for 2 s"),
        ]
        record_health(store, [HealthEntry("rp01-north", datetime.now(UTC), "live", "vlc")])
        assert len(health_history(store, "rp01-north")) == 4
        store.create()  # and again: nothing to do
        assert store.revision() == migrate.head()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [("0004",)]


def test_a_store_of_schema_1_gains_the_health_log_by_migration(tmp_path: Path) -> None:
    path = _copy(SCHEMA_1, tmp_path)
    assert _rows(path, "SELECT version FROM schema_version") == [(1,)]
    assert not _rows(path, "SELECT name FROM sqlite_master WHERE name = 'health_log'")
    with Store(path) as store:
        store.create()
        assert store.revision() == migrate.head()
        assert store.schema_version() == SCHEMA_VERSION
        assert _differences(store) == []
        assert [c.id for c in cameras(store)] == CAMERAS
        record_health(store, [HealthEntry("lab-clip", datetime.now(UTC), "frozen", "black")])
        assert [e.reason for e in health_history(store, "lab-clip")] == ["black"]
        _alerts_work(store)


def _alerts_work(store: Store) -> None:
    """An alert and its history can be written to the migrated store and read back."""
    now = datetime.now(UTC).replace(microsecond=0)
    alert = Alert("01JDXA00000000000000000000", "offline", "lab-clip", "lab", "", 2, now, now,
                  members=("lab-clip",), detail="connection refused")
    record_alerts(store, [alert], [AlertChange(alert.id, now, "raised", AlertState.NEW)])
    assert open_alerts(store) == [alert]
    assert [c.change for c in alert_history(store, alert.id)] == ["raised"]


def test_a_store_of_schema_2_gains_the_alerts_by_migration(tmp_path: Path) -> None:
    path = _copy(SCHEMA_2, tmp_path)
    tables = {name for (name,) in _rows(path, "SELECT name FROM sqlite_master")}
    assert "health_log" in tables and "alerts" not in tables
    with Store(path) as store:
        store.create()
        assert store.revision() == "0004" and store.schema_version() == 4
        assert _differences(store) == []
        _alerts_work(store)
        assert len(health_history(store, "rp01-north")) == 3
    indexes = {name for (name,) in _rows(path, "SELECT name FROM sqlite_master "
                                               "WHERE type = 'index'")}
    assert {"ix_alerts_state", "ix_alerts_camera", "ix_alerts_first_at",
            "ix_alert_history_alert_id_at"} <= indexes


def _lanes_work(store: Store) -> None:
    """A lane minute can be written to the migrated store, replaced and read back."""
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    record_lane_minutes(store, [LaneMinute("rp01-north", "northbound", minute, 0.5, 0.2, 40)])
    record_lane_minutes(store, [LaneMinute("rp01-north", "northbound", minute, 0.6, 0.1, 50)])
    assert lane_minutes(store, site="rp01") == [
        LaneMinute("rp01-north", "northbound", minute, 0.6, 0.1, 50.0)]


@pytest.mark.parametrize("old", [SCHEMA_1, SCHEMA_2], ids=["schema1", "schema2"])
def test_an_old_store_gains_the_lane_occupancy_by_migration(old: Path, tmp_path: Path) -> None:
    path = _copy(old, tmp_path)
    assert not _rows(path, "SELECT name FROM sqlite_master WHERE name = 'lane_occupancy'")
    with Store(path) as store:
        store.create()
        assert store.revision() == "0004" and store.schema_version() == 4
        assert _differences(store) == []
        assert [c.id for c in cameras(store)] == CAMERAS
        _lanes_work(store)
        _alerts_work(store)
    indexes = {name for (name,) in _rows(path, "SELECT name FROM sqlite_master "
                                               "WHERE type = 'index'")}
    assert "ix_lane_occupancy_camera_id_minute" in indexes
    assert _rows(path, "SELECT version_num FROM alembic_version") == [("0004",)]


def test_a_store_at_revision_0003_is_upgraded_with_its_alerts(tmp_path: Path) -> None:
    from alembic import command

    path = _copy(SCHEMA_2, tmp_path)
    with Store(path) as store:
        store.create()
        _alerts_work(store)
        with store.engine.begin() as connection:
            command.downgrade(migrate.config(connection), "0003")
        assert store.revision() == "0003"
    assert not _rows(path, "SELECT name FROM sqlite_master WHERE name = 'lane_occupancy'")
    with Store(path) as store:  # the release before this one wrote it: the next start
        store.create()
        assert store.revision() == "0004"
        assert _differences(store) == []
        assert len(open_alerts(store)) == 1 and len(health_history(store, "rp01-north")) == 3
        _lanes_work(store)


def test_the_alerts_revision_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command

    def tables() -> set[str]:
        return {name for (name,) in _rows(path, "SELECT name FROM sqlite_master "
                                                "WHERE type = 'table'")}

    path = _copy(SCHEMA_2, tmp_path)
    with Store(path) as store:
        store.create()
        with store.engine.begin() as connection:
            command.downgrade(migrate.config(connection), "0002")
        assert store.revision() == "0002"
        assert "alerts" not in tables() and "alert_history" not in tables()
        assert "health_log" in tables()
        with store.engine.begin() as connection:
            command.upgrade(migrate.config(connection), "head")
        assert store.revision() == "0004"
        assert _differences(store) == []


def test_a_migration_is_logged_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _copy(SCHEMA_1, tmp_path)
    with caplog.at_level(logging.INFO), Store(path) as store:
        store.create()
        store.create()
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("videowall.store.store", f"store {path}: schema 1 migrated to revision 0004")]


def test_what_alembic_cannot_do_is_a_store_error_in_words(tmp_path: Path) -> None:
    path = _copy(SCHEMA_1, tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 0")
    with Store(path) as store, pytest.raises(StoreError) as caught:
        store.create()
    assert str(caught.value).startswith(f"cannot create the store {path}: ")
    assert "0000" in str(caught.value)
    assert _rows(path, "SELECT version FROM schema_version") == [(0,)]


def test_a_failed_migration_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(SCHEMA_1, tmp_path)

    def fail(*args: object, **kwargs: object) -> None:
        raise StoreError(str(path), "create", "power cut")

    monkeypatch.setattr(Store, "_record_schema", fail)
    with Store(path) as store, pytest.raises(StoreError, match="power cut"):
        store.create()
    tables = {name for (name,) in _rows(path, "SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")}
    assert "health_log" not in tables and "alembic_version" not in tables
    assert _rows(path, "SELECT version FROM schema_version") == [(1,)]


def test_a_store_at_an_unknown_revision_is_refused_by_create(tmp_path: Path) -> None:
    path = _at_future_revision(tmp_path)
    with Store(path) as store, pytest.raises(StoreError, match=NEWER):
        store.create()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [("0099",)]


def test_a_store_at_an_unknown_revision_is_refused_for_reading(tmp_path: Path) -> None:
    path = _at_future_revision(tmp_path)
    with Store(path) as store, pytest.raises(StoreError, match=NEWER):
        store.check()
    with Store(path) as store, pytest.raises(StoreError, match=NEWER):
        health_history(store, "rp01-north")
    with Store(path) as store, pytest.raises(StoreError, match=NEWER):
        cameras(store)


def test_videowall_health_refuses_a_store_at_an_unknown_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _at_future_revision(tmp_path)
    # The command's handler, without main()'s set-up of the process's logging.
    args = build_parser().parse_args(
        ["health", "--camera", "rp01-north", "--db", str(path), "--since", "all"])
    assert args.handler(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"videowall: cannot use the store {path}: it was written by a "
                          "newer videowall (revision 0099; this one knows up to revision 0004)")
