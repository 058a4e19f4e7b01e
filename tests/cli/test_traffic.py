"""``videowall traffic``: each lane's minutes and their summary from a real SQLite store."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli import DATA, VALID
from tests.store.locking import write_lock_held
from videowall.cli.app import main
from videowall.cli.traffic import summarise
from videowall.store import LaneMinute, Store, record_lane_minutes, sync_registry

#: The start of the minute ten minutes ago: the first of rp01-north's northbound lane.
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
#: Congested seconds of northbound's six minutes: a queue of three minutes, then one of one.
NORTHBOUND = [0.0, 30.0, 60.0, 45.0, 0.0, 5.5]


def _minute(n: int) -> datetime:
    return START + timedelta(minutes=n)


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


MINUTES = [
    *(LaneMinute("rp01-north", "northbound", _minute(n), 0.2 + 0.1 * n, 1.0 - 0.15 * n, c)
      for n, c in enumerate(NORTHBOUND)),
    LaneMinute("rp01-north", "southbound", _minute(2), 0.1, 0.95, 0.0),
    LaneMinute("mall_a_lobby", "exit\x1b[2J", _minute(4), 0.5, 0.5, 0.0),
    LaneMinute("retired-cam", "in", _minute(0), 0.5, 0.5, 0.0),
    # Three hours ago: outside the default hour.
    LaneMinute("rp01-south", "westbound", START - timedelta(hours=3), 0.9, 0.0, 60.0),
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real SQLite store: the valid registry mirrored, and lanes of four cameras."""
    from videowall.registry.loader import load_registry

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
        sync_registry(store, load_registry(VALID))
        record_lane_minutes(store, MINUTES)
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    value = json.loads(capsys.readouterr().out)
    assert isinstance(value, dict)
    return value


def test_traffic_prints_each_lanes_minutes_and_summary(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["traffic", "--db", str(db), "--camera", "rp01-north"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lane occupancy of camera rp01-north since ")
    assert lines[0].endswith(": 2 lanes of 1 camera")
    assert "(local time, UTC" in lines[0]
    assert lines[1] == ""
    assert lines[2] == "Sudirman North (rp01-north), site rp01, lane northbound"
    assert lines[3].split() == ["MINUTE", "OCCUPANCY", "MOVING", "CONGESTED"]
    rows = lines[4:10]
    assert rows[0] == f"{_local(_minute(0))}  20 %       100 %   0 s"
    assert [row.split()[2:] for row in rows[1:]] == [
        ["30", "%", "85", "%", "30", "s"], ["40", "%", "70", "%", "60", "s"],
        ["50", "%", "55", "%", "45", "s"], ["60", "%", "40", "%", "0", "s"],
        ["70", "%", "25", "%", "5.5", "s"]]
    assert lines[10] == (f"summary: 6 minutes measured ({_local(_minute(0))} to "
                         f"{_local(_minute(5))}), mean occupancy 45 %, moving 62 %")
    assert lines[11] == (f"congestion: 4 minutes congested (2 min 20 s in all), longest queue "
                         f"2 min 15 s from {_local(_minute(1))} (3 minutes)")
    assert lines[13] == "Sudirman North (rp01-north), site rp01, lane southbound"
    assert lines[-2] == f"summary: 1 minute measured ({_local(_minute(2))}), mean occupancy " \
                        "10 %, moving 95 %"
    assert lines[-1] == "congestion: none"


def test_traffic_as_json(db: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VIDEOWALL_DB", str(db))  # the store from the environment
    assert main(["traffic", "--site", "rp01", "--json"]) == 0
    record = _json(capsys)
    assert record["site"] == "rp01" and record["camera"] is None
    assert isinstance(record["since"], str) and record["since"].endswith("Z")
    lanes = record["lanes"]
    assert isinstance(lanes, list)
    assert [(lane["camera"], lane["site"], lane["lane"]) for lane in lanes] == [
        ("rp01-north", "rp01", "northbound"), ("rp01-north", "rp01", "southbound")]
    north = lanes[0]
    assert north["name"] == "Sudirman North"
    assert north["minutes"][1] == {"minute": _iso(_minute(1)), "occupancy": 0.3,
                                   "moving": 0.85, "congested_s": 30.0}
    assert [m["congested_s"] for m in north["minutes"]] == NORTHBOUND
    assert north["summary"] == {
        "minutes": 6, "first": _iso(_minute(0)), "last": _iso(_minute(5)),
        "mean_occupancy": 0.45, "mean_moving": 0.625, "minutes_congested": 4,
        "congested_s": 140.5, "longest_queue_s": 135.0,
        "longest_queue_from": _iso(_minute(1)), "longest_queue_minutes": 3,
    }
    assert lanes[1]["summary"]["longest_queue_from"] is None
    assert lanes[1]["summary"]["minutes_congested"] == 0


def test_traffic_filters_by_site_camera_and_since(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def lanes(*args: str) -> list[tuple[str, str]]:
        assert main(["traffic", "--db", str(db), "--json", *args]) == 0
        return [(lane["camera"], lane["lane"]) for lane in _json(capsys)["lanes"]]  # type: ignore[attr-defined]

    assert lanes() == [("mall_a_lobby", "exit\x1b[2J"), ("retired-cam", "in"),
                       ("rp01-north", "northbound"), ("rp01-north", "southbound")]
    assert lanes("--site", "mall-a") == [("mall_a_lobby", "exit\x1b[2J")]
    assert lanes("--camera", "retired-cam") == [("retired-cam", "in")]
    assert lanes("--since", "all", "--camera", "rp01-south") == [("rp01-south", "westbound")]
    assert lanes("--since", _local(_minute(3)).replace(" ", "T"), "--site", "rp01") == [
        ("rp01-north", "northbound")]
    assert lanes("--site", "mall-a", "--camera", "rp01-north") == []


def test_what_comes_from_the_store_is_escaped(db: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["traffic", "--db", str(db), "--site", "mall-a"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "Lobby (mall_a_lobby), site mall-a, lane exit\\x1b[2J" in out
    assert main(["traffic", "--db", str(db), "--site", "mall-a", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and '"lane": "exit\\u001b[2J"' in out


def test_traffic_without_data_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["traffic", "--db", str(db), "--camera", "rp01-south"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("no lane occupancy of camera rp01-south since ")
    assert main(["traffic", "--db", str(db), "--camera", "lab-clip", "--site", "rp01",
                 "--json"]) == 0
    assert _json(capsys)["lanes"] == []


def test_traffic_of_an_unknown_camera_or_site(db: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["traffic", "--db", str(db), "--camera", "rp01-nort"]) == 1
    assert capsys.readouterr().err == (
        f"videowall: no camera 'rp01-nort' in the store {db} (did you mean 'rp01-north'?)\n")
    assert main(["traffic", "--db", str(db), "--site", "mall-b"]) == 1
    assert capsys.readouterr().err == (
        f"videowall: no site 'mall-b' in the store {db} (did you mean 'mall-a'?)\n")
    assert main(["traffic", "--db", str(db), "--site", "rp\x1b[31m"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no site 'rp\\x1b[31m'" in err


def test_traffic_with_a_bad_since(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["traffic", "--db", str(db), "--since", "1y"]) == 2
    assert "expected an age (90s, 30m, 1h, 2d, 1w)" in capsys.readouterr().err
    assert main(["traffic", "--db", str(db), "--since", "1900-01-01"]) == 2
    assert "goes back before 1970" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["folder", "missing", "not-a-store", "newer", "none"])
def test_a_store_that_cannot_be_read_is_said_as_health_says_it(
    case: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if case == "folder":
        url = str(tmp_path)
    elif case == "missing":
        url = str(tmp_path / "nowhere" / "videowall.db")
    elif case == "not-a-store":
        url = str(tmp_path / "notes.db")
        Path(url).write_text("shopping list\n" * 100)
    elif case == "newer":
        url = str(db)
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099'")
    else:
        url = "none"
    health = main(["health", "--camera", "rp01-north", "--db", url])
    said = capsys.readouterr()
    assert main(["traffic", "--db", url]) == health
    assert health == (1 if case == "none" else 2)
    out, err = capsys.readouterr()
    assert out == said.out == ""
    expected = said.err.replace("the health log lives", "the lane occupancy lives")
    assert err == expected and err.startswith("videowall: ")
    if case == "newer":
        assert "it was written by a newer videowall (revision 0099" in err


def test_traffic_on_a_store_of_the_previous_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "videowall.db"
    shutil.copyfile(DATA / "stores" / "schema2.db", path)
    assert main(["traffic", "--db", str(path), "--since", "all", "--json"]) == 0  # migrated
    assert _json(capsys)["lanes"] == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0004",)]


@pytest.mark.timeout(60)
def test_traffic_reads_while_another_process_writes(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with write_lock_held(db):
        assert main(["traffic", "--db", str(db), "--site", "mall-a", "--json"]) == 0
    assert len(_json(capsys)["lanes"]) == 1  # type: ignore[arg-type]


@pytest.mark.timeout(60)
def test_an_old_store_locked_by_another_process_is_said_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "videowall.db"
    shutil.copyfile(DATA / "stores" / "schema2.db", path)
    with write_lock_held(path, make=False):  # it needs migrating: it cannot be
        assert main(["traffic", "--db", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"videowall: cannot create the store {path}: another program holds a "
                   "write lock on it (gave up after waiting 5 s)\n")


def test_a_queue_is_consecutive_congested_minutes() -> None:
    def lane(congested: list[float | None]) -> list[LaneMinute]:
        return [LaneMinute("c", "l", _minute(n), 0.5, 0.5, c)
                for n, c in enumerate(congested) if c is not None]

    # A missing minute ends a queue; so does a minute without congestion.
    summary = summarise(lane([60.0, 60.0, None, 60.0, 60.0, 60.0, 0.0, 60.0]))
    assert (summary.minutes, summary.minutes_congested) == (7, 6)
    assert (summary.longest_queue_s, summary.longest_queue_from,
            summary.longest_queue_minutes) == (180.0, _minute(3), 3)
    # Of two queues as long, the first.
    summary = summarise(lane([10.0, 0.0, 10.0]))
    assert (summary.longest_queue_s, summary.longest_queue_from) == (10.0, _minute(0))
    with pytest.raises(ValueError, match="needs a minute"):
        summarise([])
