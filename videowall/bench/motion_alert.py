"""``videowall bench motion-alert``: from the first picture with motion to the alert, live.

A live camera is played by FFmpeg on 127.0.0.1: this process writes grey pictures with
sensor noise at 25 a second into ``ffmpeg`` (H.264, ``-tune zerolatency``, a key frame
every second), which serves them as MPEG-TS over HTTP. A wall session watches it, either
as a tile does (every frame decoded: *on the wall*) or as a camera on no tile
(key frames only: *background*). Once the stream has been live for the warm-up, a box
starts to walk through the camera's door zone; the time the first such picture went into
the encoder is taken, and the time the session raised the motion alert. Their difference
is what an operator waits: encoding, the network, decoding, analysis and the engine.

Targets: under 0.5 s on the wall; under 2 s in the background with key frames every
second (two key frames in a row must show the motion).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from videowall.registry.model import Camera, MotionConfig, Registry, Zone
from videowall.registry.motion import MotionSettings
from videowall.util.net import free_port
from videowall.wall.events import AlertChanged, WallEvent
from videowall.wall.session import WallSession

TARGETS_S = {"wall": 0.5, "background": 2.0}
WIDTH, HEIGHT, FPS = 320, 180, 25
DOOR = Zone("door", ((0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)))


class LiveCamera:
    """Grey pictures written by this process, encoded and served by ``ffmpeg``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/live.ts"
        self.motion = threading.Event()
        #: ``time.monotonic()`` when the first picture with motion went to the encoder.
        self.motion_t: float | None = None
        self._stop = threading.Event()
        self._proc = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "rawvideo",
             "-pix_fmt", "gray", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
             "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-g", str(FPS), "-pix_fmt", "yuv420p", "-muxdelay", "0", "-muxpreload", "0",
             "-flush_packets", "1", "-f", "mpegts", "-listen", "1",
             self.url],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._feed, name="bench-live-camera", daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        rng = np.random.default_rng(3)
        base = np.full((HEIGHT, WIDTH), 112, np.int16)
        step = 1.0 / FPS
        due = time.monotonic()
        moved = 0
        stdin = self._proc.stdin
        assert stdin is not None
        while not self._stop.is_set():
            picture = base + rng.integers(-8, 9, base.shape, dtype=np.int16)
            if self.motion.is_set():
                x = 10 + moved * 4
                picture[70:110, x : x + 40] = 235
                moved += 1
            try:
                stdin.write(np.clip(picture, 0, 255).astype(np.uint8).tobytes())
                stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                return
            if moved == 1 and self.motion_t is None:
                self.motion_t = time.monotonic()
            due += step
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                due = time.monotonic()  # blocked (no viewer yet): no burst to catch up

    def close(self) -> None:
        self._stop.set()
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        self._proc.terminate()
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._thread.join(5)


@dataclass
class Round:
    mode: str
    backend: str
    delay_s: float | None


def one_round(mode: str, backend: str, warmup_s: float, timeout_s: float = 20.0) -> Round:
    """One live camera, one wall session, one motion: the delay to its alert."""
    camera_live = LiveCamera(free_port())
    camera = Camera(
        "door",
        "Door",
        "bench",
        camera_live.url,
        backend=backend,
        motion=MotionConfig(zones=(DOOR,)),
    )
    session = WallSession(Registry(cameras=(camera,), motion=MotionSettings()))
    raised: list[float] = []

    def on_event(event: WallEvent) -> None:
        if (
            isinstance(event, AlertChanged)
            and event.event.alert.kind == "motion"
            and event.event.change == "raised"
        ):
            raised.append(time.monotonic())

    session.subscribe(on_event)
    session.start()
    try:
        if mode == "wall":
            session.acquire(camera, (640, 360))
        else:
            session.watch(camera)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            stream = session.stream("door")
            if stream is not None and stream.stats.frames_decoded > 0:
                break
            time.sleep(0.05)
        time.sleep(warmup_s)
        raised.clear()  # nothing moved yet: anything before counts as false
        camera_live.motion.set()
        deadline = time.monotonic() + timeout_s
        while not raised and time.monotonic() < deadline:
            time.sleep(0.01)
        if not raised or camera_live.motion_t is None:
            return Round(mode, backend, None)
        return Round(mode, backend, raised[0] - camera_live.motion_t)
    finally:
        session.close()
        camera_live.close()


def measure(rounds: int, warmup_s: float, backends: list[str]) -> dict[str, Any]:
    results: list[Round] = []
    for _ in range(rounds):
        for backend in backends:
            for mode in ("wall", "background"):
                results.append(one_round(mode, backend, warmup_s))
    summary = []
    for backend in backends:
        for mode in ("wall", "background"):
            delays = [
                r.delay_s
                for r in results
                if r.mode == mode and r.backend == backend and r.delay_s is not None
            ]
            missed = sum(
                1 for r in results if r.mode == mode and r.backend == backend and r.delay_s is None
            )
            summary.append(
                {
                    "mode": mode,
                    "backend": backend,
                    "rounds": len(delays) + missed,
                    "missed": missed,
                    "median_s": round(statistics.median(delays), 3) if delays else None,
                    "worst_s": round(max(delays), 3) if delays else None,
                    "target_s": TARGETS_S[mode],
                }
            )
    return {"rounds": rounds, "warmup_s": warmup_s, "results": summary}


def main(argv: list[str]) -> int:
    """``videowall bench motion-alert [--rounds N] [--backends ffmpeg,vlc] [--json]``."""
    parser = argparse.ArgumentParser(
        prog="videowall bench motion-alert",
        description="seconds from the first picture with motion to the motion alert, on "
        "the wall and in the background, through a live camera on 127.0.0.1",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each (default 5)")
    parser.add_argument(
        "--warmup", type=float, default=6.0, help="seconds live before the motion (default 6)"
    )
    parser.add_argument(
        "--backends", default="ffmpeg,vlc", help="decoders to measure (default ffmpeg,vlc)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    if args.rounds < 1 or not set(backends) <= {"ffmpeg", "vlc"} or not backends:
        parser.error("--rounds must be 1 or more; --backends a list of ffmpeg, vlc")
    figures = measure(args.rounds, args.warmup, backends)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'mode':<11} {'backend':<7} {'median':>8} {'worst':>8} {'target':>7}  missed")
    for row in figures["results"]:
        median = "-" if row["median_s"] is None else f"{row['median_s']:.2f} s"
        worst = "-" if row["worst_s"] is None else f"{row['worst_s']:.2f} s"
        print(
            f"{row['mode']:<11} {row['backend']:<7} {median:>8} {worst:>8} "
            f"{row['target_s']:>5.1f} s  {row['missed']}/{row['rounds']}"
        )
    return 0
