"""The headless snapshot writes a real picture of the wall and a report with its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtGui import QImage
from pytestqt.qtbot import QtBot

from videowall.registry.model import Registry
from videowall.streams.manager import StreamManager
from videowall.ui.snapshot import run_snapshot

TILE_KEYS = {"index", "camera", "state", "backend", "frames", "fps", "width", "height"}
EVENT_KEYS = {"t", "camera", "kind", "detail", "state"}
STATS_KEYS = {
    "frames_decoded", "frames_shown", "frames_dropped", "fps", "bitrate_kbps",
    "last_frame_age_s", "reconnects", "first_frame_s", "next_retry_in_s",
}


def test_snapshot_writes_png_and_report(
    qtbot: QtBot, tmp_path: Path, registry: Registry, manager: StreamManager
) -> None:
    png, report_path = tmp_path / "out" / "wall.png", tmp_path / "out" / "report.json"
    report = run_snapshot(
        registry,
        grid="2x2",
        camera_ids=["red", "off", "drop"],
        duration=1.5,
        out_png=png,
        report_json=report_path,
        size=(640, 360),
        manager=manager,
    )
    assert json.loads(report_path.read_text(encoding="utf-8")) == report
    assert set(report) == {"tiles", "alarm_window", "events", "alerts"}
    assert report["alarm_window"] is None  # nothing raised off the wall

    image = QImage(str(png))
    assert (image.width(), image.height()) == (640, 360)
    centre = image.pixelColor(160, 90)  # tile 0: the red camera
    assert (centre.red(), centre.green(), centre.blue()) == (255, 0, 0)
    empty_tile = image.pixelColor(600, 210)  # tile 3: empty, in the empty-tile grey
    assert (empty_tile.red(), empty_tile.green(), empty_tile.blue()) == (13, 16, 20)

    tiles = report["tiles"]
    assert [t["index"] for t in tiles] == [0, 1, 2, 3]
    assert all(TILE_KEYS | {"detail", "site"} <= set(t) for t in tiles)
    red, off, drop, empty = tiles
    assert red["camera"] == "red" and red["state"] == "live" and red["backend"] == "fake"
    assert red["site"] == "Sudirman – Thamrin junction"
    assert red["frames"] >= 20 and 12.0 <= red["fps"] <= 30.0, red
    assert (red["width"], red["height"]) == (316, 178)  # fits the 318x178 tile
    assert off["state"] == "offline" and off["detail"] == "connection refused"
    assert off["frames"] == 0 and off["fps"] == 0.0
    assert drop["state"] == "offline" and drop["detail"] == "connection lost"
    assert drop["frames"] > 0
    assert empty["camera"] is None and empty["state"] == "empty" and empty["frames"] == 0

    # The stream's own statistics, per tile with a stream.
    assert all(set(t["stats"]) >= STATS_KEYS for t in (red, off, drop))
    assert empty["stats"] is None
    assert red["stats"]["frames_decoded"] >= red["frames"] * 0.8
    assert red["stats"]["reconnects"] == 0 and red["stats"]["last_frame_age_s"] < 0.5
    assert red["stats"]["first_frame_s"] is not None and red["stats"]["next_retry_in_s"] is None
    assert off["stats"]["frames_decoded"] == 0 and off["stats"]["first_frame_s"] is None
    assert 25 <= off["stats"]["next_retry_in_s"] <= 30  # the fake retries after 30 s
    assert drop["stats"]["frames_decoded"] > 0

    everything = report["events"]
    assert all(set(e) >= EVENT_KEYS for e in everything)
    assert {e["kind"] for e in everything} == {"state", "alert"}
    times = [e["t"] for e in everything]
    assert times == sorted(times)
    events = [e for e in everything if e["kind"] == "state"]
    times = [e["t"] for e in events]
    assert times == sorted(times) and times[0] >= 0.0 and times[-1] <= 2.0
    assert {
        "camera": "off",
        "state": "offline",
        "detail": "offline: connection refused",
    }.items() <= next(e for e in events if e["camera"] == "off" and e["state"] == "offline").items()
    drop_states = [e["state"] for e in events if e["camera"] == "drop"]
    assert drop_states == ["connecting", "live", "offline"]

    assert_one_group_alert(everything, report["alerts"])

    # The wall let go of its streams; the manager stays the caller's.
    assert manager.streams() == []


def assert_one_group_alert(everything: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> None:
    """Both mall cameras went offline within the group window: one alert for the site."""
    events = [e for e in everything if e["kind"] == "state"]
    changes = [(e["change"], e["camera"], e["members"], e["state"])
               for e in everything if e["kind"] == "alert"]
    assert changes == [("raised", "off", ["off"], "new"),
                       ("updated", "", ["off", "drop"], "new")]
    (alert,) = alerts
    assert {k: alert[k] for k in ("kind", "camera", "members", "state", "count", "group",
                                  "detail", "priority")} == {
        "kind": "offline", "camera": "", "members": ["off", "drop"], "state": "new",
        "count": 2, "group": "site:mall", "detail": "2 cameras offline", "priority": 3,
    }
    off_down = next(e["t"] for e in events if e["camera"] == "off" and e["state"] == "offline")
    drop_down = next(e["t"] for e in events if e["camera"] == "drop" and e["state"] == "offline")
    assert alert["first_t"] == pytest.approx(off_down, abs=0.05)
    assert alert["last_t"] == pytest.approx(drop_down, abs=0.05)
    assert len(alert["id"]) == 26



def test_snapshot_names_unknown_cameras(
    tmp_path: Path, registry: Registry, manager: StreamManager
) -> None:
    with pytest.raises(ValueError, match=r"unknown camera ids in test\.yaml: ghost, phantom"):
        run_snapshot(
            registry,
            grid="2x2",
            camera_ids=["ghost", "red", "phantom"],
            duration=0.1,
            out_png=tmp_path / "w.png",
            report_json=tmp_path / "r.json",
            manager=manager,
        )
    assert not (tmp_path / "w.png").exists() and not (tmp_path / "r.json").exists()
    assert manager.streams() == []


def test_snapshot_of_the_default_cameras(
    qtbot: QtBot, tmp_path: Path, registry: Registry, manager: StreamManager
) -> None:
    report = run_snapshot(
        registry,
        grid="1+5",
        camera_ids=None,
        duration=0.5,
        out_png=tmp_path / "w.png",
        report_json=tmp_path / "r.json",
        size=(960, 540),
        manager=manager,
    )
    cams = [t["camera"] for t in report["tiles"]]
    assert cams == ["red", "green", "blue43", "square", "off", "drop"]
    # The big tile (638x358) decodes bigger pictures than the small ones (318x178); the
    # 640x360 source is not scaled by 0.3% to fit it exactly (the tile crops 2 pixels).
    assert (report["tiles"][0]["width"], report["tiles"][0]["height"]) == (640, 360)
    assert (report["tiles"][1]["width"], report["tiles"][1]["height"]) == (316, 178)


def test_snapshot_writes_what_it_sees_to_the_store(
    qtbot: QtBot, tmp_path: Path, registry: Registry, manager: StreamManager
) -> None:
    from videowall.store import Store, cameras, health_history
    from videowall.store.writer import WallStore

    db = tmp_path / "videowall.db"
    listener = WallStore(str(db))
    try:
        report = run_snapshot(
            registry, grid="1x2", camera_ids=["red", "off"], duration=1.0,
            out_png=tmp_path / "wall.png", report_json=tmp_path / "report.json",
            size=(320, 180), manager=manager, listener=listener,
        )
    finally:
        listener.close()
    with Store(db) as store:
        assert {c.id for c in cameras(store)} >= {"red", "off"}
        logged = [(e.state, e.reason) for e in health_history(store, "off")]
    reported = [(e["state"], e["message"]) for e in report["events"]
                if e["camera"] == "off" and e["kind"] == "state"]
    # Every change the report lists the health log holds (in order, from the first), and
    # what came after the report up to the stop.
    assert reported and logged[: len(reported)] == reported
    assert logged[-1] == ("stopped", "the wall closed")
