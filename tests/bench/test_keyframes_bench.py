"""``videowall bench keyframes``: one tiny run against a real server, real ffmpeg and real
decoders of both backends, and the shape of its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_a_tiny_keyframes_bench_reports_every_run(tmp_path: Path) -> None:
    out = tmp_path / "keyframes.json"
    proc = subprocess.run(
        [sys.executable, "-m", "videowall", "bench", "keyframes", "--streams", "1",
         "--seconds", "2", "--warmup", "7", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["streams"] == 1 and result["decode_size"] == "320x180"
    assert result["decode_only_cpu_pct"] > 0
    assert set(result["runs"]) == {"ffmpeg-key-frames", "vlc-key-frames",
                                   "ffmpeg-every-frame", "vlc-every-frame"}
    for name, run in result["runs"].items():
        assert run["live"] == 1 and run["reconnects"] == 0, (name, run)
        assert run["cpu_pct"] >= 0 and run["ratio_to_decode_only"] >= 0
        assert run["first_picture_s_max"] is not None and run["first_picture_s_max"] < 5
        if run["key_frames_only"]:
            assert 0 < run["pictures_per_s"] <= 2.5, (name, run)  # a key frame a second
        else:
            assert run["pictures_per_s"] >= 15, (name, run)
    assert set(result["key_frames_under_target"]) == {"ffmpeg", "vlc"}
    assert "decode-only (ffmpeg -threads 1)" in proc.stdout
    assert "ffmpeg-key-frames" in proc.stdout
