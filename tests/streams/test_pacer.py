"""Frames at their own pace, and no backlog kept as a delay."""

from __future__ import annotations

import itertools

from videowall.streams.ffmpeg_backend import CATCH_UP_STEP_S, Pacer


def test_a_burst_is_spread_at_the_frames_own_pace() -> None:
    pacer = Pacer()
    pacer.read(0.03)
    assert pacer.hold(0.0, now=100.0) == 0.0
    # three frames of 40 ms arrive together: each is held to its time
    pacer.read(0.0001)
    assert abs(pacer.hold(0.04, now=100.0) - 0.04) < 1e-9
    pacer.read(0.0001)
    assert abs(pacer.hold(0.08, now=100.041) - 0.039) < 1e-9


def test_a_backlog_read_at_the_start_is_caught_up() -> None:
    """Frame k leaves the camera at 0.04 k s; opening the stream read a second ahead, so
    the first frame is shown a second after it left. Reads find their packets waiting
    until the backlog is gone, then wait for the camera: the delay falls to none."""
    pacer = Pacer()
    now, delays = 100.0, []
    for k in range(150):
        pts = 0.04 * k
        sent = 99.0 + pts
        waited = max(0.0, sent - now)
        now += waited
        pacer.read(waited if k else 0.03)
        now += pacer.hold(pts, now)
        delays.append(now - sent)
    assert delays[0] == 1.0
    assert max(delays[1:10]) > 0.8  # held at the pace at first ...
    assert delays[-1] < 0.01  # ... then as soon as each frame arrives
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(delays))
    assert next(k for k, d in enumerate(delays) if d < 0.01) * 0.04 < 1.0 / CATCH_UP_STEP_S


def test_a_frame_that_just_arrived_is_due_now() -> None:
    pacer = Pacer()
    pacer.read(0.03)
    pacer.hold(0.0, now=100.0)
    assert pacer.offset == 100.0
    pacer.read(0.04)  # a read that waited: this packet is the live edge
    assert pacer.hold(0.04, now=99.8) == 0.0  # came 0.24 s sooner than the pace said
    assert pacer.offset is not None and abs(pacer.offset - 99.76) < 1e-9


def test_a_jump_in_time_starts_the_pace_again() -> None:
    pacer = Pacer()
    pacer.read(0.03)
    pacer.hold(0.0, now=100.0)
    assert pacer.hold(60.0, now=100.04) == 0.0  # the camera's clock jumped
    assert pacer.offset == 100.04 - 60.0
    assert pacer.hold(None, now=101.0) == 0.0
