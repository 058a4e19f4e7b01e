"""The wall: tiles placed by a :class:`GridLayout`, showing the streams of a
:class:`~videowall.wall.session.WallSession`.

One wall-wide timer drives everything that changes on screen: it has the session's
events delivered through the bridge, applies states to the tiles, repaints only the tiles
whose slot holds a new frame, and ticks the clocks once a second. Nothing here waits on a
decoder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PyQt6.QtWidgets import QWidget

from videowall.alerts import AlertEvent
from videowall.layout.grid import GridLayout, alarm_cell, cell_rect, preset
from videowall.registry.model import Camera, Registry
from videowall.store.records import Alert
from videowall.streams.base import StateChanged, StreamEvent, StreamState
from videowall.streams.manager import StreamManager
from videowall.ui import theme
from videowall.ui.bridge import SessionBridge
from videowall.ui.tile import TileWidget
from videowall.wall.alarm import AlarmQueue, RaisedAlerts
from videowall.wall.session import OFF_THE_WALL, WALL_CLOSED, WallSession, last_live_change
from videowall.wall.status import bucket_counts

log = logging.getLogger(__name__)

#: Ticks per second of the wall timer. Twice the usual camera rate: a tick at the
#: source rate itself would miss every frame that arrives twice within one tick.
DEFAULT_FPS = 50
#: Pixels between tiles.
DEFAULT_GAP = 1
#: Where raised cameras go: a tile index, None (the alarm window) or "auto" (the grid's
#: large tile, after every change of grid too).
AlarmTile = int | None | Literal["auto"]

#: Quiet time after a resize before decoders are asked for bigger pictures.
DECODE_CHECK_MS = 400


class WallWidget(QWidget):
    """The grid of tiles.

    The wall asks ``session`` for the stream of each camera it shows and hears of their
    changes through one :class:`~videowall.ui.bridge.SessionBridge` (:attr:`bridge`).

    Signals:
        stream_event: a stream's state changed (already applied to the tiles), or a
            camera's last viewer let its stream go (state ``stopped``).
        tiles_changed: what the tiles show or their states changed.
        maximised_changed: a tile was maximised, or the grid restored.
        message_posted: words for the operator (the window shows them in its status bar).
        alarm_wanted: a raised camera needs the alarm window, because the grid has no
            alarm tile or a tile is maximised ("" when none is raised any more).
        acknowledge_requested: the operator asked to acknowledge a tile's alert.
    """

    #: (StateChanged)
    stream_event = pyqtSignal(object)
    #: ()
    tiles_changed = pyqtSignal()
    #: (tile index, or -1 when the grid was restored)
    maximised_changed = pyqtSignal(int)
    #: (message)
    message_posted = pyqtSignal(str)
    #: (camera id, or "" when none is raised any more)
    alarm_wanted = pyqtSignal(str)
    #: (alert id)
    acknowledge_requested = pyqtSignal(str)

    def __init__(
        self,
        session: WallSession,
        grid: GridLayout | None = None,
        *,
        fps: int = DEFAULT_FPS,
        gap: int = DEFAULT_GAP,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.bridge = SessionBridge(session, self)
        self.bridge.state_changed.connect(self._on_bridge_state_changed)
        self.bridge.alert_changed.connect(self._on_bridge_alert_changed)
        #: Alerts that mark their cameras' tiles until acknowledged.
        self.raised = RaisedAlerts()
        rules = session.registry.alerts
        #: Cameras waiting for the alarm tile.
        self.alarm_queue = AlarmQueue(rules.dwell_s, rules.return_after_s)
        self._alarm_auto = True
        self._alarm_index: int | None = None
        self._alarm_home: Camera | None = None  # what the alarm tile showed before
        self._alarm_camera: str | None = None  # the raised camera it shows now
        self._grid = grid or preset("3x3")
        self._gap = gap
        self._tiles: list[TileWidget] = []
        # Cameras of tiles a smaller grid dropped: they come back when the grid grows.
        self._parked: dict[int, Camera] = {}
        self._maximised: int | None = None
        self._selected: int | None = None
        self._clock = ""
        self._info_all = False
        self._motion_all = False
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 90)
        self._build_tiles(len(self._grid))
        self._alarm_index = alarm_cell(self._grid)
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, 1000 // max(1, fps)))
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        # Decoders follow tile sizes, but not through every step of a window drag.
        self._decode_check = QTimer(self)
        self._decode_check.setSingleShot(True)
        self._decode_check.setInterval(DECODE_CHECK_MS)
        self._decode_check.timeout.connect(self._on_decode_check_timeout)
        self._tick_clock()

    # -- the session ---------------------------------------------------------------------------

    @property
    def manager(self) -> StreamManager:
        return self.session.manager

    @property
    def registry(self) -> Registry:
        return self.session.registry

    @property
    def events(self) -> Sequence[StreamEvent]:
        """Every state change of the session, oldest first."""
        return self.session.events

    @property
    def started_at(self) -> float:
        """``time.monotonic()`` when the session began; event times count from here."""
        return self.session.started_at

    # -- layout ----------------------------------------------------------------------------

    @property
    def grid(self) -> GridLayout:
        return self._grid

    @property
    def tiles(self) -> list[TileWidget]:
        return list(self._tiles)

    def tile(self, index: int) -> TileWidget:
        return self._tiles[index]

    def set_layout(self, grid: GridLayout) -> None:
        """Arrange the tiles by ``grid``; cameras of tiles that no longer fit are released."""
        count = len(grid)
        if self._maximised is not None and self._maximised >= count:
            self.restore()
        for tile in self._tiles[count:]:
            if tile.camera is not None:
                self._parked[tile.index] = tile.camera
                self._release(tile.camera)
            tile.clear_camera()
            tile.hide()
            tile.deleteLater()
        del self._tiles[count:]
        if self._selected is not None and self._selected >= count:
            self._selected = None
        self._grid = grid
        self._alarm_home = self._alarm_camera = None  # the new grid starts afresh
        if self._alarm_auto:
            self._alarm_index = alarm_cell(grid)
        elif self._alarm_index is not None and self._alarm_index >= count:
            self._alarm_index = None
        first_new = len(self._tiles)
        self._build_tiles(count)
        for index in range(first_new, count):
            parked = self._parked.pop(index, None)
            if parked is not None:
                self.assign(index, parked)
        self._relayout()
        self._schedule_decode_check()
        self.tiles_changed.emit()

    def _build_tiles(self, count: int) -> None:
        for index in range(len(self._tiles), count):
            tile = TileWidget(index, self)
            tile.set_clock(self._clock)
            tile.camera_dropped.connect(self._on_tile_camera_dropped)
            tile.maximise_requested.connect(self._on_tile_maximise_requested)
            tile.clicked.connect(self._on_tile_clicked)
            tile.clear_requested.connect(self._on_tile_clear_requested)
            tile.retry_requested.connect(self._on_tile_retry_requested)
            tile.acknowledge_requested.connect(self._on_tile_acknowledge_requested)
            tile.alarm_pinned.connect(self._on_tile_alarm_pinned)
            tile.alarm_skipped.connect(self._on_tile_alarm_skipped)
            tile.set_info_all(self._info_all)
            tile.set_motion_all(self._motion_all)
            self._tiles.append(tile)
            tile.show()

    def _relayout(self) -> None:
        width, height = self.width(), self.height()
        if self._maximised is not None:
            for tile in self._tiles:
                if tile.index == self._maximised:
                    tile.setGeometry(0, 0, width, height)
                    tile.show()
                    tile.raise_()
                else:
                    tile.hide()
            return
        grid = self._grid
        for tile, cell in zip(self._tiles, grid.cells, strict=True):
            x, y, w, h = cell_rect(cell, grid.rows, grid.cols, width, height, self._gap)
            tile.setGeometry(x, y, w, h)
            tile.show()

    def resizeEvent(self, a0: QResizeEvent | None) -> None:
        super().resizeEvent(a0)
        self._relayout()
        self._schedule_decode_check()

    def paintEvent(self, a0: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.WALL_BACKGROUND))
        painter.end()

    # -- cameras on tiles ------------------------------------------------------------------

    def assign(self, index: int, camera: Camera) -> None:
        """Show ``camera`` on tile ``index``; the stream is shared with other tiles."""
        tile = self._tiles[index]
        old = tile.camera
        if old is not None and old == camera:
            return
        if camera.enabled:
            # Acquire before releasing: moving a camera onto a tile that already shows
            # it must not stop and restart its decoder.
            self.session.acquire(camera, self._tile_size(index))
        self._bind(tile, camera)
        if camera.enabled:
            self._rebind(camera.id)
        if old is not None:
            self._release(old)
        self._parked.pop(index, None)
        self.tiles_changed.emit()

    def assign_many(self, cameras: Iterable[Camera], start: int = 0) -> None:
        for index, camera in enumerate(cameras, start):
            if index >= len(self._tiles):
                break
            self.assign(index, camera)

    def clear(self, index: int, reason: str = OFF_THE_WALL) -> None:
        """Empty tile ``index`` and release its stream."""
        tile = self._tiles[index]
        old = tile.camera
        tile.clear_camera()
        if old is not None:
            self._release(old, reason)
            self.tiles_changed.emit()

    def clear_all(self, reason: str = OFF_THE_WALL) -> None:
        """Empty every tile (the streams stop when no tile shows them)."""
        for index in range(len(self._tiles)):
            self.clear(index, reason)
        self._parked.clear()

    def update_parked(self, registry: Registry) -> None:
        """Bring the cameras a smaller grid parked up to date with a reloaded registry:
        changed ones come back as they are now, removed ones do not come back."""
        for index, camera in list(self._parked.items()):
            current = registry.get(camera.id)
            if current is None:
                del self._parked[index]
            else:
                self._parked[index] = current

    def swap(self, a: int, b: int) -> None:
        """Exchange the cameras of two tiles; their streams keep running."""
        if a == b:
            return
        tile_a, tile_b = self._tiles[a], self._tiles[b]
        cam_a, cam_b = tile_a.camera, tile_b.camera
        for tile, camera in ((tile_a, cam_b), (tile_b, cam_a)):
            if camera is None:
                tile.clear_camera()
            else:
                self._bind(tile, camera)
        self._schedule_decode_check()
        self.tiles_changed.emit()

    def _bind(self, tile: TileWidget, camera: Camera) -> None:
        """Point ``tile`` at the stream the manager holds for ``camera``."""
        site = self.registry.site_name(camera.site)
        agency = self.registry.agencies.get(camera.agency)
        colour = agency.colour if agency else ""
        stream = self.session.stream(camera.id) if camera.enabled else None
        tile.set_camera(camera, stream.slot if stream else None, site=site, agency_colour=colour)
        tile.set_alert(self.raised.for_camera(camera.id))
        if stream is not None:
            changed = last_live_change(stream.history)
            since = None if changed is None else time.time() - (time.monotonic() - changed)
            tile.set_state(stream.state, stream.detail, since=since)
            self._update_stats({camera.id})
        elif not camera.enabled:
            tile.set_state(StreamState.DISABLED, "disabled in the camera list")
        else:
            tile.set_state(StreamState.STOPPED, "")

    def place(self, camera: Camera) -> int:
        """Put ``camera`` on the selected tile, else the first free one, else the last.

        Returns the tile index used. The selection is used once.
        """
        if self._selected is not None:
            index = self._selected
            self.select(None)
        else:
            free = self.first_free()
            index = free if free is not None else len(self._tiles) - 1
        self.assign(index, camera)
        return index

    def first_free(self) -> int | None:
        for tile in self._tiles:
            if tile.camera is None:
                return tile.index
        return None

    def cameras(self) -> list[Camera | None]:
        """The camera of each tile, in tile order."""
        return [tile.camera for tile in self._tiles]

    def camera_ids(self) -> set[str]:
        return {tile.camera.id for tile in self._tiles if tile.camera is not None}

    def _release(self, camera: Camera, reason: str = OFF_THE_WALL) -> None:
        if camera.enabled:
            self.session.release(camera.id, reason)
            self.bridge.deliver()  # say it now, not at the next tick

    def _rebind(self, camera_id: str) -> None:
        """Point every tile of ``camera_id`` at the manager's current slot for it."""
        stream = self.session.stream(camera_id)
        if stream is None:
            return
        for tile in self._tiles:
            if tile.camera is not None and tile.camera.id == camera_id:
                if tile.slot is not stream.slot:
                    tile.set_camera(
                        stream.camera,
                        stream.slot,
                        site=tile.site,
                        agency_colour=tile.agency_colour,
                    )
                tile.set_state(stream.state, stream.detail)

    def _tile_size(self, index: int) -> tuple[int, int]:
        """The size tile ``index`` has (or will have once the wall is laid out)."""
        if self._maximised == index:
            return self.width(), self.height()
        grid = self._grid
        _, _, w, h = cell_rect(
            grid.cells[index], grid.rows, grid.cols, self.width(), self.height(), self._gap
        )
        return w, h

    def _schedule_decode_check(self) -> None:
        self._decode_check.start()

    def _check_decode_sizes(self) -> None:
        """Ask every decoder for pictures of the size of the largest tile showing it.

        Runs a moment after tiles changed size (the window was resized, a tile maximised
        or restored, a camera moved to a tile of another size).
        """
        wanted: dict[str, tuple[int, int]] = {}
        for tile in self._tiles:
            camera = tile.camera
            if camera is None or not camera.enabled or not tile.isVisible():
                continue
            size = self._tile_size(tile.index)
            prev = wanted.get(camera.id, (0, 0))
            wanted[camera.id] = (max(prev[0], size[0]), max(prev[1], size[1]))
        for camera_id, size in wanted.items():
            if self.session.resize(camera_id, size) is not None:
                self._rebind(camera_id)

    # -- selection and maximise ------------------------------------------------------------

    @property
    def selected_index(self) -> int | None:
        return self._selected

    def select(self, index: int | None) -> None:
        self._selected = index
        for tile in self._tiles:
            tile.set_selected(tile.index == index)

    @property
    def maximised_index(self) -> int | None:
        return self._maximised

    def maximise(self, index: int) -> None:
        self._maximised = index
        for tile in self._tiles:
            tile.set_maximised(tile.index == index)
        self._relayout()
        self._schedule_decode_check()
        self.maximised_changed.emit(index)

    def restore(self) -> None:
        if self._maximised is None:
            return
        self._maximised = None
        for tile in self._tiles:
            tile.set_maximised(False)
        self._relayout()
        self.maximised_changed.emit(-1)

    def toggle_maximise(self, index: int) -> None:
        if self._maximised == index:
            self.restore()
        else:
            self.maximise(index)

    # -- health: counts, retries, stream info -----------------------------------------------

    def state_counts(self) -> dict[str, int]:
        """Cameras on the wall per status-bar bucket (``live``, ``degraded``, ``offline``,
        ``connecting``, ``off``; a camera on two tiles counts once) and ``empty`` tiles."""
        return bucket_counts(tile.status for tile in self._tiles)

    def retry(self, camera_id: str) -> bool:
        """Connect ``camera_id`` again now, cutting its backoff short.

        Returns False when the wall holds no stream of it (not shown, or disabled).
        """
        stream = self.session.stream(camera_id)
        if stream is None or not self.session.retry(camera_id):
            return False
        for tile in self._tiles:
            if tile.camera is not None and tile.camera.id == camera_id:
                tile.retry_at = 0.0
                tile.update()
        log.info("%s: retry requested by the operator", camera_id)
        self.message_posted.emit(f"{stream.camera.name}: connecting again now")
        return True

    @property
    def info_all(self) -> bool:
        """Whether every live tile shows its stream info box."""
        return self._info_all

    def set_info_all(self, shown: bool) -> None:
        self._info_all = shown
        for tile in self._tiles:
            tile.set_info_all(shown)

    @property
    def motion_all(self) -> bool:
        """Whether every tile shows motion boxes and zone outlines."""
        return self._motion_all

    def set_motion_all(self, shown: bool) -> None:
        self._motion_all = shown
        for tile in self._tiles:
            tile.set_motion_all(shown)

    def toggle_motion(self, index: int) -> None:
        """Show or hide motion boxes and zone outlines on tile ``index``."""
        tile = self._tiles[index]
        tile.set_show_motion(not tile.show_motion)

    def toggle_info(self, index: int) -> None:
        """Show or hide the stream info box of tile ``index``."""
        tile = self._tiles[index]
        tile.set_show_info(not tile.show_info)

    def _update_stats(self, camera_ids: set[str] | None = None) -> None:
        """Hand each tile its stream's statistics (all tiles, or those of ``camera_ids``)."""
        now = time.monotonic()
        cache: dict[str, dict[str, Any]] = {}
        for tile in self._tiles:
            camera = tile.camera
            if camera is None or (camera_ids is not None and camera.id not in camera_ids):
                continue
            stats = cache.get(camera.id)
            if stats is None:
                stream = self.session.stream(camera.id) if camera.enabled else None
                stats = stream.stats_dict(now) if stream is not None else {}
                cache[camera.id] = stats
            tile.set_stats(stats, now)

    # -- alerts: marks and the alarm tile ------------------------------------------------------

    @property
    def alarm_index(self) -> int | None:
        """The tile raised cameras go to (None: the alarm window)."""
        return self._alarm_index

    def set_alarm_tile(self, spec: AlarmTile) -> None:
        """Make tile ``spec`` the alarm tile (None: raised cameras go to the alarm window;
        ``"auto"``: the grid's large tile, now and after each change of grid)."""
        self._return_alarm_tile()
        self._alarm_auto = spec == "auto"
        index = alarm_cell(self._grid) if spec == "auto" else spec
        if index is not None and not 0 <= index < len(self._tiles):
            raise ValueError(f"no tile {index} in a grid of {len(self._tiles)} tiles")
        self._alarm_index = index
        self._apply_alarm()

    def raised_camera(self) -> str | None:
        """The camera the alarm tile (or window) shows for an alert, if any."""
        return self._alarm_camera

    def index_of(self, camera_id: str) -> int | None:
        """The first tile that shows ``camera_id``, or None."""
        for tile in self._tiles:
            if tile.camera is not None and tile.camera.id == camera_id:
                return tile.index
        return None

    def _on_bridge_alert_changed(self, event: AlertEvent) -> None:
        self.show_alert(event.alert)

    def show_alert(self, alert: Alert) -> None:
        """Mark the tiles of ``alert``'s cameras while nobody acknowledged it, and raise a
        camera that is on no tile into the alarm tile (by the kind's rule)."""
        rule = self.registry.alerts.rule(alert.kind)
        for camera_id in self.raised.update(alert, rule.raises):
            mark = self.raised.for_camera(camera_id)
            for tile in self._tiles:
                if tile.camera is not None and tile.camera.id == camera_id:
                    tile.set_alert(mark)
        if rule.raises and alert.unacknowledged and alert.open and not self._shown(alert):
            self.alarm_queue.add(alert, time.monotonic())
        elif not alert.unacknowledged or not alert.open:
            self.alarm_queue.remove(alert.id)
        self._apply_alarm()

    def bring_forward(self, alert: Alert) -> None:
        """Show ``alert``'s camera in the alarm tile (or window) now, pinned: the operator
        chose it in the alert panel."""
        self.alarm_queue.bring(alert, time.monotonic())
        self._apply_alarm()
        self._mark_alarm_tile()

    def _shown(self, alert: Alert) -> bool:
        """Whether a camera of ``alert`` is on a tile the operator sees anyway (the alarm
        tile counts only with its own camera)."""
        members = set(alert.members) | {alert.camera}
        for tile in self._tiles:
            if tile.camera is None or tile.camera.id not in members:
                continue
            if tile.index != self._alarm_index or self._alarm_camera is None:
                return True
        return False

    def _apply_alarm(self) -> None:
        """Show in the alarm tile (or window) what the queue says, and return the tile to
        its own camera when nothing is raised."""
        camera_id = self.alarm_queue.tick(time.monotonic())
        if camera_id == self._alarm_camera:
            return
        index = self._alarm_index
        if index is None or self._maximised is not None:
            # Raising never takes a maximised tile: the alarm window shows it instead.
            self._return_alarm_tile()
            self._alarm_camera = camera_id
            self.alarm_wanted.emit(camera_id or "")
            return
        camera = self.registry.get(camera_id) if camera_id else None
        if camera_id is not None and camera is None:
            return  # gone from the registry: the queue moves on at its next turn
        if camera is None:
            self._return_alarm_tile()
            return
        if self._alarm_camera is None:
            self._alarm_home = self._tiles[index].camera
        self._alarm_camera = camera.id
        self.assign(index, camera)
        self._mark_alarm_tile()
        log.info("alarm tile %d: %s raised", index, camera.id)

    def _mark_alarm_tile(self) -> None:
        for tile in self._tiles:
            tile.alarm_raised = tile.index == self._alarm_index and self._alarm_camera is not None
            tile.alarm_pinned_now = tile.alarm_raised and self.alarm_queue.pinned

    def _return_alarm_tile(self) -> None:
        if self._alarm_camera is None:
            return
        index, home = self._alarm_index, self._alarm_home
        self._alarm_camera = self._alarm_home = None
        self._mark_alarm_tile()
        if index is None or index >= len(self._tiles):
            self.alarm_wanted.emit("")
            return
        if home is not None:
            self.assign(index, home)
        else:
            self.clear(index)

    # -- the timer ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """One tick: take the session's newest events, repaint tiles with new frames,
        tick the clock."""
        self.session.pump()
        self.bridge.deliver()
        self._tick_clock()
        for tile in self._tiles:
            if tile.motion_visible and tile.camera is not None:
                tile.set_motion_overlay(self.session.overlay(tile.camera.id))
            if tile.needs_repaint() and tile.isVisible():
                tile.update()

    def _on_bridge_state_changed(self, event: StateChanged) -> None:
        shown = False
        for tile in self._tiles:
            if tile.camera is not None and tile.camera.id == event.camera_id:
                tile.set_state(event.state, event.detail)
                shown = True
        if shown:  # a camera watched off the wall changes nothing on it
            self._update_stats({event.camera_id})  # the next retry's time came with it
            self.tiles_changed.emit()
        self.stream_event.emit(event)

    def _tick_clock(self) -> None:
        text = time.strftime("%H:%M:%S")
        if text != self._clock:
            self._clock = text
            # Once a second: the timers, the retry countdowns and the info boxes move on.
            self._update_stats()
            for tile in self._tiles:
                tile.set_clock(text)
            self._apply_alarm()  # turns by dwell, the timeout

    def stop(self) -> None:
        """Stop the timers, release every stream (before the manager shuts down) and
        stop listening to the session."""
        self._timer.stop()
        self._decode_check.stop()
        self.clear_all(WALL_CLOSED)
        self.bridge.detach()

    def _on_decode_check_timeout(self) -> None:
        try:
            self._check_decode_sizes()
        except Exception:
            log.exception("resizing the decoders failed")

    def _on_timer_timeout(self) -> None:
        try:
            self.refresh()
        except Exception:  # a bad event must not stop the wall from repainting
            log.exception("wall refresh failed")

    # -- tiles' requests -------------------------------------------------------------------

    def _on_tile_camera_dropped(self, index: int, camera_id: str, source: int) -> None:
        if 0 <= source < len(self._tiles) and source != index:
            src = self._tiles[source].camera
            if src is not None and src.id == camera_id:
                self.swap(source, index)
                return
        if source == index:
            return
        camera = self.registry.get(camera_id)
        if camera is None:
            self.message_posted.emit(f"No camera {camera_id!r} in the camera list")
            return
        self.assign(index, camera)

    def _on_tile_maximise_requested(self, index: int) -> None:
        self.toggle_maximise(index)

    def _on_tile_clicked(self, index: int) -> None:
        self.select(None if self._selected == index else index)

    def _on_tile_clear_requested(self, index: int) -> None:
        self.clear(index)

    def _on_tile_alarm_pinned(self, pinned: bool) -> None:
        self.alarm_queue.pin(pinned)
        self._mark_alarm_tile()
        self.message_posted.emit("Alarm pinned to its tile" if pinned else "Alarm unpinned")

    def _on_tile_alarm_skipped(self) -> None:
        self.alarm_queue.skip(time.monotonic())
        self._apply_alarm()

    def _on_tile_acknowledge_requested(self, index: int) -> None:
        alert = self._tiles[index].status.alert
        if alert is not None:
            self.acknowledge_requested.emit(alert.id)

    def _on_tile_retry_requested(self, index: int) -> None:
        camera = self._tiles[index].camera
        if camera is not None and not self.retry(camera.id):
            self.message_posted.emit(f"{camera.name} has no stream to retry")
