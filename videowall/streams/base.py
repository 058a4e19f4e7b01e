"""What every decoding backend shares: states, events, statistics and the Decoder base."""

from __future__ import annotations

import enum
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from videowall.registry.health import HealthConfig
from videowall.streams.backoff import Backoff, ConnectGate, GateTicket
from videowall.streams.frame import FrameSlot
from videowall.streams.health import HealthMonitor, RateWindow, thumbnail
from videowall.util.logs import camera_logger, mask_url


class StreamState(enum.StrEnum):
    """Health of one stream as the operator sees it."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    FROZEN = "frozen"
    OFFLINE = "offline"
    UNAUTHORIZED = "unauthorized"
    RECONNECTING = "reconnecting"
    DISABLED = "disabled"
    STOPPED = "stopped"


@dataclass(frozen=True)
class StreamEvent:
    """Something that happened to one camera's stream. ``t`` is ``time.monotonic()``.

    Each kind of event is a subclass; :attr:`kind` is the name reports give it.
    """

    t: float
    camera_id: str
    #: The kind of event as reports name it (``"state"``...).
    kind: ClassVar[str] = "event"


@dataclass(frozen=True)
class StateChanged(StreamEvent):
    """The stream's state changed: ``detail`` says why, in words."""

    state: StreamState
    detail: str = ""
    kind: ClassVar[str] = "state"


@dataclass
class DecoderStats:
    """Counters a decoder keeps; read from any thread (plain values, no lock needed).

    Times are ``time.monotonic()``. ``fps`` and ``bitrate_bps`` are measured over the last
    two seconds by the health watchdog; the rest is kept by the decoder itself.
    """

    backend: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    source_fps: float = 0.0
    frames_decoded: int = 0
    frames_published: int = 0
    #: Pictures replaced in the slot before the wall read them.
    frames_dropped: int = 0
    fps: float = 0.0
    bitrate_bps: float = 0.0
    first_frame_s: float | None = None  # time from a session's start to its first frame
    reconnects: int = 0
    last_frame_t: float = 0.0  # the newest picture handed to the slot
    last_decoded_t: float = 0.0  # the newest picture really decoded (not a repeat)
    next_retry_t: float = 0.0  # the next (or current) connection attempt
    state_since_t: float = 0.0  # when the state last changed


EventSink = Callable[[StreamEvent], None]

#: The largest picture a decoder hands to the wall; bigger sources are scaled down.
DEFAULT_MAX_SIZE = (1280, 720)

#: A session live this long without a break resets the backoff to its first, short delay:
#: a camera that comes back for a few seconds and drops again is not retried ever faster.
STABLE_AFTER_S = 10.0


_QUIET_STATES = frozenset(
    {StreamState.LIVE, StreamState.CONNECTING, StreamState.RECONNECTING, StreamState.STOPPED}
)
#: States the health judgment moves between while a session shows pictures.
_JUDGED = frozenset({StreamState.LIVE, StreamState.STALLED, StreamState.FROZEN})
#: ... and the state a session is in after one that ended frozen, until judged.
_JUDGED_AFTER_FREEZE = _JUDGED | {StreamState.RECONNECTING}
#: States in which a retry is scheduled or under way.
_RETRYING = frozenset({StreamState.OFFLINE, StreamState.UNAUTHORIZED, StreamState.RECONNECTING})


class SessionStopped(Exception):
    """Raised inside a session when the owner asked the decoder to stop."""


class Decoder(ABC):
    """One stream decoded on its own threads into a :class:`FrameSlot`.

    ``start()`` returns at once; ``stop()`` may block (libvlc's stop is synchronous), so
    the owner calls it off the GUI thread. State changes go to ``on_event``, which must
    only hand off (it is called from the decoder's threads and the watchdog's).

    Health: the decoder's threads record plain facts (when a picture was really decoded,
    bytes read); :meth:`check_health`, called a few times a second by one
    :class:`~videowall.streams.health.HealthWatchdog` for the whole wall, judges them and
    moves the state between live, stalled and frozen, and ends a session that stalled or
    froze for too long. Backends call :meth:`_health_end` between reads and return its
    words when it has some.

    Reconnecting: capped exponential backoff with jitter (slow after a refusal of the
    credentials), reset once a session stayed live :data:`STABLE_AFTER_S`; an optional
    shared :class:`~videowall.streams.backoff.ConnectGate` limits attempts per host.

    Key frames only (:attr:`key_frames_only`): for a camera nobody looks at, only its key
    frames are decoded (one picture per group of pictures, at a fraction of the cost);
    pictures still reach the slot, so motion and health watchers see it. A backend with
    :attr:`live_key_frames` switches while it runs; on the others the owner calls
    :meth:`restart_session` after a switch (a new session over a new connection, the
    last picture kept in the slot, no reconnection counted or shown).
    """

    backend_name = "?"
    #: Whether changing :attr:`max_size` while running takes effect without a restart.
    live_resize = False
    #: Whether changing :attr:`key_frames_only` while running takes effect without a
    #: restart (else the owner calls :meth:`restart_session`).
    live_key_frames = False

    def __init__(
        self,
        camera_id: str,
        url: str,
        slot: FrameSlot,
        on_event: EventSink,
        *,
        max_size: tuple[int, int] = DEFAULT_MAX_SIZE,
    ) -> None:
        self.camera_id = camera_id
        self.url = url
        self.slot = slot
        self.max_size = max_size
        self.stats = DecoderStats(backend=self.backend_name)
        self.log = camera_logger(camera_id)
        #: Limits connection attempts per host; set by the owner before start().
        self.gate: ConnectGate | None = None
        #: At most this many seconds for opening the stream and for any one wait on the
        #: source (a probe's ``--timeout``); None: the backend's own timeouts.
        self.time_limit: float | None = None
        self._on_event = on_event
        self._state = StreamState.STOPPED
        self._detail = ""
        self._state_lock = threading.Lock()
        self._started_at = 0.0
        self._session_t0 = 0.0
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._retry_event = threading.Event()
        self._last_reason = ""
        self._health_config = HealthConfig()
        self._backoff = Backoff(self._health_config.retry_first_s, self._health_config.retry_cap_s)
        self._auth_backoff = Backoff(
            self._health_config.auth_retry_first_s, self._health_config.auth_retry_cap_s,
            jitter=0.25,
        )
        # per session, written by the decoder's threads
        self._session_id = 0
        self._session_live = False
        self._ticket: GateTicket | None = None
        self._live_since = 0.0
        self._was_stable = False
        self._end_reason: str | None = None
        self._retry_at_once = False
        self._ended_frozen = False
        self._frozen_session = -1  # a session that began after one ended frozen
        #: Bytes read from the source so far (backends add to it; rates come from it).
        self.bytes_read = 0
        # the health judgment, touched by the watchdog thread only
        self._monitor = HealthMonitor(self._health_config)
        self._rates = RateWindow()
        self._judged_session = -1
        self._sampled_decoded_t = 0.0
        self._key_frames_only = False
        self._key_switches = 0  # how often the mode changed (the watchdog follows)
        self._judged_switches = 0
        self._bytes_seen = 0
        self._bytes_t = 0.0
        self._restarting = False
        self._in_session = False  # between _begin_session() and the session's end

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def key_frames_only(self) -> bool:
        """Whether only key frames are decoded (default False: every frame)."""
        return self._key_frames_only

    @key_frames_only.setter
    def key_frames_only(self, on: bool) -> None:
        """Decode key frames only, or every frame again (any thread). The health
        judgment forgets the rate it learnt. Backends without :attr:`live_key_frames`
        take the change with the next session (see :meth:`restart_session`)."""
        on = bool(on)
        if on == self._key_frames_only:
            return
        self._key_frames_only = on
        self._key_switches += 1
        self.log.info("decoding %s from now on", "key frames only" if on else "every frame")

    def restart_session(self, reason: str = "decoding changed") -> None:
        """End the running session and begin the next one at once, without a reconnection
        counted or a state shown (a backend that takes a setting only when it opens the
        stream). The slot keeps the last picture meanwhile. Returns at once."""
        with self._state_lock:
            if not self._in_session or self._end_reason:
                return  # between sessions (or not started): the next one takes the change
            self._restarting = True
            self._end_reason = reason
        self.log.info("restarting the session: %s", reason)

    @property
    def health_config(self) -> HealthConfig:
        return self._health_config

    @health_config.setter
    def health_config(self, config: HealthConfig) -> None:
        """Judge and retry by ``config`` (set before start())."""
        self._health_config = config
        self._monitor = HealthMonitor(config)
        self._backoff = Backoff(config.retry_first_s, config.retry_cap_s)
        self._auth_backoff = Backoff(config.auth_retry_first_s, config.auth_retry_cap_s,
                                     jitter=0.25)

    def _set_state(
        self,
        state: StreamState,
        detail: str = "",
        *,
        only_from: frozenset[StreamState] | None = None,
        session: int | None = None,
    ) -> bool:
        """The one place a state changes: validates, logs once, emits.

        ``only_from`` and ``session`` make the change conditional (checked under the same
        lock as the change): the watchdog judges a session that may have just ended.
        Returns whether the state or its detail changed.
        """
        detail = mask_url(detail)
        now = time.monotonic()
        with self._state_lock:
            if session is not None and session != self._session_id:
                return False
            if only_from is not None and self._state not in only_from:
                return False
            if state == self._state and detail == self._detail:
                return False
            previous = self._state
            self._state, self._detail = state, detail
            if state != previous:
                self.stats.state_since_t = now
                if previous == StreamState.LIVE and now - self._live_since >= STABLE_AFTER_S:
                    self._was_stable = True
                if state == StreamState.LIVE:
                    self._live_since = now
        if state in _QUIET_STATES:
            self.log.info("%s%s", state.value, f": {detail}" if detail else "")
        else:
            self.log.warning("%s: %s (%s)", state.value, detail, self.safe_url)
        self._on_event(StateChanged(now, self.camera_id, state, detail))
        return True

    def _frame_arrived(self, decoded: bool = True) -> None:
        """Bookkeeping for each picture handed to the slot; call from the decoding thread.

        ``decoded=False`` for a backend whose display path also repeats old pictures
        (libvlc): it sets ``stats.last_decoded_t`` itself when it knows a picture was
        really decoded. The first picture of a session always counts as decoded.
        Backends count ``stats.frames_decoded`` and add to :attr:`bytes_read`.
        """
        now = time.monotonic()
        stats = self.stats
        stats.frames_published += 1
        stats.frames_dropped = self.slot.dropped
        stats.last_frame_t = now
        if decoded:
            stats.last_decoded_t = now
        if not self._session_live:
            self._session_live = True
            stats.last_decoded_t = now
            stats.first_frame_s = now - self._session_t0
            self._release_gate()
            if self._frozen_session != self._session_id:
                self._set_state(StreamState.LIVE, f"{self.backend_name}")
            # else: the last session ended frozen; the health judgment says whether this
            # picture is new (live) or the same one again (still frozen)

    # -- health -------------------------------------------------------------------------

    def check_health(self, now: float) -> None:
        """Measure rates and judge the running session once (the watchdog's thread)."""
        stats = self.stats
        switches = self._key_switches
        if switches != self._judged_switches:  # the mode changed: learn the rate anew
            self._judged_switches = switches
            self._rates.clear()
            self._monitor.set_key_frames(now, self._key_frames_only)
        elif self._monitor.key_frames != self._key_frames_only:  # a new monitor
            self._monitor.set_key_frames(now, self._key_frames_only)
        fps, bps = self._rates.update(now, stats.frames_decoded, self.bytes_read)
        stats.fps, stats.bitrate_bps = fps, bps * 8
        if self.bytes_read != self._bytes_seen:
            self._bytes_seen, self._bytes_t = self.bytes_read, now
        session = self._session_id
        judged = _JUDGED
        if session == self._frozen_session:
            judged = _JUDGED_AFTER_FREEZE
        if not self._session_live or self._state not in judged:
            return
        monitor = self._monitor
        if session != self._judged_session:
            self._judged_session = session
            self._sampled_decoded_t = 0.0
            monitor.reset(now, stats.source_fps, keep_pictures=session == self._frozen_session)
        thumb = None
        if monitor.wants_sample(now) and stats.last_decoded_t > self._sampled_decoded_t:
            frame = self.slot.peek()
            if frame is not None:
                self._sampled_decoded_t = stats.last_decoded_t
                thumb = thumbnail(frame.image)
        verdict = monitor.assess(now, stats.last_decoded_t, fps=fps or None, thumb=thumb,
                                 source_fps=stats.source_fps,
                                 bytes_t=self._bytes_t or None)
        state = StreamState(verdict.condition.value)
        detail = verdict.detail if state != StreamState.LIVE else self.backend_name
        self._set_state(state, detail, only_from=judged, session=session)
        if verdict.reconnect:
            self._end_session(session, verdict.reconnect)

    def _end_session(self, session: int, reason: str) -> None:
        """Ask the running session to end with ``reason`` (any thread)."""
        with self._state_lock:
            if session != self._session_id or self._end_reason is not None:
                return
            self._end_reason = reason
        self.log.info("ending the session: %s", reason)

    def _health_end(self) -> str | None:
        """Words to end the running session with, when the health judgment asked for it."""
        return self._end_reason

    def stats_dict(self, now: float | None = None) -> dict[str, Any]:
        """The statistics as a JSON-ready dict (for reports, probes and tooltips)."""
        now = time.monotonic() if now is None else now
        s = self.stats
        retrying = self._state in _RETRYING and s.next_retry_t > 0
        return {
            "backend": s.backend,
            "codec": s.codec,
            "width": s.width,
            "height": s.height,
            "source_fps": round(s.source_fps, 2),
            "state": self._state.value,
            "detail": self._detail,
            "state_for_s": round(now - s.state_since_t, 3) if s.state_since_t else None,
            "frames_decoded": s.frames_decoded,
            "frames_shown": s.frames_published,
            "frames_dropped": s.frames_dropped,
            "fps": round(s.fps, 2),
            "bitrate_kbps": round(s.bitrate_bps / 1000, 1),
            "last_frame_age_s": round(now - s.last_decoded_t, 3) if s.last_decoded_t else None,
            "reconnects": s.reconnects,
            "key_frames_only": self._key_frames_only,
            "first_frame_s": None if s.first_frame_s is None else round(s.first_frame_s, 3),
            "next_retry_in_s": round(max(0.0, s.next_retry_t - now), 3) if retrying else None,
        }

    # -- the supervising loop ---------------------------------------------------------

    def start(self) -> None:
        """Begin connecting and decoding on a thread of the decoder's own; returns at once."""
        if self._thread is not None:
            return
        self._stop_event.clear()
        self._started_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._run, name=f"decoder-{self.camera_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and release everything. Blocks up to ``timeout``: never on the GUI thread."""
        self._stop_event.set()
        self._interrupt()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                self.log.warning("decoder did not stop within %.0f s", timeout)
        self._release_gate()
        self._set_state(StreamState.STOPPED)

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def retry_now(self) -> None:
        """Retry at once (the operator asked): cut a pending backoff wait short, or end a
        stalled or frozen session and reconnect without waiting. Returns at once."""
        self._retry_event.set()
        if self._state in (StreamState.STALLED, StreamState.FROZEN):
            self._retry_at_once = True
            self._end_session(self._session_id, "retry asked by the operator")

    def _host(self) -> str | None:
        try:
            return urlsplit(self.url).hostname
        except ValueError:
            return None

    def _release_gate(self) -> None:
        ticket, self._ticket = self._ticket, None
        if ticket is not None:
            ticket.release()

    def _begin_session(self) -> int:
        with self._state_lock:
            self._session_id += 1
            self._frozen_session = self._session_id if self._ended_frozen else -1
            self._end_reason = None
            self._session_live = False
            self._was_stable = False
            self._retry_at_once = False
            self._in_session = True
            session = self._session_id
        self.stats.first_frame_s = None
        return session

    def _run(self) -> None:
        restarted = False
        try:
            while not self._stop_event.is_set():
                if restarted:
                    pass  # a restart asked by the owner: the state stays as it is
                elif self.stats.reconnects:
                    self._set_state(
                        StreamState.RECONNECTING,
                        f"{self._last_reason} — attempt {self.stats.reconnects + 1}",
                    )
                else:
                    self._set_state(StreamState.CONNECTING, f"opening via {self.backend_name}")
                host = self._host()
                if self.gate is not None and host:
                    self._ticket = self.gate.enter(host, self._stop_event)
                    if self._ticket is None:
                        break
                self._begin_session()
                self._session_t0 = time.monotonic()
                try:
                    reason = self._session()
                except SessionStopped:
                    break
                except Exception as exc:  # a backend bug must not kill the loop silently
                    self.log.exception("session failed")
                    reason = f"internal error: {type(exc).__name__}: {exc}"
                finally:
                    self._release_gate()
                if self._stop_event.is_set():
                    break
                restarted = self._restarted()
                if not restarted:
                    self._after_session(reason)
        except Exception:
            self.log.exception("decoder loop crashed")
            self._set_state(StreamState.OFFLINE, "internal error: decoder loop crashed")

    def _restarted(self) -> bool:
        """Whether the session that just ended was ended by :meth:`restart_session`."""
        with self._state_lock:
            restarting, self._restarting = self._restarting, False
            self._in_session = False
            if restarting and self._end_reason is not None:
                self._end_reason = None
                self._session_live = False
                return True
            return False

    def _after_session(self, reason: str) -> None:
        """Say why the session ended, then wait for the next attempt."""
        now = time.monotonic()
        with self._state_lock:
            self._session_live = False  # nothing left to judge until the next picture
            health_reason, self._end_reason = self._end_reason, None
            judged = self._state in (StreamState.STALLED, StreamState.FROZEN)
            self._ended_frozen = self._state == StreamState.FROZEN
            stable = self._was_stable or (
                self._state == StreamState.LIVE and now - self._live_since >= STABLE_AFTER_S
            )
            at_once, self._retry_at_once = self._retry_at_once, False
        if stable:
            self._backoff.reset()
            self._auth_backoff.reset()
        unauthorized = reason.startswith("unauthorized")
        if health_reason is not None:
            state, reason = StreamState.RECONNECTING, health_reason
        elif unauthorized:
            state = StreamState.UNAUTHORIZED
        elif judged:
            state = StreamState.RECONNECTING  # ended while stalled or frozen: that is why
        else:
            state = StreamState.OFFLINE
        delay = 0.0 if at_once else (self._auth_backoff if unauthorized else self._backoff).next()
        self.stats.next_retry_t = time.monotonic() + delay
        self._last_reason = reason
        self._set_state(state, reason)
        self._retry_event.clear()
        if delay:
            self._retry_event.wait(delay)
        self.stats.reconnects += 1

    def _wait(self, seconds: float) -> None:
        """Sleep inside a session, raising SessionStopped as soon as stop() is called."""
        if self._stop_event.wait(seconds):
            raise SessionStopped

    @abstractmethod
    def _session(self) -> str:
        """Connect and decode until the stream ends; return why it ended, in words.

        Call :meth:`_frame_arrived` for each picture published. Return promptly (or raise
        :class:`SessionStopped`) once :attr:`stopping` is true, and return the words of
        :meth:`_health_end` soon after it has some. A reason starting with
        ``unauthorized`` marks the camera as refusing the credentials.
        """

    def _interrupt(self) -> None:
        """Wake a session blocked in the backend (called by stop(), from another thread)."""
        self._retry_event.set()


#: A source this close to the box is not scaled: scaling 640x360 into 636x358 costs a
#: decoder as much as decoding; the wall crops the few extra pixels instead.
NO_SCALE_ABOVE = 0.94


def fit_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """Scale ``width x height`` down (never up) to fit ``box``, keeping the aspect ratio.

    A source at least :data:`NO_SCALE_ABOVE` of the way to fitting keeps its size (it may
    overhang the box by a few per cent). Both results are even, as chroma subsampling and
    most converters want.
    """
    bw, bh = box
    scale = min(1.0, bw / max(1, width), bh / max(1, height))
    if scale >= NO_SCALE_ABOVE:
        scale = 1.0
    w = max(2, int(width * scale) // 2 * 2)
    h = max(2, int(height * scale) // 2 * 2)
    return w, h
