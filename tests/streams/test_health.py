"""Unit tests of stream health: the judgment as data, rates, the connection gate, and
decoders judged by the watchdog (fakes instead of real backends)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import ClassVar

import numpy as np
import pytest

from videowall.registry.health import HealthConfig
from videowall.registry.model import Camera
from videowall.streams import base
from videowall.streams.backoff import Backoff, ConnectGate
from videowall.streams.base import Decoder, StreamEvent, StreamState
from videowall.streams.frame import FrameSlot
from videowall.streams.health import (
    Condition,
    HealthMonitor,
    HealthWatchdog,
    RateWindow,
    differs,
    thumbnail,
    uniform_kind,
)
from videowall.streams.manager import StreamManager

# --------------------------------------------------------------------------- pictures


def bgrx(height: int, width: int, grey: int = 0) -> np.ndarray:
    image = np.full((height, width, 4), grey, np.uint8)
    image[..., 3] = 255
    return image


def scene(n: int = 0, height: int = 360, width: int = 640) -> np.ndarray:
    """A picture with structure; ``n`` moves a bright box along it."""
    image = bgrx(height, width)
    image[:, : width // 2, 2] = 200  # red left half
    image[height // 2 :, :, 1] = 120  # some green at the bottom
    x = (n * 40) % (width - 40)
    image[20:60, x : x + 40, :3] = 255
    return image


def test_thumbnail_is_small_grey_and_weighted() -> None:
    image = bgrx(360, 640)
    image[..., 0], image[..., 1], image[..., 2] = 0, 128, 255  # B, G, R
    thumb = thumbnail(image)
    assert thumb.shape == (36, 64)
    assert thumb.dtype == np.float32
    assert thumb.min() == thumb.max() == pytest.approx((0 + 2 * 128 + 255) / 4)
    assert thumbnail(bgrx(720, 1280)).shape == (36, 64)
    assert thumbnail(bgrx(4, 8)).shape == (2, 4)
    assert thumbnail(bgrx(1, 1)).shape == (1, 1)


def test_differs_ignores_noise_and_sees_small_real_changes() -> None:
    rng = np.random.default_rng(3)
    still = thumbnail(scene())
    noisy = still + rng.uniform(-1.5, 1.5, still.shape).astype(np.float32)
    assert not differs(still, noisy)
    clock = still.copy()
    clock[-2, -6:-3] += 20  # a few digits of a clock in the corner
    assert differs(still, clock)
    dimmer = still - 1.5  # the whole picture a little darker
    assert differs(still, dimmer)
    assert differs(still, thumbnail(scene(3)))
    assert differs(still, still[:10])  # another size


def test_uniform_kind_names_black_and_grey() -> None:
    assert uniform_kind(thumbnail(bgrx(90, 160, 0))) == "picture black"
    assert uniform_kind(thumbnail(bgrx(90, 160, 16))) == "picture black"
    assert uniform_kind(thumbnail(bgrx(90, 160, 128))) == "picture uniform grey"
    assert uniform_kind(thumbnail(scene())) is None


# --------------------------------------------------------------------------- the judgment


@pytest.mark.parametrize(
    ("fps", "expected"),
    [(25.0, 1.0), (50.0, 1.0), (5.0, 2.0), (2.0, 5.0), (0.5, 10.0), (None, 10.0), (0.0, 10.0)],
)
def test_stall_threshold_follows_the_frame_rate(fps: float | None, expected: float) -> None:
    assert HealthConfig().stall_after(fps) == pytest.approx(expected)


def run_monitor(
    monitor: HealthMonitor,
    until: float,
    picture: Callable[[float], np.ndarray] | None,
    *,
    start: float = 0.0,
    fps: float = 25.0,
    step: float = 0.25,
    last_decoded: Callable[[float], float] | None = None,
) -> list[tuple[float, Condition, str, str | None]]:
    """Assess every ``step`` s from ``start`` to ``until``; returns the changes of
    condition, detail and whether to reconnect (with the words of the first such)."""
    changes: list[tuple[float, Condition, str, str | None]] = []
    last: tuple[Condition, str, bool] | None = None
    t = start
    while t <= until + 1e-9:
        decoded_t = last_decoded(t) if last_decoded else t
        thumb = None
        if picture is not None and monitor.wants_sample(t) and (
            not changes or decoded_t > t - step
        ):
            thumb = thumbnail(picture(decoded_t))
        verdict = monitor.assess(t, decoded_t, fps=fps, thumb=thumb)
        now = (verdict.condition, verdict.detail, verdict.reconnect is not None)
        if now != last:
            changes.append((round(t, 3), verdict.condition, verdict.detail, verdict.reconnect))
            last = now
        t += step
    return changes


def test_a_stall_is_seen_after_ten_frame_intervals_and_ends_the_session() -> None:
    monitor = HealthMonitor()
    monitor.reset(0.0, source_fps=25.0)

    def decoded(t: float) -> float:
        return min(t, 3.0)  # pictures stop at 3 s

    changes = run_monitor(monitor, 12.0, lambda t: scene(int(t * 4)), last_decoded=decoded)
    assert changes == [
        (0.0, Condition.LIVE, "", None),
        (4.0, Condition.STALLED, "no picture for 1 s", None),
        (9.0, Condition.STALLED, "no picture for 1 s", "no picture for 6 s"),
    ]


def test_a_stall_of_a_slow_camera_waits_longer() -> None:
    monitor = HealthMonitor()
    monitor.reset(0.0)
    # a 2 fps camera: measured fps is taken once the stream was live a while
    changes = run_monitor(monitor, 20.0, None, fps=2.0,
                          last_decoded=lambda t: min(t - t % 0.5, 5.0))
    assert changes == [
        (0.0, Condition.LIVE, "", None),
        (10.0, Condition.STALLED, "no picture for 5 s", None),
        (11.0, Condition.STALLED, "no picture for 5 s", "no picture for 6 s"),
    ]
    assert monitor.nominal_fps == 2.0


def test_back_to_live_when_pictures_return() -> None:
    monitor = HealthMonitor()
    monitor.reset(0.0, source_fps=25.0)
    changes = run_monitor(
        monitor, 6.0, lambda t: scene(int(t * 4)),
        last_decoded=lambda t: t if t < 2.0 or t >= 4.0 else 2.0,
    )
    assert [c[:2] for c in changes] == [
        (0.0, Condition.LIVE), (3.0, Condition.STALLED), (4.0, Condition.LIVE),
    ]


def test_a_repeated_picture_is_frozen_after_freeze_s() -> None:
    monitor = HealthMonitor()
    monitor.reset(0.0, source_fps=25.0)
    still = scene()
    rng = np.random.default_rng(1)

    def picture(t: float) -> np.ndarray:
        if t < 2.0:
            return scene(int(t * 4))
        noisy = still.astype(np.int16) + rng.integers(-3, 4, still.shape, dtype=np.int16)
        return np.clip(noisy, 0, 255).astype(np.uint8)  # the same picture, re-encoded

    changes = run_monitor(monitor, 40.0, picture)
    assert changes[0][:2] == (0.0, Condition.LIVE)
    frozen = changes[1]
    assert frozen[1:3] == (Condition.FROZEN, "picture unchanged")
    assert 6.0 <= frozen[0] <= 6.5  # 4 s after the picture stopped changing
    assert changes[2][1:] == (Condition.FROZEN, "picture unchanged", "picture unchanged for 30 s")
    assert 32.0 <= changes[2][0] <= 32.5


@pytest.mark.parametrize(
    ("grey", "words"), [(0, "picture black"), (128, "picture uniform grey")]
)
def test_a_uniform_picture_is_frozen_and_named(grey: int, words: str) -> None:
    monitor = HealthMonitor(HealthConfig(freeze_s=4.0))
    monitor.reset(0.0)
    changes = run_monitor(monitor, 5.0, lambda t: bgrx(90, 160, grey))
    assert changes == [(0.0, Condition.LIVE, "", None), (4.0, Condition.FROZEN, words, None)]


def test_small_real_changes_keep_a_stream_live() -> None:
    """A quiet scene with only a clock that ticks, or light that slowly fades, is live."""
    monitor = HealthMonitor()
    monitor.reset(0.0)

    def clock(t: float) -> np.ndarray:
        image = scene()
        if int(t) % 2:
            image[340:352, 600:612, :3] = 255  # a digit in the corner
        return image

    assert [c[1] for c in run_monitor(monitor, 20.0, clock)] == [Condition.LIVE]
    monitor.reset(0.0)

    def dusk(t: float) -> np.ndarray:
        return np.clip(scene().astype(np.float32) - 0.8 * t, 0, 255).astype(np.uint8)

    assert [c[1] for c in run_monitor(monitor, 20.0, dusk)] == [Condition.LIVE]


def test_a_freeze_that_survives_a_reconnection_stays_frozen() -> None:
    monitor = HealthMonitor(HealthConfig(freeze_reconnect_s=10.0))
    monitor.reset(0.0)
    still = scene()
    changes = run_monitor(monitor, 11.0, lambda t: still)
    assert changes[-1][1:] == (Condition.FROZEN, "picture unchanged", "picture unchanged for 10 s")
    monitor.reset(12.0, keep_pictures=True)  # the new session shows the same picture
    again = run_monitor(monitor, 14.0, lambda t: still, start=12.0)
    assert again == [(12.0, Condition.FROZEN, "picture unchanged", None)]
    monitor.reset(15.0, keep_pictures=True)  # ... and this one a new picture
    assert run_monitor(monitor, 16.0, lambda t: scene(5), start=15.0)[0][1] == Condition.LIVE
    monitor.reset(17.0)  # without keep_pictures the same picture starts a new run
    assert run_monitor(monitor, 18.0, lambda t: still, start=17.0)[0][1] == Condition.LIVE


def test_a_stall_outranks_a_freeze() -> None:
    monitor = HealthMonitor(HealthConfig(freeze_s=1.0))
    monitor.reset(0.0, source_fps=25.0)
    still = scene()
    changes = run_monitor(monitor, 5.0, lambda t: still, last_decoded=lambda t: min(t, 2.0))
    assert [c[1] for c in changes] == [Condition.LIVE, Condition.FROZEN, Condition.STALLED]


def test_rate_window_measures_over_the_last_seconds() -> None:
    window = RateWindow(window_s=2.0)
    assert window.update(0.0, 0, 0) == (0.0, 0.0)
    assert window.update(0.25, 6, 1000) == (0.0, 0.0)  # not enough time yet
    rates: tuple[float, ...] = ()
    for i in range(2, 40):
        t = i * 0.25
        rates = window.update(t, int(25 * t), int(4000 * t))
    assert rates[0] == pytest.approx(25, abs=1.5) and rates[1] == pytest.approx(4000, rel=0.05)
    assert 2.0 <= window.span <= 2.3
    for i in range(40, 52):  # the counters stop: the rate falls to 0 within the window
        rates = window.update(i * 0.25, 250, 40000)
    assert rates == (0.0, 0.0)


# --------------------------------------------------------------------------- the gate


def test_gate_limits_attempts_per_host_in_order() -> None:
    gate = ConnectGate(per_host=2)
    a, b = gate.enter("nvr"), gate.enter("NVR")
    assert a is not None and b is not None and gate.active("nvr") == 2
    other = gate.enter("camera-7")  # another host is not held up
    assert other is not None
    order: list[int] = []

    def wait(i: int) -> None:
        ticket = gate.enter("nvr")
        assert ticket is not None
        order.append(i)
        time.sleep(0.02)
        ticket.release()

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(3)]
    for i, thread in enumerate(threads):
        thread.start()
        deadline = time.monotonic() + 2
        while gate.waiting("nvr") < i + 1 and time.monotonic() < deadline:
            time.sleep(0.005)
    assert gate.waiting("nvr") == 3 and order == []
    a.release()
    a.release()  # twice is harmless
    b.release()
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2]
    assert gate.active("nvr") == 0 and gate.peak == 2
    other.release()


def test_gate_wait_can_be_cancelled() -> None:
    gate = ConnectGate(per_host=1)
    held = gate.enter("nvr")
    cancel = threading.Event()
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(gate.enter("nvr", cancel, poll=0.01)))
    thread.start()
    time.sleep(0.05)
    cancel.set()
    thread.join(5)
    assert result == [None] and gate.waiting("nvr") == 0
    assert held is not None
    held.release()
    with pytest.raises(ValueError):
        ConnectGate(per_host=0)


def test_raising_the_gate_limit_lets_waiting_attempts_in() -> None:
    gate = ConnectGate(per_host=1)
    held = gate.enter("nvr")
    got: list[object] = []
    thread = threading.Thread(target=lambda: got.append(gate.enter("nvr")))
    thread.start()
    deadline = time.monotonic() + 2
    while gate.waiting("nvr") < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert got == []
    gate.set_limit(2)
    thread.join(5)
    assert len(got) == 1 and got[0] is not None and gate.active("nvr") == 2
    assert held is not None
    held.release()
    with pytest.raises(ValueError):
        gate.set_limit(0)


def test_manager_takes_the_registry_health_settings() -> None:
    from videowall.streams.manager import StreamManager

    config = HealthConfig(retry_cap_s=90.0, connections_per_host=2)
    manager = StreamManager(health=config)
    assert manager.gate.per_host == 2
    manager.configure(HealthConfig(connections_per_host=6))
    assert manager.gate.per_host == 6
    manager.shutdown()


# --------------------------------------------------------------------------- decoders


class Source:
    """What fake cameras behind one host do: shared by their decoders."""

    def __init__(self) -> None:
        self.up = True
        self.mode = "moving"  # or "still", "black", "silent" (connected, no pictures)
        self.connect_s = 0.0
        self.lock = threading.Lock()
        self.connecting = 0
        self.peak_connecting = 0
        self.attempts: list[float] = []


class ScriptedDecoder(Decoder):
    """Plays what its :class:`Source` says, at 25 pictures a second."""

    backend_name = "fake"
    instances: ClassVar[list[ScriptedDecoder]] = []

    def __init__(self, source: Source, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.source = source
        ScriptedDecoder.instances.append(self)

    def _session(self) -> str:
        src = self.source
        with src.lock:
            src.connecting += 1
            src.peak_connecting = max(src.peak_connecting, src.connecting)
            src.attempts.append(time.monotonic())
        connected = False
        try:
            self._wait(src.connect_s)
            if not src.up:
                return "connection refused"
            n = 0
            while src.up:
                ended = self._health_end()
                if ended:
                    return ended
                if src.mode != "silent":
                    image = {"still": scene(), "black": bgrx(36, 64)}.get(src.mode)
                    self.slot.publish(scene(n, 72, 128) if image is None else image)
                    self.stats.frames_decoded += 1
                    self.bytes_read += 1000
                    self._frame_arrived()
                    n += 1
                if not connected:
                    connected = True
                    with src.lock:
                        src.connecting -= 1
                self._wait(0.04)
            return "stream ended (the server closed the connection)"
        finally:
            if not connected:
                with src.lock:
                    src.connecting -= 1


def scripted_manager(
    source: Source, backoff: Callable[[], Backoff] = lambda: Backoff(0.05, 0.2), **kwargs: object
) -> StreamManager:
    def factory(camera: Camera, slot: FrameSlot, sink: Callable[[StreamEvent], None]) -> Decoder:
        decoder = ScriptedDecoder(source, camera.id, camera.url, slot, sink)
        decoder._backoff = backoff()
        return decoder

    return StreamManager(factory, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def source() -> Source:
    ScriptedDecoder.instances.clear()
    return Source()


def wait_for(manager: StreamManager, done: Callable[[], bool], timeout: float = 5.0) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        manager.drain_events()
        if done():
            return time.monotonic() - t0
        time.sleep(0.01)
    states = {s.camera.id: f"{s.state}: {s.detail}" for s in manager.streams()}
    raise AssertionError(f"not reached within {timeout} s: {states}")


def camera(i: int = 0, host: str = "nvr.example") -> Camera:
    return Camera(f"cam{i}", f"Camera {i}", "site", f"rtsp://{host}/cam{i}")


def test_a_silent_stream_stalls_reconnects_and_returns(source: Source) -> None:
    manager = scripted_manager(source, health=HealthConfig(stall_reconnect_s=2.0))
    try:
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.state == StreamState.LIVE and stream.stats.fps > 10)
        source.mode = "silent"
        seen = wait_for(manager, lambda: stream.state == StreamState.STALLED)
        assert stream.detail == "no picture for 1 s" and 0.8 < seen < 2.0
        wait_for(manager, lambda: stream.state == StreamState.RECONNECTING)
        assert stream.detail == "no picture for 2 s"
        assert stream.stats.next_retry_t > 0
        source.mode = "moving"
        wait_for(manager, lambda: stream.state == StreamState.LIVE)
        states = [(e.state, e.detail) for e in stream.history]
        assert states[:4] == [
            (StreamState.CONNECTING, "opening via fake"),
            (StreamState.LIVE, "fake"),
            (StreamState.STALLED, "no picture for 1 s"),
            (StreamState.RECONNECTING, "no picture for 2 s"),
        ]
        assert states[-1] == (StreamState.LIVE, "fake")
        assert stream.stats.reconnects >= 1
    finally:
        manager.shutdown()


@pytest.mark.parametrize(("mode", "words"), [("still", "picture unchanged"),
                                              ("black", "picture black")])
def test_a_frozen_stream_is_not_live(source: Source, mode: str, words: str) -> None:
    config = HealthConfig(freeze_s=1.0, freeze_reconnect_s=2.0)
    manager = scripted_manager(source, health=config)
    try:
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.state == StreamState.LIVE)
        source.mode = mode
        wait_for(manager, lambda: stream.state == StreamState.FROZEN)
        assert stream.detail == words
        wait_for(manager, lambda: stream.state == StreamState.RECONNECTING)
        assert stream.detail.startswith(f"{words} for ")
        # the same picture after the reconnection: frozen, never live in between
        wait_for(manager, lambda: stream.decoder.stats.reconnects >= 1
                 and stream.state == StreamState.FROZEN)
        after = [e.state for e in stream.history]
        first_reconnect = after.index(StreamState.RECONNECTING)
        assert StreamState.LIVE not in after[first_reconnect:]
        source.mode = "moving"
        wait_for(manager, lambda: stream.state == StreamState.LIVE)
    finally:
        manager.shutdown()


def test_stats_dict_is_json_ready_and_measured(source: Source) -> None:
    manager = scripted_manager(source)
    try:
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.stats.fps > 15, timeout=5)
        stats = stream.stats_dict()
        for key in ("frames_decoded", "frames_shown", "frames_dropped", "fps", "bitrate_kbps",
                    "last_frame_age_s", "reconnects", "first_frame_s", "next_retry_in_s"):
            assert key in stats
        assert 15 < stats["fps"] < 30
        assert stats["bitrate_kbps"] == pytest.approx(stats["fps"] * 8, rel=0.2)
        assert stats["frames_shown"] >= stats["frames_decoded"] - 1
        assert stats["frames_dropped"] >= stats["frames_shown"] - 2  # nobody read the slot
        assert 0 <= stats["last_frame_age_s"] < 0.5
        assert stats["next_retry_in_s"] is None and stats["state"] == "live"
        assert stats["first_frame_s"] is not None and stats["first_frame_s"] < 0.5
        source.up = False
        wait_for(manager, lambda: stream.state == StreamState.OFFLINE)
        assert stream.stats_dict()["next_retry_in_s"] is not None
    finally:
        manager.shutdown()


def test_retry_cuts_a_long_backoff(source: Source) -> None:
    manager = scripted_manager(source, backoff=lambda: Backoff(first=60.0, jitter=0.0))
    try:
        source.up = False
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.state == StreamState.OFFLINE)
        assert stream.stats.next_retry_t - time.monotonic() > 20
        source.up = True
        assert manager.retry("cam0") and not manager.retry("nobody")
        waited = wait_for(manager, lambda: stream.state == StreamState.LIVE, timeout=3)
        assert waited < 1.0
    finally:
        manager.shutdown()


def test_retry_reconnects_a_stalled_stream_at_once(source: Source) -> None:
    manager = scripted_manager(source, backoff=lambda: Backoff(first=60.0, jitter=0.0))
    try:
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.state == StreamState.LIVE and stream.stats.fps > 10)
        source.mode = "silent"
        wait_for(manager, lambda: stream.state == StreamState.STALLED)
        source.mode = "moving"
        manager.retry("cam0")
        wait_for(manager, lambda: stream.state == StreamState.LIVE and stream.stats.reconnects == 1,
                 timeout=2)
        assert (StreamState.RECONNECTING, "retry asked by the operator") in [
            (e.state, e.detail) for e in stream.history]
    finally:
        manager.shutdown()


def test_unauthorized_is_retried_slowly(source: Source) -> None:
    class Refused(ScriptedDecoder):
        def _session(self) -> str:
            return "unauthorized: the camera refused the credentials (RTSP 401)"

    manager = StreamManager(lambda cam, slot, sink: Refused(source, cam.id, cam.url, slot, sink))
    try:
        stream = manager.acquire(camera())
        wait_for(manager, lambda: stream.state == StreamState.UNAUTHORIZED)
        assert stream.stats_dict()["next_retry_in_s"] > 20
        time.sleep(0.3)
        assert stream.stats.reconnects == 0
    finally:
        manager.shutdown()


def test_backoff_resets_only_after_a_stable_session(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "STABLE_AFTER_S", 0.6)
    manager = scripted_manager(source, backoff=lambda: Backoff(0.05, cap=10.0, jitter=0.0))
    try:
        stream = manager.acquire(camera())
        decoder = stream.decoder
        wait_for(manager, lambda: stream.state == StreamState.LIVE)
        for _ in range(3):  # live for a moment, then dropped: the delays grow
            source.up = False
            wait_for(manager, lambda: stream.state == StreamState.OFFLINE)
            source.up = True
            wait_for(manager, lambda: stream.state == StreamState.LIVE)
        assert decoder._backoff.attempt == 3
        time.sleep(0.8)  # stable now
        source.up = False
        wait_for(manager, lambda: stream.state == StreamState.OFFLINE)
        assert decoder._backoff.attempt == 1  # reset, then one delay taken
    finally:
        source.up = True
        manager.shutdown()


def test_56_cameras_behind_one_host_do_not_storm_it(source: Source) -> None:
    """The NVR goes down and comes back: the cameras come back spread out, never more
    than the gate's 4 attempts at once."""
    source.connect_s = 0.12
    manager = scripted_manager(source, backoff=Backoff, gate=ConnectGate(per_host=4))
    cameras = [camera(i) for i in range(56)]
    try:
        streams = [manager.acquire(cam) for cam in cameras]  # with the product's delays
        live = lambda: all(s.state == StreamState.LIVE for s in streams)  # noqa: E731
        wait_for(manager, live, timeout=10)
        source.up = False  # the switch reboots
        wait_for(manager, lambda: all(s.state == StreamState.OFFLINE for s in streams))
        down_at = time.monotonic()
        source.attempts.clear()
        source.up = True  # ... and is back at once
        wait_for(manager, live, timeout=15)
        attempts = sorted(t - down_at for t in source.attempts)
        busiest = max(sum(1 for t in attempts if s <= t < s + 1.0) for s in attempts)
        print(f"\n56 cameras back over {attempts[-1] - attempts[0]:.2f} s; "
              f"at most {busiest} attempts in one second, "
              f"at most {source.peak_connecting} at once")
        assert len(attempts) >= 56
        assert busiest < 56
        assert attempts[-1] - attempts[0] > 1.0
        assert source.peak_connecting <= 4 and manager.gate.peak == 4
    finally:
        manager.shutdown()


def test_cameras_on_other_hosts_are_not_held_up(source: Source) -> None:
    source.connect_s = 0.3
    manager = scripted_manager(source, gate=ConnectGate(per_host=1))
    try:
        streams = [manager.acquire(camera(i, host=f"cam{i}.example")) for i in range(4)]
        waited = wait_for(manager, lambda: all(s.state == StreamState.LIVE for s in streams))
        assert waited < 0.9  # in parallel, not one after the other
    finally:
        manager.shutdown()


# --------------------------------------------------------------------------- the watchdog


class Checked:
    def __init__(self, name: str, fail: bool = False) -> None:
        self.camera_id = name
        self.fail = fail
        self.calls = 0

    def check_health(self, now: float) -> None:
        self.calls += 1
        if self.fail:
            raise RuntimeError("broken judgment")


@pytest.fixture
def watchdog() -> Iterator[HealthWatchdog]:
    dog = HealthWatchdog(interval=0.01)
    yield dog
    dog.stop()


def test_watchdog_runs_only_while_watching(watchdog: HealthWatchdog) -> None:
    def running() -> bool:
        return any(t.name == HealthWatchdog.THREAD_NAME for t in threading.enumerate())

    a = Checked("a")
    watchdog.add(a)
    assert running()
    time.sleep(0.1)
    assert a.calls > 3
    watchdog.discard(a)
    deadline = time.monotonic() + 2
    while running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not running()
    watchdog.add(a)  # and starts again
    assert running() and len(watchdog) == 1


def test_watchdog_survives_a_broken_check(watchdog: HealthWatchdog,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    bad, good = Checked("bad", fail=True), Checked("good")
    watchdog.add(bad)
    watchdog.add(good)
    time.sleep(0.15)
    assert good.calls > 3 and bad.calls > 3
    failures = [r for r in caplog.records if "judging the health of bad" in r.getMessage()]
    assert len(failures) == 1  # said once, not every round


def test_backoff_jitter_spreads_first_retries() -> None:
    delays = [Backoff(rng=random.Random(i)).next() for i in range(56)]
    assert min(delays) >= 0.5 and max(delays) <= 1.5
    assert max(delays) - min(delays) > 0.5


def test_a_low_rate_read_while_the_first_picture_was_awaited_does_not_stick() -> None:
    # libvlc announces the source's rate only after the first picture; the first rate
    # measured still counts the wait before it and reads low
    monitor = HealthMonitor(HealthConfig())
    monitor.reset(0.0)
    for t, fps in ((0.25, 2.0), (0.5, 12.0), (0.75, 25.0), (1.0, 9.0)):
        monitor.assess(t, t, fps=fps)
    assert monitor.nominal_fps == 25.0 and monitor.stall_after() == 1.0
    # once live long enough, the measured rate is the stream's own, lower or not
    monitor.assess(3.0, 3.0, fps=5.0)
    assert monitor.nominal_fps == 5.0 and monitor.stall_after() == 2.0


def test_a_rate_announced_after_the_first_picture_is_taken() -> None:
    monitor = HealthMonitor(HealthConfig())
    monitor.reset(0.0)
    assert monitor.stall_after() == 10.0  # nothing known yet: the longest wait
    monitor.assess(0.1, 0.1, source_fps=25.0)
    assert monitor.stall_after() == 1.0
