"""Key frames only, judged and switched: the health judgment with made-up times, the
manager's viewers and watchers with fake decoders."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.streams.test_units import FakeDecoder, _wait_for
from videowall.registry.model import Camera
from videowall.streams.base import Decoder, StreamEvent, StreamState
from videowall.streams.frame import FrameSlot
from videowall.streams.health import Condition, HealthMonitor, thumbnail
from videowall.streams.manager import StreamManager, decode_box


def _picture(t: float) -> np.ndarray:
    """A grey picture whose bright bar moves with the time (a new picture each second)."""
    image = np.full((36, 64, 4), 90, np.uint8)
    x = int(t * 7) % 60
    image[:, x:x + 4, :3] = 250
    return image


def _judge_key_frames(
    monitor: HealthMonitor,
    until: float,
    *,
    interval: float = 1.0,
    pictures_until: float = float("inf"),
    bytes_until: float = float("inf"),
    picture: Callable[[float], np.ndarray] = _picture,
    step: float = 0.25,
) -> list[tuple[float, Condition]]:
    """Assess a stream of one key picture per ``interval`` every ``step`` s; returns the
    changes of condition."""
    changes: list[tuple[float, Condition]] = []
    sampled = -1.0
    t = 0.0
    while t <= until + 1e-9:
        decoded = min(t, pictures_until) // interval * interval
        thumb = None
        if decoded > sampled and monitor.wants_sample(t):
            sampled, thumb = decoded, thumbnail(picture(decoded))
        bytes_t = min(t, bytes_until)
        verdict = monitor.assess(t, decoded, fps=1.0 / interval, thumb=thumb,
                                 source_fps=25.0, bytes_t=bytes_t)
        if not changes or changes[-1][1] != verdict.condition:
            changes.append((round(t, 2), verdict.condition))
        t += step
    return changes


def _key_monitor() -> HealthMonitor:
    monitor = HealthMonitor()
    monitor.reset(0.0, source_fps=25.0)
    monitor.set_key_frames(0.0, True)
    return monitor


def test_one_key_frame_a_second_is_live_not_stalled() -> None:
    # at 25 fps a second without a picture is a stall; at key frames only it is the rhythm
    monitor = _key_monitor()
    assert _judge_key_frames(monitor, 30.0) == [(0.0, Condition.LIVE)]
    assert monitor.key_interval == pytest.approx(1.0)
    assert monitor.key_stall_after() == pytest.approx(3.0)


@pytest.mark.parametrize("interval", [2.0, 4.0])
def test_a_camera_with_long_groups_of_pictures_is_live(interval: float) -> None:
    assert _judge_key_frames(_key_monitor(), 40.0, interval=interval) == [
        (0.0, Condition.LIVE)]


def test_a_stall_at_key_frames_only_is_seen_once_the_bytes_stop() -> None:
    changes = _judge_key_frames(_key_monitor(), 20.0, pictures_until=8.0, bytes_until=8.2)
    assert changes[0] == (0.0, Condition.LIVE)
    stalled_at, condition = changes[1]
    assert condition == Condition.STALLED and 10.0 <= stalled_at <= 11.25  # 3 intervals


def test_bytes_that_keep_coming_hold_a_stall_off_until_stall_max() -> None:
    monitor = _key_monitor()
    changes = _judge_key_frames(monitor, 25.0, pictures_until=8.0)
    assert changes[1][1] == Condition.STALLED
    assert changes[1][0] == pytest.approx(8.0 + monitor.config.stall_max_s, abs=0.3)


def test_a_frozen_picture_is_still_seen_at_key_frames_only() -> None:
    still = _picture(3.0)
    changes = _judge_key_frames(_key_monitor(), 12.0, picture=lambda _t: still)
    assert changes[-1][1] == Condition.FROZEN and changes[-1][0] <= 6.0


def test_switching_back_to_every_frame_waits_for_the_key_frame_then_judges_by_rate() -> None:
    monitor = _key_monitor()
    _judge_key_frames(monitor, 10.0)
    monitor.set_key_frames(10.1, False)
    assert monitor.nominal_fps is None  # the rate is learnt anew
    # no new picture for 0.9 s after the switch (the next key frame): not a stall
    for t in (10.25, 10.5, 10.75, 11.0):
        assert monitor.assess(t, 10.0, fps=1.0, source_fps=25.0, bytes_t=t).condition == (
            Condition.LIVE)
    # pictures at 25 fps from 11.0 on: judged by the rate (a 1 s stall is one again)
    for i in range(1, 40):
        t = 11.0 + i * 0.04
        assert monitor.assess(t, t, fps=25.0, source_fps=25.0, bytes_t=t).condition == (
            Condition.LIVE)
    assert monitor.stall_after() == 1.0
    assert monitor.assess(14.0, 12.56, fps=25.0, bytes_t=14.0).condition == Condition.STALLED


# --------------------------------------------------------------------------- the manager


class LiveKeyFake(FakeDecoder):
    """A fake that switches to key frames only while it runs (as FFmpeg does)."""

    live_key_frames = True
    live_resize = True


def _factory(cls: type[FakeDecoder], urls: list[str]
             ) -> Callable[[Camera, FrameSlot, Callable[[StreamEvent], None]], Decoder]:
    def make(camera: Camera, slot: FrameSlot, sink: Callable[[StreamEvent], None]) -> Decoder:
        urls.append(camera.url)
        return cls(camera.id, camera.url, slot, sink)

    return make


def test_watchers_get_key_frames_viewers_every_frame_on_one_decoder() -> None:
    FakeDecoder.instances.clear()
    urls: list[str] = []
    manager = StreamManager(_factory(LiveKeyFake, urls))
    cam = Camera("k1", "One", "s", "http://127.0.0.1/main.ts", sub_url="http://127.0.0.1/sub.ts")
    try:
        stream = manager.acquire(cam, (320, 180), viewer=False)
        decoder = stream.decoder
        assert (stream.viewers, stream.watchers, stream.users) == (0, 1, 1)
        assert decoder.key_frames_only and decoder.max_size == (320, 180)
        assert urls == ["http://127.0.0.1/sub.ts"] and stream.sub_stream  # watcher: sub
        _wait_for(manager, lambda: stream.state == StreamState.LIVE)
        tile = manager.acquire(cam, (960, 540))
        assert tile is stream and tile.decoder is decoder and (stream.viewers, stream.users) == (
            1, 2)
        assert not decoder.key_frames_only and decoder.max_size == (960, 540)
        assert urls == ["http://127.0.0.1/sub.ts"]  # the same stream, kept for the viewer
        manager.release("k1")
        assert manager.get("k1") is stream and decoder.key_frames_only
        assert decoder.max_size == (320, 180)
        assert len(FakeDecoder.instances) == 1 and FakeDecoder.instances[0].sessions == 1
        manager.release("k1", viewer=False)
        assert manager.get("k1") is None
    finally:
        manager.shutdown()


def test_a_stream_opened_for_a_viewer_keeps_every_frame_and_the_main_url() -> None:
    FakeDecoder.instances.clear()
    urls: list[str] = []
    manager = StreamManager(_factory(LiveKeyFake, urls))
    cam = Camera("k2", "Two", "s", "http://127.0.0.1/main.ts", sub_url="http://127.0.0.1/sub.ts")
    try:
        stream = manager.acquire(cam, (640, 360))
        manager.acquire(cam, (320, 180), viewer=False)
        assert not stream.decoder.key_frames_only and urls == ["http://127.0.0.1/main.ts"]
        assert (stream.viewers, stream.watchers) == (1, 1)
        manager.release("k2")  # the viewer leaves: the watcher's key frames at its size
        assert stream.decoder.key_frames_only and stream.decoder.max_size == (320, 180)
        manager.release("k2", viewer=False)
        assert manager.get("k2") is None
    finally:
        manager.shutdown()


def test_a_backend_that_cannot_switch_running_restarts_its_session_quietly() -> None:
    FakeDecoder.instances.clear()
    urls: list[str] = []
    manager = StreamManager(_factory(FakeDecoder, urls))
    cam = Camera("k3", "Three", "s", "http://127.0.0.1/main.ts")
    try:
        stream = manager.acquire(cam, (320, 180), viewer=False)
        fake = FakeDecoder.instances[0]
        _wait_for(manager, lambda: stream.state == StreamState.LIVE)
        before = fake.stats.frames_published
        assert manager.acquire(cam, (640, 360)) is stream and stream.decoder is fake
        _wait_for(manager, lambda: fake.sessions == 2
                  and fake.stats.frames_published > before + 5)
        assert not fake.key_frames_only and fake.max_size == decode_box((640, 360))
        assert fake.stats.reconnects == 0 and len(FakeDecoder.instances) == 1
        assert [e.state for e in stream.history] == [StreamState.CONNECTING, StreamState.LIVE]
    finally:
        manager.shutdown()
