"""The cap on any one FFmpeg allocation (issue 10, finding 3: a peer's Content-Length)."""

from __future__ import annotations

import ctypes

from videowall.streams import ffmpeg_backend  # noqa: F401  (importing it sets the cap)
from videowall.streams.ffmpeg_limits import MAX_ALLOC_BYTES, cap_allocations, loaded_libavutil

_MAPS = (
    "7f00-7f01 r--p 00000000 08:01 1 /venv/av.libs/libavutil-5809ad29.so.60.26.102\n"
    "7f01-7f02 r-xp 00001000 08:01 1 /venv/av.libs/libavutil-5809ad29.so.60.26.102\n"
    "7f02-7f03 r--p 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libavutil.so.57.28.100\n"
    "7f03-7f04 r--p 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/libavutil-extra.txt\n"
    "7f04-7f05 rw-p 00000000 00:00 0 [heap]\n"
)


def test_every_loaded_libavutil_is_found() -> None:
    assert loaded_libavutil(_MAPS) == [
        "/usr/lib/x86_64-linux-gnu/libavutil.so.57.28.100",
        "/venv/av.libs/libavutil-5809ad29.so.60.26.102",
    ]
    assert loaded_libavutil("") == []


def test_ffmpeg_refuses_an_allocation_over_the_cap() -> None:
    paths = loaded_libavutil()
    assert any("av.libs" in p for p in paths), "importing the backend loads PyAV's own"
    # libvlc's FFmpeg modules, where other tests loaded them, are capped when asked again
    assert cap_allocations() == len(paths)
    for path in paths:
        lib = ctypes.CDLL(path)
        lib.av_malloc.argtypes = [ctypes.c_size_t]
        lib.av_malloc.restype = ctypes.c_void_p
        lib.av_free.argtypes = [ctypes.c_void_p]
        small = lib.av_malloc(1024 * 1024)
        assert small, path
        lib.av_free(small)
        assert lib.av_malloc(MAX_ALLOC_BYTES + 1) is None, path
