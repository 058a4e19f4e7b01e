"""``videowall health``: a camera's history from a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import VALID
from videowall.cli.app import main

# -- health --------------------------------------------------------------------------------------


def _local(when: Any) -> str:
    return str(when.astimezone().strftime("%Y-%m-%d %H:%M:%S"))


@pytest.fixture
def health_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Any]]:
    """A real SQLite store: the valid registry mirrored, and a camera's afternoon."""
    from datetime import UTC, datetime, timedelta

    from videowall.registry.loader import load_registry
    from videowall.store import HealthEntry, Store, record_health, sync_registry

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    now = datetime.now(UTC).replace(microsecond=0)
    entries = [
        HealthEntry("rp01-north", now - timedelta(hours=3), "connecting", "opening via ffmpeg"),
        HealthEntry("rp01-north", now - timedelta(hours=3) + timedelta(seconds=2), "live",
                    "ffmpeg"),
        HealthEntry("rp01-north", now - timedelta(minutes=30), "stalled", "no picture for 2 s"),
        HealthEntry("rp01-north", now - timedelta(minutes=30) + timedelta(seconds=75),
                    "reconnecting", "cannot open rtsp://admin:s3cret-pw@10.0.0.5/x — attempt 1"),
        HealthEntry("rp01-south", now - timedelta(minutes=5), "offline", "connection refused"),
        HealthEntry("retired-cam", now - timedelta(days=3), "live", "vlc"),
    ]
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
        sync_registry(store, load_registry(VALID))
        record_health(store, entries)
    return path, entries


def test_health_prints_a_cameras_history(health_db: tuple[Path, list[Any]],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, entries = health_db
    assert main(["health", "--camera", "rp01-north", "--db", str(path), "--since", "all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Sudirman North (rp01-north): 4 state changes all recorded "
                               "(local time, UTC")
    assert lines[1].split() == ["TIME", "STATE", "FOR", "REASON"]
    rows = lines[2:]
    assert len(rows) == 4
    assert rows[0].startswith(f"{_local(entries[0].at)}  connecting    2.0 s")
    assert rows[0].endswith("opening via ffmpeg")
    assert rows[1].split()[2:6] == ["live", "2", "h", "29"]  # 2 h 29 min 58 s, rounded down
    assert rows[2].split()[2:] == ["stalled", "1", "min", "15", "s", "no", "picture", "for",
                                   "2", "s"]
    assert rows[3].split()[2:4] == ["reconnecting", "—"]  # still going on
    assert "admin:***@10.0.0.5" in rows[3] and "s3cret" not in "\n".join(lines)


def test_health_since_an_hour_says_the_state_before(health_db: tuple[Path, list[Any]],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, entries = health_db
    assert main(["health", "--camera", "rp01-north", "--db", str(path), "--since", "1h"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert " 2 state changes since " in lines[0]
    assert lines[1] == f"before that: live since {_local(entries[1].at)} — ffmpeg"
    assert [line.split()[2] for line in lines[3:]] == ["stalled", "reconnecting"]
    # Nothing in the last minute: the header and the state before, no table.
    assert main(["health", "--camera", "rp01-north", "--db", str(path), "--since", "1m"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert " 0 state changes since " in out[0] and out[1].startswith("before that: reconnecting")
    assert len(out) == 2


def test_health_as_json(health_db: tuple[Path, list[Any]], monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    path, entries = health_db
    monkeypatch.setenv("VIDEOWALL_DB", str(path))  # the store from the environment
    assert main(["health", "--camera", "rp01-north", "--since", "45m", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["camera"] == "rp01-north" and record["name"] == "Sudirman North"
    assert record["since"].endswith("Z")
    assert record["before"]["state"] == "live"
    assert [(e["state"], e["duration_s"]) for e in record["entries"]] == [
        ("stalled", 75.0), ("reconnecting", None)]
    first = record["entries"][0]
    assert first["at"] == entries[2].at.isoformat().replace("+00:00", "Z")
    assert first["reason"] == "no picture for 2 s"
    assert record["entries"][1]["reason"] == "cannot open rtsp://admin:***@10.0.0.5/x — attempt 1"


def test_health_of_a_camera_only_the_log_knows(health_db: tuple[Path, list[Any]],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = health_db
    assert main(["health", "--camera", "retired-cam", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # The default window is one day: its only entry is older.
    assert lines[0].startswith("retired-cam: 0 state changes since ")
    assert lines[1].startswith("before that: live since ")


def test_health_of_an_unknown_camera(health_db: tuple[Path, list[Any]],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = health_db
    assert main(["health", "--camera", "rp01-nort", "--db", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"videowall: no camera 'rp01-nort' in the store {path} (did you mean 'rp01-north'?)\n"
    )


def test_health_without_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "videowall.db"
    assert main(["health", "--camera", "x", "--db", str(missing)]) == 2
    assert capsys.readouterr().err.startswith(f"videowall: no store at {missing}: ")
    assert not missing.parent.exists()  # reading made nothing
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("shopping list\n" * 100)
    assert main(["health", "--camera", "x", "--db", str(not_a_db)]) == 2
    assert "not a videowall store" in capsys.readouterr().err
    assert main(["health", "--camera", "x", "--db", "none"]) == 1


def test_health_with_a_bad_since(health_db: tuple[Path, list[Any]],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = health_db
    assert main(["health", "--camera", "rp01-north", "--db", str(path), "--since", "1y"]) == 2
    assert "expected an age (90s, 30m, 1h, 2d, 1w)" in capsys.readouterr().err
    start = _local(health_db[1][2].at)  # a local date-time: from the stall on
    assert main(["health", "--camera", "rp01-north", "--db", str(path),
                 "--since", start.replace(" ", "T")]) == 0
    assert " 2 state changes since " in capsys.readouterr().out
