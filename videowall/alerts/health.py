"""The stream health as an alert source: stream states become :class:`Signal` values."""

from __future__ import annotations

from datetime import datetime

from videowall.alerts.signals import Signal
from videowall.registry.alerts import HEALTH_KINDS
from videowall.streams.base import StreamState

#: The state that makes each health kind present.
_FAILURES = {
    StreamState.OFFLINE: "offline",
    StreamState.UNAUTHORIZED: "unauthorized",
    StreamState.STALLED: "stalled",
    StreamState.FROZEN: "frozen",
}


def health_signals(
    camera_id: str, state: StreamState, detail: str, at: datetime
) -> list[Signal]:
    """What a change of a camera's stream state says to the alert engine.

    A failure state makes its kind present and the other health kinds absent: a camera is
    in one health condition at a time, so a stall that turns into ``offline`` before its
    grace ran out raises only ``offline``, and a ``stalled`` alert resolves once the camera
    is offline instead (the ``offline`` alert carries on). ``live`` clears all four.
    ``connecting`` and ``reconnecting`` say nothing new (a camera retrying is still in
    whatever condition it was), and ``stopped`` and ``disabled`` say nothing either:
    closing the wall or switching a camera off resolves no alert.
    """
    kind = _FAILURES.get(state)
    if kind is not None:
        return [Signal(camera_id, kind, at, True, detail)] + [
            Signal(camera_id, other, at, False, detail) for other in HEALTH_KINDS if other != kind
        ]
    if state == StreamState.LIVE:
        return [Signal(camera_id, k, at, False, detail) for k in HEALTH_KINDS]
    return []
