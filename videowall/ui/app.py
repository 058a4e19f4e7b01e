"""Start the wall: the QApplication, the theme, the main window, the event loop."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from PyQt6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication

from videowall.registry.model import Registry
from videowall.streams.manager import StreamManager
from videowall.ui.main_window import MainWindow
from videowall.ui.theme import apply_theme
from videowall.ui.wall import AlarmTile
from videowall.wall.session import RegistryListener, WallSession

log = logging.getLogger(__name__)
qt_log = logging.getLogger("videowall.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _on_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    category = context.category or ""
    logger = qt_log if category in ("", "default") else qt_log.getChild(category)
    logger.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message or "")


@contextlib.contextmanager
def qt_messages_to_logging() -> Iterator[None]:
    """Route Qt's own warnings into Python logging (``videowall.qt.<category>``)."""
    previous = qInstallMessageHandler(_on_qt_message)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


#: The application this module created. Held for the life of the process: PyQt deletes a
#: QApplication whose last Python reference goes, and widgets must never outlive it.
_app: QApplication | None = None


def ensure_app() -> QApplication:
    """The running QApplication, or a new one."""
    global _app
    app = QApplication.instance()
    if app is None:
        app = _app = QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "videowall"])
    if not isinstance(app, QApplication):
        raise RuntimeError("a QCoreApplication without widgets is already running")
    app.setApplicationName("videowall")
    return app


@contextlib.contextmanager
def _quit_on_sigint(app: QApplication) -> Iterator[None]:
    """Ctrl+C in the terminal quits the event loop (Qt would otherwise swallow it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        log.info("interrupted: closing the wall")
        app.quit()

    previous = signal.signal(signal.SIGINT, on_sigint)
    # Python runs signal handlers only between bytecodes: wake it up now and then.
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        yield
    finally:
        wake.stop()
        if previous is not None:  # None: a handler Python did not install
            signal.signal(signal.SIGINT, previous)


def run_wall(
    registry: Registry,
    *,
    grid: str = "3x3",
    camera_ids: Sequence[str] | None = None,
    fullscreen: bool = False,
    manager: StreamManager | None = None,
    listener: RegistryListener | None = None,
    alarm_tile: AlarmTile = "auto",
) -> int:
    """Show the wall and run until the operator quits; returns the exit code.

    ``alarm_tile`` is the tile raised cameras go to: a tile index, None for the floating
    alarm window, ``"auto"`` for the grid's large tile.

    Raises ValueError for an unknown grid or camera id before any window shows. The
    manager (a new one when None) is shut down when the loop ends. ``listener`` (the
    store writer) is told of each registry the wall runs on and of every state change.
    """
    app = ensure_app()
    with qt_messages_to_logging():
        apply_theme(app)
        manager = manager if manager is not None else StreamManager(health=registry.health)
        # The file the registry came from is watched: valid edits apply while the wall
        # runs, broken ones are shown and change nothing.
        source = registry.source
        # Every camera on no tile is watched too, within the registry's budget.
        session = WallSession(
            registry, manager, store=listener,
            registry_path=source if source and os.path.isfile(source) else None,
            watch_all=True,
        )
        try:
            window = MainWindow(session, grid=grid, camera_ids=camera_ids)
            window.wall.set_alarm_tile(alarm_tile)
            if fullscreen:
                window.enter_full_screen()
            else:
                screen = app.primaryScreen()
                if screen is not None:
                    window.setGeometry(screen.availableGeometry())
                window.showMaximized()
            log.info(
                "wall shown: grid %s, %d cameras",
                window.wall.grid.name,
                len(window.wall.camera_ids()),
            )
            freeze_startup_objects()
            with _quit_on_sigint(app):
                code = app.exec()
            window.stop_watching()
        finally:
            session.close()
            manager.shutdown()
    log.info("wall closed")
    return code


def freeze_startup_objects() -> None:
    """Move everything alive after start-up out of the garbage collector's sight.

    The wall allocates a picture per frame per tile; each allocation counts towards the
    collector's thresholds, and a full collection walks every object of Qt's and
    libvlc's bindings again. Start-up objects live as long as the program: freezing them
    keeps collections short.
    """
    gc.collect()
    gc.freeze()
