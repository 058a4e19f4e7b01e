"""What the wall session tells its subscribers, as typed events.

Stream events (:class:`~videowall.streams.base.StreamEvent` and its kinds, such as
:class:`~videowall.streams.base.StateChanged`) come from the decoders; the classes here
come from the session itself. A subscriber tells them apart by type, never by a string.
"""

from __future__ import annotations

from dataclasses import dataclass

from videowall.alerts import AlertEvent
from videowall.registry.watch import ReloadResult
from videowall.streams.base import StreamEvent


@dataclass(frozen=True)
class RegistryChecked:
    """The registry file was checked: ``result.registry`` is in force now (the session
    has taken it), or None when the file is broken and nothing changed."""

    t: float
    result: ReloadResult


@dataclass(frozen=True)
class Notice:
    """Words for the operator from a part of the wall without a screen (the store)."""

    t: float
    text: str


@dataclass(frozen=True)
class AlertChanged:
    """An alert was raised, updated, acknowledged or resolved (``t``: the monotonic time
    the session handed it on)."""

    t: float
    event: AlertEvent


#: Everything a subscriber of the session may be handed.
WallEvent = StreamEvent | RegistryChecked | Notice | AlertChanged
