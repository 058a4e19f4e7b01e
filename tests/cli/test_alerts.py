"""``videowall alerts list | ack | show`` end to end on a real SQLite store."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli import DATA, VALID
from videowall.cli import alerts as alerts_cli
from videowall.cli.app import main
from videowall.store import (
    STATE_FILTERS,
    Alert,
    AlertChange,
    AlertState,
    Store,
    alert_history,
    list_alerts,
    record_alerts,
    sync_registry,
)

NOW = datetime.now(UTC).replace(microsecond=0)
#: A camera offline for 40 minutes, flapping: raised, then updated twice.
SINGLE = Alert("01JDXA0000000000000000000S", "offline", "rp01-north", "rp01", "dishub", 1,
               NOW - timedelta(minutes=40), NOW - timedelta(minutes=10), count=3,
               members=("rp01-north",),
               detail="cannot open rtsp://admin:s3cret@10.0.0.5/x")
#: Four cameras of a site that failed together 20 minutes ago and came back.
GROUP = Alert("01JDXB0000000000000000000G", "offline", "", "rp05", "dishub", 2,
              NOW - timedelta(minutes=20), NOW - timedelta(minutes=20), count=4,
              state=AlertState.RESOLVED, members=("rp05-n", "rp05-s", "rp05-e", "rp05-w"),
              group="site:rp05", detail="rp05: 4 cameras offline",
              resolved_at=NOW - timedelta(minutes=15))
#: Yesterday's stall, acknowledged and over.
OLD = Alert("01JDXC0000000000000000000O", "stalled", "mall_a_lobby", "mall_a", "mall", 4,
            NOW - timedelta(days=2), NOW - timedelta(days=2), state=AlertState.RESOLVED,
            members=("mall_a_lobby",), detail="no picture for 5 s", acknowledged_by="bob",
            acknowledged_at=NOW - timedelta(days=2), note="known",
            resolved_at=NOW - timedelta(days=2) + timedelta(minutes=1))


def _steps() -> list[AlertChange]:
    return [
        AlertChange(SINGLE.id, SINGLE.first_at, "raised", AlertState.NEW, 1,
                    detail="connection refused"),
        AlertChange(SINGLE.id, NOW - timedelta(minutes=20), "updated", AlertState.NEW, 2),
        AlertChange(SINGLE.id, SINGLE.last_at, "updated", AlertState.NEW, 3),
        AlertChange(GROUP.id, GROUP.first_at, "raised", AlertState.NEW, 4, detail=GROUP.detail),
        AlertChange(GROUP.id, NOW - timedelta(minutes=15), "resolved", AlertState.RESOLVED, 4,
                    detail="live again for 10 s"),
        AlertChange(OLD.id, OLD.first_at, "raised", AlertState.NEW, 1),
    ]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real SQLite store: the valid registry mirrored, and three alerts."""
    from videowall.registry.loader import load_registry

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
        sync_registry(store, load_registry(VALID))
        record_alerts(store, [SINGLE, GROUP, OLD], _steps())
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


# -- list ------------------------------------------------------------------------------------------


def test_list_prints_one_line_per_alert_newest_first(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "list", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 alerts since ") and lines[0].endswith("newest first")
    assert lines[1].split() == ["ID", "AGE", "PRI", "KIND", "CAMERA", "STATE", "COUNT",
                                "DETAIL"]
    group, single = lines[2:]
    # AGE: since the alert was raised (20 and 40 minutes before the tests started).
    assert group.split()[0] == "01JDXB00" and int(group.split()[1]) >= 20
    assert group.split()[2:5] == ["min", group.split()[3], "s"]
    assert "  offline  site:rp05 (4 cameras)  resolved, unacknowledged  4" in group
    assert group.endswith("rp05: 4 cameras offline")
    assert single.split()[0] == "01JDXA00" and int(single.split()[1]) >= 40
    assert single.split()[5:9] == ["1", "offline", "rp01-north", "new"]
    assert single.endswith("cannot open rtsp://admin:***@10.0.0.5/x")
    # All of them, and nothing in a quiet store.
    assert main(["alerts", "list", "--db", str(db), "--since", "all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("3 alerts all recorded (local time")
    assert [line[:8] for line in out[2:]] == ["01JDXB00", "01JDXA00", "01JDXC00"]


def test_list_as_json(db: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VIDEOWALL_DB", str(db))  # the store from the environment
    assert main(["alerts", "list", "--json"]) == 0
    records = _json(capsys)
    assert isinstance(records, list) and [r["id"] for r in records] == [GROUP.id, SINGLE.id]
    group = records[0]
    assert {"id", "kind", "camera", "state", "priority", "count", "first_at", "last_at",
            "members", "note", "acknowledged_by", "acknowledged_at", "site", "agency",
            "detail", "resolved_at"} <= set(group)
    assert (group["camera"], group["members"], group["group"]) == (
        "", ["rp05-n", "rp05-s", "rp05-e", "rp05-w"], "site:rp05")
    assert (group["state"], group["priority"], group["count"]) == ("resolved", 2, 4)
    assert group["first_at"] == GROUP.first_at.isoformat().replace("+00:00", "Z")
    assert group["resolved_at"] == GROUP.resolved_at.isoformat().replace(  # type: ignore[union-attr]
        "+00:00", "Z")
    assert (group["acknowledged_by"], group["acknowledged_at"], group["note"]) == ("", None, "")
    assert group["unacknowledged"] is True
    assert records[1]["detail"] == "cannot open rtsp://admin:***@10.0.0.5/x"


@pytest.mark.parametrize(("argv", "ids"), [
    (["--state", "new"], [SINGLE.id]),
    (["--state", "open"], [SINGLE.id]),
    (["--state", "resolved", "--since", "all"], [GROUP.id, OLD.id]),
    (["--state", "acknowledged"], []),
    (["--state", "unacknowledged"], [GROUP.id, SINGLE.id]),
    (["--camera", "rp05-s"], [GROUP.id]),
    (["--camera", "mall_a_lobby"], []),  # its only alert is older than a day
    (["--camera", "mall_a_lobby", "--since", "3d"], [OLD.id]),
    (["--camera", "rp01-south"], []),  # in the registry, never alerted
    (["--since", "12m"], [SINGLE.id]),  # the group was over 15 minutes ago
    (["--since", "all", "--limit", "2"], [GROUP.id, SINGLE.id]),
])
def test_list_filters(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                      ids: list[str]) -> None:
    assert main(["alerts", "list", "--db", str(db), "--json", *argv]) == 0
    records = _json(capsys)
    assert isinstance(records, list) and [r["id"] for r in records] == ids


def test_list_titles_say_the_filter(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "list", "--db", str(db), "--state", "open", "--camera",
                 "rp01-north"]) == 0
    assert capsys.readouterr().out.startswith("1 open alert of rp01-north since ")
    assert main(["alerts", "list", "--db", str(db), "--state", "acknowledged"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("0 acknowledged alerts since ")


@pytest.mark.parametrize(("argv", "words"), [
    (["--state", "gone"], "invalid choice: 'gone'"),
    (["--since", "1y"], "expected an age (90s, 30m, 1h, 2d, 1w)"),
    (["--limit", "0"], "expected a whole number, 1 or more, not '0'"),
])
def test_list_with_bad_arguments(db: Path, capsys: pytest.CaptureFixture[str],
                                 argv: list[str], words: str) -> None:
    assert main(["alerts", "list", "--db", str(db), *argv]) == 2
    assert words in capsys.readouterr().err


def test_list_of_an_unknown_camera(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "list", "--db", str(db), "--camera", "rp05-ss"]) == 1
    assert capsys.readouterr().err == (
        f"videowall: no camera 'rp05-ss' in the store {db} (did you mean 'rp05-s'?)\n")


# -- ack -------------------------------------------------------------------------------------------


def test_ack_persists_with_the_user_and_the_note(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "ack", "01jdxa", "--note", "patrol sent", "--user", "ana",
                 "--db", str(db)]) == 0
    assert capsys.readouterr().out == "acknowledged 01JDXA00 (offline, rp01-north) as ana\n"
    with Store(db) as store:
        stored = list_alerts(store, camera="rp01-north")[0]
        steps = alert_history(store, SINGLE.id)
    assert (stored.state, stored.acknowledged_by, stored.note) == (
        AlertState.ACKNOWLEDGED, "ana", "patrol sent")
    assert stored.acknowledged_at is not None
    assert datetime.now(UTC) - stored.acknowledged_at < timedelta(seconds=30)
    assert (steps[-1].change, steps[-1].by, steps[-1].note) == ("acknowledged", "ana",
                                                                 "patrol sent")
    # show lists it in the history; list --state new no longer has it.
    assert main(["alerts", "show", SINGLE.id[:10], "--db", str(db), "--json"]) == 0
    record = _json(capsys)
    assert isinstance(record, dict)
    assert (record["state"], record["acknowledged_by"], record["note"]) == (
        "acknowledged", "ana", "patrol sent")
    assert record["acknowledged_at"].endswith("Z")
    assert [(h["change"], h["state"], h["by"]) for h in record["history"]] == [
        ("raised", "new", ""), ("updated", "new", ""), ("updated", "new", ""),
        ("acknowledged", "acknowledged", "ana")]
    assert main(["alerts", "list", "--db", str(db), "--state", "new", "--json"]) == 0
    assert _json(capsys) == []


def test_ack_by_default_names_the_os_account_and_keeps_a_first_ack(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(alerts_cli.getpass, "getuser", lambda: "nightshift")
    assert main(["alerts", "ack", GROUP.id, "01JDXC", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "acknowledged 01JDXB00 (offline, site:rp05 (4 cameras)) as nightshift"
    assert lines[1].startswith("01JDXC00 (stalled, mall_a_lobby) was acknowledged already "
                               "by bob at ")
    assert main(["alerts", "show", "01jdxb", "--db", str(db), "--json"]) == 0
    record = _json(capsys)
    assert isinstance(record, dict)
    assert (record["state"], record["acknowledged_by"], record["unacknowledged"]) == (
        "resolved", "nightshift", False)
    assert main(["alerts", "ack", "01JDXC", "--db", str(db), "--user", "ana", "--json"]) == 0
    again = _json(capsys)
    assert isinstance(again, list) and again[0]["acknowledged_by"] == "bob"


def test_ack_of_an_unknown_or_ambiguous_id_acknowledges_none(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "ack", "01JDXA", "01JDXZ", "--user", "ana", "--db", str(db)]) == 1
    assert capsys.readouterr().err == f"videowall: no alert '01JDXZ' in the store {db}\n"
    assert main(["alerts", "ack", "01jdx", "--user", "ana", "--db", str(db)]) == 1
    assert capsys.readouterr().err == (
        f"videowall: alert id '01jdx' is ambiguous in the store {db}: it matches "
        f"{SINGLE.id}, {GROUP.id}, {OLD.id}\n")
    with Store(db) as store:
        assert [a.id for a in list_alerts(store, state="new")] == [SINGLE.id]
        assert len(alert_history(store, SINGLE.id)) == 3


def test_ack_with_bad_arguments(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "ack", "--db", str(db)]) == 2
    assert "the following arguments are required: ID" in capsys.readouterr().err
    assert main(["alerts", "ack", "01JDXA", "--user", " ", "--db", str(db)]) == 2
    assert "argument --user: expected a name" in capsys.readouterr().err


# -- show ------------------------------------------------------------------------------------------


def test_show_prints_the_alert_and_its_history(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "show", "01jdxb", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    fields = dict(line.split(":", 1) for line in lines[:13])
    assert fields["alert"].strip() == f"{GROUP.id} — offline, priority 2"
    assert fields["group"].strip() == "site:rp05 (4 cameras)"
    assert fields["members"].strip() == "rp05-n, rp05-s, rp05-e, rp05-w"
    assert fields["state"].strip() == "resolved, unacknowledged"
    assert fields["resolved"].strip().endswith("(lasted 5 min 00 s)")
    assert fields["acknowledged"].strip() == "not yet"
    assert lines[13].startswith("history (local time")
    assert lines[14].split() == ["TIME", "CHANGE", "STATE", "COUNT", "BY", "DETAIL"]
    assert [line.split()[2:5] for line in lines[15:]] == [
        ["raised", "new", "4"], ["resolved", "resolved", "4"]]
    assert lines[-1].endswith("live again for 10 s")


def test_show_of_an_unknown_id(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "show", "nope", "--db", str(db)]) == 1
    assert capsys.readouterr().err == f"videowall: no alert 'nope' in the store {db}\n"
    assert main(["alerts", "show", "--db", str(db)]) == 2


# -- the store -------------------------------------------------------------------------------------


def test_alerts_without_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "videowall.db"
    for argv in (["list"], ["ack", "01JDXA", "--user", "ana"], ["show", "01JDXA"]):
        assert main(["alerts", *argv, "--db", str(missing)]) == 2
        assert capsys.readouterr().err.startswith(f"videowall: no store at {missing}: ")
    assert not missing.parent.exists()  # reading made nothing
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("shopping list\n" * 100)
    assert main(["alerts", "list", "--db", str(not_a_db)]) == 2
    assert "not a videowall store" in capsys.readouterr().err
    assert main(["alerts", "list", "--db", "none"]) == 1
    assert capsys.readouterr().err == (
        "videowall: --db none: the alerts live in the store; name one\n")


def test_alerts_on_a_store_of_the_previous_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "videowall.db"
    shutil.copyfile(DATA / "stores" / "schema2.db", path)
    assert main(["alerts", "list", "--db", str(path), "--json"]) == 0  # migrated, empty
    assert _json(capsys) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0004",)]
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    assert main(["alerts", "list", "--db", str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"videowall: cannot use the store {path}: it was written by a newer videowall")


def test_the_state_choices_are_the_stores() -> None:
    assert alerts_cli.STATES == STATE_FILTERS
