"""Starting the wall: the event loop runs, the manager shuts down, Qt speaks through logging."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

import pytest
from PyQt6.QtCore import QTimer, qWarning
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FakeFactory
from videowall.registry.model import Registry
from videowall.streams.manager import StreamManager
from videowall.ui.app import qt_messages_to_logging, run_wall
from videowall.ui.main_window import MainWindow


def test_qt_warnings_go_to_python_logging(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="videowall.qt"), qt_messages_to_logging():
        qWarning("the screen went away")
    records = [r for r in caplog.records if r.name.startswith("videowall.qt")]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, "the screen went away")
    ]


def _run_and_look(
    registry: Registry, manager: StreamManager, after_ms: int, look: Callable[[MainWindow], None]
) -> int:
    """Run the wall on two tiles; after ``after_ms`` look at its window, then close it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)

    def close_the_wall() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        assert len(windows) == 1
        look(windows[0])
        windows[0].close()  # the last window closed ends the loop (a second quit would
        # linger as a posted event and end the next test's event loop at once)

    QTimer.singleShot(after_ms, close_the_wall)
    return run_wall(registry, grid="2x2", camera_ids=["red", "off"], manager=manager)


def test_run_wall_runs_until_closed_and_shuts_the_manager_down(
    qtbot: QtBot, registry: Registry, factory: FakeFactory
) -> None:
    manager = StreamManager(factory)
    seen: dict[str, object] = {}

    def look(window: MainWindow) -> None:
        seen["streams"] = len(manager.streams())
        seen["title"] = window.windowTitle()

    # no camera watched off the wall here (see the next test)
    quiet = dataclasses.replace(
        registry, motion=dataclasses.replace(registry.motion, watch_max_cameras=0)
    )
    assert _run_and_look(quiet, manager, 700, look) == 0
    # The offline camera raised an alert: the window title counts it.
    assert seen == {"streams": 2, "title": "videowall — 1 alert"}
    assert manager.streams() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("decoder-")]
    assert [d.camera_id for d in factory.created] == ["red", "off"]


def test_run_wall_watches_every_camera_on_no_tile(
    qtbot: QtBot, registry: Registry, factory: FakeFactory
) -> None:
    manager = StreamManager(factory)
    streams: dict[str, tuple[int, int]] = {}

    def look(window: MainWindow) -> None:
        streams.update({s.camera.id: (s.viewers, s.watchers) for s in manager.streams()})

    assert _run_and_look(registry, manager, 1500, look) == 0
    enabled = {c.id for c in registry.cameras if c.enabled and c.watch}
    assert set(streams) == enabled
    assert streams["red"][0] == 1 and streams["off"][0] == 1  # the tiles
    assert all(streams[cid] == (0, 1) for cid in enabled - {"red", "off"})  # watchers
    assert manager.streams() == []


def test_run_wall_refuses_unknown_cameras(registry: Registry, factory: FakeFactory) -> None:
    manager = StreamManager(factory)
    with pytest.raises(ValueError, match="ghost"):
        run_wall(registry, camera_ids=["ghost"], manager=manager)
    assert factory.created == []
