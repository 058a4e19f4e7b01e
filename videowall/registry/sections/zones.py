"""Motion zones and masks: polygons in frame coordinates (0..1), checked point by point."""

from __future__ import annotations

from collections.abc import Sequence

from yaml.nodes import Node, ScalarNode, SequenceNode

from videowall.registry.model import Point, Polygon
from videowall.registry.nodes import SEQ, NodeChecker, escaped, found

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
    """Lists of polygons, polygons and points."""

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
