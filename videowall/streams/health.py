"""Judging a stream's health from what is really decoded, and the thread that does it.

A live stream can fail without a word from the backend: libvlc still says "Playing" after
40 s of silence and keeps handing the last picture to the display callback, and FFmpeg
blocks in a read. So health is judged from two facts only: when the last picture was
really decoded (a stall), and whether the pictures still change (a freeze).

- :class:`HealthMonitor` is the judgment as plain data: feed it times and small grey
  thumbnails, it answers live, stalled or frozen, with words, and when to give up on the
  session. No threads, no clocks of its own: unit-tested with made-up times.
- :class:`RateWindow` measures frames and bytes per second over the last seconds.
- :class:`HealthWatchdog` is one thread that asks every decoder of a wall to judge itself
  a few times a second. One thread, not one per decoder: FFmpeg's decoding thread is
  stuck inside a read during exactly the stall it would have to see, and a wall of 56
  cameras needs no 56 more threads for a check that takes microseconds.
"""

from __future__ import annotations

import collections
import enum
import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from videowall.registry.health import HealthConfig
from videowall.util import memory

log = logging.getLogger(__name__)

Thumbnail = npt.NDArray[np.float32]

#: Width of a thumbnail in pixels; its height follows the picture's aspect.
THUMB_WIDTH = 64
#: A thumbnail differs from another when any pixel moved by this many grey levels (a
#: clock's digits in a camera's corner move some by 18 or more; an H.264 encoder
#: re-coding one still picture at each key frame moves none by more than 6) ...
CHANGE_MAX = 10.0
#: ... or when the pixels moved this much on average.
CHANGE_MEAN = 1.0
#: A thumbnail whose grey levels spread less than this is one uniform colour.
UNIFORM_STD = 2.0
#: A uniform thumbnail darker than this is black.
BLACK_LEVEL = 24.0
#: A frame rate measured over a window that began this long after the stream became
#: live again is the stream's own (the window holds no stalled seconds).
FPS_SETTLE_S = 2.5
#: With key frames only, a stall is this many key-frame intervals without a picture
#: (within ``stall_min_s`` and ``stall_max_s``) once the bytes stopped coming too ...
KEY_STALL_INTERVALS = 3.0
#: ... the longest of this many intervals between key pictures being the stream's own.
KEY_INTERVALS_KEPT = 4
#: Bytes read within this many seconds (or ``stall_min_s`` if longer) are still coming.
BYTES_FLOW_S = 1.0


class Condition(enum.StrEnum):
    """What :class:`HealthMonitor` can say about a running stream (values match
    :class:`~videowall.streams.base.StreamState`)."""

    LIVE = "live"
    STALLED = "stalled"
    FROZEN = "frozen"


@dataclass(frozen=True)
class Verdict:
    """One judgment: the condition, its reason in words, and whether to reconnect."""

    condition: Condition
    detail: str = ""
    #: Why the session must end now, in words; None to keep it.
    reconnect: str | None = None


def _seconds(value: float) -> str:
    return f"{max(1, round(value))} s"


def thumbnail(image: npt.NDArray[np.uint8], width: int = THUMB_WIDTH) -> Thumbnail:
    """A small grey picture of a ``height x width x 4`` BGRX ``image``, about ``width``
    pixels wide: every n-th pixel, then 2x2 blocks averaged. About 0.25 ms for 720p."""
    w = image.shape[1]
    step = max(1, w // (width * 2))
    sub = image[::step, ::step, :3].astype(np.float32)
    grey: Thumbnail = (sub[..., 0] + 2.0 * sub[..., 1] + sub[..., 2]) * 0.25
    if grey.shape[0] < 2 or grey.shape[1] < 2:
        return grey
    hh, ww = grey.shape[0] // 2 * 2, grey.shape[1] // 2 * 2
    blocks: Thumbnail = grey[:hh, :ww].reshape(hh // 2, 2, ww // 2, 2).mean(axis=(1, 3))
    return blocks


def differs(a: Thumbnail, b: Thumbnail) -> bool:
    """Whether two thumbnails show different pictures (beyond an encoder's noise)."""
    if a.shape != b.shape:
        return True
    diff = np.abs(a - b)
    return bool(diff.max() >= CHANGE_MAX or diff.mean() >= CHANGE_MEAN)


def uniform_kind(thumb: Thumbnail) -> str | None:
    """``"picture black"`` or ``"picture uniform grey"`` for a one-colour picture, else None."""
    if thumb.size == 0 or float(thumb.std()) >= UNIFORM_STD:
        return None
    return "picture black" if float(thumb.mean()) < BLACK_LEVEL else "picture uniform grey"


class HealthMonitor:
    """The health of one running stream, judged from times and thumbnails.

    Call :meth:`reset` when a session shows its first picture, then :meth:`assess` a few
    times a second with the time of the newest really decoded picture and, when
    :meth:`wants_sample` says so and a new picture was decoded, its :func:`thumbnail`.

    - *stalled*: no new picture for :meth:`HealthConfig.stall_after` the stream's frame
      rate (measured while live; the source's nominal rate until then);
    - *frozen*: pictures come, but none differed from the one that began the run for
      ``freeze_s``, or all were one colour;
    - otherwise *live*.

    A stall for ``stall_reconnect_s`` or a freeze for ``freeze_reconnect_s`` (within the
    session) asks for a reconnection (:attr:`Verdict.reconnect`).

    Key frames only (:meth:`set_key_frames`): pictures come once per group of pictures
    (1 s, or 2 to 4 s for many cameras), so the frame rate says nothing. The monitor then
    learns the interval between the pictures really decoded (the longest of the last
    :data:`KEY_INTERVALS_KEPT`, from the second picture of a session or a switch on), and
    calls the stream stalled after
    :data:`KEY_STALL_INTERVALS` of them once the bytes stopped coming as well; while bytes
    keep coming, or until two intervals are known, after ``stall_max_s``. Switching back
    to full decoding waits for the next key frame: until a picture decoded after the
    switch is seen, the key-frame rules still hold; then the frame rate is learnt anew.
    """

    def __init__(self, config: HealthConfig | None = None) -> None:
        self.config = config or HealthConfig()
        self.nominal_fps: float | None = None
        self._anchor: Thumbnail | None = None
        self._anchor_t = 0.0
        self._uniform: str | None = None
        self._uniform_since = 0.0
        self._last_sample_t = float("-inf")
        self._condition = Condition.LIVE
        self._live_since = 0.0
        self._session_t = 0.0
        #: Whether the stream decodes key frames only (see :meth:`set_key_frames`).
        self.key_frames = False
        self._key_intervals: collections.deque[float] = collections.deque(
            maxlen=KEY_INTERVALS_KEPT)
        self._switched_t = float("-inf")
        self._seen_decoded_t = 0.0
        self._key_pictures = 0  # pictures seen since the last switch or reset

    def set_key_frames(self, now: float, on: bool) -> None:
        """The stream switched to key frames only (``on``) or back to full decoding at
        ``now``: forget the rate learnt (a key-frame interval is learnt anew after a
        switch to key frames; after one back, it holds until the first new picture)."""
        self.key_frames = on
        self.nominal_fps = None
        if on:
            self._key_intervals.clear()
        self._switched_t = now
        self._seen_decoded_t = 0.0
        self._key_pictures = 0
        self._live_since = now

    def key_stall_after(self) -> float:
        """Seconds without a picture that make a key-frames-only stream stalled once its
        bytes stopped coming (``stall_max_s`` until two intervals are known)."""
        cfg = self.config
        if len(self._key_intervals) < 2:
            return cfg.stall_max_s
        longest = max(self._key_intervals)
        return min(cfg.stall_max_s, max(cfg.stall_min_s, KEY_STALL_INTERVALS * longest))

    @property
    def key_interval(self) -> float | None:
        """The longest interval between key pictures learnt, or None while unknown."""
        return max(self._key_intervals) if self._key_intervals else None

    def _learn_key_interval(self, last_decoded_t: float) -> None:
        if last_decoded_t <= self._switched_t or last_decoded_t == self._seen_decoded_t:
            return  # a picture decoded before the switch tells nothing of the new mode
        self._key_pictures += 1
        # from the second picture on: libvlc shows the first one of a session at once and
        # the next after its buffer, an interval that is no rhythm of the source
        if self._key_pictures > 2:
            self._key_intervals.append(last_decoded_t - self._seen_decoded_t)
        self._seen_decoded_t = last_decoded_t

    def reset(
        self, now: float, source_fps: float | None = None, *, keep_pictures: bool = False
    ) -> None:
        """A new session showed its first picture at ``now``: forget the pictures (unless
        ``keep_pictures``: the last session ended frozen, and the same picture again is
        the same freeze), keep the frame rate measured before (or take the source's)."""
        if not keep_pictures:
            self._anchor = None
            self._uniform = None
        self._last_sample_t = float("-inf")
        self._condition = Condition.LIVE
        self._live_since = now
        self._session_t = now
        self._seen_decoded_t = 0.0
        self._key_pictures = 0
        if self.nominal_fps is None and source_fps and 0.5 <= source_fps <= 240:
            self.nominal_fps = source_fps

    def stall_after(self) -> float:
        return self.config.stall_after(self.nominal_fps)

    def wants_sample(self, now: float) -> bool:
        return now - self._last_sample_t >= self.config.sample_every_s

    def sample(self, now: float, thumb: Thumbnail) -> None:
        """Take a thumbnail of a newly decoded picture."""
        self._last_sample_t = now
        if self._anchor is None or differs(self._anchor, thumb):
            self._anchor, self._anchor_t = thumb, now
        kind = uniform_kind(thumb)
        if kind != self._uniform:
            self._uniform, self._uniform_since = kind, now

    def assess(
        self,
        now: float,
        last_decoded_t: float,
        *,
        fps: float | None = None,
        thumb: Thumbnail | None = None,
        source_fps: float | None = None,
        bytes_t: float | None = None,
    ) -> Verdict:
        """Judge the stream at ``now``; ``fps`` is the measured rate over the last seconds,
        ``source_fps`` the rate the source announces (0 or None while unknown),
        ``bytes_t`` when bytes last came from the source (None: unknown)."""
        cfg = self.config
        age = now - last_decoded_t
        if self.nominal_fps is None and source_fps and 0.5 <= source_fps <= 240:
            self.nominal_fps = source_fps  # announced after the first picture (libvlc)
        if self.key_frames or last_decoded_t <= self._switched_t:
            # key frames only, or just back to full decoding and waiting for a key frame
            if self.key_frames:
                self._learn_key_interval(last_decoded_t)
            limit = self.key_stall_after()
            flowing = bytes_t is not None and now - bytes_t < max(BYTES_FLOW_S,
                                                                  cfg.stall_min_s)
            if flowing and self._condition != Condition.STALLED:
                limit = cfg.stall_max_s
            return self._judge(now, age, limit, thumb)
        # The rate is learnt while pictures flow: measured during a stall that has begun
        # it falls, and a threshold derived from it would keep moving away. In the first
        # seconds live, the window still holds the wait for the first picture and reads
        # low (a 25 fps stream read 2 fps and made a 5 s threshold): until then the rate
        # may only rise (reading high only brings the threshold to its minimum).
        if fps and self._condition == Condition.LIVE and age < cfg.stall_min_s / 2:
            if now - self._live_since >= FPS_SETTLE_S:
                self.nominal_fps = fps
            else:
                self.nominal_fps = max(self.nominal_fps or 0.0, fps)
        return self._judge(now, age, self.stall_after(), thumb)

    def _judge(self, now: float, age: float, limit: float, thumb: Thumbnail | None
               ) -> Verdict:
        cfg = self.config
        if age >= limit:
            self._condition = Condition.STALLED
            reconnect = None
            if age >= max(cfg.stall_reconnect_s, limit):
                reconnect = f"no picture for {_seconds(age)}"
            return Verdict(Condition.STALLED, f"no picture for {_seconds(limit)}", reconnect)
        if thumb is not None:
            self.sample(now, thumb)
        # measured up to the newest sample: pictures that stop coming are a stall (or
        # soon one), not a freeze
        last = self._last_sample_t
        frozen_for, what = 0.0, ""
        if self._uniform is not None:
            frozen_for, what = last - self._uniform_since, self._uniform
        if self._anchor is not None and last - self._anchor_t > frozen_for:
            frozen_for, what = last - self._anchor_t, self._uniform or "picture unchanged"
        if frozen_for >= cfg.freeze_s:
            self._condition = Condition.FROZEN
            reconnect = None
            if min(frozen_for, last - self._session_t) >= cfg.freeze_reconnect_s:
                reconnect = f"{what} for {_seconds(frozen_for)}"
            return Verdict(Condition.FROZEN, what, reconnect)
        if self._condition != Condition.LIVE:
            self._condition, self._live_since = Condition.LIVE, now
        return Verdict(Condition.LIVE)


class RateWindow:
    """Rates of growing counters (frames, bytes) over the last ``window_s`` seconds.

    Fed with samples of the counters by one thread (the watchdog); the decoders only
    increment plain integers. Bounded: about ``window_s / interval`` samples.
    """

    def __init__(self, window_s: float = 2.0, min_span_s: float = 0.5) -> None:
        self.window_s = window_s
        self.min_span_s = min_span_s
        self._samples: collections.deque[tuple[float, tuple[int, ...]]] = collections.deque()

    def update(self, now: float, *counters: int) -> tuple[float, ...]:
        """Add a sample; return each counter's rate per second (0 until enough samples)."""
        samples = self._samples
        samples.append((now, counters))
        while len(samples) > 2 and samples[1][0] <= now - self.window_s:
            samples.popleft()
        base_t, base = samples[0]
        span = now - base_t
        if span < self.min_span_s or len(base) != len(counters):
            return tuple(0.0 for _ in counters)
        return tuple(max(0, c - b) / span for c, b in zip(counters, base, strict=True))

    @property
    def span(self) -> float:
        """Seconds the current samples cover."""
        if len(self._samples) < 2:
            return 0.0
        return self._samples[-1][0] - self._samples[0][0]

    def clear(self) -> None:
        self._samples.clear()


class Watched(Protocol):
    """What :class:`HealthWatchdog` needs of a decoder."""

    camera_id: str

    def check_health(self, now: float) -> None: ...


class HealthWatchdog:
    """One thread that has each of many decoders judge its health every ``interval`` s.

    The thread runs while there is something to watch: it starts with the first
    :meth:`add` and ends by itself after the last :meth:`discard` (or at :meth:`stop`).
    A decoder whose check raises is logged once and kept: a bug in one judgment must not
    blind the wall.
    """

    THREAD_NAME = "decoder-watchdog"

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._watched: list[Watched] = []
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._failed: set[int] = set()
        #: Seconds the last round of checks took (for benchmarks).
        self.last_round_s = 0.0

    def add(self, decoder: Watched) -> None:
        with self._lock:
            if decoder not in self._watched:
                self._watched.append(decoder)
            if self._thread is None:
                self._wake.clear()
                self._thread = threading.Thread(
                    target=self._loop, name=self.THREAD_NAME, daemon=True
                )
                self._thread.start()

    def discard(self, decoder: Watched) -> None:
        with self._lock:
            if decoder in self._watched:
                self._watched.remove(decoder)
            self._failed.discard(id(decoder))

    def __len__(self) -> int:
        with self._lock:
            return len(self._watched)

    def stop(self, timeout: float = 5.0) -> None:
        """Forget every decoder and wait for the thread to end."""
        with self._lock:
            self._watched.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def check_all(self, now: float | None = None) -> None:
        """One round of checks (the thread calls this; tests may call it directly)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            watched = list(self._watched)
        for decoder in watched:
            try:
                decoder.check_health(now)
            except Exception:
                if id(decoder) not in self._failed:
                    self._failed.add(id(decoder))
                    log.exception("judging the health of %s failed", decoder.camera_id)

    def _loop(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._watched or self._wake.is_set():
                        self._thread = None
                        return
                started = time.monotonic()
                self.check_all(started)
                self.last_round_s = time.monotonic() - started
                # the decoders' per-frame buffers fragment the allocator's arenas
                memory.trim_now_and_then(started)
                self._wake.wait(max(0.01, self.interval - self.last_round_s))
        except Exception:  # never die silently: say so, and let the next add() restart
            log.exception("the health watchdog stopped")
            with self._lock:
                self._thread = None
