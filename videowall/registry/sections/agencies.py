"""The ``agencies`` section: the owners of cameras by id."""

from __future__ import annotations

from yaml.nodes import Node

from videowall.registry.model import Agency
from videowall.registry.nodes import NodeChecker, given
from videowall.registry.settings import ALERTS_ON

AGENCY_KEYS = ("name", "colour", "contact", "alerts")


class AgencyChecks(NodeChecker):
    """An agency."""

    def agency(self, agency_id: str, node: Node, path: str) -> Agency | None:
        """One entry of ``agencies``."""
        entries = self.mapping(node, path, "an agency (a mapping with name, colour, contact, "
                                           "alerts)",
                               keys=AGENCY_KEYS, required=("name",))
        if entries is None:
            return None
        before = self.error_count
        name, colour, contact = self.labels(entries, path, AGENCY_KEYS)
        alerts = ALERTS_ON.default
        if (value := given(entries, ALERTS_ON.key)) is not None:
            alerts = bool(self.boolean(value, f"{path}.{ALERTS_ON.key}"))
        if self.error_count > before or name is None:
            return None
        return Agency(agency_id, name, colour, contact, alerts)
