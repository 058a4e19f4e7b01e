"""Keep a long-running wall's memory from creeping: glibc's allocator, tuned.

Sixteen decoder threads allocate and free a picture-sized buffer for every frame
(hundreds a second), beside libvlc's and FFmpeg's own allocations. glibc keeps what is
freed inside its arenas for reuse, and with that churn the arenas fragment: measured
with 16 tiles under a fault every 30 s, memory in use stayed flat at ~287 MiB while the
free space held in the arenas grew from 11 to 141 MiB in 7 minutes, and resident memory
with it (+150 MiB). Handing free pages back to the system once a minute
(``malloc_trim``) kept resident memory flat at the same load.

Everything here is a no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import time

log = logging.getLogger(__name__)

#: mallopt() parameter: the most arenas glibc creates (one per thread by default).
M_ARENA_MAX = -8
#: Arenas for the whole process: each arena holds its own free memory, so fewer arenas
#: hold less (measured: 4.8 MB -> 0.8 MB kept per libvlc player created and released).
ARENA_MAX = 2
#: Seconds between two hand-backs of free memory.
TRIM_EVERY_S = 60.0

_lock = threading.Lock()
_last_trim = 0.0


def _load_libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # not glibc
        return None
    return libc


_libc = _load_libc()


def limit_arenas(arenas: int = ARENA_MAX) -> bool:
    """Cap glibc's arenas (as ``MALLOC_ARENA_MAX`` does); call before threads start.

    True when the C library took it.
    """
    if _libc is None:
        return False
    return bool(_libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> bool:
    """Hand the free pages of every arena back to the system now.

    True when some memory was released. Takes a few milliseconds for a few hundred MiB
    of arenas, during which other threads wait to allocate: call it from a background
    thread, not per frame.
    """
    if _libc is None:
        return False
    return bool(_libc.malloc_trim(0))


def trim_now_and_then(now: float | None = None, every: float = TRIM_EVERY_S) -> bool:
    """:func:`trim` if the last trim is at least ``every`` seconds old (any thread).

    True when it trimmed.
    """
    global _last_trim
    now = time.monotonic() if now is None else now
    with _lock:
        if now - _last_trim < every:
            return False
        _last_trim = now
    started = time.monotonic()
    released = trim()
    log.debug(
        "free memory handed back (%s) in %.1f ms", released, (time.monotonic() - started) * 1000
    )
    return True
