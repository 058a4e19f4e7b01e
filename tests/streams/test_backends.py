"""Acceptance tests of both decoding backends against real servers on loopback.

libvlc's own stream output serves RTSP and HTTP, FFmpeg serves MPEG-TS and MJPEG over
HTTP, and a small Python server misbehaves on purpose. Every check reads real decoded
pixels of the probe clip (four solid quadrants) or the words a failure produced.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from videowall.demo.clips import make_mjpeg_clip, probe_mismatches
from videowall.demo.ffserver import BadHttpServer, FfmpegHttpServer
from videowall.demo.sout import VlcStreamServer
from videowall.registry.model import Camera
from videowall.streams.base import StreamState
from videowall.streams.manager import Stream, StreamManager
from videowall.streams.probe import probe
from videowall.util.net import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vlc_server(probe_clip: Path) -> Iterator[VlcStreamServer]:
    server = VlcStreamServer(
        probe_clip,
        rtsp_url=f"rtsp://127.0.0.1:{free_port()}/probe",
        http_url=f"http://127.0.0.1:{free_port()}/probe.ts",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mjpeg_server(probe_clip: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[FfmpegHttpServer]:
    mjpeg = make_mjpeg_clip(tmp_path_factory.mktemp("mjpeg") / "probe.mkv", probe_clip)
    server = FfmpegHttpServer(mjpeg, port=free_port(), fmt="mpjpeg", path="/video.mjpg")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bad_server() -> Iterator[BadHttpServer]:
    server = BadHttpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def manager() -> Iterator[StreamManager]:
    mgr = StreamManager()
    yield mgr
    mgr.shutdown()


def wait_until(manager: StreamManager, done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manager.drain_events()
        if done():
            return
        time.sleep(0.05)
    states = {s.camera.id: f"{s.state}: {s.detail}" for s in manager.streams()}
    raise AssertionError(f"not reached within {timeout} s; streams: {states}")


def live_with_frames(stream: Stream, frames: int = 10) -> Callable[[], bool]:
    return lambda: stream.state == StreamState.LIVE and stream.stats.frames_published >= frames


def assert_probe_picture(stream: Stream) -> None:
    frame = stream.slot.latest()
    assert frame is not None
    assert probe_mismatches(frame.image, channels="bgrx") == []
    assert frame.aspect == pytest.approx(16 / 9, rel=0.01)
    assert (stream.stats.width, stream.stats.height) == (640, 360)


@pytest.mark.parametrize(
    ("server", "backend", "expected_backend"),
    [
        ("vlc-http", "auto", "vlc"),
        ("vlc-http", "ffmpeg", "ffmpeg"),
        ("vlc-rtsp", "auto", "ffmpeg"),  # Debian's libvlc has no live555
        ("ffmpeg-ts", "vlc", "vlc"),
        ("ffmpeg-ts", "ffmpeg", "ffmpeg"),
        ("ffmpeg-mjpeg", "vlc", "vlc"),
        ("ffmpeg-mjpeg", "ffmpeg", "ffmpeg"),
    ],
)
def test_backend_decodes_real_pixels(
    request: pytest.FixtureRequest,
    manager: StreamManager,
    server: str,
    backend: str,
    expected_backend: str,
) -> None:
    if server == "vlc-http":
        url = request.getfixturevalue("vlc_server").http_url
    elif server == "vlc-rtsp":
        url = request.getfixturevalue("vlc_server").rtsp_url
    elif server == "ffmpeg-ts":
        url = request.getfixturevalue("ts_server").url
    else:
        url = request.getfixturevalue("mjpeg_server").url
    stream = manager.acquire(Camera("cam", "Probe", "lab", url, backend=backend))
    assert stream.backend == expected_backend
    wait_until(manager, live_with_frames(stream), timeout=20)
    assert_probe_picture(stream)
    states = [e.state for e in stream.history]
    assert states[0] == StreamState.CONNECTING and StreamState.LIVE in states


def test_frames_are_scaled_to_the_tile(manager: StreamManager,
                                       vlc_server: VlcStreamServer) -> None:
    """A small tile gets small pictures; aspect and colours survive the scaling."""
    assert vlc_server.http_url
    stream = manager.acquire(Camera("small", "S", "lab", vlc_server.http_url), size=(300, 200))
    wait_until(manager, live_with_frames(stream), timeout=20)
    frame = stream.slot.latest()
    assert frame is not None and frame.width <= 480 and frame.height <= 290
    assert probe_mismatches(frame.image, channels="bgrx") == []


@pytest.mark.parametrize("backend", ["vlc", "ffmpeg"])
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("refused", "connection refused"),
        ("html", "not a video stream"),
        ("close", "closed the connection"),
        ("notfound", "404"),
        ("scheme", "unknown scheme 'rtps'"),
        ("dns", "does not resolve"),
    ],
)
def test_bad_input_is_said_in_words(
    manager: StreamManager,
    bad_server: BadHttpServer,
    caplog: pytest.LogCaptureFixture,
    backend: str,
    where: str,
    expected: str,
) -> None:
    urls = {
        "refused": f"http://admin:hunter2@127.0.0.1:{free_port()}/x.ts",
        "html": bad_server.url("html"),
        "close": bad_server.url("close"),
        "notfound": bad_server.url("notfound"),
        "scheme": "rtps://admin:hunter2@127.0.0.1/x",
        "dns": "http://admin:hunter2@camera.invalid/x.ts",
    }
    caplog.set_level(logging.INFO)
    stream = manager.acquire(Camera("bad", "Bad", "lab", urls[where], backend=backend))
    wait_until(manager, lambda: stream.state == StreamState.OFFLINE, timeout=20)
    assert expected in stream.detail
    assert "hunter2" not in caplog.text and "hunter2" not in stream.detail
    assert "videowall.streams.bad" in {r.name for r in caplog.records}


def test_the_rest_of_the_wall_keeps_playing(manager: StreamManager,
                                             vlc_server: VlcStreamServer) -> None:
    assert vlc_server.http_url
    good = manager.acquire(Camera("good", "Good", "lab", vlc_server.http_url))
    bad = manager.acquire(Camera("bad", "Bad", "lab", f"http://127.0.0.1:{free_port()}/x"))
    wait_until(manager, lambda: bad.state == StreamState.OFFLINE, timeout=15)
    wait_until(manager, live_with_frames(good, 25), timeout=20)
    before = good.stats.frames_published
    time.sleep(1.0)
    manager.drain_events()
    assert good.state == StreamState.LIVE and good.stats.frames_published > before + 10
    assert bad.state in (StreamState.OFFLINE, StreamState.RECONNECTING)


@pytest.mark.parametrize("backend", ["vlc", "ffmpeg"])
def test_comes_back_after_the_server_returns(manager: StreamManager, probe_clip: Path,
                                             backend: str) -> None:
    server = VlcStreamServer(probe_clip, http_url=f"http://127.0.0.1:{free_port()}/p.ts")
    server.start()
    try:
        assert server.http_url
        stream = manager.acquire(Camera("flaky", "F", "lab", server.http_url, backend=backend))
        wait_until(manager, live_with_frames(stream), timeout=20)
        server.stop()
        wait_until(manager, lambda: stream.state in (StreamState.OFFLINE,
                                                     StreamState.RECONNECTING), timeout=20)
        server.start()
        wait_until(manager, live_with_frames(stream, stream.stats.frames_published + 10),
                   timeout=30)
        assert stream.stats.reconnects >= 1
        assert_probe_picture(stream)
    finally:
        server.stop()


def test_probe_reports_a_good_and_a_bad_stream(ts_server: FfmpegHttpServer) -> None:
    good = probe(ts_server.url, timeout=20, watch=1.0)
    assert good["ok"] is True and good["error"] == ""
    assert (good["width"], good["height"]) == (640, 360)
    assert good["codec"] == "h264" and good["fps"] > 10
    assert 0 < good["first_frame_s"] < 20
    assert good["bitrate_kbps"] > 5 and good["frames_decoded"] > 10
    assert good["frames_shown"] >= good["frames_decoded"] - 1
    assert good["state"] == "live"
    bad = probe(f"rtsp://user:pw@127.0.0.1:{free_port()}/x", timeout=10)
    assert bad["ok"] is False and "connection refused" in bad["error"]
    assert bad["url"].startswith("rtsp://user:***@")
