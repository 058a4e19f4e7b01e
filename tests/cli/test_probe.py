"""``videowall probe``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import VALID
from videowall.cli.app import main


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
