"""Checks that a test left no thread or child process running."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def child_pids() -> set[int]:
    """Process ids of this process's children."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            with open(task / "children") as fh:
                pids.update(int(p) for p in fh.read().split())
        except OSError:
            continue  # a thread that just ended
    return pids


@contextmanager
def no_leaks(grace: float) -> Iterator[None]:
    """Fail when threads or children started inside are still running ``grace`` s after."""
    threads, children = set(threading.enumerate()), child_pids()
    yield
    deadline = time.monotonic() + grace
    while True:
        extra_threads = [t.name for t in threading.enumerate()
                         if t not in threads and t.is_alive()]
        extra_children = child_pids() - children
        if not (extra_threads or extra_children) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra_threads, f"threads left running: {extra_threads}"
    assert not extra_children, f"child processes left running: {extra_children}"
