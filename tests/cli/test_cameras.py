"""``videowall cameras validate`` and ``cameras list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import COMMITTED, DATA, ROOT, VALID
from videowall.cli.app import main

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
