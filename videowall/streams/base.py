"""What every decoding backend shares: states, events, statistics and the Decoder base."""

from __future__ import annotations

import enum
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from videowall.logs import camera_logger, mask_url
from videowall.streams.backoff import Backoff
from videowall.streams.frame import FrameSlot


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
    """A change a decoder reports. ``t`` is ``time.monotonic()``."""

    t: float
    camera_id: str
    kind: str  # "state" for now; later "stats", "motion", ...
    state: StreamState
    detail: str = ""


@dataclass
class DecoderStats:
    """Counters a decoder keeps; read from any thread (plain values, no lock needed)."""

    backend: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    source_fps: float = 0.0
    frames_decoded: int = 0
    frames_published: int = 0
    first_frame_s: float | None = None  # time from a session's start to its first frame
    reconnects: int = 0
    last_frame_t: float = 0.0  # time.monotonic() of the newest decoded frame
    next_retry_t: float = 0.0  # time.monotonic() of the next connection attempt


EventSink = Callable[[StreamEvent], None]

#: The largest picture a decoder hands to the wall; bigger sources are scaled down.
DEFAULT_MAX_SIZE = (1280, 720)

#: A session that stayed live this long resets the backoff to its first, short delay.
STABLE_AFTER_S = 10.0


_QUIET_STATES = frozenset(
    {StreamState.LIVE, StreamState.CONNECTING, StreamState.RECONNECTING, StreamState.STOPPED}
)


class SessionStopped(Exception):
    """Raised inside a session when the owner asked the decoder to stop."""


class Decoder(ABC):
    """One stream decoded on its own threads into a :class:`FrameSlot`.

    ``start()`` returns at once; ``stop()`` may block (libvlc's stop is synchronous), so
    the owner calls it off the GUI thread. State changes go to ``on_event``, which must
    only hand off (it is called from the decoder's threads).
    """

    backend_name = "?"
    #: Whether changing :attr:`max_size` while running takes effect without a restart.
    live_resize = False

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
        self._on_event = on_event
        self._state = StreamState.STOPPED
        self._detail = ""
        self._state_lock = threading.Lock()
        self._started_at = 0.0
        self._session_t0 = 0.0
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._retry_event = threading.Event()
        self._backoff = Backoff()
        self._last_reason = ""

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    def _set_state(self, state: StreamState, detail: str = "") -> None:
        """The one place a state changes: validates, logs once, emits."""
        detail = mask_url(detail)
        with self._state_lock:
            if state == self._state and detail == self._detail:
                return
            self._state, self._detail = state, detail
        if state in _QUIET_STATES:
            self.log.info("%s%s", state.value, f": {detail}" if detail else "")
        else:
            self.log.warning("%s: %s (%s)", state.value, detail, self.safe_url)
        self._on_event(StreamEvent(time.monotonic(), self.camera_id, "state", state, detail))

    def _frame_arrived(self) -> None:
        """Bookkeeping for each new picture; call from the decoding thread."""
        now = time.monotonic()
        self.stats.frames_published += 1
        self.stats.last_frame_t = now
        if self.stats.first_frame_s is None:
            self.stats.first_frame_s = now - self._session_t0
        if self._state != StreamState.LIVE:
            self._set_state(StreamState.LIVE, f"{self.backend_name}")

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
        self._set_state(StreamState.STOPPED)

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def retry_now(self) -> None:
        """Cut a pending backoff wait short (the operator asked for a retry)."""
        self._retry_event.set()

    def _run(self) -> None:
        try:
            while not self._stop_event.is_set():
                self._session_t0 = time.monotonic()
                self.stats.first_frame_s = None
                if self.stats.reconnects:
                    self._set_state(
                        StreamState.RECONNECTING,
                        f"{self._last_reason} — attempt {self.stats.reconnects + 1}",
                    )
                else:
                    self._set_state(StreamState.CONNECTING, f"opening via {self.backend_name}")
                try:
                    reason = self._session()
                except SessionStopped:
                    break
                except Exception as exc:  # a backend bug must not kill the loop silently
                    self.log.exception("session failed")
                    reason = f"internal error: {type(exc).__name__}: {exc}"
                if self._stop_event.is_set():
                    break
                was_stable = self.stats.first_frame_s is not None and (
                    time.monotonic() - self._session_t0 >= STABLE_AFTER_S
                )
                if was_stable:
                    self._backoff.reset()
                delay = self._backoff.next()
                self.stats.next_retry_t = time.monotonic() + delay
                state = (
                    StreamState.UNAUTHORIZED
                    if reason.startswith("unauthorized")
                    else StreamState.OFFLINE
                )
                self._last_reason = reason
                self._set_state(state, reason)
                self._retry_event.clear()
                self._retry_event.wait(delay)
                self.stats.reconnects += 1
        except Exception:
            self.log.exception("decoder loop crashed")
            self._set_state(StreamState.OFFLINE, "internal error: decoder loop crashed")

    def _wait(self, seconds: float) -> None:
        """Sleep inside a session, raising SessionStopped as soon as stop() is called."""
        if self._stop_event.wait(seconds):
            raise SessionStopped

    @abstractmethod
    def _session(self) -> str:
        """Connect and decode until the stream ends; return why it ended, in words.

        Call :meth:`_frame_arrived` for each picture published. Return promptly (or raise
        :class:`SessionStopped`) once :attr:`stopping` is true. A reason starting with
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
