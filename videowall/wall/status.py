"""What a tile says about its camera, decided without a screen.

A :class:`TileStatus` holds what the wall knows of the camera on one tile: its state and
why, since when, whether it could not be reached before the current retry, the stream's
statistics and when the next connection attempt is due. From these it answers the words a
tile shows (:meth:`TileStatus.status_lines`, :meth:`TileStatus.info_lines`) and the
status-bar bucket it counts in. The UI only paints the answers.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from videowall.registry.model import Camera
from videowall.store.records import Alert
from videowall.streams.base import StreamState

#: What a tile says about a camera that refuses the credentials and gave no reason.
NO_AUTH_REASON = "the camera refused the credentials"
#: What an empty tile says.
EMPTY_WORDS = "Drop a camera here"

#: The label of each state, as the tile's pill and the camera list say it.
STATE_LABELS: dict[StreamState, str] = {
    StreamState.LIVE: "LIVE",
    StreamState.CONNECTING: "CONNECTING",
    StreamState.RECONNECTING: "RECONNECTING",
    StreamState.STALLED: "STALLED",
    StreamState.FROZEN: "FROZEN",
    StreamState.OFFLINE: "OFFLINE",
    StreamState.UNAUTHORIZED: "NO AUTH",
    StreamState.DISABLED: "DISABLED",
    StreamState.STOPPED: "STOPPED",
}

#: Status-bar buckets, in the order the status bar names them. "degraded": a picture the
#: wall has lost or cannot trust, being recovered; "offline": the camera cannot be reached
#: or refuses us (a tile retrying after that stays offline: :attr:`TileStatus.bucket`);
#: "connecting": a first connection; "off": not streamed on purpose.
BUCKETS: dict[str, tuple[StreamState, ...]] = {
    "live": (StreamState.LIVE,),
    "degraded": (StreamState.STALLED, StreamState.FROZEN, StreamState.RECONNECTING),
    "offline": (StreamState.OFFLINE, StreamState.UNAUTHORIZED),
    "connecting": (StreamState.CONNECTING,),
    "off": (StreamState.DISABLED, StreamState.STOPPED),
}

#: States whose tile shows no running timer: nothing is wrong that time would measure.
UNTIMED_STATES = frozenset({StreamState.LIVE, StreamState.DISABLED, StreamState.STOPPED})
#: States with no stream to retry.
_NOT_RETRYABLE = frozenset({StreamState.LIVE, StreamState.DISABLED, StreamState.STOPPED})


def state_label(state: StreamState) -> str:
    """``LIVE``, ``NO AUTH``...: the state as the wall says it."""
    return STATE_LABELS.get(state, str(state).upper())


def bucket_of(state: StreamState) -> str:
    """The status-bar bucket of ``state``: a key of :data:`BUCKETS`."""
    for name, states in BUCKETS.items():
        if state in states:
            return name
    return "offline"


def format_duration(seconds: float) -> str:
    """A running timer: ``00:42``, ``12:05``, ``1:02:03``, ``3 d 04 h``."""
    total = max(0, int(seconds))
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes:02d}:{secs:02d}"
    if hours < 24:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d} h"


def retry_words(seconds: float) -> str:
    """When the next connection attempt is: ``retry in 12 s``, ``retry in 3 min``."""
    secs = max(1, math.ceil(seconds))
    if secs < 100:
        return f"retry in {secs} s"
    return f"retry in {round(secs / 60)} min"


def format_bitrate(kbps: float) -> str:
    """``850 kb/s``, ``1.2 Mb/s``."""
    if kbps >= 1000:
        return f"{kbps / 1000:.1f} Mb/s"
    return f"{kbps:.0f} kb/s"


def reason_words(state: StreamState, detail: str) -> str:
    """Why a stream is in ``state``, in words, without saying the state twice."""
    words = detail.strip()
    # "unauthorized: 401" under an UNAUTHORIZED label says the state twice.
    prefix = re.match(rf"{state.value}\s*(?:[:—-]\s*|$)", words, re.IGNORECASE)
    if prefix:
        words = words[prefix.end() :]
    if state == StreamState.UNAUTHORIZED:
        if not words:
            return NO_AUTH_REASON
        if "credential" not in words.lower():
            return f"{NO_AUTH_REASON} ({words})"
    return words


@dataclass
class TileStatus:
    """What one tile knows of its camera, and the words that follow from it.

    Times: :attr:`state_since` is wall-clock (``time.time()``), :attr:`retry_at` is
    ``time.monotonic()`` (0: no retry scheduled).
    """

    camera: Camera | None = None
    state: StreamState | None = None
    detail: str = ""
    #: When the camera was last live, or went live (wall-clock).
    state_since: float = field(default_factory=time.time)
    #: The stream's statistics (:meth:`~videowall.streams.base.Decoder.stats_dict`).
    stats: dict[str, Any] = field(default_factory=dict)
    retry_at: float = 0.0
    #: The camera could not be reached (or refused us) before the current retry.
    unreachable: bool = False
    #: The most urgent alert of the camera nobody acknowledged yet (it marks the tile).
    alert: Alert | None = None

    def show(self, camera: Camera) -> bool:
        """Take ``camera``; returns True when it is another camera than before (its
        state, timer and statistics are then forgotten: the caller sets them anew)."""
        same = self.camera is not None and self.camera.id == camera.id
        self.camera = camera
        if not same:
            self.state, self.detail = None, ""
            self.unreachable = False
            self.alert = None
            self.stats, self.retry_at = {}, 0.0
        return not same

    @property
    def alert_label(self) -> str:
        """What the tile's alert mark says: ``ALERT · OFFLINE ×3`` (empty without one)."""
        if self.alert is None:
            return ""
        count = f" ×{self.alert.count}" if self.alert.count > 1 else ""
        return f"ALERT · {self.alert.kind.upper()}{count}"

    def clear(self) -> None:
        """Forget the camera: the tile is empty."""
        self.camera = None
        self.alert = None
        self.state, self.detail = None, ""
        self.unreachable = False
        self.stats, self.retry_at = {}, 0.0

    def set_state(
        self, state: StreamState, detail: str = "", since: float | None = None
    ) -> bool:
        """Take ``state`` with ``detail``; returns False when nothing changed.

        ``since`` is the wall-clock time the camera was last live (or went live), when
        the caller knows it from the stream's history; otherwise the status keeps its
        own: retries that go from offline to reconnecting and back do not move it.
        """
        if state == self.state and detail == self.detail:
            return False
        if since is not None:
            self.state_since = since
        elif self.state is None or StreamState.LIVE in (state, self.state):
            self.state_since = time.time()
        if state in (StreamState.OFFLINE, StreamState.UNAUTHORIZED):
            self.unreachable = True
        elif state not in (StreamState.RECONNECTING, StreamState.CONNECTING):
            self.unreachable = False
        self.state, self.detail = state, detail
        return True

    def set_stats(self, stats: Mapping[str, Any], now: float | None = None) -> None:
        """Take the stream's statistics (the wall hands them over once a second)."""
        now = time.monotonic() if now is None else now
        self.stats = dict(stats)
        retry_in = stats.get("next_retry_in_s")  # None: no retry scheduled; 0: under way
        self.retry_at = now + float(retry_in) if retry_in is not None else 0.0

    @property
    def bucket(self) -> str:
        """The status-bar bucket of the camera (:data:`BUCKETS`): a camera retrying
        after it could not be reached stays offline, not degraded, between attempts."""
        state = self.state or StreamState.CONNECTING
        if state == StreamState.RECONNECTING and self.unreachable:
            return "offline"
        return bucket_of(state)

    @property
    def is_live(self) -> bool:
        return self.state == StreamState.LIVE

    @property
    def can_retry(self) -> bool:
        """Whether "Retry now" makes sense: a streamed camera that is not live."""
        return (
            self.camera is not None
            and self.camera.enabled
            and self.state is not None
            and self.state not in _NOT_RETRYABLE
        )

    def status_text(self) -> str:
        """The state in words on one line: ``OFFLINE — connection refused``."""
        if self.camera is None:
            return EMPTY_WORDS
        state = self.state or StreamState.CONNECTING
        label = state_label(state)
        reason = reason_words(state, self.detail)
        if state == StreamState.LIVE or not reason:
            return label
        return f"{label} — {reason}"

    def status_lines(
        self,
        now: float | None = None,
        now_monotonic: float | None = None,
        *,
        has_picture: bool = True,
    ) -> tuple[str, str, str]:
        """What a tile that is not live says, line by line: the state with a running
        timer (``STALLED 00:42``), the reason (``no picture for 2 s``) and a footnote
        (``since 14:02:11 · retry in 12 s``). A live tile says ``LIVE``, ``""``, ``""``.

        ``now`` is wall-clock time, ``now_monotonic`` the monotonic clock (for the retry);
        ``has_picture`` whether the tile has shown a picture of this camera yet.
        """
        if self.camera is None:
            return EMPTY_WORDS, "", ""
        state = self.state or StreamState.CONNECTING
        label = state_label(state)
        if state == StreamState.LIVE:
            return label, "", ""
        if state in UNTIMED_STATES:
            return label, reason_words(state, self.detail), ""
        now = time.time() if now is None else now
        mono = time.monotonic() if now_monotonic is None else now_monotonic
        headline = f"{label} {format_duration(now - self.state_since)}"
        notes: list[str] = []
        if not has_picture and state == StreamState.CONNECTING:
            notes.append("waiting for the first picture")
        else:
            notes.append(time.strftime("since %H:%M:%S", time.localtime(self.state_since)))
        if self.retry_at > mono + 0.5:
            notes.append(retry_words(self.retry_at - mono))
        elif state == StreamState.RECONNECTING and self.retry_at:
            notes.append("trying again now")
        return headline, reason_words(state, self.detail), " · ".join(notes)

    def info_lines(self, frame_size: tuple[int, int] = (0, 0)) -> tuple[str, str]:
        """The stream info box: ``25.0 fps · 640×360`` and ``1.2 Mb/s · ffmpeg``.

        ``frame_size`` is the size of the last picture shown, for a stream that has not
        said its own yet.
        """
        stats = self.stats
        fps = float(stats.get("fps") or 0.0)  # measured: 0 until a second has passed
        width, height = int(stats.get("width") or 0), int(stats.get("height") or 0)
        if not (width and height):
            width, height = frame_size
        first = [f"{fps:.1f} fps" if fps else "measuring fps"]
        if width and height:
            first.append(f"{width}×{height}")
        second: list[str] = []
        kbps = stats.get("bitrate_kbps")
        if kbps:
            second.append(format_bitrate(float(kbps)))
        backend = str(stats.get("backend") or "")
        codec = str(stats.get("codec") or "")
        if backend:
            second.append(f"{backend} {codec}".strip())
        dropped = int(stats.get("frames_dropped") or 0)
        if dropped:
            second.append(f"{dropped} dropped")
        return " · ".join(first), " · ".join(second)


def bucket_counts(statuses: Iterable[TileStatus]) -> dict[str, int]:
    """Cameras per status-bar bucket (:data:`BUCKETS`; a camera on two tiles counts once)
    and ``empty`` tiles."""
    counts = dict.fromkeys((*BUCKETS, "empty"), 0)
    seen: set[str] = set()
    for status in statuses:
        if status.camera is None:
            counts["empty"] += 1
        elif status.camera.id not in seen:
            seen.add(status.camera.id)
            counts[status.bucket] += 1
    return counts
