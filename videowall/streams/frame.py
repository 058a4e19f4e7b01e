"""Frames and the slot a decoder publishes them into.

A decoder thread publishes each decoded picture as a new, never-again-written array; the
UI reads the latest one at its own pace. Nothing blocks: a picture the UI never looked at
is simply replaced, and counted as dropped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Frame:
    """One decoded picture.

    ``image`` is ``height x width x 4`` bytes in B, G, R, X order (Qt's ``Format_RGB32``
    and libvlc's ``RV32`` on little-endian machines). ``aspect`` is the display aspect
    ratio, which can differ from ``width / height`` when the decoder scaled the picture.
    """

    image: Image
    seq: int
    t: float
    aspect: float

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class FrameSlot:
    """Latest-frame holder shared by one decoder and any number of readers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._seq = 0
        self._read_seq = 0
        self.dropped = 0

    def publish(self, image: Image, aspect: float | None = None) -> None:
        """Hand over a new picture. The caller must not write to ``image`` again."""
        if aspect is None:
            aspect = image.shape[1] / max(1, image.shape[0])
        with self._lock:
            if self._seq != self._read_seq and self._frame is not None:
                self.dropped += 1
            self._seq += 1
            self._frame = Frame(image, self._seq, time.monotonic(), aspect)

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one."""
        with self._lock:
            self._read_seq = self._seq
            return self._frame

    def peek(self) -> Frame | None:
        """The newest frame, without marking it read (a watchdog looking does not count
        as the wall showing it)."""
        return self._frame

    @property
    def seq(self) -> int:
        """Sequence number of the newest frame (0 before the first)."""
        return self._seq

    def clear(self) -> None:
        with self._lock:
            self._frame = None
