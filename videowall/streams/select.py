"""Which backend decodes a camera: decided per URL, or forced by the registry."""

from __future__ import annotations

import logging
from collections.abc import Callable

from videowall.registry.model import Camera
from videowall.streams.base import DEFAULT_MAX_SIZE, Decoder, StreamEvent
from videowall.streams.frame import FrameSlot
from videowall.streams.net import scheme_of

log = logging.getLogger(__name__)

_vlc_error: str | None = None
_vlc_checked = False


def vlc_unavailable_reason() -> str | None:
    """None when libvlc loads; otherwise why not (checked once, logged once)."""
    global _vlc_checked, _vlc_error
    if not _vlc_checked:
        _vlc_checked = True
        try:
            from videowall.streams import vlc_backend

            log.info("libvlc %s loaded", vlc_backend.libvlc_version())
        except Exception as exc:  # missing libvlc raises OSError/NameError/AttributeError
            _vlc_error = f"libvlc is not available ({type(exc).__name__}: {exc})"
            log.warning("%s: every stream goes through FFmpeg", _vlc_error)
    return _vlc_error


def choose_backend(url: str, requested: str = "auto") -> str:
    """``vlc`` or ``ffmpeg`` for ``url``; ``requested`` forces one unless it is ``auto``."""
    if requested in ("vlc", "ffmpeg"):
        if requested == "vlc" and vlc_unavailable_reason():
            return "ffmpeg"
        return requested
    if vlc_unavailable_reason():
        return "ffmpeg"
    if scheme_of(url) in ("rtsp", "rtsps"):
        from videowall.streams import vlc_backend

        return "vlc" if vlc_backend.can_open_rtsp() else "ffmpeg"
    return "vlc"


def create_decoder(
    camera: Camera,
    slot: FrameSlot,
    on_event: Callable[[StreamEvent], None],
    max_size: tuple[int, int] = DEFAULT_MAX_SIZE,
) -> Decoder:
    """A decoder for ``camera`` with the backend :func:`choose_backend` picks."""
    backend = choose_backend(camera.url, camera.backend)
    cls: type[Decoder]
    if backend == "vlc":
        from videowall.streams.vlc_backend import VlcDecoder

        cls = VlcDecoder
    else:
        from videowall.streams.ffmpeg_backend import FfmpegDecoder

        cls = FfmpegDecoder
    return cls(camera.id, camera.url, slot, on_event, max_size=max_size)
