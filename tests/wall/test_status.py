"""What a tile says is decided in the core: words, timers, buckets, without a screen."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

import pytest

from tests.fakes import make_registry
from videowall.streams.base import StreamState
from videowall.wall.status import (
    BUCKETS,
    STATE_LABELS,
    TileStatus,
    bucket_counts,
    bucket_of,
    format_bitrate,
    format_duration,
    reason_words,
    retry_words,
    state_label,
)

REGISTRY = make_registry()


def status_of(camera_id: str) -> TileStatus:
    status = TileStatus()
    camera = REGISTRY.get(camera_id)
    assert camera is not None
    assert status.show(camera)
    return status


def test_helpers_say_times_and_reasons_in_words() -> None:
    assert format_duration(0) == "00:00"
    assert format_duration(42.9) == "00:42"
    assert format_duration(15 * 60 + 3) == "15:03"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(3 * 86400 + 4 * 3600 + 59) == "3 d 04 h"
    assert retry_words(11.2) == "retry in 12 s"
    assert retry_words(0.1) == "retry in 1 s"
    assert retry_words(300) == "retry in 5 min"
    assert reason_words(StreamState.OFFLINE, "connection refused") == "connection refused"
    assert reason_words(StreamState.FROZEN, "frozen: picture black") == "picture black"
    assert reason_words(StreamState.UNAUTHORIZED, "") == "the camera refused the credentials"
    assert reason_words(StreamState.UNAUTHORIZED, "unauthorized: HTTP 401") == (
        "the camera refused the credentials (HTTP 401)"
    )
    assert format_bitrate(850) == "850 kb/s"
    assert format_bitrate(1234) == "1.2 Mb/s"


def test_every_state_has_a_label_and_a_bucket() -> None:
    for state in StreamState:
        assert state_label(state) == STATE_LABELS[state]
        assert sum(state in states for states in BUCKETS.values()) == 1
    assert state_label(StreamState.UNAUTHORIZED) == "NO AUTH"
    assert bucket_of(StreamState.RECONNECTING) == "degraded"


#: (state, detail, seconds since, retry in, what the tile says): shared with the tile's test.
STATUS_CASES = [
    (StreamState.STALLED, "no picture for 2 s", 42, 0,
     ("STALLED 00:42", "no picture for 2 s", "")),
    (StreamState.FROZEN, "picture unchanged", 15, 0,
     ("FROZEN 00:15", "picture unchanged", "")),
    (StreamState.FROZEN, "picture black", 75, 0, ("FROZEN 01:15", "picture black", "")),
    (StreamState.OFFLINE, "connection refused", 3, 12,
     ("OFFLINE 00:03", "connection refused", "retry in 12 s")),
    (StreamState.UNAUTHORIZED, "unauthorized", 600, 30,
     ("NO AUTH 10:00", "the camera refused the credentials", "retry in 30 s")),
    (StreamState.RECONNECTING, "connection lost — attempt 3", 3700, 5,
     ("RECONNECTING 1:01:40", "connection lost — attempt 3", "retry in 5 s")),
    (StreamState.DISABLED, "disabled in the camera list", 99, 0,
     ("DISABLED", "disabled in the camera list", "")),
    (StreamState.STOPPED, "taken off the wall", 99, 0, ("STOPPED", "taken off the wall", "")),
    (StreamState.LIVE, "ffmpeg", 99, 0, ("LIVE", "", "")),
]


class Says(Protocol):
    """What a tile or its status answers: both say the same."""

    def set_stats(self, stats: Mapping[str, Any], now: float | None = None) -> None: ...

    def status_lines(
        self, now: float | None = None, now_monotonic: float | None = None
    ) -> tuple[str, str, str]: ...

    def status_text(self) -> str: ...


def assert_says(subject: Says, state: StreamState, ago: float, retry: float,
                expected: tuple[str, str, str], now: float, mono: float) -> None:
    """``subject``, in ``state`` since ``ago`` seconds with a retry in ``retry``, says
    ``expected`` line by line and in one line (the tooltip's and the camera list's)."""
    subject.set_stats({"next_retry_in_s": retry or None}, now=mono)
    headline, reason, note = subject.status_lines(now=now, now_monotonic=mono)
    assert (headline, reason) == expected[:2]
    if state in (StreamState.LIVE, StreamState.DISABLED, StreamState.STOPPED):
        assert note == ""
    else:
        since = time.strftime("since %H:%M:%S", time.localtime(now - ago))
        assert note == " · ".join(part for part in (since, expected[2]) if part)
    label = state_label(state)
    assert subject.status_text() == (
        label if state == StreamState.LIVE else f"{label} — {reason}"
    )


@pytest.mark.parametrize(("state", "detail", "ago", "retry", "expected"), STATUS_CASES)
def test_the_status_says_why_since_when_and_when_it_retries(
    state: StreamState, detail: str, ago: float, retry: float,
    expected: tuple[str, str, str],
) -> None:
    status = status_of("red")
    now, mono = 1_700_000_000.0, 5000.0
    assert status.set_state(state, detail, since=now - ago)
    assert_says(status, state, ago, retry, expected, now, mono)


def test_a_first_connection_waits_for_its_picture_and_a_retry_under_way_says_so() -> None:
    status = status_of("red")
    status.set_state(StreamState.CONNECTING, "opening via fake")
    assert status.status_lines(has_picture=False)[2] == "waiting for the first picture"
    assert status.status_lines(has_picture=True)[2].startswith("since ")
    status.set_state(StreamState.RECONNECTING, "connection lost")
    status.set_stats({"next_retry_in_s": 0}, now=100.0)
    assert status.status_lines(now_monotonic=100.0)[2].endswith(" · trying again now")


def test_the_same_state_twice_changes_nothing_and_another_camera_starts_afresh() -> None:
    status = status_of("red")
    assert status.set_state(StreamState.OFFLINE, "connection refused", since=5.0)
    assert not status.set_state(StreamState.OFFLINE, "connection refused", since=9.0)
    assert status.state_since == 5.0
    red = REGISTRY.get("red")
    green = REGISTRY.get("green")
    assert red is not None and green is not None
    assert not status.show(red)  # the same camera: its state stays
    assert status.state == StreamState.OFFLINE and status.unreachable
    assert status.show(green)
    assert (status.state, status.detail, status.unreachable, status.stats) == (None, "", False, {})
    status.clear()
    assert status.camera is None and status.status_lines() == ("Drop a camera here", "", "")


def test_a_camera_retrying_after_it_was_unreachable_counts_as_offline() -> None:
    status = status_of("red")
    buckets = []
    for state in (StreamState.CONNECTING, StreamState.OFFLINE, StreamState.RECONNECTING,
                  StreamState.LIVE, StreamState.STALLED, StreamState.RECONNECTING):
        status.set_state(state, "x")
        buckets.append(status.bucket)
    assert buckets == ["connecting", "offline", "offline", "live", "degraded", "degraded"]


def test_retry_is_offered_for_a_streamed_camera_that_is_not_live() -> None:
    status = status_of("red")
    assert not status.can_retry  # no state yet
    for state, expected in ((StreamState.OFFLINE, True), (StreamState.LIVE, False),
                            (StreamState.STALLED, True), (StreamState.STOPPED, False)):
        status.set_state(state)
        assert status.can_retry is expected
    disabled = status_of("old")
    disabled.set_state(StreamState.OFFLINE)
    assert not disabled.can_retry


def test_the_info_box_says_rate_size_bitrate_and_backend() -> None:
    status = status_of("red")
    assert status.info_lines() == ("measuring fps", "")
    assert status.info_lines((640, 360)) == ("measuring fps · 640×360", "")
    status.set_stats({"fps": 24.96, "width": 1280, "height": 720, "bitrate_kbps": 1500,
                      "backend": "ffmpeg", "codec": "h264", "frames_dropped": 3})
    assert status.info_lines((640, 360)) == (
        "25.0 fps · 1280×720", "1.5 Mb/s · ffmpeg h264 · 3 dropped"
    )


def test_bucket_counts_count_each_camera_once_and_empty_tiles() -> None:
    red, red_again, off, empty = status_of("red"), status_of("red"), status_of("off"), TileStatus()
    red.set_state(StreamState.LIVE)
    red_again.set_state(StreamState.LIVE)
    off.set_state(StreamState.OFFLINE)
    counts = bucket_counts([red, red_again, off, empty])
    assert counts == {"live": 1, "degraded": 0, "offline": 1, "connecting": 0, "off": 0,
                      "empty": 1}
