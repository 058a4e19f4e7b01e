"""What motion analysis reports: motion in a zone, a queue in a lane, and each lane's
minute for the store.

``t`` is the caller's ``time.monotonic()``-like clock (the wall's, or seconds into a clip
for ``videowall motion test``); each event carries its start in ``t`` and, once it is
over, its end in ``end_t``. The start and the end of one event are two reports with the
same ``t``: the first with ``active`` true, the second with ``end_t`` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from videowall.streams.base import StreamEvent

#: A box in fractions of the picture: x, y, width, height.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class MotionEvent(StreamEvent):
    """Motion in one zone of a camera began (``active``) or ended (``end_t`` set).

    ``box`` is the union of what moved in the zone: in the first picture that counted for
    a start, over the whole event for an end. ``alerting``: the camera's schedule covered
    the start (detection runs around the clock; alerts only when scheduled).
    """

    zone: str = ""
    box: Box = (0.0, 0.0, 0.0, 0.0)
    end_t: float | None = None
    active: bool = True
    alerting: bool = True
    kind: ClassVar[str] = "motion"


@dataclass(frozen=True)
class CongestionEvent(StreamEvent):
    """A queue in one lane began (the lane stayed occupied and still; ``t`` is when it
    stood still) or ended (the lane cleared at ``end_t``)."""

    lane: str = ""
    occupancy: float = 0.0
    end_t: float | None = None
    active: bool = True
    detail: str = ""
    kind: ClassVar[str] = "congestion"


@dataclass(frozen=True)
class LaneMinute:
    """One lane over one minute, for the store: ``minute`` is its start (UTC),
    ``occupancy`` the mean share of the lane taken, ``moving`` the share of the minute
    something moved in it, ``congested_s`` the seconds it was known as a queue (from when
    it was judged one, ``congestion_after_s`` after it stood still, until it cleared)."""

    camera_id: str
    lane: str
    minute: datetime
    occupancy: float
    moving: float
    congested_s: float
