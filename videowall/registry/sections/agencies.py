"""The ``agencies`` section: the owners of cameras by id."""

from __future__ import annotations

from yaml.nodes import Node

from videowall.registry.model import Agency
from videowall.registry.nodes import NodeChecker

AGENCY_KEYS = ("name", "colour", "contact")


class AgencyChecks(NodeChecker):
    """An agency."""

    def agency(self, agency_id: str, node: Node, path: str) -> Agency | None:
        """One entry of ``agencies``."""
        entries = self.mapping(node, path, "an agency (a mapping with name, colour, contact)",
                               keys=AGENCY_KEYS, required=("name",))
        if entries is None:
            return None
        before = self.error_count
        name, colour, contact = self.labels(entries, path, AGENCY_KEYS)
        if self.error_count > before or name is None:
            return None
        return Agency(agency_id, name, colour, contact)
