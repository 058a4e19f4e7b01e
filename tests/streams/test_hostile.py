"""A hostile camera against both backends and ``videowall probe``: redirects to local files
and other kinds of source, silence, absurd lengths, garbage, a slow drip. Every peer is a
real server on loopback (:class:`~videowall.demo.hostile.HostilePeer`)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from videowall.demo.ffserver import FfmpegHttpServer
from videowall.demo.hostile import HostilePeer
from videowall.streams.net import check_target
from videowall.streams.probe import probe

pytestmark = pytest.mark.slow

BACKENDS = ("vlc", "ffmpeg")
#: Peak resident memory a probe may reach whatever the peer sends (finding 8: 300 MB).
PROBE_RSS_MB = 300

#: Runs ``videowall`` in a child and prints its peak resident memory (KiB) last: VmHWM,
#: not getrusage(), whose maximum survives the fork from the (large) test process.
_CHILD = (
    "import re, sys\n"
    "from pathlib import Path\n"
    "from videowall.cli.app import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text())\n"
    "print('maxrss', hwm.group(1) if hwm else 0, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture(scope="module")
def clip(probe_clip: Path) -> Path:
    """A local file a hostile camera points at."""
    return probe_clip


def run_probe(url: str, timeout: float) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """``videowall probe URL --json`` in a child: its result, seconds taken, peak MB."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "probe", url, "--json", "--timeout", f"{timeout:g}"],
        capture_output=True, text=True, timeout=timeout + 30, check=False,
    )
    took = time.monotonic() - started
    rss = [line for line in proc.stderr.splitlines() if line.startswith("maxrss ")]
    assert rss, proc.stderr[-2000:]
    return proc, took, int(rss[-1].split()[1]) // 1024


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("target", ["file", "ftp"])
def test_a_redirect_off_the_network_is_refused(clip: Path, backend: str, target: str) -> None:
    location = clip.as_uri() if target == "file" else "ftp://127.0.0.1/local.mp4"
    with HostilePeer("redirect", location=location) as peer:
        result = probe(peer.url(), backend=backend, timeout=8, watch=0.5)
    assert result["backend"] == backend
    assert result["ok"] is False and result["frames_shown"] == 0
    what = "a local file" if target == "file" else "a ftp: address"
    assert result["error"].startswith(f"refused: the camera redirects to {what}"), result
    assert "may only lead to http/https" in result["error"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_playlist_of_local_files_shows_nothing(tmp_path: Path, clip: Path,
                                                 backend: str) -> None:
    segment = tmp_path / "local.ts"
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                    str(clip), "-c", "copy", "-f", "mpegts", str(segment)],
                   check=True, timeout=60)  # fmt: skip
    with HostilePeer("playlist", location=segment.as_uri()) as peer:
        result = probe(peer.url(path="cam.m3u8"), backend=backend, timeout=8, watch=0.5)
    assert result["ok"] is False and result["frames_shown"] == 0, result


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_redirect_to_the_same_kind_is_followed(ts_server: FfmpegHttpServer,
                                                  backend: str) -> None:
    with HostilePeer("redirect", location=ts_server.url) as peer:
        result = probe(peer.url(), backend=backend, timeout=20, watch=0.5)
    assert result["ok"] is True and result["frames_shown"] > 0, result


def test_probe_command_refuses_a_redirect_to_a_local_file(clip: Path) -> None:
    with HostilePeer("redirect", location=clip.as_uri()) as peer:
        proc, took, peak_mb = run_probe(peer.url(), timeout=8)
    assert proc.returncode == 1, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["ok"] is False and result["frames_shown"] == 0
    assert "refused: the camera redirects to a local file" in result["error"]
    assert took < 20 and peak_mb < PROBE_RSS_MB


def test_targets_of_the_same_kind_only() -> None:
    assert check_target("http://cam/a.ts", "https://cam/b.ts") is None
    assert check_target("rtsps://cam/a", "rtsp://cam/b") is None
    for url, target in [("http://cam/a", "file:///etc/passwd"), ("http://cam/a", "rtsp://x/"),
                        ("rtsp://cam/a", "http://x/"), ("udp://@:1234", "file:///x"),
                        ("http://cam/a", "smb://host/share/x.mp4"), ("http://cam/a", "x")]:
        problem = check_target(url, target)
        assert problem is not None and problem.startswith("refused:"), (url, target)
    long_target = "file:///" + "a" * 100_000 + "\x1b[2J"
    problem = check_target("http://cam/a", long_target)
    assert problem is not None and len(problem) < 400 and "\x1b" not in problem
    masked = check_target("http://cam/a", "ftp://admin:s3cret@cam/x")
    assert masked is not None and "s3cret" not in masked


def test_probe_timeout_bounds_a_silent_rtsp_peer(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with HostilePeer("silent") as peer:
        started = time.monotonic()
        result = probe(peer.url("rtsp", "cam"), backend="ffmpeg", timeout=1, watch=0.5)
        took = time.monotonic() - started
        assert peer.requests >= 1  # the request arrived; nothing ever answered it
    assert result["ok"] is False and took < 2.5, (took, result)
    assert result["error"] == "no answer from the camera within 1 s"
    assert "refused" not in caplog.text


def test_probe_command_within_its_timeout_for_a_silent_rtsp_peer() -> None:
    with HostilePeer("silent") as peer:
        proc, took, peak_mb = run_probe(peer.url("rtsp", "cam"), timeout=1)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == "no answer from the camera within 1 s"
    assert "refused" not in proc.stderr
    assert took < 8 and peak_mb < PROBE_RSS_MB  # the child's start-up is most of it


@pytest.mark.parametrize(("scheme", "mode"), [
    ("http", "huge"), ("http", "drip"), ("http", "garbage"),
    ("rtsp", "huge"), ("rtsp", "drip"), ("rtsp", "garbage"),
])
def test_probe_holds_against_a_hostile_peer(mode: str, scheme: str) -> None:
    with HostilePeer(mode, drip_every_s=0.2) as peer:
        proc, took, peak_mb = run_probe(peer.url(scheme, "cam"), timeout=3)
    assert proc.returncode == 1, proc.stdout
    assert json.loads(proc.stdout)["ok"] is False
    assert took < 15 and peak_mb < PROBE_RSS_MB, (took, peak_mb)
