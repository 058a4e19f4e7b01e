"""A bound on any one allocation FFmpeg makes, whatever a peer announces.

FFmpeg's RTSP client allocates the body an answer's ``Content-Length`` announces and then
fills it with what the peer sends (``Content-Length: 5000000000`` wraps to 700 MB in its
``int``): a hostile camera decides how much memory the wall takes. libavutil's
``av_max_alloc()`` caps every single allocation its ``av_malloc`` makes; a request over
the cap fails with ENOMEM, which ends that session with words like any other error.

PyAV ships its own libavutil (``av.libs/``), already loaded into the process by ``import
av``: the cap is set in that copy, found through the process's memory map. libvlc's
FFmpeg modules load the system's libavutil once a stream decodes: the libvlc backend asks
again then, and each copy is capped once.
"""

from __future__ import annotations

import ctypes
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

#: The largest single allocation FFmpeg may make. An 8K picture's largest plane is 33 MB;
#: buffers of a few MB are the most any decoder of a camera stream asks for at once.
MAX_ALLOC_BYTES = 64 * 1024 * 1024

_capped: set[str] = set()

_LIBAVUTIL = re.compile(r"(/\S*libavutil[^/\s]*\.so[^/\s]*)$", re.MULTILINE)


def loaded_libavutil(maps: str | None = None) -> list[str]:
    """Paths of the libavutil copies loaded into this process (``/proc/self/maps``)."""
    if maps is None:
        try:
            maps = Path("/proc/self/maps").read_text()
        except OSError:
            return []
    return sorted(set(_LIBAVUTIL.findall(maps)))


def cap_allocations(limit: int = MAX_ALLOC_BYTES) -> int:
    """Cap every single FFmpeg allocation at ``limit`` bytes in each loaded libavutil;
    returns how many copies were capped (0 where none could be found: logged)."""
    capped = 0
    for path in loaded_libavutil():
        if path in _capped and limit == MAX_ALLOC_BYTES:
            capped += 1
            continue
        try:
            lib = ctypes.CDLL(path)
            set_cap = lib.av_max_alloc
        except (OSError, AttributeError) as exc:
            log.warning("FFmpeg's allocations not capped in %s: %s", path, exc)
            continue
        set_cap.argtypes = [ctypes.c_size_t]
        set_cap.restype = None
        set_cap(limit)
        if limit == MAX_ALLOC_BYTES:
            _capped.add(path)
        capped += 1
    if not capped:
        log.warning("FFmpeg's allocations not capped: no libavutil found in this process")
    return capped
