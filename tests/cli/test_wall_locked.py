"""The real commands in a process of their own: closed while another program holds the
store's write lock, and a demo whose port another program holds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli import COMMITTED
from tests.store.locking import write_lock_held
from videowall.demo.registry import RTSP_PORT
from videowall.store import Store, health_history


def _videowall(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "videowall", *args], capture_output=True,
                         text=True, timeout=timeout, env=env)
    return run, time.monotonic() - started


def _snapshot_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["snapshot", "--grid", "1x1", "--duration", "1", "--out", str(tmp_path / "w.png"),
            "--report", str(tmp_path / "w.json"), *extra]


@pytest.mark.timeout(90)
def test_a_snapshot_closed_while_the_store_is_locked_exits_and_keeps_the_health_log(
    tmp_path: Path,
) -> None:
    db = tmp_path / "videowall.db"
    with write_lock_held(db):
        run, took = _videowall(["--config", str(COMMITTED),
                                *_snapshot_args(tmp_path, "--db", str(db))], timeout=60)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])  # was 139 (SIGSEGV)
    assert took < 30, took  # the close waits no longer than its timeout
    spill = tmp_path / "videowall.db.pending.jsonl"
    kept = [json.loads(line) for line in spill.read_text().splitlines()]
    assert kept and {item["kind"] for item in kept} <= {"health", "alert"}
    camera = next(item["camera_id"] for item in kept if item["kind"] == "health")
    # The next run, the store free again, writes them in and removes the file.
    run, _ = _videowall(["--config", str(COMMITTED),
                         *_snapshot_args(tmp_path, "--db", str(db))], timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert not spill.exists()
    with Store(db) as store:
        assert len(health_history(store, camera)) >= len(
            [item for item in kept if item.get("camera_id") == camera])


@pytest.mark.timeout(60)
def test_a_demo_whose_port_is_taken_says_so_at_once(tmp_path: Path) -> None:
    listener = socket.socket()
    try:
        listener.bind(("127.0.0.1", RTSP_PORT))
    except OSError:
        listener.close()
        pytest.skip(f"port {RTSP_PORT} is in use on this machine")
    listener.listen()
    with listener:
        run, took = _videowall(_snapshot_args(tmp_path, "--demo", "--db", "none"), timeout=40)
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert (f"videowall: the demo's RTSP port {RTSP_PORT} on 127.0.0.1 is taken"
            in run.stderr)
    assert took < 8, took  # at once: it was 10 s and a traceback
