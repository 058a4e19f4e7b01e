"""``videowall [run]``, ``demo`` and ``snapshot``: what they hand the wall, and its store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli import VALID
from videowall.cli.app import main

# -- run, demo, snapshot ------------------------------------------------------------------------


def test_run_hands_the_registry_to_the_wall(calls: list[tuple[str, Any]]) -> None:
    argv = ["--config", str(VALID), "--grid", "2x2", "--cameras", "rp01-south, rp01-north",
            "--fullscreen"]
    assert main(argv) == 0
    assert main(["run", *argv]) == 0
    assert len(calls) == 2
    for name, (registry, kwargs) in calls:
        assert name == "run_wall"
        assert [c.id for c in registry.cameras][:2] == ["rp01-north", "rp01-south"]
        assert kwargs == {"grid": "2x2", "camera_ids": ["rp01-south", "rp01-north"],
                          "fullscreen": True}


def test_the_alarm_tile_is_passed_on_when_given(calls: list[tuple[str, Any]],
                                                 tmp_path: Path) -> None:
    assert main(["run", "--config", str(VALID), "--grid", "1+5", "--alarm-tile", "3"]) == 0
    assert main(["--config", str(VALID), "--alarm-tile", "none"]) == 0
    assert main(["snapshot", "--config", str(VALID), "--grid", "1x1", "--duration", "0",
                 "--out", str(tmp_path / "w.png"), "--report", str(tmp_path / "r.json"),
                 "--alarm-tile", "0"]) == 0
    assert [c[1][1].get("alarm_tile", "not given") for c in calls] == [3, None, 0]
    assert main(["run", "--config", str(VALID), "--alarm-tile", "big"]) == 2


def test_run_leaves_the_grid_to_the_wall(calls: list[tuple[str, Any]]) -> None:
    assert main(["run", "--config", str(VALID)]) == 0
    assert calls[0][1][1] == {"camera_ids": None, "fullscreen": False}


def test_run_with_an_unknown_camera(calls: list[tuple[str, Any]],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(VALID), "--cameras", "rp01-nort"]) == 1
    assert capsys.readouterr().err.endswith(
        f"videowall: no camera 'rp01-nort' in {VALID} (did you mean 'rp01-north'?)\n"
    )
    assert calls == []


def test_run_with_a_bad_grid(calls: list[tuple[str, Any]],
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(VALID), "--grid", "9x9"]) == 2
    assert "argument --grid: unknown grid '9x9'" in capsys.readouterr().err
    assert calls == []


def test_demo(calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("videowall.cli.wall.demo_config_path", lambda: VALID)
    assert main(["demo", "--grid", "1+5"]) == 0
    assert [c[0] for c in calls] == ["simulator", "run_wall", "simulator"]
    assert (calls[0][1], calls[2][1]) == ("start", "stop")
    registry, kwargs = calls[1][1]
    assert registry.source == str(VALID) and kwargs["grid"] == "1+5"
    # every source once first, then the rest; the disabled camera stays off the wall
    assert kwargs["camera_ids"] == ["rp01-north", "rp01-south", "lab-clip"]


def test_demo_without_wall_serves_until_interrupted(
    calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("videowall.cli.wall.demo_config_path", lambda: VALID)
    waited: list[bool] = []
    monkeypatch.setattr("videowall.cli.wall._wait_for_interrupt", lambda: waited.append(True))
    assert main(["demo", "--no-wall"]) == 0
    assert waited == [True]
    assert calls == [("simulator", "start"), ("simulator", "stop")]


def test_snapshot_without_a_store(calls: list[tuple[str, Any]], tmp_path: Path) -> None:
    assert main(["snapshot", "--config", str(VALID), "--grid", "1x1", "--duration", "0",
                 "--out", str(tmp_path / "w.png"), "--report", str(tmp_path / "r.json"),
                 "--db", "none"]) == 0
    assert calls[0][1][1]["listener"] is None


def test_snapshot(calls: list[tuple[str, Any]], tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "wall.png", tmp_path / "report.json"
    code = main(["snapshot", "--config", str(VALID), "--grid", "1x3", "--cameras",
                 "rp01-north,mall_a_lobby", "--duration", "2.5", "--out", str(out),
                 "--report", str(report), "--size", "960x540", "--demo"])
    assert code == 0
    assert [c[0] for c in calls] == ["simulator", "run_snapshot", "simulator"]
    registry, kwargs = calls[1][1]
    assert registry.source == str(VALID)
    # The store, exactly as the wall itself has it (the default one here).
    assert hasattr(kwargs.pop("listener"), "registry_applied")
    assert kwargs == {"grid": "1x3", "camera_ids": ["rp01-north", "mall_a_lobby"],
                      "duration": 2.5, "out_png": out, "report_json": report,
                      "size": (960, 540)}
    assert capsys.readouterr().out.splitlines() == [
        "tile 0: rp01-north live ffmpeg 250 frames 25.0 fps",
        "tile 1: - empty - 0 frames 0.0 fps",
        "tile 2: mall_a_lobby offline vlc 0 frames 0.0 fps "
        "(cannot open rtsp://viewer:***@10.0.0.5:554/stream1)",
        f"wrote {out} and {report}",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "big"], "argument --size: expected WIDTHxHEIGHT, e.g. 1920x1080, not 'big'"),
        (["--duration", "-1"], "argument --duration: expected seconds (a number, 0 or more), "
                               "not '-1'"),
    ],
)
def test_snapshot_usage_errors(args: list[str], message: str, calls: list[tuple[str, Any]],
                               capsys: pytest.CaptureFixture[str]) -> None:
    base = {"--grid": "2x2", "--duration": "1", "--out": "a.png", "--report": "a.json",
            "--size": "640x360"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = ["snapshot", "--config", str(VALID)] + [x for kv in base.items() for x in kv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert calls == []


def test_no_screen_is_said_in_words(calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", "--config", str(VALID)]) == 1
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err.count("videowall: no screen to show the wall on") == 2 and "xvfb-run" in err
    assert calls == []  # neither the wall nor the demo servers started




def test_the_wall_writes_its_registry_and_health_log_to_the_store(
    calls: list[tuple[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run`` hands the wall a listener that mirrors the registry and logs every state
    change into the store given with --db (a real SQLite file)."""
    from videowall.store import Store, cameras, health_history
    from videowall.streams.base import StateChanged, StreamState

    def run_wall(registry: Any, **kwargs: Any) -> int:
        listener = kwargs["listener"]
        listener.registry_applied(registry, lambda message: None)
        for state, detail in ((StreamState.LIVE, "ffmpeg"),
                              (StreamState.STALLED, "no picture for 2 s")):
            listener.stream_event(StateChanged(0.0, "rp01-north", state, detail))
        return 0

    monkeypatch.setattr(sys.modules["videowall.ui.app"], "run_wall", run_wall)
    monkeypatch.setenv("MALL_PASSWORD", "x")
    db = tmp_path / "wall.db"
    assert main(["run", "--config", str(VALID), "--db", str(db)]) == 0
    with Store(db) as store:  # the listener was closed: everything is written
        assert "rp01-north" in [c.id for c in cameras(store)]
        assert [(e.state, e.reason) for e in health_history(store, "rp01-north")] == [
            ("live", "ffmpeg"), ("stalled", "no picture for 2 s")]
