"""Alert ids: ULIDs, globally unique and sortable by the time they name.

A ULID is 26 characters of Crockford's base32: 48 bits of milliseconds since the Unix
epoch, then 80 random bits. Two workstations sharing one store never draw the same id;
one process draws ids that sort in the order it drew them, also within one millisecond
(the random part counts up) and when the given time goes back.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime

#: Crockford's base32: no I, L, O or U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What a ULID looks like (upper case; ids are compared as written).
ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")

_RANDOM_BITS = 80
_TIME_BITS = 48


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def _millis(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError(f"a ULID needs a timezone-aware time, got {at.isoformat()}")
    return int(at.timestamp() * 1000)


class UlidFactory:
    """Draws ULIDs that sort in the order they were drawn (safe from several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self, at: datetime | None = None) -> str:
        """A new ULID naming ``at`` (timezone-aware; now when None)."""
        ms = _millis(at if at is not None else datetime.now(UTC))
        with self._lock:
            if ms <= self._last_ms:
                # the same millisecond, or a time that went back: count up from the last
                # id so ids still sort in the order they were drawn
                ms, random = self._last_ms, self._last_random + 1
                if random >> _RANDOM_BITS:
                    ms, random = ms + 1, int.from_bytes(os.urandom(10), "big")
            else:
                random = int.from_bytes(os.urandom(10), "big")
            self._last_ms, self._last_random = ms, random
        if ms >> _TIME_BITS:
            raise ValueError(f"time out of the ULID range: {ms} ms")
        return _encode(ms, 10) + _encode(random, 16)


_FACTORY = UlidFactory()


def new_ulid(at: datetime | None = None) -> str:
    """A new ULID naming ``at`` (timezone-aware; now when None), from the process's one
    factory: ids drawn by one process sort in the order they were drawn."""
    return _FACTORY.new(at)


def ulid_time(ulid: str) -> datetime:
    """The time (UTC, to the millisecond) a ULID names; ValueError for a malformed one."""
    if not ULID_RE.fullmatch(ulid):
        raise ValueError(f"not a ULID: {ulid!r}")
    ms = 0
    for char in ulid[:10]:
        ms = ms * 32 + ALPHABET.index(char)
    return datetime.fromtimestamp(ms / 1000, UTC)
