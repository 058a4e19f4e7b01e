"""The libvlc backend: the one module of the wall that talks to libvlc.

libvlc renders into memory (``video_set_callbacks`` with RV32 at a size we choose), so the
wall owns the pixels: Qt paints overlays on top and motion detection reads the same
frames. libvlc's callbacks run on its own threads and libvlc is not reentrant: they only
copy plain values and hand off; the decoder's thread does everything else.
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import glob
import logging
import os
import queue
import sys
import threading
import time
from typing import Any

import numpy as np
import vlc

from videowall.streams.base import Decoder, SessionStopped, fit_size
from videowall.streams.ffmpeg_limits import cap_allocations
from videowall.streams.net import check_target, check_url, diagnose, scheme_of

log = logging.getLogger(__name__)

#: Seconds to wait for the first picture before giving up on a connection.
OPEN_TIMEOUT_S = 10.0
#: How often the media's statistics are read (libvlc updates them about every 0.3 s).
STATS_EVERY_S = 0.1
#: libvlc's own buffering for network streams, in milliseconds.
NETWORK_CACHING_MS = 500
#: Media options of a session that decodes key frames only. libvlc 3.0 takes
#: ``avcodec-skip-frame`` (3: all but key frames) per media as well as per instance, but
#: only when the decoder opens: a switch needs a new session. Its decoder still reorders
#: for B-frames and holds each key picture back by up to two groups of pictures, which
#: then arrives "too late" and is dropped at 500 ms of caching: 3 s of caching lets
#: it through (a watcher's pictures come later; no viewer sees them).
KEY_FRAMES_CACHING_MS = 3000
KEY_FRAMES_OPTIONS = (":avcodec-skip-frame=3", f":network-caching={KEY_FRAMES_CACHING_MS}")

INSTANCE_ARGS = (
    "--no-xlib",
    "--quiet",
    "--ignore-config",
    "--no-video-title-show",
    "--no-audio",
    "--no-osd",
    "--no-snapshot-preview",
    "--avcodec-threads=1",
    "--avcodec-hw=none",
    "--keystore=memory",  # never a desktop keyring: D-Bus can block a login for 10 s
    f"--network-caching={NETWORK_CACHING_MS}",
    # libvlc's prefetch filter keeps up to 16 MiB of what it read, per stream, for seeking
    # back: 18 MB more per tile after two minutes of a live stream. A wall never seeks.
    "--prefetch-buffer-size=512",
    "--prefetch-read-size=65536",
)

_VideoFormatCb = ctypes.CFUNCTYPE(
    ctypes.c_uint,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.c_void_p,  # char *chroma: written, so not c_char_p
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
    ctypes.POINTER(ctypes.c_uint),
)
_VideoCleanupCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

_set_format_callbacks = vlc.dll.libvlc_video_set_format_callbacks
_set_format_callbacks.argtypes = [ctypes.c_void_p, _VideoFormatCb, _VideoCleanupCb]
_set_format_callbacks.restype = None

_LOG_WARNING = 3  # libvlc_log_level: DEBUG 0, NOTICE 2, WARNING 3, ERROR 4
#: libvlc's debug lines that name the source it is about to open: the first URL, each
#: redirect's target and each part of a playlist it follows on its own (HLS segments).
_OPENING_FORMATS = (b"creating access: ", b"redirecting to: ")

_libc: Any = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                    ctypes.c_void_p]
    except OSError:
        _libc = None


def libvlc_version() -> str:
    raw = vlc.libvlc_get_version()
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _plugin_dirs() -> list[str]:
    dirs = [os.environ.get("VLC_PLUGIN_PATH", "")]
    dirs += glob.glob("/usr/lib/*/vlc/plugins") + glob.glob("/usr/lib/vlc/plugins")
    dirs += glob.glob("/usr/lib64/vlc/plugins") + glob.glob("/usr/local/lib/vlc/plugins")
    plugin_path = getattr(vlc, "plugin_path", None)
    if plugin_path:
        dirs.append(str(plugin_path))
    return [d for d in dirs if d and os.path.isdir(d)]


_live555: bool | None = None


def can_open_rtsp() -> bool:
    """Whether this libvlc was built with live555 (Debian's and Ubuntu's are not).

    Decided once per process from the plugin folder and logged once.
    """
    global _live555
    if _live555 is None:
        dirs = _plugin_dirs()
        if dirs:
            _live555 = any(
                glob.glob(os.path.join(d, "**", "*live555*"), recursive=True) for d in dirs
            )
            where = ", ".join(dirs)
        else:
            # official VLC builds for Windows and macOS ship live555
            _live555 = sys.platform in ("win32", "darwin")
            where = "no plugin folder found"
        log.info(
            "libvlc %s %s open rtsp:// (live555 %s; %s)",
            libvlc_version(),
            "can" if _live555 else "cannot",
            "present" if _live555 else "missing",
            where,
        )
    return _live555


#: Picture heights cameras and encoders use, to undo the decoder's padding.
_COMMON_HEIGHTS = (120, 144, 180, 240, 270, 288, 360, 368, 480, 540, 576, 600, 720, 768,
                   960, 1024, 1080, 1200, 1440, 1520, 1536, 1600, 1944, 2048, 2160)


def visible_size(width: int, height: int, hint: tuple[int, int] | None = None
                 ) -> tuple[int, int]:
    """The visible picture size behind the size libvlc's format callback reports.

    libvlc reports the decoder's allocated size: FFmpeg pads an H.264 picture's height to
    a multiple of 32 and adds 2 rows (640x360 arrives as 640x386), and libvlc stretches the
    visible picture over whatever size the callback asks for. Asking for the visible size
    saves a scaling pass and keeps every pixel. ``hint`` is the size the media's track
    reported, when known.
    """
    if hint is not None and 0 < hint[0] <= width + 32 and 0 < hint[1] <= height:
        return hint
    for common in _COMMON_HEIGHTS:
        padded32 = -(-common // 32) * 32
        padded16 = -(-common // 16) * 16
        if common < height and height in (padded32 + 2, padded16 + 2, padded32, padded16):
            return width, common
    return width, height


class VlcDecoder(Decoder):
    """Decodes one stream with its own libvlc instance, rendering into memory.

    An instance of its own per stream costs little and lets libvlc's log be kept per
    camera: its last warnings and errors explain a failure in the camera's own log.

    Key frames only (:data:`KEY_FRAMES_OPTIONS`) is taken when a session opens, so
    :attr:`live_key_frames` is False: the owner restarts the session on a switch (a new
    connection). libvlc's display path then shows the same picture about 14 times a
    second: only pictures that differ from the last one are published and counted as
    decoded (a source that sends the very same pixels again reads as stalled after
    ``stall_max_s`` in this mode, not as frozen).
    """

    backend_name = "vlc"
    live_key_frames = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._instance: Any = None
        self._player: Any = None
        self._events: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._vlc_log: collections.deque[str] = collections.deque(maxlen=30)
        self._buffer: np.ndarray[Any, np.dtype[np.uint8]] | None = None
        self._buffer_lock = threading.Lock()
        self._aspect = 0.0
        self._size_hint: tuple[int, int] | None = None
        self._callbacks: list[Any] = []  # ctypes callbacks must outlive the player
        self._log_calls = 0
        #: Why libvlc's source was refused (a redirect to a local file…), or "".
        self._refused = ""
        self._session_key_only = False  # the mode the running session opened with
        self._last_image: np.ndarray[Any, np.dtype[np.uint8]] | None = None

    # -- libvlc callbacks: run on libvlc's threads; copy, hand off, return ----------------

    def _on_format(self, _opaque: Any, chroma: int, width: Any, height: Any,
                   pitches: Any, lines: Any) -> int:
        visible = visible_size(int(width[0]), int(height[0]), self._size_hint)
        w, h = fit_size(*visible, self.max_size)
        ctypes.memmove(chroma, b"RV32", 4)
        width[0], height[0] = w, h
        pitches[0], lines[0] = w * 4, h
        with self._buffer_lock:
            self._buffer = np.zeros((h, w, 4), np.uint8)
        self._events.put("format")
        return 1

    def _on_cleanup(self, _opaque: Any) -> None:
        pass

    def _on_lock(self, _opaque: Any, planes: Any) -> None:
        buffer = self._buffer
        if buffer is not None:
            planes[0] = buffer.ctypes.data

    def _on_display(self, _opaque: Any, _picture: Any) -> None:
        buffer = self._buffer
        if buffer is None or self._refused:
            return
        image = np.empty_like(buffer)
        # ctypes lets go of the GIL while it copies: the GUI thread paints meanwhile
        ctypes.memmove(image.ctypes.data, buffer.ctypes.data, buffer.nbytes)
        if self._session_key_only:
            last = self._last_image
            if last is not None and last.shape == image.shape and np.array_equal(last, image):
                return  # the last key picture shown again
            self._last_image = image
            self.slot.publish(image, self._aspect or None)
            self.stats.frames_decoded += 1
            self._frame_arrived(decoded=True)
            return
        self.slot.publish(image, self._aspect or None)
        # libvlc calls this again with the last picture while a stream stalls: not proof
        # of decoding; _watch() counts decoded pictures from the media's statistics
        self._frame_arrived(decoded=False)

    def _on_vlc_event(self, event: Any) -> None:
        kind = {
            vlc.EventType.MediaPlayerEncounteredError: "error",
            vlc.EventType.MediaPlayerEndReached: "end",
            vlc.EventType.MediaPlayerPlaying: "playing",
        }.get(event.type, "other")
        self._events.put(kind)

    def _on_login(self, _data: Any, dialog_id: Any, _title: Any, _text: Any, _user: Any,
                  _store: Any) -> None:
        # libvlc asks for a user name and password (HTTP 401, or RTSP 401 with live555);
        # without an answer it waits for good. The owner thread dismisses it.
        self._dismiss_soon(dialog_id)
        self._events.put("login")

    def _on_question(self, _data: Any, dialog_id: Any, *_args: Any) -> None:
        # e.g. "accept this certificate?": nobody is there to answer it
        self._dismiss_soon(dialog_id)

    def _dismiss_soon(self, dialog_id: Any) -> None:
        """Dismiss a dialog from a thread of its own: not from libvlc's callback, and not
        from the decoder's thread, which may be inside player.stop() waiting for it."""
        if not dialog_id:
            return
        handle = ctypes.c_void_p(int(dialog_id))
        threading.Thread(
            target=vlc.libvlc_dialog_dismiss, args=(handle,),
            name=f"decoder-{self.camera_id}-dialog", daemon=True,
        ).start()

    def _on_dialog_error(self, _data: Any, title: Any, text: Any) -> None:
        for part in (title, text):
            if part:
                self._vlc_log.append(bytes(part).decode("utf-8", "replace"))

    def _on_dialog_ignored(self, *_args: Any) -> None:
        pass

    def _on_log(self, _data: Any, level: int, _ctx: Any, fmt: bytes, args: int) -> None:
        self._log_calls += 1
        opening = bool(fmt) and fmt.startswith(_OPENING_FORMATS)
        if (level < _LOG_WARNING and not opening) or _libc is None:
            return
        buf = ctypes.create_string_buffer(2048 if opening else 512)
        try:
            _libc.vsnprintf(buf, len(buf), fmt, args)
        except Exception:
            return
        text = buf.value.decode("utf-8", "replace")
        if opening:
            self._check_opening(text.split(": ", 1)[-1])
        else:
            self._vlc_log.append(text)

    def _check_opening(self, target: str) -> None:
        """Refuse a source that is not of the camera's own kind (runs on libvlc's thread:
        libvlc opens it all the same, but no picture of it is shown and the session ends)."""
        problem = check_target(self.url, target)
        if problem and not self._refused:
            self._refused = problem
            self._events.put("refused")

    # -- owner side ---------------------------------------------------------------------

    def _ensure_player(self) -> Any:
        if self._player is not None:
            return self._player
        self._instance = vlc.Instance(list(INSTANCE_ARGS))
        if self._instance is None:
            raise RuntimeError("libvlc could not create an instance (plugins missing?)")
        log_cb = vlc.CallbackDecorators.LogCb(self._on_log)
        self._instance.log_set(log_cb, None)
        dialogs = vlc.DialogCbs(
            pf_display_error=vlc.DialogCbs.PfDisplayError(self._on_dialog_error),
            pf_display_login=vlc.DialogCbs.PfDisplayLogin(self._on_login),
            pf_display_question=vlc.DialogCbs.PfDisplayQuestion(self._on_question),
            pf_display_progress=vlc.DialogCbs.PfDisplayProgress(self._on_dialog_ignored),
            pf_cancel=vlc.DialogCbs.PfCancel(self._on_dialog_ignored),
            pf_update_progress=vlc.DialogCbs.PfUpdateProgress(self._on_dialog_ignored),
        )
        vlc.libvlc_dialog_set_callbacks(self._instance, ctypes.byref(dialogs), None)
        player = self._instance.media_player_new()
        fmt_cb = _VideoFormatCb(self._on_format)
        cleanup_cb = _VideoCleanupCb(self._on_cleanup)
        lock_cb = vlc.CallbackDecorators.VideoLockCb(self._on_lock)
        display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._on_display)
        _set_format_callbacks(player, fmt_cb, cleanup_cb)
        # no unlock callback: one Python call less per frame (libvlc takes NULL)
        player.video_set_callbacks(lock_cb, None, display_cb, None)
        manager = player.event_manager()
        for event_type in (
            vlc.EventType.MediaPlayerEncounteredError,
            vlc.EventType.MediaPlayerEndReached,
            vlc.EventType.MediaPlayerPlaying,
        ):
            manager.event_attach(event_type, self._on_vlc_event)
        self._callbacks = [log_cb, fmt_cb, cleanup_cb, lock_cb, display_cb, dialogs]
        self._player = player
        return player

    def _last_vlc_error(self, fallback: str) -> str:
        """``fallback`` with libvlc's last telling log line, if it has one.

        libvlc's own summary ("VLC is unable to open the MRL '…'. Check the log for
        details.") says nothing the fallback does not, and points at a log the operator
        does not see: the line before it is the one that explains.
        """
        for line in reversed(self._vlc_log):
            text = line.strip()
            if text and "unable to open the MRL" not in text:
                return f"{fallback}: {text}"
        return fallback

    def _session(self) -> str:
        problem = check_url(self.url)
        if problem:
            return problem
        player = self._ensure_player()
        while not self._events.empty():
            self._events.get_nowait()
        self._vlc_log.clear()
        self._refused = ""
        self._aspect = 0.0
        self._size_hint = None
        media = self._instance.media_new(self.url)
        self._session_key_only = self._key_frames_only
        self._last_image = None
        if self._session_key_only:
            for option in KEY_FRAMES_OPTIONS:
                media.add_option(option)
        player.set_media(media)
        try:
            if player.play() != 0:
                return self._last_vlc_error("libvlc could not start the stream")
            return self._watch(player, media)
        finally:
            player.stop()  # synchronous in VLC 3: this is the decoder's own thread
            media.release()

    def _watch(self, player: Any, media: Any) -> str:
        opened_at = time.monotonic()
        limit = OPEN_TIMEOUT_S if self.time_limit is None else min(OPEN_TIMEOUT_S, self.time_limit)
        stats = vlc.MediaStats()
        counters = (0, 0, 0, 0, 0)  # libvlc's counters start at 0 with each media
        while True:
            try:
                kind = self._events.get(timeout=STATS_EVERY_S)
            except queue.Empty:
                kind = ""
            if self.stopping:
                raise SessionStopped
            ended = self._health_end() or self._on_player_event(kind, media, stats)
            if ended:
                return ended
            if self.stats.first_frame_s is not None and not self._aspect:
                cap_allocations()  # libvlc's FFmpeg modules are loaded by now
                self._learn_format(player, media)
            now = time.monotonic()
            if media.get_stats(stats):
                counters = self._count(stats, counters, now)
            if self.stats.first_frame_s is None and now - opened_at > limit:
                # within a time limit there is no time left to diagnose
                problem = None if self.time_limit is not None else diagnose(self.url)
                return problem or self._last_vlc_error(f"no picture within {limit:.0f} s")

    def _on_player_event(self, kind: str, media: Any, stats: Any) -> str:
        """Act on what libvlc's event handler handed over; words when the session ends."""
        if kind == "refused" or self._refused:
            return self._refused
        if kind == "login":
            protocol = "RTSP" if scheme_of(self.url).startswith("rtsp") else "HTTP"
            return f"unauthorized: the camera refused the credentials ({protocol} 401)"
        if kind == "playing" and self._size_hint is None:
            self._size_hint = self._track_size(media)
        if kind == "error":
            return diagnose(self.url) or self._last_vlc_error("libvlc could not open the stream")
        if kind == "end":
            if self.stats.first_frame_s is None:
                got_bytes = media.get_stats(stats) and int(stats.read_bytes) > 0
                return diagnose(self.url) or self._last_vlc_error(
                    "not a video stream VLC can play"
                    if got_bytes
                    else "the server closed the connection without sending anything"
                )
            return "stream ended (the server closed the connection)"
        return ""

    def _learn_format(self, player: Any, media: Any) -> None:
        """Take the picture's size, rate and codec once pictures flow."""
        vw, vh = player.video_get_size(0) or (0, 0)
        if vw and vh:
            self._aspect = vw / vh
            self.stats.width, self.stats.height = int(vw), int(vh)
            fps = player.get_fps()
            self.stats.source_fps = float(fps or 0.0)
            self.stats.codec = self._codec_name(media)

    def _count(
        self, stats: Any, before: tuple[int, int, int, int, int], now: float
    ) -> tuple[int, int, int, int, int]:
        """Take libvlc's media statistics: pictures really decoded, bytes read.

        The counters are 32-bit and may wrap: only their changes count, modulo 2**32.
        ``decoded_video`` counts some pictures twice (H.264 in MPEG-TS: twice the frame
        rate), so the pictures counted are those displayed plus those dropped as late;
        any change of the three proves decoding.
        """
        now_counters = (
            int(stats.decoded_video),
            int(stats.displayed_pictures),
            int(stats.lost_pictures),
            int(stats.read_bytes),
            int(stats.demux_read_bytes),
        )
        decoded, shown, lost, read, demuxed = (
            (a - b) % (1 << 32) for a, b in zip(now_counters, before, strict=True)
        )
        if (decoded or shown or lost) and not self._session_key_only:
            # (with key frames only, the display callback counts the pictures itself)
            self.stats.frames_decoded += shown + lost
            self.stats.last_decoded_t = now
        self.bytes_read += read or demuxed
        return now_counters

    @staticmethod
    def _track_size(media: Any) -> tuple[int, int] | None:
        try:
            for track in media.tracks_get() or ():
                if track.type == vlc.TrackType.video:
                    # libvlc_media_track_t holds its audio/video/subtitle pointers in a
                    # union; python-vlc lays them out one after the other, so its
                    # ``video`` field reads past the union (a crash for some media).
                    # The first member sits where the union does: read the pointer there.
                    pointer = ctypes.cast(track.audio, ctypes.POINTER(vlc.VideoTrack))
                    if not pointer:
                        continue
                    video = pointer.contents
                    if video.width and video.height:
                        return int(video.width), int(video.height)
        except Exception:
            return None
        return None

    @staticmethod
    def _codec_name(media: Any) -> str:
        try:
            for track in media.tracks_get() or ():
                if track.type == vlc.TrackType.video:
                    fourcc = int(track.codec).to_bytes(4, "little")
                    return fourcc.decode("ascii", "replace").strip()
        except Exception:
            pass
        return ""

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        player, self._player = self._player, None
        instance, self._instance = self._instance, None
        if player is not None:
            player.release()
        if instance is not None:
            instance.log_unset()
            instance.release()
