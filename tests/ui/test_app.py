"""Starting the wall: the event loop runs, the manager shuts down, Qt speaks through logging."""

from __future__ import annotations

import logging
import threading

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


def test_run_wall_runs_until_closed_and_shuts_the_manager_down(
    qtbot: QtBot, registry: Registry, factory: FakeFactory
) -> None:
    manager = StreamManager(factory)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen: dict[str, object] = {}

    def close_the_wall() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        seen["windows"] = len(windows)
        seen["streams"] = len(manager.streams())
        seen["title"] = windows[0].windowTitle() if windows else ""
        for window in windows:
            window.close()  # the last window closed ends the loop (a second quit would
            # linger as a posted event and end the next test's event loop at once)

    QTimer.singleShot(700, close_the_wall)
    code = run_wall(registry, grid="2x2", camera_ids=["red", "off"], manager=manager)
    assert code == 0
    # The offline camera raised an alert: the window title counts it.
    assert seen == {"windows": 1, "streams": 2, "title": "videowall — 1 alert"}
    assert manager.streams() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("decoder-")]
    assert [d.camera_id for d in factory.created] == ["red", "off"]


def test_run_wall_refuses_unknown_cameras(registry: Registry, factory: FakeFactory) -> None:
    manager = StreamManager(factory)
    with pytest.raises(ValueError, match="ghost"):
        run_wall(registry, camera_ids=["ghost"], manager=manager)
    assert factory.created == []
