"""Fakes shared by the unit tests: a decoder that publishes made-up pictures, its factory,
and a small registry of cameras that use it. No Qt."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import numpy as np

from videowall.registry.model import Agency, Camera, Registry, Site
from videowall.streams.backoff import Backoff
from videowall.streams.base import Decoder, EventSink, StreamState, fit_size
from videowall.streams.frame import FrameSlot


class FakeDecoder(Decoder):
    """Publishes a solid colour with a white bar moving along the bottom tenth, at ``fps``.

    Pictures are scaled into the decoder's ``max_size`` like a real backend's. The URL
    says what it does::

        fake://live?colour=ff0000&size=640x360&aspect=1.78&fps=25
        fake://offline?detail=connection%20refused    (never a frame)
        fake://dropout?after=0.4                       (live, then offline)
        fake://hold?state=stalled&detail=no%20picture%20for%202%20s&after=0.3&retry=12
            (live for ``after`` seconds, then ``state`` until stopped; ``retry``: the next
            attempt is due that many seconds later)

    After a failure it waits long before retrying, so tests see the failed state.
    """

    backend_name = "fake"

    def __init__(self, camera_id: str, url: str, slot: FrameSlot, on_event: EventSink) -> None:
        super().__init__(camera_id, url, slot, on_event)
        parsed = urlparse(url)
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        self.mode = parsed.netloc
        colour = query.get("colour", "ff0000")
        self.rgb = tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))
        width, height = (int(v) for v in query.get("size", "640x360").split("x"))
        self.source_size = (width, height)
        self.aspect = float(query["aspect"]) if "aspect" in query else width / height
        self.fps = float(query.get("fps", "25"))
        self.after = float(query.get("after", "0.4"))
        self.offline_detail = query.get("detail", "connection refused")
        self.hold_state = StreamState(query.get("state", "stalled"))
        self.hold_retry = float(query.get("retry", "0"))
        self.holding = False
        self._backoff = Backoff(first=30.0, jitter=0.0)

    def check_health(self, now: float) -> None:
        # A held state is the test's to keep; the watchdog judges the other modes.
        if not self.holding:
            super().check_health(now)

    def picture(self, n: int, base: np.ndarray) -> np.ndarray:
        image = base.copy()
        height, width = image.shape[:2]
        bar = max(2, width // 10)
        x = (n * 8) % max(1, width - bar)
        image[height - max(2, height // 10) :, x : x + bar, :3] = 255
        return image

    def _session(self) -> str:
        if self.mode == "offline":
            self._wait(0.05)
            return self.offline_detail
        width, height = fit_size(*self.source_size, self.max_size)
        self.stats.width, self.stats.height = width, height
        base = np.empty((height, width, 4), np.uint8)
        r, g, b = self.rgb
        base[...] = (b, g, r, 255)
        period = 1.0 / self.fps
        start = next_t = time.monotonic()
        n = 0
        while True:
            self.slot.publish(self.picture(n, base), self.aspect)
            self.stats.frames_decoded += 1
            self._frame_arrived()
            n += 1
            if self.mode == "dropout" and time.monotonic() - start >= self.after:
                return "connection lost"
            if self.mode == "hold" and time.monotonic() - start >= self.after:
                self.holding = True
                if self.hold_retry:
                    self.stats.next_retry_t = time.monotonic() + self.hold_retry
                self._set_state(self.hold_state, self.offline_detail)
                while True:
                    self._wait(3600)
            next_t += period
            self._wait(max(0.0, next_t - time.monotonic()))


class FakeFactory:
    """A decoder factory for :class:`StreamManager` that remembers what it built."""

    def __init__(self) -> None:
        self.created: list[FakeDecoder] = []

    def __call__(self, camera: Camera, slot: FrameSlot, on_event: EventSink) -> Decoder:
        decoder = FakeDecoder(camera.id, camera.url, slot, on_event)
        self.created.append(decoder)
        return decoder

    def count(self, camera_id: str) -> int:
        return sum(1 for d in self.created if d.camera_id == camera_id)


def make_registry() -> Registry:
    sites = {
        "rp01": Site("rp01", "Sudirman – Thamrin junction"),
        "mall": Site("mall", "Grand Mall"),
    }
    agencies = {
        "transport": Agency("transport", "Transport Department", "#3d8bfd"),
        "mall": Agency("mall", "Grand Mall Security", "#e8590c"),
    }
    cameras = (
        Camera(
            "red",
            "Sudirman North",
            "rp01",
            "fake://live?colour=ff0000",
            "transport",
            tags=("junction",),
        ),
        Camera("green", "Sudirman South", "rp01", "fake://live?colour=00ff00", "transport"),
        Camera(
            "blue43",
            "Thamrin East",
            "rp01",
            "fake://live?colour=0000ff&size=320x240",
            "transport",
            tags=("bus-lane",),
        ),
        Camera(
            "square",
            "Thamrin West",
            "rp01",
            "fake://live?colour=ffffff&size=320x180&aspect=1.0",
            "transport",
        ),
        Camera(
            "off",
            "Mall Entrance",
            "mall",
            "fake://offline?detail=connection%20refused",
            "mall",
            tags=("entrance",),
        ),
        Camera("drop", "Mall Parking", "mall", "fake://dropout?colour=ffff00&after=0.4", "mall"),
        Camera("old", "Old Gate", "mall", "fake://live?colour=808080", "mall", enabled=False),
    )
    return Registry(cameras=cameras, sites=sites, agencies=agencies, source="test.yaml")
