"""The headless snapshot: build the wall offscreen, run it, write a PNG and a JSON report.

Report schema::

    {"tiles": [{"index", "camera", "site", "state", "detail", "backend",
                "frames", "fps", "width", "height", "stats"}],
     "alarm_window": null | {the same fields as a tile},
     "events": [{"t", "camera", "kind", "state", "detail", "message"}],
     "alerts": [{"id", "kind", "camera", "state", "priority", "count", "first_t",
                 "last_t", "members", ...}]}

``frames`` counts the frames a tile really painted; ``fps`` is those frames over the time
since the tile's first frame; ``stats`` is the stream's own statistics (see
:meth:`videowall.streams.base.Decoder.stats_dict`), null for a tile without a stream; ``t`` is
seconds since the wall was built; an event's ``detail`` reads ``offline: connection
refused`` and ``message`` holds the words alone.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QEventLoop, Qt, QTimer
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import QApplication

from videowall.layout.grid import preset
from videowall.registry.model import Registry
from videowall.streams.manager import StreamManager
from videowall.ui.alert_desk import AlarmWindow
from videowall.ui.app import ensure_app, freeze_startup_objects, qt_messages_to_logging
from videowall.ui.tile import TileWidget
from videowall.ui.wall import AlarmTile, WallWidget
from videowall.wall.report import session_alerts, session_events
from videowall.wall.session import RegistryListener, WallSession, resolve_cameras

log = logging.getLogger(__name__)


def _ensure_platform() -> None:
    """Choose Qt's offscreen platform when there is no display and nobody chose one."""
    if os.environ.get("QT_QPA_PLATFORM") or QApplication.instance() is not None:
        return
    if sys.platform in ("win32", "darwin"):
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def tile_record(wall: WallWidget, tile: TileWidget, now: float) -> dict[str, Any]:
    """One tile as the report lists it."""
    camera = tile.camera
    stream = wall.manager.get(camera.id) if camera is not None else None
    width, height = tile.frame_size
    if (width, height) == (0, 0) and stream is not None:
        width, height = stream.stats.width, stream.stats.height
    state = tile.state.value if tile.state is not None else ""
    return {
        "index": tile.index,
        "camera": camera.id if camera is not None else None,
        "site": tile.site if camera is not None else "",
        "state": state if camera is not None else "empty",
        "detail": tile.detail,
        "backend": stream.backend if stream is not None else "",
        "frames": tile.frames_rendered,
        "fps": round(tile.fps(now), 2),
        "width": width,
        "height": height,
        "stats": stream.stats_dict(now) if stream is not None else None,
    }


def wall_report(
    wall: WallWidget, now: float | None = None, alarm: AlarmWindow | None = None
) -> dict[str, Any]:
    """What the wall shows and what happened to its streams, as plain data.

    ``tiles`` are the grid's cells only; ``alarm_window`` is the floating alarm window's
    tile while it shows a camera raised off the wall (else null).
    """
    now = time.monotonic() if now is None else now
    tiles = [tile_record(wall, tile, now) for tile in wall.tiles]
    alarm_tile = None
    if alarm is not None and alarm.camera_id:
        alarm_tile = tile_record(alarm.wall, alarm.wall.tile(0), now)
    session = wall.session
    return {"tiles": tiles, "alarm_window": alarm_tile, "events": session_events(session),
            "alerts": session_alerts(session)}


def _write(pixmap: QPixmap, out_png: Path, report: dict[str, Any], report_json: Path) -> None:
    out_png.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(out_png), "PNG"):
        raise OSError(f"cannot write the snapshot picture {out_png}")
    report_json.parent.mkdir(parents=True, exist_ok=True)
    report_json.write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def run_snapshot(
    registry: Registry,
    *,
    grid: str,
    camera_ids: Sequence[str] | None,
    duration: float,
    out_png: str | os.PathLike[str],
    report_json: str | os.PathLike[str],
    size: tuple[int, int] = (1280, 720),
    manager: StreamManager | None = None,
    listener: RegistryListener | None = None,
    alarm_tile: AlarmTile = "auto",
) -> dict[str, Any]:
    """Run the wall offscreen for ``duration`` seconds; write the PNG and the report.

    ``camera_ids`` None takes the first enabled cameras of the registry. Unknown camera
    ids or grid names raise ValueError before anything starts. ``listener`` (the store
    writer) is told of the registry and of every state change, as by the wall itself. A
    manager passed in stays the caller's to shut down (the wall releases its streams); a
    new one is shut down here.
    Returns the report.
    """
    layout = preset(grid)
    cameras = resolve_cameras(registry, camera_ids, len(layout))
    if duration < 0:
        raise ValueError(f"duration must be 0 or more seconds, not {duration}")
    if size[0] < 16 or size[1] < 16:
        raise ValueError(f"snapshot size {size[0]}x{size[1]} is too small")
    out_png, report_json = Path(out_png), Path(report_json)

    _ensure_platform()
    app = ensure_app()
    own_manager = manager is None
    manager = manager if manager is not None else StreamManager(health=registry.health)
    with qt_messages_to_logging():
        # The session runs the wall and keeps the record; the widget only paints it.
        # As on the desk, every camera on no tile is watched too, within the budget.
        session = WallSession(registry, manager, store=listener, watch_all=True)
        session.start()
        wall = WallWidget(session, layout)
        # Cameras raised off the wall, on a grid without an alarm tile, go to the floating
        # alarm window, as on the desk.
        alarm = AlarmWindow(session)
        alarm.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        wall.alarm_wanted.connect(alarm.show_camera)
        try:
            # Painted like a shown window, but never on a real screen.
            wall.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            wall.resize(*size)
            wall.set_alarm_tile(alarm_tile)
            wall.show()
            wall.assign_many(cameras)
            log.info("snapshot: grid %s, %d cameras, %.1f s", layout.name, len(cameras), duration)
            freeze_startup_objects()
            loop = QEventLoop()
            QTimer.singleShot(max(0, round(duration * 1000)), loop.quit)
            loop.exec()
            wall.refresh()
            app.processEvents()
            pixmap = wall.grab()
            now = time.monotonic()
            report = wall_report(wall, now, alarm)
            _write(pixmap, out_png, report, report_json)
        finally:
            for widget in (wall, alarm):
                widget.stop()
                widget.close()
                widget.deleteLater()
            session.close()
            if own_manager:
                manager.shutdown()
    live = sum(1 for t in report["tiles"] if t["state"] == "live")
    log.info("snapshot written: %s, %s (%d tiles live)", out_png, report_json, live)
    return report
