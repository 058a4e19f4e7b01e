"""``videowall bench keyframes``: what a camera nobody looks at costs, side by side.

One local HTTP server (FFmpeg's, on 127.0.0.1) serves the benchmark clip: textured noise
at 640x360, 25 fps, H.264 with B-frames and a key frame every second. In one run, one
after the other against the same server, the CPU of each of these is read from ``/proc``
over the same steady window (after a warm-up, so start-up costs are left out):

* ``ffmpeg -threads 1 -i URL -f null -``, N at once: decoding every frame, the floor;
* N background cameras at key frames only (the watchers of a wall) through each
  backend, FFmpeg and libvlc, each backend in a process of its own;
* the same N cameras decoding every frame, through each backend,

all at the size a watched camera is decoded at (320x180). The warm-up must outlast the
``ffmpeg`` command line's probing: it reads about 5 s of the live stream before decoding,
then decodes that backlog in a burst, which a window that holds it counts as extra.
The figures: CPU per stream
in per cent of a core, the ratio of key frames only to FFmpeg decode-only (the target is
under 1/3), pictures per second and the time to the first picture.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from videowall.bench.common import SOURCE_FPS, SOURCE_SIZE, bench_clip, cpu_seconds
from videowall.util.net import free_port

#: The size background cameras are decoded at (the wall session's watch size).
WATCH_SIZE = (320, 180)
#: What is measured, in order: (name, backend, key frames only).
RUNS: tuple[tuple[str, str, bool], ...] = (
    ("ffmpeg-key-frames", "ffmpeg", True),
    ("vlc-key-frames", "vlc", True),
    ("ffmpeg-every-frame", "ffmpeg", False),
    ("vlc-every-frame", "vlc", False),
)
#: The ratio of key frames only to FFmpeg decode-only aimed at.
TARGET_RATIO = 1 / 3


def _measure(procs: list[subprocess.Popen[bytes]], warmup: float, window: float) -> float:
    """CPU seconds the processes used together during ``window`` after ``warmup``."""
    time.sleep(warmup)
    start = sum(cpu_seconds(p.pid) for p in procs)
    time.sleep(window)
    return sum(cpu_seconds(p.pid) for p in procs) - start


def _decode_only(url: str, streams: int, warmup: float, window: float) -> dict[str, Any]:
    """FFmpeg decode-only: CPU seconds per stream-second."""
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-threads", "1", "-i", url,
           "-f", "null", "-"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(streams)]
    try:
        cpu = _measure(procs, warmup, window)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    return {"cpu_per_stream_s": cpu / (streams * window)}


def _decoders(url: str, backend: str, key_frames: bool, streams: int, warmup: float,
              window: float, workdir: Path) -> dict[str, Any]:
    """``streams`` cameras through ``backend`` in a process of their own (see
    :func:`worker`): CPU per stream-second, pictures per second, first-picture times."""
    report = workdir / f"{backend}-{'key' if key_frames else 'all'}.json"
    cmd = [sys.executable, "-m", "videowall.bench.keyframes", "--worker",
           "--url", url, "--backend", backend, "--streams", str(streams),
           "--warmup", str(warmup), "--seconds", str(window), "--report", str(report)]
    if key_frames:
        cmd.append("--key-frames")
    env = dict(os.environ, MALLOC_ARENA_MAX="2")
    proc = subprocess.Popen(cmd, env=env)
    try:
        cpu = _measure([proc], warmup, window)
        code = proc.wait(timeout=warmup + window + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0 or not report.is_file():
        raise SystemExit(f"bench keyframes: the {backend} worker exited with {code}")
    data = json.loads(report.read_text())
    firsts = [s["first_frame_s"] for s in data["streams"] if s["first_frame_s"] is not None]
    return {
        "backend": backend,
        "key_frames_only": key_frames,
        "cpu_per_stream_s": cpu / (streams * window),
        "pictures_per_s": [s["pictures_per_s"] for s in data["streams"]],
        "first_picture_s": firsts,
        "live": sum(1 for s in data["streams"] if s["state"] == "live"),
        "reconnects": sum(s["reconnects"] for s in data["streams"]),
    }


def worker(url: str, backend: str, key_frames: bool, streams: int, warmup: float,
           window: float, report: Path) -> int:
    """Run ``streams`` cameras of ``url`` through a stream manager (watchers for key
    frames only, viewers at the watch size otherwise); write what they did."""
    from videowall.registry.model import Camera
    from videowall.streams.manager import StreamManager

    manager = StreamManager()
    cameras = [Camera(f"bench-{i:02d}", f"Bench {i + 1}", "bench", f"{url}?camera={i}",
                      backend=backend) for i in range(streams)]
    try:
        for camera in cameras:
            manager.acquire(camera, WATCH_SIZE, viewer=not key_frames)
        started = time.monotonic()
        time.sleep(warmup)
        before = {s.camera.id: s.stats.frames_published for s in manager.streams()}
        time.sleep(window)
        manager.drain_events()
        figures = [{
            "camera": s.camera.id,
            "state": s.state.value,
            "first_frame_s": s.stats.first_frame_s,
            "pictures_per_s": round((s.stats.frames_published - before[s.camera.id])
                                    / window, 2),
            "reconnects": s.stats.reconnects,
            "key_frames_only": s.decoder.key_frames_only,
        } for s in manager.streams()]
        report.write_text(json.dumps({"seconds": time.monotonic() - started,
                                      "streams": figures}, indent=2) + "\n")
    finally:
        manager.shutdown()
    return 0


def _pct(cpu: float) -> float:
    return round(cpu * 100, 2)


def _summary(streams: int, floor: float, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Print the table of the figures; return them as the JSON report holds them."""
    result: dict[str, Any] = {
        "source": f"{SOURCE_SIZE[0]}x{SOURCE_SIZE[1]} H.264 at {SOURCE_FPS} fps over HTTP, "
                  "a key frame a second",
        "decode_size": f"{WATCH_SIZE[0]}x{WATCH_SIZE[1]}",
        "streams": streams,
        "decode_only_cpu_pct": _pct(floor),
        "target_ratio": round(TARGET_RATIO, 3),
        "runs": {},
    }
    print()
    print(f"decode-only (ffmpeg -threads 1): {floor * 100:.2f}% of a core per stream")
    print(f"{'run':>18} {'CPU/stream':>10} {'ratio':>6} {'pict/s':>7} {'first s':>8} "
          f"{'live':>5}")
    for name, run in runs.items():
        cpu = run["cpu_per_stream_s"]
        ratio = cpu / floor if floor else float("inf")
        pictures = statistics.mean(run["pictures_per_s"]) if run["pictures_per_s"] else 0.0
        first = max(run["first_picture_s"]) if run["first_picture_s"] else None
        result["runs"][name] = {
            "backend": run["backend"],
            "key_frames_only": run["key_frames_only"],
            "cpu_pct": _pct(cpu),
            "ratio_to_decode_only": round(ratio, 3),
            "pictures_per_s": round(pictures, 2),
            "first_picture_s_max": None if first is None else round(first, 3),
            "first_picture_s_median": (round(statistics.median(run["first_picture_s"]), 3)
                                       if run["first_picture_s"] else None),
            "live": run["live"],
            "reconnects": run["reconnects"],
        }
        first_text = f"{first:.2f}" if first is not None else "-"
        print(f"{name:>18} {cpu * 100:>9.2f}% {ratio:>6.2f} {pictures:>7.1f} "
              f"{first_text:>8} {run['live']:>3}/{streams}")
    key = {r["backend"]: r["ratio_to_decode_only"] < TARGET_RATIO
           for r in result["runs"].values() if r["key_frames_only"]}
    result["key_frames_under_target"] = key
    print("key frames only under 1/3 of decode-only: " + ", ".join(
        f"{backend} {'yes' if under else 'NO'}" for backend, under in key.items()))
    return result


def main(argv: list[str] | None = None) -> int:
    """``videowall bench keyframes [options]``: print (and with --json write) the figures."""
    parser = argparse.ArgumentParser(prog="videowall bench keyframes",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=4,
                        help="cameras at once in each run (default 4)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="seconds measured per run (default 15)")
    parser.add_argument("--warmup", type=float, default=8.0,
                        help="seconds before measuring (default 8: the ffmpeg command line "
                             "reads about 5 s of a live stream before it decodes steadily)")
    parser.add_argument("--backends", default="ffmpeg,vlc",
                        help="backends to measure, comma-separated (ffmpeg, vlc)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--key-frames", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.streams < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--streams must be at least 1, --seconds above 0, --warmup 0 or more")
    if args.worker:
        return worker(args.url, args.backend, args.key_frames, args.streams, args.warmup,
                      args.seconds, args.report)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for backend in backends:
        if backend not in ("vlc", "ffmpeg"):
            parser.error(f"unknown backend {backend!r}: use vlc or ffmpeg")

    from videowall.demo.ffserver import FfmpegHttpServer

    server = FfmpegHttpServer(bench_clip(), port=free_port(), path="/bench.ts")
    server.start()
    runs: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="videowall-bench-") as tmp:
            print(f"ffmpeg decode-only x{args.streams}", flush=True)
            floor = _decode_only(server.url, args.streams, args.warmup,
                                 args.seconds)["cpu_per_stream_s"]
            for name, backend, key_frames in RUNS:
                if backend not in backends:
                    continue
                print(f"{name} x{args.streams}", flush=True)
                runs[name] = _decoders(server.url, backend, key_frames, args.streams,
                                       args.warmup, args.seconds, Path(tmp))
    finally:
        server.stop()
    result = _summary(args.streams, floor, runs)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
