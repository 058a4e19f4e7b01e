"""The demo's servers start threads and ffmpeg processes: no test may leave one behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def child_pids() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with open(task / "children") as fh:
            pids.update(int(p) for p in fh.read().split())
    return pids


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    threads, children = set(threading.enumerate()), child_pids()
    yield
    deadline = time.monotonic() + 5
    while True:
        extra_threads = [t.name for t in threading.enumerate() if t not in threads]
        extra_children = child_pids() - children
        if not (extra_threads or extra_children) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra_threads, f"threads left running: {extra_threads}"
    assert not extra_children, f"child processes left running: {extra_children}"
