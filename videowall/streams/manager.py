"""The stream manager: one decoder per camera, shared by every tile that shows it."""

from __future__ import annotations

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
    """What the wall holds for one camera: its frames and its health."""

    camera: Camera
    slot: FrameSlot
    decoder: Decoder
    users: int = 0
    generation: int = 0
    state: StreamState = StreamState.CONNECTING
    detail: str = ""
    history: list[StreamEvent] = field(default_factory=list)

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

    def acquire(self, camera: Camera, size: tuple[int, int] | None = None) -> Stream:
        """Start (or share) the stream of ``camera``; pair each call with :meth:`release`.

        ``size`` is the tile's size in pixels: pictures are scaled to fit it. A second
        tile that is larger makes the decoder deliver the larger size.
        """
        stream = self._streams.get(camera.id)
        if stream is not None and _same_source(stream.camera, camera):
            stream.camera = camera  # a new name or site, same stream: keep decoding
            current = stream.decoder.max_size
            box = decode_box(size)
            if box[0] > current[0] or box[1] > current[1]:
                stream = self.resize(camera.id, (max(box[0], current[0]),
                                                 max(box[1], current[1]))) or stream
        else:
            stream = self._start(camera, decode_box(size), stream)
        stream.users += 1
        return stream

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
        self, camera: Camera, box: tuple[int, int], old: Stream | None, keep_size: bool = True
    ) -> Stream:
        """A new decoder for ``camera``, taking over the users of ``old``."""
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

        decoder = self._factory(camera, slot, sink)
        decoder.max_size = box
        decoder.gate = self.gate
        if self._health is not None:
            decoder.health_config = self._health
        stream = Stream(
            camera=camera,
            slot=slot,
            decoder=decoder,
            users=old.users if old is not None else 0,
            generation=generation,
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

    def release(self, camera_id: str) -> None:
        """Drop one user of a stream; the last one stops its decoder."""
        stream = self._streams.get(camera_id)
        if stream is None:
            return
        stream.users -= 1
        if stream.users <= 0:
            del self._streams[camera_id]
            self._stop_decoder(stream.decoder)

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
