"""Stream tests start servers, proxies and ffmpeg processes: none may outlive its module."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _child_pids() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            with open(task / "children") as fh:
                pids.update(int(p) for p in fh.read().split())
        except OSError:
            continue  # a thread that just ended
    return pids


@pytest.fixture(autouse=True, scope="module")
def _no_leaks_per_module() -> Iterator[None]:
    threads, children = set(threading.enumerate()), _child_pids()
    yield
    deadline = time.monotonic() + 10
    while True:
        extra_threads = [t.name for t in threading.enumerate()
                         if t not in threads and t.is_alive()]
        extra_children = _child_pids() - children
        if not (extra_threads or extra_children) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra_threads, f"threads left running: {extra_threads}"
    assert not extra_children, f"child processes left running: {extra_children}"
