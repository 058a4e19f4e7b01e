"""Text from outside made safe to show: control characters written as escapes."""

from __future__ import annotations

import re

#: Characters a terminal acts on rather than shows: C0 and C1 controls (ESC, line breaks,
#: tab...), DEL, and the Unicode line and paragraph separators.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with every control character written as a Python escape (``\\x1b``,
    ``\\n``, ``\\u2028``): it can neither move a terminal's cursor nor forge a line."""
    return CONTROL_RE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")
