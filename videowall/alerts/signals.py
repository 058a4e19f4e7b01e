"""The one door every alert source comes through: a :class:`Signal`.

A source (the stream health today, motion later) says "camera X, kind K, at time T: the
condition is present" or "... it cleared", with words. The engine decides what becomes
an alert; a source never builds alerts itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Signal:
    """One report of an alert source about one camera.

    ``active`` is True while the condition is present (``offline``: the stream cannot be
    reached) and False once it cleared. Repeating the same value changes nothing; a
    condition that clears and comes back counts as a repeat.
    """

    camera_id: str
    #: What it is about: ``offline``, ``unauthorized``, ``stalled``, ``frozen``, ``motion``...
    kind: str
    #: When it happened (timezone-aware, UTC).
    at: datetime
    active: bool = True
    #: In words, for the panel: ``connection refused``, ``no picture for 4 s``.
    detail: str = ""
