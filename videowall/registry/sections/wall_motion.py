"""The ``motion`` section: how pictures are analysed for motion and queues, for every
camera (each camera's own ``motion`` block says where and how sensitive)."""

from __future__ import annotations

from typing import Any

from videowall.registry.motion import MotionSettings
from videowall.registry.nodes import Entry, NodeChecker, is_null
from videowall.registry.settings import MOTION_SECTION, MOTION_SECTION_SETTINGS


class MotionSectionChecks(NodeChecker):
    """The wall-wide motion section."""

    def motion_section(self, entry: Entry | None) -> MotionSettings | None:
        """The ``motion`` section (defaults if absent)."""
        if entry is None or is_null(entry.value):
            return MotionSettings()
        entries = self.mapping(entry.value, "motion", "a mapping of motion settings",
                               keys=tuple(s.key for s in MOTION_SECTION_SETTINGS))
        if entries is None:
            return None
        before = self.error_count
        values: dict[str, Any] = {}
        for name, item in entries.items():
            value = self.declared_number(item.value, f"motion.{name}", MOTION_SECTION[name])
            if value is not None:
                values[name] = value
        if self.error_count > before:
            return None
        return MotionSettings(**values)
