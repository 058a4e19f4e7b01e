"""What the registry checker reports: issues with FILE:LINE, the error that lists them,
and the "did you mean" that many of them end with."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a registry file.

    ``line`` is 1-based, or None when the issue is about the whole file (it cannot be
    read, say). ``path`` locates the value in the document (``cameras[3].url``).
    """

    source: str
    line: int | None
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        parts = [f"{self.source}:{self.line}" if self.line else self.source]
        if self.severity == "warning":
            parts.append("warning")
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
        return ": ".join(parts)


class IssueList:
    """The ``errors`` and ``warnings`` of a class that holds ``issues``."""

    issues: Sequence[ConfigIssue]

    @property
    def errors(self) -> list[ConfigIssue]:
        """The issues that make the file unusable."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ConfigIssue]:
        """The issues the file is usable with."""
        return [i for i in self.issues if i.severity == "warning"]


class ConfigError(IssueList, Exception):
    """A registry file that cannot be used; ``str()`` lists every issue, one per line.

    ``issues`` holds the errors and the warnings found alongside them, in line order.
    ``unreadable`` is True when the file could not be read at all (missing, a directory,
    no permission), as opposed to a file whose content is wrong.
    """

    def __init__(self, issues: Iterable[ConfigIssue], *, unreadable: bool = False) -> None:
        self.issues = list(issues)
        self.unreadable = unreadable
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` was most likely meant to be, or None.

    Close matches come from difflib; among them the fewest edits wins (a swap of two
    neighbouring letters counts as one) and, at a tie, the earlier choice.
    """
    if not word:
        return None
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=5, cutoff=0.6)
    if not close:
        return None
    order = {c: i for i, c in enumerate(lowered)}
    best = min(close, key=lambda c: (_edit_distance(word.lower(), c), order[c]))
    return lowered[best]


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice :func:`suggest` finds, or nothing."""
    match = suggest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a transposition of neighbours as one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
