"""The ``alerts`` section: how failures become alerts, for every camera, and what each
kind of alert does (``kinds``)."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from yaml.nodes import Node

from videowall.registry.alerts import KIND_FIELDS, AlertRules, KindRule
from videowall.registry.issues import did_you_mean
from videowall.registry.nodes import Entry, NodeChecker, is_null
from videowall.registry.settings import ALERT_KINDS, ALERTS, ALERTS_SETTINGS, KIND, KIND_SETTINGS

#: The keys of the ``alerts`` section, in the file's order.
ALERTS_KEYS = (*(s.key for s in ALERTS_SETTINGS), "kinds")
#: The keys of one kind under ``alerts.kinds``.
KIND_KEYS = tuple(s.key for s in KIND_SETTINGS)


class AlertChecks(NodeChecker):
    """The alerts section."""

    def alerts(self, entry: Entry | None) -> AlertRules | None:
        """The ``alerts`` section (defaults if absent); a kind it does not name keeps its
        defaults, and so does a setting a kind does not give."""
        if entry is None or is_null(entry.value):
            return AlertRules()
        entries = self.mapping(entry.value, "alerts", "a mapping of alert settings",
                               keys=ALERTS_KEYS)
        if entries is None:
            return None
        before = self.error_count
        values: dict[str, object] = {}
        for name, item in entries.items():
            if name == "kinds":
                values[name] = self._kinds(item.value)
            else:
                values[name] = self.declared(item.value, f"alerts.{name}", ALERTS[name])
        if self.error_count > before:
            return None
        return AlertRules(**values)  # type: ignore[arg-type]

    def _kinds(self, node: Node) -> MappingProxyType[str, KindRule]:
        """``alerts.kinds``: every kind, each with the file's settings over its defaults."""
        rules = dict(AlertRules().kinds)
        if is_null(node):
            return MappingProxyType(rules)
        entries = self.mapping(node, "alerts.kinds", "a mapping of alert kinds "
                                                     f"({', '.join(ALERT_KINDS)})")
        for kind, item in (entries or {}).items():
            if kind not in ALERT_KINDS:
                hint = did_you_mean(kind, ALERT_KINDS) \
                    or f" (expected one of {', '.join(ALERT_KINDS)})"
                self.error(item.key, "alerts.kinds", f"unknown alert kind {kind!r}{hint}")
            elif not is_null(item.value):
                rules[kind] = self._kind(item.value, f"alerts.kinds.{kind}", rules[kind])
        return MappingProxyType(rules)

    def _kind(self, node: Node, path: str, default: KindRule) -> KindRule:
        """One kind's mapping over ``default`` (``default`` where it is wrong)."""
        entries = self.mapping(node, path, f"a mapping with {', '.join(KIND_KEYS)}",
                               keys=KIND_KEYS)
        changes: dict[str, object] = {}
        for name, item in (entries or {}).items():
            value = self.declared(item.value, f"{path}.{name}", KIND[name])
            if value is not None:
                changes[KIND_FIELDS[name]] = value
        return dataclasses.replace(default, **changes)  # type: ignore[arg-type]
