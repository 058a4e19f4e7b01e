"""How streams are judged and retried: the ``health`` section of the registry file.

The settings, their ranges and defaults are declared in
:data:`videowall.registry.settings.HEALTH_SETTINGS`; this module holds the record built
from them and the rules that tie them together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from videowall.registry.settings import HEALTH, HEALTH_ORDER, HEALTH_SETTINGS

__all__ = [
    "HEALTH_INTEGERS", "HEALTH_LIMITS", "HEALTH_ORDER", "HealthConfig", "out_of_order",
    "with_settings",
]


@dataclass(frozen=True)
class HealthConfig:
    """How a stream is judged, and how it is retried. Seconds throughout."""

    #: A stall is this many frame intervals of the stream without a new picture ...
    stall_frames: float = HEALTH["stall_frames"].default
    #: ... but never less than ``stall_min_s`` nor more than ``stall_max_s``.
    stall_min_s: float = HEALTH["stall_min_s"].default
    stall_max_s: float = HEALTH["stall_max_s"].default
    #: A stall that lasts this long ends the session: reconnect.
    stall_reconnect_s: float = HEALTH["stall_reconnect_s"].default
    #: Pictures that keep coming but do not change (or are one colour) this long: frozen.
    freeze_s: float = HEALTH["freeze_s"].default
    #: A freeze that lasts this long ends the session: reconnect.
    freeze_reconnect_s: float = HEALTH["freeze_reconnect_s"].default
    #: How often the picture is sampled for the freeze check.
    sample_every_s: float = HEALTH["sample_every_s"].default
    #: Reconnect delays: capped exponential backoff with jitter.
    retry_first_s: float = HEALTH["retry_first_s"].default
    retry_cap_s: float = HEALTH["retry_cap_s"].default
    #: Delays after the camera refused the credentials: slow, not to lock the account.
    auth_retry_first_s: float = HEALTH["auth_retry_first_s"].default
    auth_retry_cap_s: float = HEALTH["auth_retry_cap_s"].default
    #: Connection attempts at once to any one host (an NVR, a switch): the rest queue.
    connections_per_host: int = int(HEALTH["connections_per_host"].default)

    def stall_after(self, fps: float | None) -> float:
        """Seconds without a new picture that make a stream of ``fps`` stalled."""
        if not fps or fps <= 0:
            return self.stall_max_s
        return min(self.stall_max_s, max(self.stall_min_s, self.stall_frames / fps))


#: What each setting of :class:`HealthConfig` may be set to in the camera file's
#: ``health`` section: (lowest, highest). The pairs of :data:`HEALTH_ORDER` must also be
#: in order.
HEALTH_LIMITS: dict[str, tuple[float, float]] = {s.key: s.range for s in HEALTH_SETTINGS}
#: Settings that must be whole numbers.
HEALTH_INTEGERS = frozenset(s.key for s in HEALTH_SETTINGS if s.whole)


def with_settings(base: HealthConfig, settings: dict[str, float]) -> HealthConfig:
    """``base`` with ``settings`` (names of :data:`HEALTH_LIMITS`) changed.

    Raises ValueError in words for an unknown name, a value out of range, a fraction
    where a whole number belongs, or a pair out of order.
    """
    values: dict[str, float] = {}
    for name, value in settings.items():
        if name not in HEALTH_LIMITS:
            raise ValueError(f"unknown health setting {name!r} "
                             f"(one of {', '.join(HEALTH_LIMITS)})")
        low, high = HEALTH_LIMITS[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
        if name in HEALTH_INTEGERS and value != int(value):
            raise ValueError(f"{name} must be a whole number, not {value:g}")
        values[name] = int(value) if name in HEALTH_INTEGERS else value
    config = dataclasses.replace(base, **values)  # type: ignore[arg-type]
    for _small, _large, problem in out_of_order(config):
        raise ValueError(problem)
    return config


def out_of_order(config: HealthConfig) -> list[tuple[str, str, str]]:
    """The pairs of :data:`HEALTH_ORDER` that ``config`` has the wrong way round:
    ``(smaller, larger, problem in words)``."""
    problems = []
    for small, large in HEALTH_ORDER:
        a, b = getattr(config, small), getattr(config, large)
        if a > b:
            problems.append((small, large, f"{small} ({a:g} s) is more than {large} ({b:g} s)"))
    return problems
