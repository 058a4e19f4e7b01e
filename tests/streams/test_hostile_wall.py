"""A 4x4 wall whose sixteen cameras are all hostile peers (issue 10): for 60 s the wall
runs in a process of its own, both backends face every kind of peer, and its peak
resident memory stays under :data:`WALL_RSS_MB`."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from videowall.demo.hostile import HostilePeer

pytestmark = pytest.mark.slow

#: The wall's peak resident memory with sixteen hostile peers (issue 10: 400 MB).
WALL_RSS_MB = 400
#: Seconds the wall runs.
DURATION_S = 60

#: (mode, scheme, backend): every kind of peer, HTTP through both backends.
_PEERS = [
    ("huge", "http", "vlc"), ("huge", "http", "ffmpeg"), ("huge", "rtsp", "ffmpeg"),
    ("garbage", "http", "vlc"), ("garbage", "http", "ffmpeg"), ("garbage", "rtsp", "ffmpeg"),
    ("drip", "http", "vlc"), ("drip", "http", "ffmpeg"), ("drip", "rtsp", "ffmpeg"),
    ("silent", "http", "vlc"), ("silent", "rtsp", "ffmpeg"),
    ("redirect", "http", "vlc"), ("redirect", "http", "ffmpeg"),
    ("playlist", "http", "vlc"), ("playlist", "http", "ffmpeg"), ("garbage", "http", "vlc"),
]

#: Runs ``videowall`` and prints its peak resident memory (KiB) last (VmHWM: the child's
#: own, not the test process's carried over a fork).
_CHILD = (
    "import re, sys\n"
    "from pathlib import Path\n"
    "from videowall.cli.app import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text())\n"
    "print('maxrss', hwm.group(1) if hwm else 0, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _registry(peers: list[tuple[HostilePeer, str, str]], path: Path) -> Path:
    lines = ["sites:", "  hostile: {name: Hostile peers}", "cameras:"]
    for i, (peer, scheme, backend) in enumerate(peers):
        path_part = "cam.m3u8" if peer.mode == "playlist" else "cam"
        lines += [f"  - id: h{i:02d}-{peer.mode}-{scheme}-{backend}",
                  f"    name: Hostile {i} {peer.mode}",
                  "    site: hostile",
                  f"    url: {peer.url(scheme, path_part)}",
                  f"    backend: {backend}"]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.timeout(DURATION_S + 120)
def test_a_wall_of_sixteen_hostile_peers_stays_within_its_memory(
    tmp_path: Path, probe_clip: Path,
) -> None:
    segment = tmp_path / "local.ts"
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                    str(probe_clip), "-c", "copy", "-f", "mpegts", str(segment)],
                   check=True, timeout=60)  # fmt: skip
    with contextlib.ExitStack() as stack:
        peers = []
        for mode, scheme, backend in _PEERS:
            location = (segment if mode == "playlist" else probe_clip).as_uri()
            peer = stack.enter_context(HostilePeer(mode, location=location, drip_every_s=0.2))
            peers.append((peer, scheme, backend))
        config = _registry(peers, tmp_path / "hostile.yaml")
        report = tmp_path / "wall.json"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, "snapshot", "--config", str(config), "--grid",
             "4x4", "--duration", str(DURATION_S), "--db", "none", "--out",
             str(tmp_path / "wall.png"), "--report", str(report)],
            capture_output=True, text=True, timeout=DURATION_S + 90, check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        served = sum(peer.requests for peer, _, _ in peers)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rss = [line for line in proc.stderr.splitlines() if line.startswith("maxrss ")]
    peak_mb = int(rss[-1].split()[1]) // 1024
    tiles = json.loads(report.read_text())["tiles"]
    assert len(tiles) == 16
    # nothing a hostile peer sent became a picture on the wall
    assert all(tile["state"] != "live" for tile in tiles), [
        (tile["camera"], tile["state"]) for tile in tiles if tile["state"] == "live"]
    assert served >= 16  # every peer was asked, most of them many times
    assert peak_mb < WALL_RSS_MB, peak_mb
