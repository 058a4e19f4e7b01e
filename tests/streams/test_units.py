"""Unit tests of the Qt-free stream plumbing, with fakes instead of real decoders."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pytest

from videowall.registry.model import Camera
from videowall.streams.backoff import Backoff
from videowall.streams.base import DEFAULT_MAX_SIZE, Decoder, StreamEvent, StreamState, fit_size
from videowall.streams.frame import FrameSlot
from videowall.streams.manager import StreamManager, decode_box
from videowall.streams.net import check_url, diagnose
from videowall.streams.select import choose_backend
from videowall.util.net import free_port


def test_backoff_grows_caps_and_jitters() -> None:
    backoff = Backoff(first=1.0, cap=8.0, jitter=0.25, rng=random.Random(7))
    delays = [backoff.next() for _ in range(8)]
    bases = [1, 2, 4, 8, 8, 8, 8, 8]
    for delay, base in zip(delays, bases, strict=True):
        assert base * 0.75 <= delay <= base * 1.25
    assert len({round(d, 6) for d in delays[3:]}) > 1  # jitter spreads equal bases
    backoff.reset()
    assert backoff.next() <= 1.25


def test_backoff_spreads_many_cameras() -> None:
    """56 cameras failing at once do not all retry in the same second."""
    firsts = [Backoff(first=4.0, rng=random.Random(i)).next() for i in range(56)]
    per_second: dict[int, int] = {}
    for delay in firsts:
        per_second[int(delay)] = per_second.get(int(delay), 0) + 1
    assert max(per_second.values()) < 56 / 3


def test_fit_size_scales_down_only_and_keeps_even() -> None:
    assert fit_size(640, 360, (1280, 720)) == (640, 360)
    assert fit_size(1920, 1080, (1280, 720)) == (1280, 720)
    assert fit_size(1920, 1080, (640, 640)) == (640, 360)
    assert fit_size(641, 361, (1280, 720)) == (640, 360)


def test_frame_slot_keeps_latest_and_counts_drops() -> None:
    slot = FrameSlot()
    assert slot.latest() is None
    a = np.zeros((2, 4, 4), np.uint8)
    b = np.ones((2, 4, 4), np.uint8)
    slot.publish(a)
    slot.publish(b)  # a was never read: dropped
    frame = slot.latest()
    assert frame is not None and frame.seq == 2 and frame.image is b
    assert frame.aspect == 2.0 and (frame.width, frame.height) == (4, 2)
    assert slot.dropped == 1
    slot.publish(a)
    assert slot.dropped == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtps://127.0.0.1/x", "unknown scheme 'rtps'"),
        ("http:///x.ts", "no host in URL"),
        ("rtsp://no-such-host.invalid/x", "host name 'no-such-host.invalid' does not resolve"),
        ("http://127.0.0.1:99999/x", "malformed URL"),
    ],
)
def test_diagnose_says_what_is_wrong(url: str, expected: str) -> None:
    reason = check_url(url) or diagnose(url)
    assert reason is not None and expected in reason


def test_diagnose_refused_and_reachable() -> None:
    port = free_port()
    reason = diagnose(f"http://127.0.0.1:{port}/x.ts")
    assert reason == f"connection refused (nothing listens on 127.0.0.1:{port})"
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert diagnose(f"rtsp://127.0.0.1:{server.getsockname()[1]}/x") is None
    assert diagnose("udp://@239.0.0.1:1234") is None
    assert diagnose("file:///nonexistent.mp4") is None


def test_choose_backend_by_scheme_and_override() -> None:
    from videowall.streams import vlc_backend

    rtsp = "ffmpeg" if not vlc_backend.can_open_rtsp() else "vlc"
    assert choose_backend("rtsp://127.0.0.1/x") == rtsp
    assert choose_backend("http://127.0.0.1/x.ts") == "vlc"
    assert choose_backend("http://127.0.0.1/x.ts", "ffmpeg") == "ffmpeg"
    assert choose_backend("rtsp://127.0.0.1/x", "vlc") == "vlc"


class FakeDecoder(Decoder):
    """Publishes frames (a bright bar walks across a grey picture) until told to fail."""

    backend_name = "fake"
    instances: ClassVar[list[FakeDecoder]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fail_with: str | None = None
        self.sessions = 0
        FakeDecoder.instances.append(self)
        self._backoff = Backoff(first=0.05, cap=0.1)

    def _session(self) -> str:
        self.sessions += 1
        if self.fail_with:
            return self.fail_with
        n = 0
        while not self.stopping and not self.fail_with and not self._health_end():
            image = np.full((4, 8, 4), 100, np.uint8)
            image[:, n % 8] = 255
            n += 1
            self.slot.publish(image)
            self.stats.frames_decoded += 1
            self._frame_arrived()
            self._wait(0.01)
        return self.fail_with or self._health_end() or "stopped"


def _fake_factory(
    camera: Camera, slot: FrameSlot, sink: Callable[[StreamEvent], None]
) -> Decoder:
    return FakeDecoder(camera.id, camera.url, slot, sink)


def _wait_for(manager: StreamManager, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        manager.drain_events()
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def test_manager_shares_one_decoder_per_camera() -> None:
    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    cam = Camera("c1", "One", "s", "http://127.0.0.1/a.ts")
    first = manager.acquire(cam)
    second = manager.acquire(cam)
    assert first is second and first.users == 2 and len(FakeDecoder.instances) == 1
    _wait_for(manager, lambda: first.state == StreamState.LIVE)
    manager.release("c1")
    assert manager.get("c1") is first
    manager.release("c1")
    assert manager.get("c1") is None
    manager.shutdown()
    assert FakeDecoder.instances[0].state == StreamState.STOPPED
    assert not [t for t in threading.enumerate() if t.name.startswith("decoder-c1")]


def test_manager_reconnects_and_reports_reason() -> None:
    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    stream = manager.acquire(Camera("c2", "Two", "s", "http://127.0.0.1/b.ts"))
    _wait_for(manager, lambda: stream.state == StreamState.LIVE)
    fake = FakeDecoder.instances[0]
    fake.fail_with = "connection refused"
    _wait_for(manager, lambda: stream.state == StreamState.OFFLINE)
    assert stream.detail == "connection refused"
    fake.fail_with = None
    _wait_for(manager, lambda: stream.state == StreamState.LIVE)
    states = [e.state for e in stream.history]
    assert states[:2] == [StreamState.CONNECTING, StreamState.LIVE]
    assert StreamState.RECONNECTING in states and fake.stats.reconnects >= 1
    manager.shutdown()


def test_manager_ignores_events_of_a_replaced_decoder() -> None:
    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    old = manager.acquire(Camera("c3", "Three", "s", "http://127.0.0.1/old.ts"))
    new = manager.acquire(Camera("c3", "Three", "s", "http://127.0.0.1/new.ts"))
    assert old is not new and new.users == 2
    _wait_for(manager, lambda: new.state == StreamState.LIVE)
    manager.shutdown()
    assert all(e.camera_id == "c3" for e in new.history)
    assert len(FakeDecoder.instances) == 2


def test_unauthorized_reason_sets_its_own_state() -> None:
    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    cam = Camera("c4", "Four", "s", "rtsp://user:pw@127.0.0.1/x")
    stream = manager.acquire(cam)
    FakeDecoder.instances[0].fail_with = "unauthorized: the camera refused the credentials"
    _wait_for(manager, lambda: stream.state == StreamState.UNAUTHORIZED)
    manager.shutdown()


def test_decode_box_is_the_tile_size_even() -> None:
    assert decode_box((639, 359)) == (638, 358)
    assert decode_box((10, 10)) == (64, 36)
    assert decode_box(None) == DEFAULT_MAX_SIZE


def test_resize_restarts_only_decoders_that_cannot_follow() -> None:
    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    stream = manager.acquire(Camera("c5", "Five", "s", "http://127.0.0.1/x"), size=(640, 360))
    assert stream.decoder.max_size == (640, 360)
    assert manager.resize("c5", (642, 362)) is None  # two pixels: not worth a restart
    bigger = manager.resize("c5", (1280, 720))
    assert bigger is not None and bigger.decoder.max_size == (1280, 720)
    assert bigger.users == 1 and len(FakeDecoder.instances) == 2
    assert manager.resize("c5", (1000, 560)) is None  # a bit smaller: keep decoding
    smaller = manager.resize("c5", (640, 360))  # restored from maximised: restart smaller
    assert smaller is not None and smaller.decoder.max_size == (640, 360)
    FakeDecoder.live_resize = True
    try:
        assert manager.resize("c5", (300, 170)) is None
        assert smaller.decoder.max_size == (300, 170) and len(FakeDecoder.instances) == 3
    finally:
        FakeDecoder.live_resize = False
    manager.shutdown()


def test_streams_started_after_configure_follow_the_new_health_settings() -> None:
    from videowall.registry.health import HealthConfig

    FakeDecoder.instances.clear()
    manager = StreamManager(_fake_factory)
    before = manager.acquire(Camera("c1", "One", "s", "http://127.0.0.1/a.ts"))
    manager.configure(HealthConfig(retry_cap_s=90.0, freeze_s=8.0))
    after = manager.acquire(Camera("c2", "Two", "s", "http://127.0.0.1/b.ts"))
    assert before.decoder.health_config == HealthConfig()
    assert after.decoder.health_config.retry_cap_s == 90.0
    assert after.decoder.health_config.freeze_s == 8.0
    manager.shutdown()
