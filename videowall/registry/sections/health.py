"""The ``health`` section: how streams are judged and retried, for every camera."""

from __future__ import annotations

from videowall.registry.health import HealthConfig, out_of_order
from videowall.registry.nodes import Entry, NodeChecker, is_null
from videowall.registry.settings import HEALTH, HEALTH_SETTINGS


class HealthChecks(NodeChecker):
    """The health section."""

    def health(self, entry: Entry | None) -> HealthConfig | None:
        """The ``health`` section: how streams are judged and retried (defaults if absent)."""
        if entry is None or is_null(entry.value):
            return HealthConfig()
        entries = self.mapping(entry.value, "health", "a mapping of health settings",
                               keys=tuple(s.key for s in HEALTH_SETTINGS))
        if entries is None:
            return None
        before = self.error_count
        values: dict[str, float] = {}
        for name, item in entries.items():
            value = self.declared_number(item.value, f"health.{name}", HEALTH[name])
            if value is not None:
                values[name] = value
        config = HealthConfig(**values)  # type: ignore[arg-type]
        for small, large, problem in out_of_order(config):
            name = large if large in values else small  # the defaults are in order
            self.error(entries[name].value, f"health.{name}", problem)
        if self.error_count > before:
            return None
        return config
