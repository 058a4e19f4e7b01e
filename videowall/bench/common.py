"""What the benchmarks share: the source clip, its servers, CPU and memory read from
``/proc``, and the wall run in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from videowall.demo.faults import ServerProcess

SOURCE_FPS = 25
SOURCE_SIZE = (640, 360)


def bench_clip() -> Path:
    """The benchmark's source: a textured, noisy picture at 1 Mbit/s, like a camera's sub
    stream. (The demo's flat drawings decode almost for free, which would flatter no one.)"""
    from videowall.demo.clips import cache_dir, run_ffmpeg

    w, h = SOURCE_SIZE
    path = cache_dir() / f"bench-{w}x{h}-{SOURCE_FPS}-noise-1M.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.mp4")
        run_ffmpeg([
            "-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r={SOURCE_FPS}",
            "-vf", "noise=alls=10:allf=t", "-t", "20",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
            "-pix_fmt", "yuv420p", "-g", str(SOURCE_FPS),
            "-b:v", "1M", "-maxrate", "1M", "-bufsize", "1M", str(tmp),
        ])
        tmp.replace(path)
    return path


def server_process(source: Path) -> ServerProcess:
    """An HTTP server of ``source`` in a process of its own, on a free loopback port (not
    started)."""
    from videowall.demo.faults import ServerProcess
    from videowall.util.net import free_port

    return ServerProcess(source, port=free_port())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Resident memory of a live process in KiB (Linux /proc); 0 when unknown."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def write_wall_config(path: Path, cameras: Iterable[tuple[str, str, str, str]],
                      backend: str) -> None:
    """A registry file of ``(id, name, site, url)`` cameras, all on ``backend``."""
    lines = ["cameras:"]
    for camera_id, name, site, url in cameras:
        lines += [f"  - id: {camera_id}", f"    name: {name}", f"    site: {site}",
                  f"    url: {url}", f"    backend: {backend}"]
    path.write_text("\n".join(lines) + "\n")


def start_wall(config: Path, *, side: int, duration: float, size: str, out: Path,
               report: Path) -> subprocess.Popen[bytes]:
    """The real wall (``videowall snapshot``, offscreen) on a ``side`` x ``side`` grid, in
    a process of its own so that its CPU and memory can be read apart."""
    cmd = [sys.executable, "-m", "videowall", "--log-level", "WARNING", "snapshot",
           "--config", str(config), "--grid", f"{side}x{side}", "--duration", str(duration),
           "--size", size, "--out", str(out), "--report", str(report)]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MALLOC_ARENA_MAX="2")
    return subprocess.Popen(cmd, env=env)
