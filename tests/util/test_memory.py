"""The allocator tuning: limits taken, free pages really handed back, rate limited."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from videowall.util import memory


def test_trim_now_and_then_is_rate_limited() -> None:
    assert memory.trim_now_and_then(now=1e9, every=60.0)
    assert not memory.trim_now_and_then(now=1e9 + 30.0, every=60.0)
    assert memory.trim_now_and_then(now=1e9 + 61.0, every=60.0)


def test_limit_arenas_is_taken_by_glibc() -> None:
    assert memory.limit_arenas(2)


def test_trim_hands_freed_heap_pages_back() -> None:
    # A fragmented heap: many small blocks freed except one in a hundred, so glibc
    # cannot shrink the heap from its top; only malloc_trim gives the pages back.
    script = textwrap.dedent("""
        import ctypes
        from pathlib import Path
        from videowall.util import memory

        def rss():
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc.restype = ctypes.c_void_p
        libc.malloc.argtypes = [ctypes.c_size_t]
        libc.free.argtypes = [ctypes.c_void_p]
        blocks = [libc.malloc(4000) for _ in range(50_000)]
        for b in blocks:
            ctypes.memset(b, 1, 4000)
        for i, b in enumerate(blocks):
            if i % 100:
                libc.free(b)
        before = rss()
        memory.trim()
        print(before, rss())
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = int(out[0]), int(out[1])
    # ~200 MB were written and ~198 MB freed in place: most must leave the process
    assert before - after > 100_000, (before, after)
