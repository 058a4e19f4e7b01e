"""Key frames only against real servers: both backends stay live on a source with one key
frame a second, a dead server is still seen, and FFmpeg switches a watcher's stream to a
viewer's and back over one connection.

The source is the benchmark's clip: textured noise at 25 fps, H.264 main profile with
B-frames (whose reordering would hold key pictures back) and a key frame every second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from videowall.bench.common import bench_clip
from videowall.demo.faults import FaultProxy, ServerProcess
from videowall.demo.ffserver import FfmpegHttpServer
from videowall.registry.model import Camera
from videowall.streams.base import StreamState
from videowall.streams.manager import Stream, StreamManager
from videowall.util.net import free_port

pytestmark = pytest.mark.slow

WATCH = (320, 180)
VIEW = (640, 360)


@pytest.fixture(scope="module")
def gop_clip() -> Path:
    return bench_clip()


@pytest.fixture(scope="module")
def gop_server(gop_clip: Path) -> Iterator[FfmpegHttpServer]:
    server = FfmpegHttpServer(gop_clip, port=free_port(), path="/gop.ts")
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


def watch_for(manager: StreamManager, stream: Stream, seconds: float) -> set[StreamState]:
    """Drain events for ``seconds``; the states the stream was in meanwhile."""
    seen = {stream.state}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _event in manager.drain_events():
            seen.add(stream.state)
        assert stream.slot.peek() is not None  # never without a picture
        time.sleep(0.05)
    return seen


@pytest.mark.parametrize("backend", ["ffmpeg", "vlc"])
def test_key_frames_only_stays_live_at_one_picture_a_second(
    manager: StreamManager, gop_server: FfmpegHttpServer, backend: str
) -> None:
    cam = Camera(f"kf-{backend}", "Key frames", "s", gop_server.url, backend=backend)
    stream = manager.acquire(cam, WATCH, viewer=False)
    assert stream.decoder.key_frames_only and stream.backend == backend
    wait_until(manager, lambda: stream.state == StreamState.LIVE
               and stream.stats.frames_published >= 2, 15)
    published = stream.stats.frames_published
    assert watch_for(manager, stream, 10.0) == {StreamState.LIVE}
    per_second = (stream.stats.frames_published - published) / 10.0
    assert 0.6 <= per_second <= 1.5, per_second  # one key frame a second, not 25
    assert stream.stats.reconnects == 0
    frame = stream.slot.peek()
    assert frame is not None and frame.width <= WATCH[0] and frame.height <= WATCH[1]


@pytest.mark.parametrize("backend", ["ffmpeg", "vlc"])
def test_a_dead_server_is_seen_at_key_frames_only(
    manager: StreamManager, gop_clip: Path, backend: str
) -> None:
    server = ServerProcess(gop_clip, port=free_port(), path="/dies.ts")
    server.start()
    try:
        cam = Camera(f"dies-{backend}", "Dies", "s", server.url, backend=backend)
        stream = manager.acquire(cam, WATCH, viewer=False)
        wait_until(manager, lambda: stream.state == StreamState.LIVE
                   and stream.stats.frames_published >= 2, 15)
        server.kill()
        killed = time.monotonic()
        seen = (StreamState.OFFLINE, StreamState.STALLED, StreamState.RECONNECTING)
        wait_until(manager, lambda: stream.state in seen, 12)
        assert time.monotonic() - killed <= 11.0  # within stall_max_s and a round
    finally:
        server.kill()


def test_ffmpeg_switches_watcher_viewer_watcher_over_one_connection(
    manager: StreamManager, gop_server: FfmpegHttpServer
) -> None:
    proxy = FaultProxy(("127.0.0.1", gop_server.port))
    proxy.start()
    try:
        cam = Camera("switch", "Switch", "s", proxy.url(gop_server.url), backend="ffmpeg")
        watched = manager.acquire(cam, WATCH, viewer=False)
        wait_until(manager, lambda: watched.state == StreamState.LIVE
                   and watched.stats.frames_published >= 2, 15)
        decoder = watched.decoder

        def rate_over(seconds: float) -> float:
            before = decoder.stats.frames_published
            assert watch_for(manager, watched, seconds) == {StreamState.LIVE}
            return (decoder.stats.frames_published - before) / seconds

        assert rate_over(3.0) <= 2.0  # key frames only
        shown = manager.acquire(cam, VIEW)
        assert shown is watched and shown.decoder is decoder and not decoder.key_frames_only
        watch_for(manager, shown, 1.5)  # the next key frame, then every frame
        assert rate_over(3.0) >= 15.0
        frame = shown.slot.peek()
        assert frame is not None and (frame.width, frame.height) == VIEW
        manager.release("switch")  # the viewer leaves, the watcher stays
        assert decoder.key_frames_only
        watch_for(manager, watched, 1.0)
        assert rate_over(4.0) <= 2.0
        frame = watched.slot.peek()
        assert frame is not None and frame.width <= WATCH[0]
        assert decoder.stats.reconnects == 0 and proxy.accepted == 1
        assert gop_server.clients >= 1
    finally:
        manager.shutdown()
        proxy.stop()


def test_vlc_switches_by_a_quiet_restart(
    manager: StreamManager, gop_server: FfmpegHttpServer
) -> None:
    cam = Camera("vlc-switch", "Switch", "s", gop_server.url, backend="vlc")
    stream = manager.acquire(cam, WATCH, viewer=False)
    wait_until(manager, lambda: stream.state == StreamState.LIVE
               and stream.stats.frames_published >= 2, 15)
    decoder = stream.decoder
    assert manager.acquire(cam, VIEW) is stream and not decoder.key_frames_only
    wait_until(manager, lambda: stream.slot.peek() is not None
               and stream.slot.peek().width == VIEW[0], 10)  # type: ignore[union-attr]
    before = decoder.stats.frames_published
    assert watch_for(manager, stream, 3.0) == {StreamState.LIVE}
    assert (decoder.stats.frames_published - before) / 3.0 >= 15.0
    assert decoder.stats.reconnects == 0 and stream.decoder is decoder


@pytest.mark.parametrize("backend", ["ffmpeg", "vlc"])
def test_a_stalled_source_is_seen_at_key_frames_only_within_stall_max(
    manager: StreamManager, gop_server: FfmpegHttpServer, backend: str
) -> None:
    proxy = FaultProxy(("127.0.0.1", gop_server.port))
    proxy.start()
    try:
        cam = Camera(f"stall-{backend}", "Stalls", "s", proxy.url(gop_server.url),
                     backend=backend)
        stream = manager.acquire(cam, WATCH, viewer=False)
        # five pictures: the rhythm of key frames is learnt from the second on
        wait_until(manager, lambda: stream.state == StreamState.LIVE
                   and stream.stats.frames_published >= 5, 15)
        proxy.pause()  # the connection stays open; nothing comes any more
        paused = time.monotonic()
        wait_until(manager, lambda: stream.state == StreamState.STALLED, 12)
        # three key-frame intervals after the last picture (libvlc still shows what it
        # buffered first), well within stall_max_s
        assert time.monotonic() - paused <= 8.0
    finally:
        manager.shutdown()
        proxy.stop()
