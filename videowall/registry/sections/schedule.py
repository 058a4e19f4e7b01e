"""Weekly time windows of a motion schedule: ``{days, from, to}`` with ``HH:MM`` times."""

from __future__ import annotations

import re

from yaml.nodes import Node, ScalarNode, SequenceNode

from videowall.registry.model import WEEKDAYS, ScheduleWindow
from videowall.registry.nodes import INT, SEQ, STR, NodeChecker, found, given

SCHEDULE_KEYS = ("days", "from", "to")
#: Patterns of the times (Python ``re`` syntax that JSON Schema's ECMA dialect shares).
TIME_PATTERN = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
END_TIME_PATTERN = rf"(?:{TIME_PATTERN}|24:00)"

_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class ScheduleChecks(NodeChecker):
    """Schedules, time windows, days and times."""

    def schedule(self, node: Node, path: str) -> tuple[ScheduleWindow, ...] | None:
        """A list of time windows."""
        return self.list_of(node, path, "a list of time windows ({days, from, to})",
                            self.window)

    def window(self, node: Node, path: str) -> ScheduleWindow | None:
        """One time window."""
        entries = self.mapping(node, path, "a time window (a mapping with days, from and to)",
                               keys=SCHEDULE_KEYS, required=("from", "to"))
        if entries is None:
            return None
        before = self.error_count
        days: tuple[str, ...] | None = WEEKDAYS
        if (value := given(entries, "days")) is not None:
            days = self.days(value, f"{path}.days")
        start = end = None
        if "from" in entries:
            start = self.time(entries["from"].value, f"{path}.from", end=False)
        if "to" in entries:
            end = self.time(entries["to"].value, f"{path}.to", end=True)
        if start is not None and end is not None and start == end:
            self.error(entries["to"].value, f"{path}.to",
                       f"the window starts and ends at {start}: it is empty")
        if self.error_count > before or days is None or start is None or end is None:
            return None
        return ScheduleWindow(days, start, end)

    def days(self, node: Node, path: str) -> tuple[str, ...] | None:
        """A list of days, in the order of the week."""
        if not isinstance(node, SequenceNode) or node.tag != SEQ:
            self.error(node, path, f"expected a list of days ({', '.join(WEEKDAYS)}), "
                                   f"found {found(node)}")
            return None
        if not node.value:
            self.error(node, path, "the list is empty: name at least one day, or leave "
                                   "'days' out for every day")
            return None
        days = [self.choice(item, f"{path}[{i}]", WEEKDAYS) for i, item in enumerate(node.value)]
        if any(day is None for day in days):
            return None
        return tuple(day for day in WEEKDAYS if day in days)

    def time(self, node: Node, path: str, *, end: bool) -> str | None:
        """``HH:MM``; YAML 1.1 reads an unquoted ``18:30`` as a number, so its text counts."""
        match = None
        if isinstance(node, ScalarNode) and node.tag in (STR, INT):
            match = _TIME_RE.fullmatch(str(node.value).strip())
        if match is not None:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if (hours < 24 and minutes < 60) or (end and (hours, minutes) == (24, 0)):
                return f"{hours:02d}:{minutes:02d}"
        last = "24:00" if end else "23:59"
        self.error(node, path, f"expected a time HH:MM from 00:00 to {last}, "
                               f"found {found(node)}")
        return None
