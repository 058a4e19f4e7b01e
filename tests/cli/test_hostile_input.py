"""Hostile or careless input to the commands: absurd ``--since`` values, files that are no
files, stores that are folders or newer, and control characters from the store or a peer.
Each ends at once, in words, with no traceback."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli import VALID
from videowall.cli.app import main
from videowall.cli.cameras import print_table
from videowall.cli.common import print_json, print_line, printable
from videowall.registry.loader import load_registry

ESCAPES = "\x1b[31mRED\x1b[2J line1\nFAKE: cam2 LIVE\r\x07\x7f\x85\x9b\u2028"


# -- --since (finding 7) -------------------------------------------------------------------------


@pytest.mark.parametrize("since, problem", [
    ("9999999w", "goes back before 1970"),
    ("99999999999999999999d", "goes back before 1970"),
    ("9" * 400 + "s", "goes back before 1970"),
    ("0001-01-01T00:00", "goes back before 1970"),
    ("0001-01-01", "goes back before 1970"),
    ("1969-12-31T23:00+00:00", "goes back before 1970"),
    ("1e400d", "is not one"),
    ("2024-13-01", "is not one"),
])
@pytest.mark.parametrize("command", [["health", "--camera", "x"], ["alerts", "list"]])
def test_an_absurd_since_is_a_usage_error_in_words(
    command: list[str], since: str, problem: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*command, "--db", str(tmp_path / "none.db"), "--since", since]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("videowall ")
    assert "error: argument --since: expected an age (90s, 30m, 1h, 2d, 1w), a date-time " \
           "(2024-05-01T08:00) or 'all': " in last
    assert last.endswith(problem) or f"{problem};" in last
    assert "Traceback" not in err and "_since" not in err and "since_time" not in err
    assert len(last) < 300


def test_since_still_takes_ages_dates_and_all(tmp_path: Path) -> None:
    from videowall.cli.common import since_time

    assert since_time("all") is None
    for text in ("90s", "30m", "1h", "2d", "1w", "2024-05-01T08:00", "2024-05-01"):
        assert since_time(text) is not None


# -- files that are no files, stores that cannot be used (finding 13) ---------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    path = tmp_path / "cameras.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.timeout(20)
@pytest.mark.parametrize("argv", [
    ["cameras", "validate", "{fifo}"],
    ["cameras", "list", "--config", "{fifo}"],
    ["run", "--config", "{fifo}", "--db", "none"],
])
def test_a_fifo_as_the_registry_is_refused_at_once(
    argv: list[str], fifo: Path, calls: list[tuple[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([arg.format(fifo=fifo) for arg in argv]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{fifo}: cannot read the camera registry: it is a FIFO (a named pipe), not a file")
    assert calls == []


@pytest.mark.timeout(20)
def test_dev_zero_as_the_registry_is_refused_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("needs /dev/zero")
    assert main(["cameras", "validate", "/dev/zero"]) == 2
    assert capsys.readouterr().err.strip() == (
        "/dev/zero: cannot read the camera registry: it is a device, not a file")


def test_health_on_a_folder_says_it_is_a_folder(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "--camera", "x", "--db", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"videowall: cannot use the store {tmp_path}: it is a folder, not a file (see --db)")


def test_health_refuses_a_store_of_a_newer_videowall(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from videowall.store import Store

    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    assert main(["health", "--camera", "x", "--db", str(path), "--since", "all"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"videowall: cannot use the store {path}: it was written by a newer videowall "
        "(schema 99")


# -- what is printed from elsewhere is escaped (finding 11) --------------------------------------


def test_printable_escapes_every_control_and_keeps_text() -> None:
    shown = printable(ESCAPES + " Ngã tư 東口")
    assert shown == ("\\x1b[31mRED\\x1b[2J line1\\nFAKE: cam2 LIVE\\r\\x07\\x7f\\x85\\x9b"
                     "\\u2028 Ngã tư 東口")
    assert all(ch.isprintable() for ch in shown)


def test_print_json_leaves_no_raw_control_and_stays_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"reason": ESCAPES, "url": "rtsp://u:pw1234@h/a"})
    out = capsys.readouterr().out
    assert json.loads(out) == {"reason": ESCAPES, "url": "rtsp://u:***@h/a"}
    assert all(ch.isprintable() or ch in "\n " for ch in out)


def test_print_line_masks_then_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    print_line("cannot open rtsp://admin:pw1234@h/a\x1b[2J\nFAKE", file=sys.stdout)
    assert capsys.readouterr().out == "cannot open rtsp://admin:***@h/a\\x1b[2J\\nFAKE\n"


def test_cameras_list_escapes_what_it_prints(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    camera = replace(load_registry(VALID).cameras[0], name="line1\nFAKE: cam2 LIVE\x1b[2J")
    print_table([camera], sys.stdout)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "line1\\nFAKE: cam2 LIVE\\x1b[2J" in lines[1]


@pytest.fixture
def hostile_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose health log holds a reason a hostile camera chose."""
    from datetime import UTC, datetime, timedelta

    from videowall.store import HealthEntry, Store, record_health, sync_registry

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    path = tmp_path / "videowall.db"
    now = datetime.now(UTC).replace(microsecond=0)
    with Store(path) as store:
        store.create()
        sync_registry(store, load_registry(VALID))
        record_health(store, [
            HealthEntry("rp01-north", now - timedelta(minutes=2), "offline", ESCAPES),
            HealthEntry("rp01-north", now - timedelta(minutes=1), "live", "ffmpeg"),
        ])
    return path


def test_health_escapes_a_reason_from_the_store(hostile_store: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "--camera", "rp01-north", "--db", str(hostile_store)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x85" not in out and "\r" not in out
    assert "FAKE: cam2 LIVE" in out
    assert len(out.splitlines()) == 4  # header, column titles, two rows: no forged line
    assert main(["health", "--camera", "rp01-north", "--db", str(hostile_store),
                 "--json"]) == 0
    out = capsys.readouterr().out
    assert all(ch.isprintable() or ch in "\n " for ch in out)
    assert json.loads(out)["entries"][0]["reason"] == ESCAPES


def test_probe_escapes_what_the_peer_said(calls: list[tuple[str, Any]],
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def hostile(url: str, backend: str = "auto", timeout: float = 15.0) -> dict[str, Any]:
        return {"ok": False, "url": url, "codec": "h264\x1b]0;owned\x07", "error": ESCAPES}

    monkeypatch.setattr(sys.modules["videowall.streams.probe"], "probe", hostile)
    assert main(["probe", "rtsp://127.0.0.1:9/a"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "ok: False", "url: rtsp://127.0.0.1:9/a", "codec: h264\\x1b]0;owned\\x07",
        "error: " + printable(ESCAPES),
    ]
    assert main(["probe", "rtsp://127.0.0.1:9/a", "--json"]) == 1
    out = capsys.readouterr().out
    assert all(ch.isprintable() or ch in "\n " for ch in out)
    assert json.loads(out)["error"] == ESCAPES


def test_snapshot_escapes_what_a_tile_reported(calls: list[tuple[str, Any]],
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    def hostile(registry: Any, **kwargs: Any) -> dict[str, Any]:
        return {"tiles": [{"index": 0, "camera": "rp01-north", "state": "offline",
                           "backend": "vlc", "frames": 0, "fps": 0.0, "detail": ESCAPES}]}

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    monkeypatch.setattr(sys.modules["videowall.ui.snapshot"], "run_snapshot", hostile)
    assert main(["snapshot", "--config", str(VALID), "--grid", "1x1", "--duration", "0",
                 "--out", str(tmp_path / "w.png"), "--report", str(tmp_path / "r.json"),
                 "--db", "none"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"tile 0: rp01-north offline vlc 0 frames 0.0 fps ({printable(ESCAPES)})"
    assert len(lines) == 2


def test_alerts_escape_a_detail_and_a_note_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime, timedelta

    from videowall.store import Alert, AlertChange, AlertState, Store, record_alerts

    monkeypatch.setenv("MALL_PASSWORD", "s3cret-pw")
    now = datetime.now(UTC).replace(microsecond=0)
    alert = Alert("01JDXA0000000000000000000H", "offline", "rp01-north", "rp01", "dishub", 1,
                  now - timedelta(minutes=4), now - timedelta(minutes=2),
                  members=("rp01-north",), detail=ESCAPES, note="ok\x1b[8m")
    change = AlertChange(alert.id, alert.first_at, "raised", AlertState.NEW, 1, detail=ESCAPES)
    path = tmp_path / "videowall.db"
    with Store(path) as store:
        store.create()
        record_alerts(store, [alert], [change])
    for argv in (["alerts", "list"], ["alerts", "show", alert.id]):
        assert main([*argv, "--db", str(path)]) == 0
        out = capsys.readouterr().out
        assert "FAKE: cam2 LIVE" in out
        assert all(ch.isprintable() or ch == "\n" for ch in out)
        assert main([*argv, "--db", str(path), "--json"]) == 0
        out = capsys.readouterr().out
        assert all(ch.isprintable() or ch in "\n " for ch in out)
        loaded = json.loads(out)
        record = loaded[0] if isinstance(loaded, list) else loaded
        assert record["detail"] == ESCAPES


@settings(max_examples=300, deadline=timedelta(seconds=1), database=None)
@given(st.one_of(
    st.text(max_size=40),
    st.builds(lambda n, u: f"{n}{u}", st.integers(min_value=0, max_value=10**30).map(str)
              | st.floats(min_value=0, allow_nan=False).map(repr),
              st.sampled_from(["s", "m", "min", "h", "d", "w", "W", " d"])),
    st.datetimes().map(lambda when: when.isoformat()),
))
def test_since_takes_a_time_or_says_why_in_words(text: str) -> None:
    from videowall.cli.common import EARLIEST_SINCE, since_time

    try:
        when = since_time(text)
    except argparse.ArgumentTypeError as exc:
        message = str(exc)
        assert message.startswith("expected an age (90s, 30m, 1h, 2d, 1w)")
        assert len(message) < 250 and all(ch.isprintable() for ch in message)
    else:
        assert when is None or when >= EARLIEST_SINCE
