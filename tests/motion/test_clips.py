"""``videowall motion test`` on clips made here with FFmpeg: an object entering a zone, the
same under a mask, a change of light, sensor noise, a queue, flowing traffic. Each clip's
events are exact, to within the analysis interval (0.2 s at 5 pictures a second)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from videowall.cli.app import main as videowall

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg program"),
]

#: Seconds between analysed pictures at the default rate.
INTERVAL = 0.2
MIN_DURATION = 0.3
NOISE = "noise=alls=8:allf=t"
SIZE = "320x180"

REGISTRY = """\
cameras:
  - id: door
    name: Door
    site: depot
    url: rtsp://10.0.0.1/door
    motion:
      zones:
        - {name: door, polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}
        - {name: yard, polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]]}
  - id: masked
    name: Masked
    site: depot
    url: rtsp://10.0.0.1/masked
    motion:
      masks:
        - [[0.15, 0.25], [0.5, 0.25], [0.5, 0.65], [0.15, 0.65]]
  - id: junction
    name: Junction
    site: depot
    url: rtsp://10.0.0.1/junction
    tags: [traffic]
    motion:
      zones:
        - name: northbound
          kind: lane
          polygon: [[0.1, 0.42], [0.9, 0.42], [0.9, 0.68], [0.1, 0.68]]
motion:
  congestion_after_s: 4
"""

#: name -> (seconds, ffmpeg arguments after the inputs' sources)
CLIPS: dict[str, tuple[int, list[str]]] = {
    # a 40x40 white square in the left half from 3 s to 6 s, moving right 10 px/s
    "enter": (10, ["-f", "lavfi", "-i", f"color=c=0x707070:s={SIZE}:r=25",
                   "-f", "lavfi", "-i", "color=c=white:s=40x40:r=25", "-filter_complex",
                   f"[0][1]overlay=x='40+t*10':y=60:enable='between(t,3,6)',{NOISE}"]),
    "light": (10, ["-f", "lavfi", "-i", f"smptebars=s={SIZE}:r=25",
                   "-vf", f"{NOISE},lutyuv=y=val+40:enable='gte(t,4)'"]),
    "noise": (10, ["-f", "lavfi", "-i", f"smptebars=s={SIZE}:r=25", "-vf", NOISE]),
    # a queue drives into the lane from 2 s to 4 s, stands until 14 s, leaves by 15.5 s
    "queue": (20, ["-f", "lavfi", "-i", f"color=c=0x606060:s={SIZE}:r=25",
                   "-f", "lavfi", "-i", "color=c=0xd0d0d0:s=240x50:r=25", "-filter_complex",
                   "[0][1]overlay=x='if(lt(t,2),-240,if(lt(t,4),-240+(t-2)*136,"
                   f"if(lt(t,14),32,32+(t-14)*160)))':y=75,{NOISE}"]),
    # three cars that keep passing through the lane at 120 px/s
    "flow": (20, ["-f", "lavfi", "-i", f"color=c=0x606060:s={SIZE}:r=25",
                  "-f", "lavfi", "-i", "color=c=0xd0d0d0:s=60x45:r=25", "-filter_complex",
                  "[1]split=3[a][b][c];[0][a]overlay=x='mod(t*120,400)-60':y=78[p];"
                  "[p][b]overlay=x='mod(t*120+133,400)-60':y=78[q];"
                  f"[q][c]overlay=x='mod(t*120+266,400)-60':y=78,{NOISE}"]),
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("motion-clips")
    for name, (seconds, args) in CLIPS.items():
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args, "-t", str(seconds),
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                        str(folder / f"{name}.mp4")], check=True, timeout=60)
    (folder / "cameras.yaml").write_text(REGISTRY, encoding="utf-8")
    return folder


def _events(capsys: pytest.CaptureFixture[str], clips: Path, clip: str,
            camera: str | None) -> list[dict[str, Any]]:
    args = ["motion", "test", str(clips / f"{clip}.mp4"), "--json"]
    if camera is not None:
        args += ["--camera", camera, "--config", str(clips / "cameras.yaml")]
    assert videowall(args) == 0
    events: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return events


def test_an_object_entering_a_zone_is_one_event_in_that_zone(
    capsys: pytest.CaptureFixture[str], clips: Path
) -> None:
    (event,) = _events(capsys, clips, "enter", "door")
    assert (event["kind"], event["camera"], event["zone"]) == ("motion", "door", "door")
    assert 3.0 <= event["t"] <= 3.0 + INTERVAL + MIN_DURATION
    assert 6.0 - INTERVAL <= event["end_t"] <= 6.0 + INTERVAL
    x, y, w, h = event["box"]
    assert 0.15 < x < 0.3 and 0.25 < y < 0.4 and x + w < 0.5 and y + h < 0.65
    assert event["detail"] == ""


def test_motion_only_under_a_mask_raises_nothing(
    capsys: pytest.CaptureFixture[str], clips: Path
) -> None:
    assert _events(capsys, clips, "enter", "masked") == []
    (anywhere,) = _events(capsys, clips, "enter", None)  # without the mask it counts
    assert anywhere["zone"] == "frame"


@pytest.mark.parametrize("clip", ["light", "noise"])
def test_a_change_of_light_or_sensor_noise_raises_nothing(
    capsys: pytest.CaptureFixture[str], clips: Path, clip: str
) -> None:
    assert _events(capsys, clips, clip, None) == []
    assert _events(capsys, clips, clip, "door") == []


def test_a_lane_that_fills_stands_and_clears_is_one_queue(
    capsys: pytest.CaptureFixture[str], clips: Path
) -> None:
    (queue,) = _events(capsys, clips, "queue", "junction")
    assert (queue["kind"], queue["camera"], queue["lane"]) == ("congestion", "junction",
                                                                "northbound")
    assert 4.0 - INTERVAL <= queue["t"] <= 4.0 + INTERVAL  # it stood still at 4 s
    # less than 45% of the lane is taken from 14.9 s
    assert 14.9 - INTERVAL <= queue["end_t"] <= 14.9 + 2 * INTERVAL
    assert queue["detail"].startswith("queue in lane 'northbound' cleared after 1")


def test_flowing_traffic_raises_nothing(capsys: pytest.CaptureFixture[str], clips: Path) -> None:
    assert _events(capsys, clips, "flow", "junction") == []


def test_the_text_says_each_event_on_one_line(
    capsys: pytest.CaptureFixture[str], clips: Path
) -> None:
    config = str(clips / "cameras.yaml")
    assert videowall(["motion", "test", str(clips / "queue.mp4"), "--camera", "junction",
                      "--config", config, "--duration", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "0 motion events, 1 queue in 10.0 s of clip (50 pictures analysed)"
    assert lines[1].split() == ["FROM", "TO", "KIND", "WHERE", "DETAIL"]
    cells = lines[2].split()
    assert cells[1:5] == ["s", "…", "congestion", "northbound"]
    assert float(cells[0]) == pytest.approx(4.0, abs=INTERVAL)
    assert "queue in lane 'northbound' for " in lines[2]


def test_what_cannot_be_read_is_said_in_words(
    capsys: pytest.CaptureFixture[str], clips: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    assert videowall(["motion", "test", str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"videowall: cannot read {junk}: ") and "Traceback" not in err
    assert videowall(["motion", "test", str(tmp_path / "missing.mp4")]) == 1
    assert "no such file" in capsys.readouterr().err
    config = str(clips / "cameras.yaml")
    assert videowall(["motion", "test", str(clips / "noise.mp4"), "--camera", "dor",
                      "--config", config]) == 1
    assert "no camera 'dor'" in capsys.readouterr().err
    assert videowall(["motion", "test"]) == 2
    assert videowall(["motion", "test", str(junk), "--duration", "soon"]) == 2
