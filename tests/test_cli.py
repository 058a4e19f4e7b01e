"""The command line, run in-process: exit codes, messages, and what each command hands on.

The wall, the snapshot, the probe, the simulator and the bench are replaced by recording
fakes here; their own tests drive the real things.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from videowall.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
VALID = DATA / "valid.yaml"
COMMITTED = ROOT / "config" / "cameras.yaml"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() installs a stderr handler on the root logger; take it away again."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Fakes for the modules the commands import lazily; each records its calls."""
    record: list[tuple[str, Any]] = []

    def run_wall(registry: Any, **kwargs: Any) -> int:
        listener = kwargs.pop("listener")
        assert listener is None or hasattr(listener, "registry_applied")
        record.append(("run_wall", (registry, kwargs)))
        return 0

    def run_snapshot(registry: Any, **kwargs: Any) -> dict[str, Any]:
        record.append(("run_snapshot", (registry, kwargs)))
        return {"tiles": [
            {"index": 0, "camera": "rp01-north", "state": "live", "backend": "ffmpeg",
             "frames": 250, "fps": 24.96, "detail": ""},
            {"index": 1, "camera": None, "state": "empty", "backend": "", "frames": 0,
             "fps": 0.0, "detail": ""},
            {"index": 2, "camera": "mall_a_lobby", "state": "offline", "backend": "vlc",
             "frames": 0, "fps": 0.0,
             "detail": "cannot open rtsp://viewer:pw@10.0.0.5:554/stream1"},
        ], "events": []}

    def probe(url: str, backend: str = "auto", timeout: float = 15.0) -> dict[str, Any]:
        record.append(("probe", (url, backend, timeout)))
        ok = "fail" not in url
        return {"ok": ok, "url": url, "backend": "ffmpeg", "codec": "h264",
                "width": 640, "height": 360, "error": "" if ok else "connection refused"}

    class DemoSimulator:
        def start(self) -> None:
            record.append(("simulator", "start"))

        def stop(self) -> None:
            record.append(("simulator", "stop"))

    def bench_main(argv: list[str]) -> int:
        record.append(("bench", argv))
        return 3

    fakes = {
        "videowall.ui.app": {"run_wall": run_wall},
        "videowall.ui.snapshot": {"run_snapshot": run_snapshot},
        "videowall.streams.probe": {"probe": probe},
        "videowall.demo.simulator": {"DemoSimulator": DemoSimulator},
        "videowall.bench.decode": {"main": bench_main},
    }
    for name, attrs in fakes.items():
        module = types.ModuleType(name)
        for attr, value in attrs.items():
            setattr(module, attr, value)
        monkeypatch.setitem(sys.modules, name, module)
    return record


# -- cameras validate ----------------------------------------------------------------------------


def test_validate_a_valid_file(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MALL_PASSWORD", "x")
    assert main(["cameras", "validate", str(VALID)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{VALID}: valid: 4 cameras (1 disabled), 2 sites, 2 agencies\n"
    assert err == ""


def test_validate_prints_warnings_and_still_passes(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MALL_PASSWORD", raising=False)
    assert main(["cameras", "validate", str(VALID)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{VALID}: valid: 4 cameras (1 disabled), 2 sites, 2 agencies, 2 warnings\n"
    assert err.splitlines() == [
        f"{VALID}:36: warning: cameras[2].streams.main: environment variable MALL_PASSWORD is "
        "not set: camera 'mall_a_lobby' is loaded disabled",
        f"{VALID}:37: warning: cameras[2].streams.sub: environment variable MALL_PASSWORD is "
        "not set: camera 'mall_a_lobby' is loaded disabled",
    ]


def test_validate_a_broken_file(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(DATA)
    assert main(["cameras", "validate", "broken/plain_password.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    schemes = "rtsp, rtsps, http, https, udp, rtp, file"
    assert err.splitlines() == [
        "broken/plain_password.yaml:5: warning: cameras[0].url: camera 'cam-1' has a password "
        "written in the file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD "
        "in the environment",
        "broken/plain_password.yaml:9: warning: cameras[1].url: camera 'cam-2' has a password "
        "written in the file: write user:${CAM_PASSWORD}@host in the URL and set CAM_PASSWORD "
        "in the environment",
        f"broken/plain_password.yaml:9: cameras[1].url: scheme 'rtps' is not one of {schemes} "
        "(did you mean 'rtsp'?)",
        "broken/plain_password.yaml:10: cameras[1].enabled: expected true or false, found "
        "string '***'",
        "broken/plain_password.yaml: 2 errors, 2 warnings",
    ]
    assert "Sup3rSecret" not in err


def test_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cameras.yaml"
    assert main(["cameras", "validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"{path}: cannot read the camera registry: No such file or "
                              "directory\n")


def test_validate_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: cannot read the camera registry: Is a " \
                                      "directory\n"


@pytest.mark.skipif(not COMMITTED.is_file(), reason="no committed config/cameras.yaml")
def test_validate_the_committed_registry_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["cameras", "validate"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("config/cameras.yaml: valid: ")
    assert err == ""


# -- cameras list ---------------------------------------------------------------------------------


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--log-level", "error", "cameras", "list", "--config", str(VALID),
                 "--json"]) == 0
    cameras = json.loads(capsys.readouterr().out)
    assert cameras == [
        {"id": "rp01-north", "name": "Sudirman North", "site": "rp01", "agency": "transport",
         "backend": "ffmpeg", "url": "rtsp://127.0.0.1:18554/road-a", "sub_url": None,
         "location": {"lat": -6.193, "lon": 106.8228}, "heading": 0.0,
         "tags": ["junction", "north"], "enabled": True, "priority": 3, "motion": False},
        {"id": "rp01-south", "name": "Sudirman South", "site": "rp01", "agency": "transport",
         "backend": "auto", "url": "http://127.0.0.1:18080/road-b.ts", "sub_url": None,
         "location": None, "heading": 180.5, "tags": [], "enabled": True, "priority": 3,
         "motion": False},
        {"id": "mall_a_lobby", "name": "Lobby", "site": "mall-a", "agency": "mall",
         "backend": "vlc", "url": "rtsp://viewer:***@10.0.0.5:554/stream1",
         "sub_url": "rtsp://viewer:***@10.0.0.5:554/stream2", "location": None,
         "heading": None, "tags": [], "enabled": False, "priority": 3, "motion": False},
        {"id": "lab-clip", "name": "Test clip", "site": "mall-a", "agency": "",
         "backend": "auto", "url": "file:///var/lib/videowall/clip.mp4", "sub_url": None,
         "location": None, "heading": None, "tags": [], "enabled": True, "priority": 3,
         "motion": False},
    ]


def test_list_json_masks_passwords_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MALL_PASSWORD", "Very-Secret-77")
    assert main(["cameras", "list", "--config", str(VALID), "--json"]) == 0
    out, err = capsys.readouterr()
    assert "Very-Secret-77" not in out + err
    assert json.loads(out)[2]["url"] == "rtsp://viewer:***@10.0.0.5:554/stream1"
    assert json.loads(out)[2]["sub_url"] == "rtsp://viewer:***@10.0.0.5:554/stream2"


def test_list_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "list", "--config", str(VALID), "--json", "--site", "mall-a"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == ["mall_a_lobby", "lab-clip"]
    assert main(["cameras", "list", "--config", str(VALID), "--json", "--agency", "mall"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == ["mall_a_lobby"]


def test_list_unknown_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "list", "--config", str(VALID), "--site", "rp1"]) == 1
    assert capsys.readouterr().err.endswith(
        "videowall: no site 'rp1' in the registry (did you mean 'rp01'?)\n"
    )


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--log-level", "error", "cameras", "list", "--config", str(VALID)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ID            NAME            SITE    AGENCY     BACKEND  URL",
        "rp01-north    Sudirman North  rp01    transport  ffmpeg   rtsp://127.0.0.1:18554/road-a",
        "rp01-south    Sudirman South  rp01    transport  auto     "
        "http://127.0.0.1:18080/road-b.ts",
        "mall_a_lobby  Lobby           mall-a  mall       vlc      "
        "rtsp://viewer:***@10.0.0.5:554/stream1  (disabled)",
        "lab-clip      Test clip       mall-a  -          auto     "
        "file:///var/lib/videowall/clip.mp4",
    ]


@pytest.mark.skipif(not COMMITTED.is_file(), reason="no committed config/cameras.yaml")
def test_list_json_of_the_committed_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras", "list", "--config", str(COMMITTED), "--json"]) == 0
    cameras = json.loads(capsys.readouterr().out)
    assert cameras
    assert len({c["id"] for c in cameras}) == len(cameras)
    keys = {"id", "name", "site", "agency", "backend", "url", "sub_url", "location",
            "heading", "tags", "enabled", "priority", "motion"}
    assert all(set(c) == keys for c in cameras)
    assert all(c["url"].startswith(("rtsp://", "http://")) for c in cameras)


def test_a_broken_config_prints_issues_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(DATA)
    assert main(["cameras", "list", "--config", "broken/duplicate_id.yaml"]) == 1
    assert capsys.readouterr().err == (
        "broken/duplicate_id.yaml:10: cameras[2].id: duplicate id 'cam-1' (first used at "
        "line 2)\n"
    )
    assert main(["cameras", "list", "--config", "nope.yaml"]) == 2
    assert capsys.readouterr().err == (
        "nope.yaml: cannot read the camera registry: No such file or directory\n"
    )


# -- run, demo, snapshot, probe, bench ------------------------------------------------------------


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
    monkeypatch.setattr("videowall.cli.app.demo_config_path", lambda: VALID)
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
    monkeypatch.setattr("videowall.cli.app.demo_config_path", lambda: VALID)
    waited: list[bool] = []
    monkeypatch.setattr("videowall.cli.app._wait_for_interrupt", lambda: waited.append(True))
    assert main(["demo", "--no-wall"]) == 0
    assert waited == [True]
    assert calls == [("simulator", "start"), ("simulator", "stop")]


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


def test_probe_a_url(calls: list[tuple[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "rtsp://admin:pw1234@127.0.0.1:18554/a", "--timeout", "3"]) == 0
    assert calls == [("probe", ("rtsp://admin:pw1234@127.0.0.1:18554/a", "auto", 3.0))]
    assert capsys.readouterr().out.splitlines() == [
        "ok: True", "url: rtsp://admin:***@127.0.0.1:18554/a", "backend: ffmpeg",
        "codec: h264", "width: 640", "height: 360", "error: ",
    ]


def test_probe_failure_as_json(calls: list[tuple[str, Any]],
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "http://u:pw1234@127.0.0.1:9/fail.ts", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["error"] == "connection refused"
    assert result["url"] == "http://u:***@127.0.0.1:9/fail.ts"


def test_probe_a_camera_id(calls: list[tuple[str, Any]]) -> None:
    assert main(["probe", "rp01-north", "--config", str(VALID)]) == 0
    assert calls == [("probe", ("rtsp://127.0.0.1:18554/road-a", "ffmpeg", 15.0))]


def test_probe_an_unknown_camera(calls: list[tuple[str, Any]],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "lobby", "--config", str(VALID)]) == 1
    assert "no camera 'lobby'" in capsys.readouterr().err
    assert calls == []


def test_bench_gets_the_rest_of_the_command_line(calls: list[tuple[str, Any]]) -> None:
    assert main(["--log-level", "warning", "bench", "--tiles", "4,9", "--help"]) == 3
    assert calls == [("bench", ["--tiles", "4,9", "--help"])]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from videowall import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"videowall {__version__}\n"


def test_cameras_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cameras"]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


# -- the entry points as a technician starts them ------------------------------------------------


def test_entry_points_and_no_qt_on_import() -> None:
    code = "import sys, videowall.cli.app; print('PyQt6' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=30, check=True)
    assert run.stdout == "False\n"
    for argv in (["-m", "videowall"], [str(ROOT / "main.py")]):
        run = subprocess.run([sys.executable, *argv, "cameras", "validate", str(VALID)],
                             capture_output=True, text=True, cwd=ROOT, timeout=30,
                             env={"MALL_PASSWORD": "x", "PATH": ""})
        assert run.returncode == 0, run.stderr
        assert run.stdout == f"{VALID}: valid: 4 cameras (1 disabled), 2 sites, 2 agencies\n"


def test_no_screen_is_said_in_words(calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", "--config", str(VALID)]) == 1
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err.count("videowall: no screen to show the wall on") == 2 and "xvfb-run" in err
    assert calls == []  # neither the wall nor the demo servers started


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


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("stall_min=2", "unknown health setting 'stall_min'"),
        ("retry_cap_s=0.5", "retry_first_s (1 s) is more than retry_cap_s (0.5 s)"),
        ("connections_per_host=2.5", "connections_per_host must be a whole number"),
        ("freeze_s=0", "freeze_s must be between 1 and 3600, not 0"),
    ],
)
def test_a_wrong_health_setting_on_the_command_line_is_said_in_words(
    setting: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["snapshot", "--config", str(VALID), "--grid", "1x1", "--duration", "0",
                 "--out", str(tmp_path / "w.png"), "--report", str(tmp_path / "r.json"),
                 "--health", setting])
    assert code == 1
    assert words in capsys.readouterr().err
    assert not (tmp_path / "w.png").exists()


def test_health_settings_on_the_command_line_change_the_registry_s() -> None:
    import argparse

    from videowall.cli.app import _with_health
    from videowall.registry.loader import load_registry

    registry = load_registry(VALID)
    args = argparse.Namespace(health=[("retry_cap_s", 60.0), ("connections_per_host", 8.0)])
    changed = _with_health(registry, args)
    assert changed.health.retry_cap_s == 60.0 and changed.health.connections_per_host == 8
    assert isinstance(changed.health.connections_per_host, int)
    assert changed.cameras == registry.cameras
    assert _with_health(registry, argparse.Namespace()) is registry


def test_a_health_option_needs_a_name_and_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--health", "stall_min_s"]) == 2
    assert "expected NAME=NUMBER" in capsys.readouterr().err
