"""The FFmpeg backend: PyAV decodes, for what libvlc cannot open (RTSP on Debian).

RTSP is tried over TCP first (through firewalls, no packet loss) and over UDP when the
server refuses TCP.
"""

from __future__ import annotations

import errno
import time
from fractions import Fraction
from typing import Any

import av
import av.error

from videowall.streams.base import Decoder, DecoderStats, SessionStopped, fit_size
from videowall.streams.ffmpeg_limits import cap_allocations
from videowall.streams.net import FFMPEG_PROTOCOLS, check_url, diagnose, scheme_of

cap_allocations()

#: Frames are shown at their own pace, not as they arrive: network packets bring them in
#: bursts, and a wall that shows only the newest of a burst jerks. A frame more than
#: this late (or early) resets the pacing instead of holding the picture back.
RESYNC_S = 0.5

#: A read that waited this long brought a packet that had just arrived: the live edge.
LIVE_EDGE_WAIT_S = 0.008
#: A read this quick found its packet waiting.
WAITING_READ_S = 0.002
#: After this many waiting reads in a row while frames were held back, the pacing is
#: behind the camera (the backlog read while the stream opened) and catches up ...
BEHIND_AFTER = 3
#: ... this many seconds per frame, until reads wait again.
CATCH_UP_STEP_S = 0.02


class _Scaler:
    """The size a stream's pictures are converted to, worked out again when the picture
    or the wall's box changes."""

    def __init__(self) -> None:
        self.target: tuple[int, int] | None = None
        self.box: tuple[int, int] | None = None
        self.aspect = 0.0

    def convert(
        self, frame: Any, ctx: Any, box: tuple[int, int], stats: DecoderStats
    ) -> tuple[Any, float]:
        if (
            self.target is None
            or box != self.box
            or (frame.width, frame.height) != (stats.width, stats.height)
        ):
            self.box = box
            stats.width, stats.height = frame.width, frame.height
            self.target = fit_size(frame.width, frame.height, box)
            sar = ctx.sample_aspect_ratio or Fraction(1)
            self.aspect = frame.width * float(sar) / max(1, frame.height)
        image = frame.to_ndarray(format="bgra", width=self.target[0], height=self.target[1])
        return image, self.aspect


class Pacer:
    """Shows frames at their own pace, as close to the live edge as the camera allows.

    Network packets come in bursts, and a wall that shows only the newest of a burst
    jerks: so each frame is held until its presentation time. But opening a stream reads
    ahead to learn its format (up to a second of pictures), and holding alone would keep
    that backlog as a delay for the whole session. So when reads keep finding packets
    waiting while frames are held, the frames are due a little sooner each time, until
    reads wait for the camera again; a read that waited marks the live edge.
    """

    def __init__(self) -> None:
        self.offset: float | None = None
        self._held = False
        self._behind = 0
        self._at_edge = False

    def read(self, waited: float) -> None:
        """How long the read of the next packet took."""
        if waited > LIVE_EDGE_WAIT_S:
            self._behind = 0
        elif waited < WAITING_READ_S and self._held:
            self._behind += 1
        self._at_edge = waited > LIVE_EDGE_WAIT_S

    def hold(self, pts: float | None, now: float) -> float:
        """Seconds to hold the frame of ``pts`` before showing it."""
        if pts is None:
            return 0.0
        offset = self.offset
        if offset is None or abs(pts + offset - now) > RESYNC_S:
            self.offset = now - pts
            self._held = False
            return 0.0
        if self._at_edge and offset > now - pts + CATCH_UP_STEP_S:
            offset = now - pts  # this frame just arrived: it is due now
        elif self._behind >= BEHIND_AFTER:
            offset -= CATCH_UP_STEP_S
        self.offset = offset
        due = pts + offset
        self._held = due > now + 0.005
        return max(0.0, due - now)


#: Seconds to wait for a stream to open, and at least for the next packet once it runs
#: (a decoder waits its health configuration's ``stall_reconnect_s`` if longer: FFmpeg
#: cannot be woken inside a read, so a stall ends the session when the read gives up).
OPEN_TIMEOUT_S = 8.0
READ_TIMEOUT_S = 4.0

#: Errors after which RTSP over UDP is not worth a try: the server answered, and no.
_FINAL_ERRORS: tuple[type[BaseException], ...] = (
    av.error.HTTPUnauthorizedError,
    av.error.HTTPForbiddenError,
    av.error.HTTPNotFoundError,
)


#: What each kind of FFmpeg error means, in words, tried in order (``{protocol}``: the
#: protocol whose status codes the server answered with; ``{strerror}``: FFmpeg's words;
#: ``{timeout}``: seconds waited).
_AV_ERROR_WORDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (
        av.error.HTTPUnauthorizedError,
        "unauthorized: the camera refused the credentials ({protocol} 401)",
    ),
    (av.error.HTTPForbiddenError, "unauthorized: access forbidden ({protocol} 403)"),
    (av.error.HTTPNotFoundError, "stream not found on the server ({protocol} 404)"),
    (av.error.HTTPError, "the server answered with an HTTP error ({strerror})"),
    (
        av.error.InvalidDataError,
        "not a video stream (the server's answer is not media FFmpeg can read)",
    ),
    ((av.error.ExitError, av.error.TimeoutError), "no data from the camera within {timeout:.0f} s"),
    (av.error.ConnectionRefusedError, "connection refused"),
    ((av.error.ConnectionResetError, av.error.BrokenPipeError), "the server reset the connection"),
)
#: ... and, after an input/output error, these.
_AV_ERROR_WORDS_LATE: tuple[tuple[type[BaseException], str], ...] = (
    (av.error.ProtocolNotFoundError, "this FFmpeg cannot open that kind of URL"),
    (av.error.EOFError, "stream ended (the server closed the connection)"),
)


def describe_av_error(
    exc: BaseException, timeout: float = READ_TIMEOUT_S, protocol: str = "HTTP"
) -> str:
    """Turn a PyAV/FFmpeg exception into words an operator can act on.

    ``protocol`` names the status codes (RTSP answers with HTTP's codes).
    """
    strerror = getattr(exc, "strerror", None)
    for kinds, words in _AV_ERROR_WORDS:
        if isinstance(exc, kinds):
            return words.format(protocol=protocol, strerror=strerror, timeout=timeout)
    if getattr(exc, "errno", None) == errno.EIO:
        return "the stream broke off (input/output error: the server went away?)"
    for kind, words in _AV_ERROR_WORDS_LATE:
        if isinstance(exc, kind):
            return words
    text = str(strerror or exc)
    if "401" in text:
        return f"unauthorized: the camera refused the credentials ({protocol} 401)"
    return f"FFmpeg could not read the stream ({text})"


class _KeyFrames:
    """Which packets of a session reach the decoder: all of them, or key frames only."""

    def __init__(self) -> None:
        self.key_only = False  # the mode decoded in; follows key_frames_only
        self.await_key = False  # after a switch: decode from the next key frame on

    def wants(self, packet: Any, ctx: Any, key_frames_only: bool) -> bool:
        """Whether ``packet`` is to be decoded (the decoder's thread, per packet)."""
        if key_frames_only != self.key_only:
            self.key_only = key_frames_only
            ctx.flush_buffers()  # no half-decoded run left inside
            self.await_key = True
        if (self.key_only or self.await_key) and not packet.is_keyframe:
            return False
        self.await_key = False
        return True

    def decode(self, packet: Any, ctx: Any) -> list[Any]:
        """The pictures of ``packet``; with key frames only, at once (drained)."""
        frames = list(packet.decode())
        if self.key_only:
            frames += ctx.decode(None)
            ctx.flush_buffers()
        return frames


class FfmpegDecoder(Decoder):
    """Decodes one stream with PyAV on the decoder's thread.

    Key frames only (:attr:`~Decoder.key_frames_only`, switched while it runs, over the
    same connection): every packet is still read (its bytes tell the health judgment the
    source is alive), but only key packets reach the decoder; ``decode()`` is not even
    called for the others, which saves more than FFmpeg's own ``skip_frame``. Each key
    packet is drained at once (``decode(None)``, then ``flush_buffers()``): a decoder
    that reorders B-frames would otherwise hold each key picture back by two groups of
    pictures. After a switch either way, decoding starts at the next key frame, so the
    decoder never sees a picture whose references it skipped; the last picture stays in
    the slot meanwhile.
    """

    backend_name = "ffmpeg"
    live_resize = True
    live_key_frames = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._udp_only = False
        self._timed_out = False

    def _open(self) -> Any:
        scheme = scheme_of(self.url)
        # only the network protocols of the camera's own kind: a redirect, a playlist or
        # an RTSP answer of the camera never makes FFmpeg open a local file
        options = {"protocol_whitelist": FFMPEG_PROTOCOLS.get(scheme, "")}
        if scheme in ("rtsp", "rtsps"):
            transports = ["udp"] if self._udp_only else ["tcp", "udp"]
        else:
            transports = [""]
        if scheme in ("http", "https"):
            options["reconnect"] = "0"
        deadline = time.monotonic() + self._open_timeout * len(transports)
        if self.time_limit is not None:
            deadline = time.monotonic() + self.time_limit
        error: BaseException | None = None
        for transport in transports:
            if self.stopping:
                raise SessionStopped
            opts = dict(options)
            if transport:
                opts["rtsp_transport"] = transport
            wait = max(0.1, min(self._open_timeout, deadline - time.monotonic()))
            started = time.monotonic()
            try:
                return av.open(self.url, options=opts, timeout=(wait, self._read_timeout))
            except av.error.FFmpegError as exc:
                error = exc
                # a wait that ran out: nothing refused, the server said nothing in time
                # (and over UDP, whose requests go over the same TCP connection, neither)
                self._timed_out = time.monotonic() - started >= wait - 0.05
                final = self._timed_out or isinstance(exc, _FINAL_ERRORS)
                if transport != "tcp" or final or time.monotonic() >= deadline:
                    raise
                self.log.info("RTSP over TCP failed (%s); trying UDP", exc)
                self._udp_only = True
        assert error is not None
        raise error

    def _session(self) -> str:
        problem = check_url(self.url)
        if problem:
            return problem
        self._timed_out = False
        try:
            container = self._open()
        except av.error.FFmpegError as exc:
            if self._timed_out:
                return f"no answer from the camera within {self._open_timeout:.0f} s"
            return diagnose(self.url, min(3.0, self._open_timeout)) or describe_av_error(
                exc, self._open_timeout, self._protocol
            )
        try:
            return self._decode(container)
        finally:
            container.close()

    @property
    def _read_timeout(self) -> float:
        wait = max(READ_TIMEOUT_S, self.health_config.stall_reconnect_s)
        return wait if self.time_limit is None else min(wait, self.time_limit)

    @property
    def _open_timeout(self) -> float:
        return OPEN_TIMEOUT_S if self.time_limit is None else min(OPEN_TIMEOUT_S, self.time_limit)

    @property
    def _protocol(self) -> str:
        return "RTSP" if scheme_of(self.url).startswith("rtsp") else "HTTP"

    def _decode(self, container: Any) -> str:
        if not container.streams.video:
            return "no video in the stream"
        stream = container.streams.video[0]
        ctx = stream.codec_context
        ctx.thread_count = 1
        self.stats.codec = str(ctx.name)
        rate = stream.average_rate or stream.guessed_rate
        self.stats.source_fps = float(rate) if rate else 0.0
        scaler = _Scaler()
        bad_packets = 0
        keys = _KeyFrames()
        pacer = Pacer()
        asked_at = time.monotonic()
        try:
            for packet in container.demux(stream):
                pacer.read(time.monotonic() - asked_at)
                if self.stopping:
                    raise SessionStopped
                ended = self._health_end()
                if ended:
                    return ended
                self.bytes_read += packet.size
                if not keys.wants(packet, ctx, self._key_frames_only):
                    continue
                try:
                    frames = keys.decode(packet, ctx)
                except av.error.InvalidDataError:
                    # a damaged packet: skip it; a stream that stays damaged stops
                    # showing pictures, and the health judgment ends the session
                    bad_packets += 1
                    if bad_packets in (1, 100) or bad_packets % 1000 == 0:
                        self.log.info("skipped %d damaged packets", bad_packets)
                    continue
                for frame in frames:
                    self._show(frame, ctx, scaler, pacer)
                asked_at = time.monotonic()
        except av.error.FFmpegError as exc:
            return self._health_end() or describe_av_error(exc, self._read_timeout, self._protocol)
        return self._health_end() or "stream ended (the server closed the connection)"

    def _show(self, frame: Any, ctx: Any, scaler: _Scaler, pacer: Pacer) -> None:
        """Convert one decoded frame to the wall's size and publish it at its time."""
        if self.stopping:
            raise SessionStopped
        self.stats.frames_decoded += 1
        image, aspect = scaler.convert(frame, ctx, self.max_size, self.stats)
        hold = pacer.hold(frame.time, time.monotonic())
        if hold:
            self._wait(hold)
        self.slot.publish(image, aspect)
        self._frame_arrived()
