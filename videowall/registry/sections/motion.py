"""A camera's ``motion`` block: detection on or off, how sensitive, where and when."""

from __future__ import annotations

from yaml.nodes import Node

from videowall.registry.model import WHOLE_FRAME, MotionConfig, Zone
from videowall.registry.nodes import given
from videowall.registry.sections.schedule import ScheduleChecks
from videowall.registry.sections.zones import ZoneChecks
from videowall.registry.settings import MIN_AREA, MOTION_ENABLED, SENSITIVITY, WHOLE_ROAD_LANE

MOTION_KEYS = ("enabled", "sensitivity", "min_area", "zones", "masks", "schedule")


def _and_list(words: tuple[str, ...]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


class MotionChecks(ZoneChecks, ScheduleChecks):
    """The motion block."""

    def motion(self, node: Node, path: str, *, traffic: bool = False) -> MotionConfig | None:
        """A motion block; detection is on unless it says ``enabled: false``. On a
        ``traffic`` camera plain zones are lanes, and no zone makes the picture one lane."""
        entries = self.mapping(node, path, f"a motion block (a mapping with "
                                           f"{_and_list(MOTION_KEYS)})", keys=MOTION_KEYS)
        if entries is None:
            return None
        before = self.error_count
        defaults = MotionConfig()
        enabled, sensitivity, min_area = defaults.enabled, defaults.sensitivity, \
            defaults.min_area
        zones, masks, schedule = defaults.zones, defaults.masks, defaults.schedule
        if traffic:
            zones = (Zone(WHOLE_ROAD_LANE, WHOLE_FRAME, "lane"),)
        if (value := given(entries, MOTION_ENABLED.key)) is not None:
            enabled = bool(self.boolean(value, f"{path}.enabled"))
        if (value := given(entries, SENSITIVITY.key)) is not None:
            sensitivity = self.number(value, f"{path}.sensitivity", *SENSITIVITY.range) or 0.0
        if (value := given(entries, MIN_AREA.key)) is not None:
            min_area = self.number(value, f"{path}.min_area", *MIN_AREA.range) or 0.0
        if (value := given(entries, "zones")) is not None:
            zones = self.zones(value, f"{path}.zones", traffic=traffic) or ()
        if (value := given(entries, "masks")) is not None:
            masks = self.polygons(value, f"{path}.masks") or ()
        if (value := given(entries, "schedule")) is not None:
            schedule = self.schedule(value, f"{path}.schedule") or ()
        if self.error_count > before:
            return None
        return MotionConfig(enabled, sensitivity, min_area, zones, masks, schedule)
