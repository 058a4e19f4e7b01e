"""The soak benchmark: its memory figures, and one short run against real servers."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from videowall.bench.soak import rss_growth


def test_rss_growth_ignores_warm_up_and_single_sample_swings() -> None:
    rng = random.Random(7)
    # 60 min sampled every 10 s: start-up climbs 300 -> 400 MiB in 5 min, then flat
    # with +-20 MiB swings (the allocator trimming once a minute)
    samples = [(t, round((300 + min(t, 300) / 3 + rng.uniform(-20, 20)) * 1024))
               for t in range(5, 3600, 10)]
    figures = rss_growth(samples, 3600)
    assert abs(figures["rss_growth"]) < 0.02
    assert abs(figures["rss_mib_per_hour"]) < 15
    assert 390 * 1024 < figures["rss_kib_first"] < 410 * 1024


def test_rss_growth_sees_a_steady_leak() -> None:
    # 400 MiB growing 1 MiB a minute: +60 MiB/hour, about +12% from minute 5 to 60
    samples = [(t, round((400 + t / 60) * 1024)) for t in range(5, 3600, 10)]
    figures = rss_growth(samples, 3600)
    assert figures["rss_mib_per_hour"] == pytest.approx(60, abs=0.5)
    assert 0.09 < figures["rss_growth"] < 0.13


def test_rss_growth_of_no_samples() -> None:
    assert rss_growth([], 60)["rss_kib_max"] == 0


def test_a_short_soak_runs_the_real_wall_through_a_fault(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    proc = subprocess.run(
        [sys.executable, "-m", "videowall", "bench", "soak", "--minutes", "1.2",
         "--tiles", "4", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.is_file(), proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["exit_code"] == 0, proc.stderr[-2000:]
    assert result["faults"] == 1 and result["fault_log"][0]["t"] >= 20
    assert result["tiles_not_live_at_end"] == [], proc.stderr[-2000:]
    # every tile went down with the fault and came back
    assert result["state_changes"] >= 8
    assert len(result["rss_samples"]) >= 6
    assert "resident memory" in proc.stdout
