"""Motion on a camera no tile shows, through a real FFmpeg server on loopback: the wall
watches it in the background (key frames only), its motion raises an alert, and the tile
that then shows it shares the same connection."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from videowall.demo.ffserver import FfmpegHttpServer
from videowall.registry.model import Camera, MotionConfig, Registry, Zone
from videowall.registry.motion import MotionSettings
from videowall.util.net import free_port
from videowall.wall.events import AlertChanged, WallEvent
from videowall.wall.report import session_events
from videowall.wall.session import WallSession

pytestmark = pytest.mark.slow

#: A grey yard with sensor noise; a white box walks through the door zone (the left
#: half) from 6 s to 10 s of every 14 s loop. Key frames every second.
_CLIP = ["-f", "lavfi", "-i", "color=c=0x707070:s=320x180:r=25",
         "-f", "lavfi", "-i", "color=c=white:s=40x40:r=25", "-filter_complex",
         "[0][1]overlay=x='20+(t-6)*20':y=70:enable='between(t,6,10)',noise=alls=8:allf=t",
         "-t", "14", "-g", "25", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p"]  # fmt: skip

DOOR = Zone("door", ((0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)))


@pytest.fixture(scope="module")
def door_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("motion") / "door.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *_CLIP, str(path)], check=True, timeout=60)
    return path


def _wait(done: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not done():
        assert time.monotonic() - start < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_an_off_wall_camera_raises_a_motion_alert_and_its_tile_shares_the_connection(
    door_clip: Path,
) -> None:
    server = FfmpegHttpServer(door_clip, port=free_port(), path="/door.ts")
    server.start()
    try:
        camera = Camera("yard", "Yard", "depot", server.url, backend="ffmpeg",
                        motion=MotionConfig(zones=(DOOR,)))
        quiet = Camera("quiet", "Quiet", "depot", server.url, backend="ffmpeg",
                       watch=False)
        registry = Registry(cameras=(camera, quiet), motion=MotionSettings(learn_s=3.0))
        session = WallSession(registry, watch_all=True)
        alerts: list[AlertChanged] = []

        def keep(event: WallEvent) -> None:
            if isinstance(event, AlertChanged):
                alerts.append(event)

        session.subscribe(keep)
        session.start()
        try:
            _wait(lambda: session.stream("yard") is not None, 5, "watched")
            stream = session.stream("yard")
            assert stream is not None and stream.viewers == 0 and stream.watchers == 1
            assert stream.decoder.key_frames_only
            assert session.stream("quiet") is None  # watch: false
            _wait(lambda: any(a.event.alert.kind == "motion" for a in alerts), 40,
                  "a motion alert")
            alert = next(a.event.alert for a in alerts if a.event.alert.kind == "motion")
            assert alert.camera == "yard" and alert.detail == "motion in zone 'door'"
            records = [r for r in session_events(session) if r["kind"] == "motion"]
            assert records and {r["zone"] for r in records} == {"door"}
            assert all(r["camera"] == "yard" for r in records)
            box = records[0]["box"]
            assert box[0] < 0.5  # it moved in the door's half
            # a tile comes to show it: the same stream, the same connection
            tile = session.acquire(camera, (640, 360))
            assert tile is stream and stream.viewers == 1 and stream.watchers == 1
            _wait(lambda: not stream.decoder.key_frames_only, 3, "every frame for the tile")
            seen = stream.stats.frames_decoded
            _wait(lambda: stream.stats.frames_decoded > seen + 25, 10, "pictures for the tile")
            assert server.served == 1 and stream.stats.reconnects == 0
        finally:
            session.close()
    finally:
        server.stop()
