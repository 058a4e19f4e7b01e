"""The ``health`` section: how streams are judged and retried, for every camera."""

from __future__ import annotations

from yaml.nodes import Node

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
            value = self._setting(name, item.value)
            if value is not None:
                values[name] = value
        config = HealthConfig(**values)  # type: ignore[arg-type]
        for small, large, problem in out_of_order(config):
            name = large if large in values else small  # the defaults are in order
            self.error(entries[name].value, f"health.{name}", problem)
        if self.error_count > before:
            return None
        return config

    def _setting(self, name: str, node: Node) -> float | None:
        setting = HEALTH[name]
        number = self.number(node, f"health.{name}", *setting.range)
        if number is None or not setting.whole:
            return number
        if number != int(number):
            self.error(node, f"health.{name}", f"expected a whole number, found {number:g}")
            return None
        return int(number)
