"""The stream manager: one decoder per camera, shared by every tile that shows it."""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from videowall.registry.health import HealthConfig
from videowall.registry.model import Camera
from videowall.streams.backoff import ConnectGate
from videowall.streams.base import (
    DEFAULT_MAX_SIZE,
    Decoder,
    DecoderStats,
    StateChanged,
    StreamEvent,
    StreamState,
)
from videowall.streams.frame import FrameSlot
from videowall.streams.health import HealthWatchdog

log = logging.getLogger(__name__)

DecoderFactory = Callable[[Camera, FrameSlot, Callable[[StreamEvent], None]], Decoder]

#: The smallest picture a decoder is asked for.
MIN_DECODE = (64, 36)
#: A decoder that cannot change size while it runs is restarted smaller only when the
#: tile shrank below this share of its width (a maximised tile restored, say): a
#: restart costs a reconnection, scaling every frame down costs CPU for good.
SHRINK_RESTART = 0.6


def decode_box(size: tuple[int, int] | None) -> tuple[int, int]:
    """The box a decoder scales pictures into for a tile of ``size`` pixels.

    Decoders scale on their own threads, with SIMD code and without the GIL; a picture
    of the tile's own size is then copied to the screen as it is. None gives the default.
    """
    if size is None:
        return DEFAULT_MAX_SIZE
    w = max(MIN_DECODE[0], int(size[0])) // 2 * 2
    h = max(MIN_DECODE[1], int(size[1])) // 2 * 2
    return w, h


def _same_source(a: Camera, b: Camera) -> bool:
    """Whether a running decoder of ``a`` can serve ``b`` as it is."""
    return (a.url, a.sub_url, a.backend) == (b.url, b.sub_url, b.backend)


@dataclass
class Stream:
    """What the wall holds for one camera: its frames and its health.

    ``viewers`` are tiles that show it; ``watchers`` keep it running on no tile (motion,
    health, alerts); :attr:`users` is both. ``sub_stream``: the decoder reads the
    camera's ``sub_url`` (opened for a watcher). ``watch_box``: the largest picture a
    watcher asked for.
    """

    camera: Camera
    slot: FrameSlot
    decoder: Decoder
    viewers: int = 0
    watchers: int = 0
    generation: int = 0
    state: StreamState = StreamState.CONNECTING
    detail: str = ""
    history: list[StreamEvent] = field(default_factory=list)
    sub_stream: bool = False
    watch_box: tuple[int, int] = MIN_DECODE

    @property
    def users(self) -> int:
        """Viewers and watchers together: the stream runs while there is one."""
        return self.viewers + self.watchers

    @property
    def backend(self) -> str:
        return self.decoder.backend_name

    @property
    def stats(self) -> DecoderStats:
        return self.decoder.stats

    def stats_dict(self, now: float | None = None) -> dict[str, Any]:
        """The decoder's statistics, JSON-ready (see :meth:`Decoder.stats_dict`)."""
        return self.decoder.stats_dict(now)


class StreamManager:
    """Owns the decoders. Call its methods from one thread (the GUI thread in the app).

    Decoders report from their own threads into a queue; :meth:`drain_events` applies
    the events to the :class:`Stream` records and returns them, on the caller's thread.
    Stopping a decoder can block, so it happens on a short-lived worker thread.

    Health: one :class:`~videowall.streams.health.HealthWatchdog` thread judges every
    decoder a few times a second (``health`` sets how); one
    :class:`~videowall.streams.backoff.ConnectGate` lets at most ``per_host``
    connection attempts at once reach any one host.
    """

    def __init__(
        self,
        factory: DecoderFactory | None = None,
        *,
        health: HealthConfig | None = None,
        gate: ConnectGate | None = None,
        watchdog_interval: float = 0.25,
    ) -> None:
        if factory is None:
            from videowall.streams.select import create_decoder

            factory = create_decoder
        self._factory = factory
        self._health = health
        self.gate = gate if gate is not None else ConnectGate(
            health.connections_per_host if health is not None else 4
        )
        self.watchdog = HealthWatchdog(watchdog_interval)
        self._streams: dict[str, Stream] = {}
        self._events: queue.SimpleQueue[tuple[int, StreamEvent]] = queue.SimpleQueue()
        self._generation = 0
        self._stoppers: list[threading.Thread] = []

    def acquire(
        self, camera: Camera, size: tuple[int, int] | None = None, *, viewer: bool = True
    ) -> Stream:
        """Start (or share) the stream of ``camera``; pair each call with :meth:`release`
        (with the same ``viewer``).

        ``size`` is the tile's size in pixels: pictures are scaled to fit it. A second
        tile that is larger makes the decoder deliver the larger size.

        ``viewer=False`` is a watcher: it keeps the stream running on no tile. A stream
        with watchers only decodes key frames only, at the size the watchers asked for;
        when the first viewer comes, the same decoder decodes every frame at the
        viewer's size (over the same connection where the backend switches while it
        runs, see :attr:`Decoder.live_key_frames`; else its session restarts), and when
        the last viewer leaves it goes back to key frames only.

        One connection per camera: a stream opened for a watcher reads the camera's
        ``sub_url`` when it has one (the small stream is cheaper to read and to decode),
        and a viewer who comes later keeps that stream rather than opening the main one
        (choosing the stream by the tile's size is another matter).
        """
        box = decode_box(size)
        stream = self._streams.get(camera.id)
        if stream is not None and _same_source(stream.camera, camera):
            stream.camera = camera  # a new name or site, same stream: keep decoding
            if viewer:
                stream.viewers += 1
                current = stream.decoder.max_size
                if stream.viewers == 1:
                    self._switch(stream, key_frames_only=False, box=box)
                elif box[0] > current[0] or box[1] > current[1]:
                    stream = self.resize(camera.id, (max(box[0], current[0]),
                                                     max(box[1], current[1]))) or stream
            else:
                stream.watchers += 1
                stream.watch_box = (max(box[0], stream.watch_box[0]),
                                    max(box[1], stream.watch_box[1]))
                if not stream.viewers:
                    self._switch(stream, key_frames_only=True, box=stream.watch_box)
            return stream
        viewers = (stream.viewers if stream is not None else 0) + int(viewer)
        watchers = (stream.watchers if stream is not None else 0) + int(not viewer)
        stream = self._start(camera, box, stream, counts=(viewers, watchers),
                             watch_box=box if not viewer else None)
        return stream

    def _switch(self, stream: Stream, *, key_frames_only: bool, box: tuple[int, int]) -> None:
        """Make ``stream``'s decoder decode key frames only or every frame, at ``box``
        (its own decoder: no new slot, and over the same connection where it can)."""
        decoder = stream.decoder
        if decoder.key_frames_only == key_frames_only and decoder.max_size == box:
            return
        log.info("%s: %s at %dx%d from now on", stream.camera.id,
                 "key frames only" if key_frames_only else "every frame", *box)
        live = decoder.live_key_frames or decoder.key_frames_only == key_frames_only
        live = live and (decoder.live_resize or decoder.max_size == box)
        decoder.key_frames_only = key_frames_only
        decoder.max_size = box
        if not live:  # the backend takes it with a new session
            decoder.restart_session("key frames only" if key_frames_only
                                    else "every frame for a viewer")

    def resize(self, camera_id: str, size: tuple[int, int]) -> Stream | None:
        """Make ``camera_id``'s pictures fit ``size`` (the largest tile that shows it).

        Decoders that can change size while running just do; others are restarted when
        the tile grew or shrank a lot. Returns the new Stream when the decoder was
        replaced (its tiles must take the new slot), else None.
        """
        stream = self._streams.get(camera_id)
        if stream is None:
            return None
        box = decode_box(size)
        decoder = stream.decoder
        current = decoder.max_size
        if box == current:
            return None
        if decoder.live_resize:
            decoder.max_size = box
            return None
        grew = box[0] > current[0] + 2 or box[1] > current[1] + 2
        shrank = box[0] < current[0] * SHRINK_RESTART
        if not (grew or shrank):
            return None
        log.info("%s: decoding at %dx%d from now on (was %dx%d)", camera_id, *box, *current)
        return self._start(stream.camera, box, stream, keep_size=False)

    def _start(
        self,
        camera: Camera,
        box: tuple[int, int],
        old: Stream | None,
        keep_size: bool = True,
        *,
        counts: tuple[int, int] | None = None,
        watch_box: tuple[int, int] | None = None,
    ) -> Stream:
        """A new decoder for ``camera``, taking over the users of ``old`` (or ``counts``:
        viewers, watchers). With no viewer it decodes key frames only."""
        viewers, watchers = counts if counts is not None else (
            (old.viewers, old.watchers) if old is not None else (0, 0))
        if old is not None and _same_source(old.camera, camera):
            sub_stream = old.sub_stream  # a restart keeps the stream it read
        else:
            sub_stream = bool(camera.sub_url) and not viewers
        if watch_box is None:
            watch_box = old.watch_box if old is not None else MIN_DECODE
        if old is not None:
            self._stop_decoder(old.decoder)
            if keep_size:
                box = (max(box[0], old.decoder.max_size[0]),
                       max(box[1], old.decoder.max_size[1]))
        slot = FrameSlot()
        self._generation += 1
        generation = self._generation

        def sink(event: StreamEvent) -> None:
            self._events.put((generation, event))

        source = camera
        if sub_stream and camera.sub_url:
            source = dataclasses.replace(camera, url=camera.sub_url)
        decoder = self._factory(source, slot, sink)
        decoder.max_size = box
        decoder.gate = self.gate
        decoder.key_frames_only = not viewers
        if self._health is not None:
            decoder.health_config = self._health
        stream = Stream(
            camera=camera,
            slot=slot,
            decoder=decoder,
            viewers=viewers,
            watchers=watchers,
            generation=generation,
            sub_stream=sub_stream,
            watch_box=watch_box,
        )
        self._streams[camera.id] = stream
        decoder.start()
        self.watchdog.add(decoder)
        return stream

    def configure(self, health: HealthConfig) -> None:
        """Judge and retry streams by ``health`` (a registry's ``health`` section).

        The limit per host applies at once; the rest to each stream started or
        restarted from now on (a running session keeps the rules it began with).
        """
        self._health = health
        self.gate.set_limit(health.connections_per_host)

    def release(self, camera_id: str, *, viewer: bool = True) -> None:
        """Drop one viewer (or, ``viewer=False``, one watcher) of a stream; the last user
        stops its decoder, and the last viewer leaves it to its watchers at key frames
        only."""
        stream = self._streams.get(camera_id)
        if stream is None:
            return
        if (viewer and stream.viewers) or not stream.watchers:
            stream.viewers = max(0, stream.viewers - 1)
        else:
            stream.watchers -= 1
        if stream.users <= 0:
            del self._streams[camera_id]
            self._stop_decoder(stream.decoder)
        elif not stream.viewers:
            self._switch(stream, key_frames_only=True, box=stream.watch_box)

    def retry(self, camera_id: str) -> bool:
        """Retry ``camera_id`` at once (the operator asked): a pending backoff is cut
        short, a stalled or frozen stream reconnects now. False if it is not running."""
        stream = self._streams.get(camera_id)
        if stream is None:
            return False
        log.info("%s: retry asked", camera_id)
        stream.decoder.retry_now()
        return True

    def get(self, camera_id: str) -> Stream | None:
        return self._streams.get(camera_id)

    def streams(self) -> list[Stream]:
        return list(self._streams.values())

    def drain_events(self) -> list[StreamEvent]:
        """Apply and return every event reported since the last call."""
        events: list[StreamEvent] = []
        while True:
            try:
                generation, event = self._events.get_nowait()
            except queue.Empty:
                break
            stream = self._streams.get(event.camera_id)
            if stream is None or stream.generation != generation:
                continue  # from a decoder that was replaced or released
            if isinstance(event, StateChanged):
                stream.state, stream.detail = event.state, event.detail
            stream.history.append(event)
            del stream.history[:-200]
            events.append(event)
        return events

    def _stop_decoder(self, decoder: Decoder) -> None:
        self.watchdog.discard(decoder)

        def stop() -> None:
            try:
                decoder.stop()
            except Exception:
                log.exception("stopping the stream of %s failed", decoder.camera_id)

        thread = threading.Thread(target=stop, name=f"stop-{decoder.camera_id}", daemon=True)
        thread.start()
        self._stoppers = [t for t in self._stoppers if t.is_alive()]
        self._stoppers.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every decoder and wait for them (at most ``timeout`` seconds in all)."""
        for stream in list(self._streams.values()):
            self._stop_decoder(stream.decoder)
        self._streams.clear()
        self.watchdog.stop(timeout)
        for thread in self._stoppers:
            thread.join(timeout)
        self._stoppers = [t for t in self._stoppers if t.is_alive()]
        if self._stoppers:
            log.warning("%d streams did not stop in time", len(self._stoppers))
