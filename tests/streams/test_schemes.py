"""HLS over HTTP and MPEG-TS over UDP, through both backends, with real pixels."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.streams.test_backends import assert_probe_picture, live_with_frames, wait_until
from videowall.demo.clips import make_probe_clip
from videowall.registry.model import Camera
from videowall.streams.manager import StreamManager
from videowall.util.net import free_port

pytestmark = pytest.mark.slow


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hls_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live-style HLS playlist of the probe clip (1 s segments) served on loopback."""
    root = tmp_path_factory.mktemp("hls")
    clip = make_probe_clip(root / "probe.mp4", seconds=12)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(clip),
         "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
         "-hls_playlist_type", "vod", str(root / "index.m3u8")],
        check=True, timeout=60,
    )  # fmt: skip
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="hls-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.m3u8"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def probe_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_probe_clip(tmp_path_factory.mktemp("udp") / "probe.mp4", seconds=6)


@pytest.fixture
def manager() -> Iterator[StreamManager]:
    mgr = StreamManager()
    yield mgr
    mgr.shutdown()


@pytest.mark.parametrize("backend", ["vlc", "ffmpeg"])
def test_hls(manager: StreamManager, hls_url: str, backend: str) -> None:
    stream = manager.acquire(Camera("hls", "HLS", "lab", hls_url, backend=backend))
    wait_until(manager, live_with_frames(stream), timeout=25)
    assert_probe_picture(stream)


@pytest.mark.parametrize("backend", ["vlc", "ffmpeg"])
def test_udp_mpegts(manager: StreamManager, probe_clip: Path, backend: str) -> None:
    port = free_port()
    # the wall listens; the "camera" pushes MPEG-TS datagrams to it
    url = f"udp://@127.0.0.1:{port}" if backend == "vlc" else f"udp://127.0.0.1:{port}"
    stream = manager.acquire(Camera("udp", "UDP", "lab", url, backend=backend))
    sender = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1",
         "-i", str(probe_clip), "-c", "copy", "-f", "mpegts",
         f"udp://127.0.0.1:{port}?pkt_size=1316"],
    )  # fmt: skip
    try:
        wait_until(manager, live_with_frames(stream), timeout=25)
        assert_probe_picture(stream)
    finally:
        sender.kill()
        sender.wait()
