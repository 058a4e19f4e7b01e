"""Open one stream the way the wall would and report what came out (``videowall probe``)."""

from __future__ import annotations

import queue
import time
from typing import Any

from videowall.registry.model import Camera
from videowall.streams.base import StateChanged, StreamEvent, StreamState
from videowall.streams.frame import FrameSlot
from videowall.streams.health import HealthWatchdog
from videowall.streams.select import create_decoder
from videowall.util.logs import mask_url

_FAILED = (StreamState.OFFLINE, StreamState.UNAUTHORIZED)
#: Seconds before the probe's timeout when the decoder stops waiting for the source.
_VERDICT_S = 0.25


def probe(
    url: str, backend: str = "auto", timeout: float = 15.0, watch: float = 2.0
) -> dict[str, Any]:
    """Decode ``url`` for up to ``timeout`` s until the first picture, then ``watch`` s more.

    Returns a JSON-ready dict: ``ok``, ``url`` (masked), ``backend``, ``codec``,
    ``width``, ``height``, ``source_fps``, ``fps`` (measured), ``bitrate_kbps``
    (measured), ``first_frame_s``, ``frames_decoded``/``frames_shown``/``frames_dropped``,
    ``frame_width``/``frame_height`` (what the wall receives), ``state`` (the health
    judgment at the end) and ``error`` in words.
    """
    events: queue.SimpleQueue[StreamEvent] = queue.SimpleQueue()
    slot = FrameSlot()
    camera = Camera(id="probe", name="probe", site="", url=url, backend=backend)
    decoder = create_decoder(camera, slot, events.put)
    # the decoder gives up a little before the probe does, to say why in its own words
    decoder.time_limit = max(0.5, timeout - _VERDICT_S)
    result: dict[str, Any] = {"ok": False, "url": mask_url(url), "backend": decoder.backend_name}
    t0 = time.monotonic()
    error = f"no picture within {timeout:.0f} s"
    watchdog = HealthWatchdog()
    decoder.start()
    watchdog.add(decoder)
    try:
        while time.monotonic() - t0 < timeout:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if not isinstance(event, StateChanged):
                continue
            if event.state == StreamState.LIVE:
                error = ""
                break
            if event.state in _FAILED:
                error = event.detail
                break
        if not error:
            start_frames = decoder.stats.frames_published
            start_t = time.monotonic()
            time.sleep(watch)
            elapsed = time.monotonic() - start_t
            result["fps"] = round((decoder.stats.frames_published - start_frames) / elapsed, 2)
    finally:
        measured = decoder.stats_dict()
        watchdog.stop()
        decoder.stop()
    stats = decoder.stats
    frame = slot.latest()
    result.update(
        ok=not error,
        codec=stats.codec,
        width=stats.width,
        height=stats.height,
        source_fps=round(stats.source_fps, 2),
        first_frame_s=None if stats.first_frame_s is None else round(stats.first_frame_s, 3),
        frame_width=frame.width if frame else 0,
        frame_height=frame.height if frame else 0,
        bitrate_kbps=measured["bitrate_kbps"],
        frames_decoded=measured["frames_decoded"],
        frames_shown=measured["frames_shown"],
        frames_dropped=measured["frames_dropped"],
        state=measured["state"],
        error=error,
    )
    result.setdefault("fps", 0.0)
    return result
