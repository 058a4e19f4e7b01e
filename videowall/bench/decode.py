"""``videowall bench``: the wall's decode cost against FFmpeg decode-only, side by side.

One local HTTP server (libvlc's stream output) serves one 640x360 clip at 25 fps. In the
same run, rounds alternate between

* ``ffmpeg -threads 1 -i URL -f null -`` (decode only, the floor), several at once, and
* the real wall (``videowall snapshot`` in its own process) with 9 and 16 tiles of it,

and the CPU time of each process is read from ``/proc`` over the same steady window (after a
warm-up), so start-up costs are left out. The figure that matters is the ratio: wall CPU per
tile-second over decode-only CPU per stream-second, measured minutes apart on the same
machine. Delivered frame rates come from the wall's own report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from videowall.bench.common import (
    SOURCE_FPS,
    SOURCE_SIZE,
    bench_clip,
    cpu_seconds,
    start_wall,
    write_wall_config,
)
from videowall.util.net import free_port

#: Per (backend, tile count): the figures of each round.
Walls = dict[tuple[str, int], list[dict[str, Any]]]


def _measure(procs: list[subprocess.Popen[bytes]], warmup: float, window: float) -> float:
    """CPU seconds the processes used together during ``window`` after ``warmup``."""
    time.sleep(warmup)
    start = sum(cpu_seconds(p.pid) for p in procs)
    time.sleep(window)
    return sum(cpu_seconds(p.pid) for p in procs) - start


def _decode_only(url: str, streams: int, warmup: float, window: float) -> float:
    """FFmpeg decode-only CPU seconds per stream-second."""
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
    return cpu / (streams * window)


def _wall(url: str, tiles: int, warmup: float, window: float, workdir: Path,
          backend: str, size: str) -> dict[str, Any]:
    """Run the wall with ``tiles`` tiles of ``url``; CPU per tile-second and frame rates."""
    side = {1: 1, 4: 2, 9: 3, 16: 4, 25: 5, 36: 6}.get(tiles)
    if side is None:
        raise SystemExit(f"bench: --tiles takes square numbers up to 36, not {tiles}")
    config = workdir / f"bench-{tiles}.yaml"
    write_wall_config(config, ((f"bench-{i:02d}", f"Bench {i + 1}", "bench", f"{url}?tile={i}")
                               for i in range(tiles)), backend)
    report = workdir / f"report-{tiles}.json"
    duration = warmup + window + 1.0
    proc = start_wall(config, side=side, duration=duration, size=size,
                      out=workdir / f"wall-{tiles}.png", report=report)
    try:
        cpu = _measure([proc], warmup, window)
        code = proc.wait(timeout=duration + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if code != 0:
        raise SystemExit(f"bench: the wall exited with {code}")
    data = json.loads(report.read_text())
    fps = [float(t["fps"]) for t in data["tiles"]]
    live = sum(1 for t in data["tiles"] if t["state"] == "live")
    return {"cpu_per_tile_s": cpu / (tiles * window), "fps": fps, "live": live}


def main(argv: list[str] | None = None) -> int:
    """``videowall bench [options]``: print (and with --json write) the figures."""
    parser = argparse.ArgumentParser(
        prog="videowall bench", description=__doc__.split("\n")[0],
        epilog="'videowall bench health' times fault detection and recovery; "
               "'videowall bench soak' runs the wall for an hour under faults; "
               "'videowall bench keyframes' measures background cameras at key frames only.")
    parser.add_argument("--tiles", default="9,16", help="tile counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds before measuring")
    parser.add_argument("--window", type=float, default=15.0, help="seconds measured")
    parser.add_argument("--backends", default="vlc,ffmpeg",
                        help="wall backends to measure, comma-separated (vlc, ffmpeg, auto)")
    parser.add_argument("--size", default="1920x1080", help="wall size in pixels")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    tile_counts = [int(t) for t in args.tiles.split(",") if t.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for backend in backends:
        if backend not in ("auto", "vlc", "ffmpeg"):
            parser.error(f"unknown backend {backend!r}: use vlc, ffmpeg or auto")

    baseline, walls = _rounds(args, backends, tile_counts)
    result = _summary(args.size, baseline, walls)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _rounds(args: argparse.Namespace, backends: list[str], tile_counts: list[int]
            ) -> tuple[list[float], Walls]:
    """Alternate decode-only and the walls, round after round, against one server."""
    from videowall.demo.sout import VlcStreamServer

    clip = bench_clip()
    url = f"http://127.0.0.1:{free_port()}/bench.ts"
    baseline: list[float] = []
    walls: Walls = {(b, n): [] for b in backends for n in tile_counts}
    with tempfile.TemporaryDirectory(prefix="videowall-bench-") as tmp:
        server = VlcStreamServer(clip, rtsp_url=None, http_url=url)
        server.start()
        try:
            for rnd in range(args.rounds):
                print(f"round {rnd + 1}/{args.rounds}: ffmpeg decode-only x3", flush=True)
                baseline.append(_decode_only(url, 3, args.warmup, args.window))
                for backend, n in walls:
                    print(f"round {rnd + 1}/{args.rounds}: wall with {n} tiles ({backend})",
                          flush=True)
                    walls[backend, n].append(_wall(url, n, args.warmup, args.window,
                                                   Path(tmp), backend, args.size))
        finally:
            server.stop()
    return baseline, walls


def _summary(size: str, baseline: list[float], walls: Walls) -> dict[str, Any]:
    """Print the table of the figures; return them as the JSON report holds them."""
    floor = statistics.median(baseline)
    result: dict[str, Any] = {
        "source": f"{SOURCE_SIZE[0]}x{SOURCE_SIZE[1]} H.264 at {SOURCE_FPS} fps over HTTP",
        "wall_size": size,
        "decode_only_cpu_per_stream_s": round(floor, 4),
        "walls": {},
    }
    print()
    print(f"decode-only (ffmpeg -threads 1): {floor * 100:.2f}% of a core per stream")
    print(f"{'backend':>7} {'tiles':>5} {'CPU/tile':>9} {'ratio':>6} {'fps min':>8} "
          f"{'fps mean':>9} {'of source':>9} {'live':>5}")
    for (backend, n), runs in walls.items():
        cpu = statistics.median(r["cpu_per_tile_s"] for r in runs)
        fps = [f for r in runs for f in r["fps"]]
        live = min(r["live"] for r in runs)
        ratio = cpu / floor if floor else float("inf")
        share = statistics.mean(fps) / SOURCE_FPS
        result["walls"][f"{backend}-{n}"] = {
            "backend": backend, "tiles": n,
            "cpu_per_tile_s": round(cpu, 4), "ratio_to_decode_only": round(ratio, 2),
            "fps_min": round(min(fps), 2), "fps_mean": round(statistics.mean(fps), 2),
            "fps_share_of_source": round(share, 3), "live_tiles": live,
            "rounds": [round(r["cpu_per_tile_s"] / b, 2) for r, b in zip(runs, baseline,
                                                                          strict=False)],
        }
        print(f"{backend:>7} {n:>5} {cpu * 100:>8.2f}% {ratio:>6.2f} {min(fps):>8.1f} "
              f"{statistics.mean(fps):>9.1f} {share * 100:>8.1f}% {live:>5}")
    return result
