"""How alerts are raised: the ``alerts`` section of the registry file.

The engine (:mod:`videowall.alerts`) reads these rules; the registry's checker
(:mod:`videowall.registry.sections.alerts`) builds them from the file. The settings, their
ranges and defaults are declared in :data:`videowall.registry.settings.ALERTS_SETTINGS`
and :data:`~videowall.registry.settings.KIND_SETTINGS`. Seconds throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from videowall.registry.settings import ALERT_KINDS, ALERTS, HEALTH_KINDS, KIND, KIND_GRACE

__all__ = [
    "ALERT_KINDS", "HEALTH_KINDS", "KIND_FIELDS", "AlertRules", "KindRule", "default_rule",
]

#: The field of :class:`KindRule` each key of a kind's mapping sets (``raise`` is a
#: Python keyword).
KIND_FIELDS: Mapping[str, str] = MappingProxyType(
    {key: "raises" if key == "raise" else key for key in KIND}
)


@dataclass(frozen=True)
class KindRule:
    """What one kind of alert does."""

    #: Added to the camera's priority (1 most urgent ... 5): -1 makes it more urgent.
    priority_offset: int = KIND["priority_offset"].default
    #: A condition that clears within this many seconds raises nothing (a blip).
    grace_s: float = KIND["grace_s"].default
    #: Whether the alert brings its camera in front (tile border, alarm tile).
    raises: bool = KIND["raise"].default
    #: Whether a new alert of priority 1-2 of this kind sounds.
    sound: bool = KIND["sound"].default


def default_rule(kind: str) -> KindRule:
    """The rule of ``kind`` when the file says nothing about it."""
    return KindRule(grace_s=KIND_GRACE.get(kind, KIND["grace_s"].default))


def _default_kinds() -> Mapping[str, KindRule]:
    return MappingProxyType({kind: default_rule(kind) for kind in ALERT_KINDS})


@dataclass(frozen=True)
class AlertRules:
    """The ``alerts`` section: grouping, resolving, acknowledging, sound, the alarm tile,
    and one :class:`KindRule` per kind."""

    #: Two or more failures of one kind within this many seconds, at one site (or one
    #: host, for cameras without a site), form one group alert.
    group_window_s: float = ALERTS["group_window_s"].default
    #: A health alert resolves once its camera was live again this long.
    resolve_after_s: float = ALERTS["resolve_after_s"].default
    #: Resolved alerts of this priority or more urgent still wait for an acknowledgement.
    ack_resolved_up_to: int = ALERTS["ack_resolved_up_to"].default
    #: Sound on new alerts of priority 1-2 ...
    sound: bool = ALERTS["sound"].default
    #: ... once, or again every few seconds until acknowledged.
    sound_repeat: bool = ALERTS["sound_repeat"].default
    #: Seconds each raised camera stays in the alarm tile while others wait their turn.
    dwell_s: float = ALERTS["dwell_s"].default
    #: Seconds after which the alarm tile returns to its own camera though nobody
    #: acknowledged (0: only an acknowledgement returns it).
    return_after_s: float = ALERTS["return_after_s"].default
    #: One rule per kind of :data:`ALERT_KINDS`.
    kinds: Mapping[str, KindRule] = field(default_factory=_default_kinds)

    def rule(self, kind: str) -> KindRule:
        """The rule of ``kind`` (a kind the section does not name: its defaults)."""
        rule = self.kinds.get(kind)
        return rule if rule is not None else default_rule(kind)
