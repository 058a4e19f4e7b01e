"""UI test set-up: offscreen Qt, walls of fake decoders (``tests.fakes``), and checks that
no test leaves a thread running or Qt complaining."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from PyQt6.QtCore import QThreadPool, QtMsgType
from pytestqt.qtbot import QtBot

from tests.fakes import FakeFactory, make_registry
from videowall.layout.grid import preset
from videowall.registry.model import Registry
from videowall.streams.manager import StreamManager
from videowall.ui.wall import WallWidget
from videowall.wall.session import WallSession

log = logging.getLogger(__name__)

__all__ = ["FakeFactory", "WallMaker", "make_registry"]


@pytest.fixture
def registry() -> Registry:
    return make_registry()


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def manager(factory: FakeFactory) -> Iterator[StreamManager]:
    mgr = StreamManager(factory)
    yield mgr
    mgr.shutdown()


@pytest.fixture(autouse=True)
def _no_threads_left() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    left: list[str] = []
    while time.monotonic() < deadline:
        left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
        pool = QThreadPool.globalInstance()
        if not left and (pool is None or pool.activeThreadCount() == 0):
            return
        time.sleep(0.05)
    pytest.fail(f"threads left running: {left}")


#: What Qt's offscreen platform says about itself, not about us.
OFFSCREEN_NOISE = frozenset({
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
})


@pytest.fixture(autouse=True)
def _no_qt_warnings(qtlog: object) -> Iterator[None]:
    yield
    records = getattr(qtlog, "records", [])
    bad = [
        r.message
        for r in records
        if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and r.message not in OFFSCREEN_NOISE
    ]
    assert not bad, f"Qt complained: {bad}"


WallMaker = Callable[..., WallWidget]


@pytest.fixture
def make_wall(qtbot: QtBot, manager: StreamManager, registry: Registry) -> Iterator[WallMaker]:
    """Build a shown wall: ``make_wall("2x2", size=(800, 450))``; stopped after the test."""
    walls: list[WallWidget] = []
    sessions: list[WallSession] = []

    def make(grid: str = "2x2", size: tuple[int, int] = (800, 450)) -> WallWidget:
        session = WallSession(registry, manager)
        sessions.append(session)
        wall = WallWidget(session, preset(grid))
        qtbot.addWidget(wall)
        wall.resize(*size)
        wall.show()
        qtbot.waitExposed(wall)
        walls.append(wall)
        return wall

    yield make
    for wall in walls:
        wall.stop()
    for session in sessions:
        session.close()
