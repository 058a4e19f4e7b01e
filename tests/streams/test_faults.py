"""Faults injected into real streams on loopback, for both decoding backends.

Every test runs a healthy neighbour stream in the same manager and checks that it keeps
playing, asserts the state and the words the fault produced, and (where the fault ends)
that the stream comes back without the operator. Time bounds are generous; the measured
times are printed (``pytest -s``) — the targets belong to the benchmark.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from videowall.demo.clips import make_probe_clip, probe_mismatches
from videowall.demo.faults import FaultProxy, RtspAuthServer, ServerProcess, make_still_clip
from videowall.demo.ffserver import BadHttpServer, FfmpegHttpServer
from videowall.registry.health import HealthConfig
from videowall.registry.model import Camera
from videowall.streams.base import StreamState
from videowall.streams.manager import Stream, StreamManager
from videowall.util.net import free_port

pytestmark = pytest.mark.slow

BACKENDS = ["vlc", "ffmpeg"]
#: The product's judgment, with quicker reconnections to keep the file short.
CONFIG = HealthConfig(stall_reconnect_s=3.0, freeze_reconnect_s=6.0)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fault-media")
    return {
        "probe": make_probe_clip(folder / "probe.mp4", seconds=4),
        "still": make_still_clip(folder / "still.mp4", seconds=2),
        "black": make_still_clip(folder / "black.mp4", colour="black", seconds=2),
    }


def http_server(clip: Path) -> Iterator[FfmpegHttpServer]:
    server = FfmpegHttpServer(clip, port=free_port(), path="/stream.ts")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def healthy(media: dict[str, Path]) -> Iterator[FfmpegHttpServer]:
    yield from http_server(media["probe"])


@pytest.fixture(scope="module")
def still(media: dict[str, Path]) -> Iterator[FfmpegHttpServer]:
    yield from http_server(media["still"])


@pytest.fixture(scope="module")
def black(media: dict[str, Path]) -> Iterator[FfmpegHttpServer]:
    yield from http_server(media["black"])


@pytest.fixture
def manager() -> Iterator[StreamManager]:
    mgr = StreamManager(health=CONFIG)
    yield mgr
    mgr.shutdown()


@pytest.fixture
def proxy(healthy: FfmpegHttpServer) -> Iterator[FaultProxy]:
    with FaultProxy(("127.0.0.1", healthy.port)) as fault_proxy:
        yield fault_proxy


def wait_until(manager: StreamManager, done: Callable[[], bool], timeout: float) -> float:
    """Drain events until ``done()``; returns the seconds it took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        manager.drain_events()
        if done():
            return time.monotonic() - t0
        time.sleep(0.02)
    states = {s.camera.id: f"{s.state}: {s.detail}" for s in manager.streams()}
    raise AssertionError(f"not reached within {timeout} s; streams: {states}")


def live(stream: Stream, frames: int = 10) -> Callable[[], bool]:
    start = stream.stats.frames_decoded
    return lambda: (stream.state == StreamState.LIVE
                    and stream.stats.frames_decoded >= start + frames)


def in_state(stream: Stream, *states: StreamState) -> Callable[[], bool]:
    return lambda: stream.state in states


def start_pair(manager: StreamManager, url: str, healthy: FfmpegHttpServer,
               backend: str) -> tuple[Stream, Stream]:
    """The stream under test and a healthy neighbour, both live."""
    neighbour = manager.acquire(Camera("neighbour", "Neighbour", "lab", healthy.url,
                                       backend=backend))
    stream = manager.acquire(Camera("faulty", "Faulty", "lab", url, backend=backend))
    assert stream.backend == neighbour.backend == backend
    return stream, neighbour


def assert_neighbour_played(manager: StreamManager, neighbour: Stream, since: int) -> None:
    """The neighbour stayed live through the fault and kept decoding."""
    wait_until(manager, lambda: neighbour.stats.frames_decoded >= since + 25, 10)
    assert neighbour.state == StreamState.LIVE
    states = [e.state for e in neighbour.history]
    assert states[0] == StreamState.CONNECTING
    assert [s for s in states[1:] if s != StreamState.LIVE] == [], states


def assert_probe_picture(stream: Stream) -> None:
    frame = stream.slot.latest()
    assert frame is not None and probe_mismatches(frame.image, channels="bgrx") == []


def report(backend: str, fault: str, **seconds: float) -> None:
    figures = ", ".join(f"{name.replace('_', ' ')} {value:.2f} s"
                        for name, value in seconds.items())
    print(f"\n[{backend}] {fault}: {figures}")


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("backend", BACKENDS)
def test_server_killed_then_restarted(manager: StreamManager, healthy: FfmpegHttpServer,
                                      media: dict[str, Path], backend: str) -> None:
    server = ServerProcess(media["probe"], port=free_port())
    server.start()
    try:
        stream, neighbour = start_pair(manager, server.url, healthy, backend)
        wait_until(manager, live(stream), 20)
        wait_until(manager, live(neighbour), 20)
        since = neighbour.stats.frames_decoded
        server.kill()
        lost = wait_until(manager, in_state(stream, StreamState.OFFLINE), 15)
        assert re.search(r"closed the connection|reset the connection|broke off|refused",
                         stream.detail), stream.detail
        wait_until(manager, lambda: "connection refused" in stream.detail, 15)
        server.start()
        restarted = time.monotonic()
        wait_until(manager, live(stream), 20)
        report(backend, "server killed", offline_after_kill=lost,
               live_after_restart=time.monotonic() - restarted)
        assert stream.stats.reconnects >= 1
        assert_probe_picture(stream)
        assert_neighbour_played(manager, neighbour, since)
    finally:
        server.kill()


@pytest.mark.parametrize("backend", BACKENDS)
def test_stall_with_the_socket_open(manager: StreamManager, healthy: FfmpegHttpServer,
                                    proxy: FaultProxy, backend: str) -> None:
    stream, neighbour = start_pair(manager, proxy.url(healthy.url), healthy, backend)
    wait_until(manager, live(stream, 50), 20)  # long enough to know its frame rate
    since = neighbour.stats.frames_decoded
    proxy.pause()
    paused = time.monotonic()
    after_pause = wait_until(manager, in_state(stream, StreamState.STALLED), 10)
    last_picture = time.monotonic() - stream.stats.last_decoded_t
    assert stream.detail == "no picture for 1 s"
    assert proxy.connections >= 1  # the socket is still open: only the judgment saw it
    wait_until(manager, in_state(stream, StreamState.RECONNECTING), 10)
    assert re.fullmatch(r"no picture for \d+ s|no data from the camera within \d+ s",
                        stream.detail), stream.detail
    assert stream.stats.next_retry_t > paused
    reconnect_after = time.monotonic() - paused
    proxy.resume()
    back = wait_until(manager, live(stream), 20)
    report(backend, "stall (proxy stops forwarding)", stalled_after_pause=after_pause,
           stalled_after_last_picture=last_picture, reconnecting_after=reconnect_after,
           back_after_resume=back)
    assert_probe_picture(stream)
    assert_neighbour_played(manager, neighbour, since)


@pytest.mark.parametrize("backend", BACKENDS)
def test_frozen_and_black_sources(manager: StreamManager, healthy: FfmpegHttpServer,
                                  still: FfmpegHttpServer, black: FfmpegHttpServer,
                                  backend: str) -> None:
    with FaultProxy(("127.0.0.1", still.port)) as to_still:
        frozen, neighbour = start_pair(manager, to_still.url(still.url), healthy, backend)
        dark = manager.acquire(Camera("dark", "Dark", "lab", black.url, backend=backend))
        wait_until(manager, lambda: frozen.stats.first_frame_s is not None, 20)
        since = neighbour.stats.frames_decoded
        t_frozen = wait_until(manager, in_state(frozen, StreamState.FROZEN), 15)
        assert frozen.detail == "picture unchanged"
        t_dark = wait_until(manager, in_state(dark, StreamState.FROZEN), 15)
        assert dark.detail == "picture black"
        assert frozen.stats.fps > 10  # pictures kept coming: frozen, not stalled
        # the camera behind the proxy comes back to life: after freeze_reconnect_s the
        # stream reconnects by itself, and the new pictures move
        to_still.retarget(("127.0.0.1", healthy.port))
        wait_until(manager, in_state(frozen, StreamState.RECONNECTING), 15)
        assert frozen.detail.startswith("picture unchanged for ")
        back = wait_until(manager, live(frozen), 20)
        report(backend, "frozen source", frozen_after_first_picture=t_frozen,
               black_frozen_after_first_picture=t_frozen + t_dark, back_after_reconnect=back)
        assert_probe_picture(frozen)
        # black all along: frozen, reconnected after freeze_reconnect_s, frozen again
        assert dark.state in (StreamState.FROZEN, StreamState.RECONNECTING)
        assert StreamState.LIVE not in [e.state for e in dark.history[2:]]
        assert_neighbour_played(manager, neighbour, since)


def test_wrong_credentials_are_not_hammered(manager: StreamManager,
                                            healthy: FfmpegHttpServer) -> None:
    with RtspAuthServer() as rtsp, BadHttpServer() as http:
        neighbour = manager.acquire(Camera("neighbour", "N", "lab", healthy.url))
        cams = {
            "rtsp": rtsp.url("cam", "admin", "hunter2"),
            "vlc-http": http.url("unauthorized"),
            "ffmpeg-http": http.url("unauthorized"),
        }
        streams = {
            name: manager.acquire(Camera(name, name, "lab", url,
                                         backend=name.split("-")[0].replace("rtsp", "auto")))
            for name, url in cams.items()
        }
        assert [s.backend for s in streams.values()] == ["ffmpeg", "vlc", "ffmpeg"]
        for name, stream in streams.items():
            took = wait_until(manager, in_state(stream, StreamState.UNAUTHORIZED), 15)
            protocol = "RTSP" if name == "rtsp" else "HTTP"
            assert stream.detail == (
                f"unauthorized: the camera refused the credentials ({protocol} 401)")
            assert "hunter2" not in stream.detail
            report(stream.backend, f"{protocol} 401", unauthorized_after=took)
        asked = rtsp.describes
        assert 1 <= asked <= 2  # once without, once with the credentials
        wait_until(manager, live(neighbour, 25), 20)
        assert rtsp.describes == asked  # no retry yet: the next is tens of seconds away
        for stream in streams.values():
            assert stream.stats_dict()["next_retry_in_s"] > 15
        manager.retry("rtsp")  # the operator fixed the password on the camera: try now
        wait_until(manager, lambda: rtsp.describes > asked, 5)
        wait_until(manager, in_state(streams["rtsp"], StreamState.UNAUTHORIZED), 5)
        assert_neighbour_played(manager, neighbour, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nothing_listens_then_a_server_appears(manager: StreamManager, media: dict[str, Path],
                                               healthy: FfmpegHttpServer, backend: str) -> None:
    port = free_port()
    late = FfmpegHttpServer(media["probe"], port=port, path="/late.ts")
    stream, neighbour = start_pair(manager, late.url, healthy, backend)
    try:
        took = wait_until(manager, in_state(stream, StreamState.OFFLINE), 15)
        assert stream.detail == f"connection refused (nothing listens on 127.0.0.1:{port})"
        wait_until(manager, live(neighbour), 20)
        since = neighbour.stats.frames_decoded
        late.start()
        started = time.monotonic()
        wait_until(manager, live(stream), 20)
        report(backend, "connection refused", offline_after=took,
               live_after_server_start=time.monotonic() - started)
        assert_probe_picture(stream)
        assert_neighbour_played(manager, neighbour, since)
    finally:
        late.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_name_that_does_not_resolve(manager: StreamManager, healthy: FfmpegHttpServer,
                                           backend: str) -> None:
    stream, neighbour = start_pair(manager, "http://user:pw@camera-17.invalid/live.ts",
                                   healthy, backend)
    took = wait_until(manager, in_state(stream, StreamState.OFFLINE), 15)
    assert stream.detail == "host name 'camera-17.invalid' does not resolve"
    report(backend, "unresolvable host", offline_after=took)
    wait_until(manager, live(neighbour, 25), 20)
    assert_neighbour_played(manager, neighbour, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_corrupted_bytes_do_not_kill_the_decoder(manager: StreamManager,
                                                 healthy: FfmpegHttpServer,
                                                 proxy: FaultProxy, backend: str) -> None:
    stream, neighbour = start_pair(manager, proxy.url(healthy.url), healthy, backend)
    wait_until(manager, live(stream, 25), 20)
    since = neighbour.stats.frames_decoded
    before = len(stream.history)
    proxy.corrupt(every=997)  # a flipped byte in every kilobyte, for three seconds
    time.sleep(3.0)
    proxy.corrupt(None)
    manager.drain_events()
    for event in stream.history[before:]:  # whatever happened was said in words
        assert event.detail, event
    back = wait_until(manager, live(stream, 25), 20)
    report(backend, "corrupted bytes", live_with_frames_after_clean=back)
    assert stream.decoder._thread is not None and stream.decoder._thread.is_alive()
    time.sleep(0.5)  # a key frame after the damage
    assert_probe_picture(stream)
    assert_neighbour_played(manager, neighbour, since)
