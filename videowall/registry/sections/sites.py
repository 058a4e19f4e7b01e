"""The ``sites`` section: road points and buildings by id, and the ``location`` mapping
that sites and cameras share."""

from __future__ import annotations

from yaml.nodes import Node

from videowall.registry.model import Location, Site
from videowall.registry.nodes import NodeChecker, given
from videowall.registry.settings import LAT, LON

SITE_KEYS = ("name", "location", "contact", "colour")
LOCATION_KEYS = ("lat", "lon")


class SiteChecks(NodeChecker):
    """A site, and a location."""

    def location(self, node: Node, path: str) -> Location | None:
        """``{lat, lon}`` in degrees."""
        entries = self.mapping(node, path, "a mapping with lat and lon", keys=LOCATION_KEYS,
                               required=LOCATION_KEYS)
        if entries is None or len(entries) < 2:
            return None
        lat = self.number(entries["lat"].value, f"{path}.lat", *LAT.range)
        lon = self.number(entries["lon"].value, f"{path}.lon", *LON.range)
        if lat is None or lon is None:
            return None
        return Location(lat, lon)

    def site(self, site_id: str, node: Node, path: str) -> Site | None:
        """One entry of ``sites``."""
        entries = self.mapping(node, path, "a site (a mapping with name and location)",
                               keys=SITE_KEYS, required=("name",))
        if entries is None:
            return None
        before = self.error_count
        name, colour, contact = self.labels(entries, path, SITE_KEYS)
        location = None
        if (value := given(entries, "location")) is not None:
            location = self.location(value, f"{path}.location")
        if self.error_count > before or name is None:
            return None
        return Site(site_id, name, location, contact, colour)
