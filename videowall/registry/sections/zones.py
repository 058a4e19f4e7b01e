"""Motion zones and masks: polygons in frame coordinates (0..1), checked point by point.

A zone is a plain polygon (named ``zone1``, ``zone2``... by its place in the list; on a
camera tagged ``traffic`` a lane named ``lane1``...) or a mapping ``{name, kind, polygon}``.
"""

from __future__ import annotations

from collections.abc import Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from videowall.registry.model import WHOLE_FRAME, Point, Polygon, Zone
from videowall.registry.nodes import SEQ, NodeChecker, escaped, found, given, line_of
from videowall.registry.settings import WHOLE_ROAD_LANE, ZONE_KINDS

ZONE_KEYS = ("name", "kind", "polygon")

#: Frame coordinates run from 0 (left, top) to 1 (right, bottom).
FRACTION_RANGE = (0.0, 1.0)
#: Points a polygon needs at least.
POLYGON_MIN_POINTS = 3


def area(polygon: Sequence[Point]) -> float:
    """The area of a polygon (shoelace formula)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


class ZoneChecks(NodeChecker):
    """Zones, lists of polygons, polygons and points."""

    def zones(self, node: Node, path: str, *, traffic: bool) -> tuple[Zone, ...] | None:
        """A list of zones, each a polygon or a ``{name, kind, polygon}`` mapping; names are
        unique. On a ``traffic`` camera plain polygons are lanes, and no zone at all makes
        the whole picture one lane."""
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, path, "expected a list of zones (each a list of [x, y] points "
                                   f"or a mapping with name, kind and polygon), found "
                                   f"{found(node)}")
            return None
        if not node.value and traffic:
            return (Zone(WHOLE_ROAD_LANE, WHOLE_FRAME, "lane"),)
        before = self.error_count
        first_line: dict[str, int] = {}
        zones: list[Zone] = []
        for index, item in enumerate(node.value):
            zone = self.zone(item, f"{path}[{index}]", index + 1, traffic=traffic)
            if zone is None:
                continue
            if zone.name in first_line:
                self.error(item, f"{path}[{index}]", f"duplicate zone name {zone.name!r} "
                                                     f"(first used at line "
                                                     f"{first_line[zone.name]})")
                continue
            first_line[zone.name] = line_of(item)
            zones.append(zone)
        return None if self.error_count > before else tuple(zones)

    def zone(self, node: Node, path: str, place: int, *, traffic: bool) -> Zone | None:
        """One zone; ``place`` (from 1) names a plain polygon."""
        plain_kind = "lane" if traffic else "zone"
        if not isinstance(node, MappingNode):
            polygon = self.polygon(node, path)
            return None if polygon is None else Zone(f"{plain_kind}{place}", polygon, plain_kind)
        entries = self.mapping(node, path, "a zone (a mapping with name, kind and polygon)",
                               keys=ZONE_KEYS, required=("name", "polygon"))
        if entries is None:
            return None
        before = self.error_count
        name = self.string(entries["name"].value, f"{path}.name") if "name" in entries \
            else None
        kind: str | None = ZONE_KINDS[0]
        if (value := given(entries, "kind")) is not None:
            kind = self.choice(value, f"{path}.kind", ZONE_KINDS)
        polygon = self.polygon(entries["polygon"].value, f"{path}.polygon") \
            if "polygon" in entries else None
        if self.error_count > before or name is None or kind is None or polygon is None:
            return None
        return Zone(name, polygon, kind)

    def polygons(self, node: Node, path: str) -> tuple[Polygon, ...] | None:
        """A list of polygons."""
        return self.list_of(node, path, "a list of polygons (each a list of [x, y] points)",
                            self.polygon)

    def polygon(self, node: Node, path: str) -> Polygon | None:
        """At least three points that do not lie on one line."""
        what = f"a polygon (a list of at least {POLYGON_MIN_POINTS} [x, y] points)"
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, path, f"expected {what}, found {found(node)}")
            return None
        points = [self.point(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(p is None for p in points):
            return None
        polygon = tuple(p for p in points if p is not None)
        if len(polygon) < POLYGON_MIN_POINTS:
            self.error(node, path, f"a polygon needs at least {POLYGON_MIN_POINTS} points, "
                                   f"found {len(polygon)}")
            return None
        if area(polygon) == 0:
            self.error(node, path, "the points lie on one line: the polygon covers nothing")
            return None
        return polygon

    def point(self, node: Node, path: str) -> Point | None:
        """``[x, y]`` inside the frame."""
        low, high = FRACTION_RANGE
        if not isinstance(node, SequenceNode) or node.tag != SEQ or len(node.value) != 2:
            what = found(node)
            if isinstance(node, SequenceNode) and node.tag == SEQ:
                what = f"a list of {len(node.value)}"
            self.error(node, path, f"expected a point [x, y] of two numbers from {low:g} to "
                                   f"{high:g}, found {what}")
            return None
        coords = [self._coordinate(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        x, y = coords
        if x is None or y is None:
            return None
        if not (low <= x <= high and low <= y <= high):
            shown = ", ".join(escaped(str(item.value)) for item in node.value)
            self.error(node, path, f"point [{shown}] lies outside the frame: x and y run from "
                                   f"{low:g} (left, top) to {high:g} (right, bottom)")
            return None
        return (x, y)

    def _coordinate(self, node: Node, path: str) -> float | None:
        """A number; whether it lies inside the frame is for :meth:`point` to say."""
        if isinstance(node, ScalarNode) and str(node.value).lower().endswith(".nan"):
            self.error(node, path, "expected a number, found .nan")
            return None
        return self.number(node, path, float("-inf"), float("inf"))
