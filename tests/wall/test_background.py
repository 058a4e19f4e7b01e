"""Watching every camera on no tile, within the budget, with fake decoders."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest

from tests.fakes import FakeFactory, make_registry
from videowall.registry.model import Camera, Registry
from videowall.streams.manager import StreamManager
from videowall.wall.background import CpuMeter, thread_cpu_s
from videowall.wall.session import WallSession


def _registry(budget: int) -> Registry:
    base = make_registry()
    cameras = [*base.cameras,
               *(Camera(f"extra{i}", f"Extra {i}", "rp01", "fake://live?colour=123456",
                        priority=5) for i in range(4)),
               Camera("private", "Private", "mall", "fake://live?colour=654321", watch=False)]
    return dataclasses.replace(base, cameras=tuple(cameras),
                               motion=dataclasses.replace(base.motion,
                                                          watch_max_cameras=budget))


@pytest.fixture
def manager() -> Iterator[StreamManager]:
    mgr = StreamManager(FakeFactory())
    yield mgr
    mgr.shutdown()


def _candidates(registry: Registry) -> set[str]:
    return {c.id for c in registry.cameras if c.enabled and c.watch}


def test_every_camera_on_no_tile_is_watched_within_the_budget(manager: StreamManager) -> None:
    registry = _registry(budget=64)
    session = WallSession(registry, manager, watch_all=True)
    session.start()
    try:
        deadline = time.monotonic() + 5
        while session.watched() != _candidates(registry) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session.watched() == _candidates(registry)
        assert "private" not in session.watched() and "old" not in session.watched()
        for camera_id in session.watched():
            stream = session.stream(camera_id)
            assert stream is not None and stream.viewers == 0 and stream.watchers == 1
        assert session.watch_status() == ""  # within the budget
        # a tile shows one of them: the same stream, not released by the watch
        red = registry.get("red")
        assert red is not None
        before = session.stream("red")
        assert session.acquire(red) is before
        time.sleep(1.3)
        assert session.stream("red") is before and "red" in session.watched()
    finally:
        session.close()
    assert manager.streams() == []


def test_over_the_budget_cameras_take_turns_and_the_status_says_so(
    manager: StreamManager,
) -> None:
    registry = _registry(budget=3)
    session = WallSession(registry, manager, watch_all=True)
    session.start()
    try:
        deadline = time.monotonic() + 5
        while len(session.watched()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.2)
        assert len(session.watched()) == 3
        total = len(_candidates(registry))
        assert session.watch_status() == (
            f"watching 3 of {total} cameras off the wall, the others in turns (budget 3)")
    finally:
        session.close()


def test_without_watch_all_nothing_is_watched(manager: StreamManager) -> None:
    session = WallSession(_registry(budget=64), manager)
    session.start()
    try:
        time.sleep(1.2)
        assert session.watched() == set() and manager.streams() == []
    finally:
        session.close()


def test_the_cpu_of_threads_is_measured() -> None:
    meter = CpuMeter(window_s=10)
    tid = threading.get_native_id()
    start = time.monotonic()
    assert meter.sample({tid}, start) is None
    cpu0 = thread_cpu_s(tid)
    assert cpu0 is not None
    while time.monotonic() - start < 1.2:  # keep this thread busy
        sum(range(10_000))
    share = meter.sample({tid}, time.monotonic())
    assert share is not None and 0.5 < share <= 1.2
    assert thread_cpu_s(2**31 - 1) is None  # no such thread
    idle = meter.sample(set(), time.monotonic() + 5)
    assert idle is not None and idle < share
