"""The motion benchmark: one short run, its table and its JSON."""

from __future__ import annotations

import json

import pytest

from videowall.bench.main import main as bench


def test_a_short_run_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench(["motion", "--minutes", "0.2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures["cost_ms"]) == {"running-average", "mog2", "to_grey 640x360"}
    assert all(v > 0 for v in figures["cost_ms"].values())
    assert figures["false_alerts"] == {
        "sensor noise": 0, "lighting step +40": 0, "motion in a masked area": 0,
        "tree flicker in a masked area": 0,
    }
    assert figures["delay_s"]["worst"] < 0.5
    assert figures["analysis"] == {"fps": 5.0, "size": "256x144", "minutes_per_scene": 0.2}


def test_the_table_says_each_figure_against_its_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench(["motion", "--minutes", "0.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "motion at 256x144, 5 pictures a second"
    mog2 = next(line for line in lines if "MOG2" in line)
    assert mog2.split()[-3:-1] == ["0.3", "ms"]
    assert sum("motion events, 0.1 min of" in line and line.endswith("ok")
               for line in lines) == 4
    assert lines[-1].startswith("delay to the motion event")


def test_minutes_must_be_more_than_zero() -> None:
    with pytest.raises(SystemExit):
        bench(["motion", "--minutes", "0"])
