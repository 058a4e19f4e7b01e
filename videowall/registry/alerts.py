"""How alerts are raised: the ``alerts`` section of the registry file.

The engine (:mod:`videowall.alerts`) reads these rules; the registry's checker builds
them from the file. Seconds throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The kinds of alert the stream health raises, most serious first.
HEALTH_KINDS = ("offline", "unauthorized", "stalled", "frozen")


@dataclass(frozen=True)
class KindRule:
    """What one kind of alert does."""

    #: Added to the camera's priority (1 most urgent ... 5): -1 makes it more urgent.
    priority_offset: int = 0
    #: A condition that clears within this many seconds raises nothing (a blip).
    grace_s: float = 0.0
    #: Whether the alert brings its camera in front (tile border, alarm tile).
    raises: bool = True
    #: Whether a new alert of priority 1-2 of this kind sounds.
    sound: bool = True


def _default_kinds() -> Mapping[str, KindRule]:
    return MappingProxyType({
        "offline": KindRule(grace_s=0.0),
        "unauthorized": KindRule(grace_s=0.0),
        "stalled": KindRule(grace_s=3.0),
        "frozen": KindRule(grace_s=5.0),
    })


@dataclass(frozen=True)
class AlertRules:
    """The ``alerts`` section: grouping, resolving, acknowledging, sound, the alarm tile,
    and one :class:`KindRule` per kind."""

    #: Two or more failures of one kind within this many seconds, at one site (or one
    #: host, for cameras without a site), form one group alert.
    group_window_s: float = 5.0
    #: A health alert resolves once its camera was live again this long.
    resolve_after_s: float = 10.0
    #: Resolved alerts of this priority or more urgent still wait for an acknowledgement.
    ack_resolved_up_to: int = 2
    #: Sound on new alerts of priority 1-2 ...
    sound: bool = True
    #: ... once, or again every few seconds until acknowledged.
    sound_repeat: bool = False
    #: Seconds each raised camera stays in the alarm tile while others wait their turn.
    dwell_s: float = 10.0
    #: Seconds after which the alarm tile returns to its own camera though nobody
    #: acknowledged (0: only an acknowledgement returns it).
    return_after_s: float = 120.0
    kinds: Mapping[str, KindRule] = field(default_factory=_default_kinds)

    def rule(self, kind: str) -> KindRule:
        """The rule of ``kind`` (a kind the section does not name: the defaults)."""
        return self.kinds.get(kind, KindRule())
