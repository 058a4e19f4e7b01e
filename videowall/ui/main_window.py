"""The main window: the wall in the middle, the camera list docked on the left.

The window shows a :class:`~videowall.wall.session.WallSession`. When the session watches
the registry file, a valid edit is applied to the camera list and the tiles while the
wall runs, a broken one changes nothing and shows a banner with the errors above the wall
until the file is fixed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from PyQt6.QtCore import QRect, QSize, Qt, QTimer
from PyQt6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QShowEvent,
)
from PyQt6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from videowall.layout.grid import PRESETS, GridLayout, cell_rect, preset
from videowall.registry.model import Camera, Registry
from videowall.registry.watch import RegistryDiff, RegistryWatcher, ReloadResult, diff_registries
from videowall.streams.base import StreamState
from videowall.ui import theme
from videowall.ui.alert_desk import AlertDesk
from videowall.ui.banner import RegistryBanner
from videowall.ui.camera_tree import CameraTree
from videowall.ui.wall import WallWidget
from videowall.wall.events import RegistryChecked
from videowall.wall.session import WallSession, resolve_cameras
from videowall.wall.status import BUCKETS, bucket_of

log = logging.getLogger(__name__)

#: How long a message from the wall stays in the status bar.
MESSAGE_MS = 6000
#: Milliseconds between two looks at the cameras watched off the wall.
WATCH_REFRESH_MS = 1000
#: How long the outcome of a registry reload stays in the status bar.
RELOAD_MESSAGE_MS = 12000
#: What a tile says when its camera left the registry.
REMOVED_DETAIL = "removed from registry"


def grid_icon(grid: GridLayout, size: int = 24) -> QIcon:
    """A small picture of ``grid``: one filled block per tile."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    inner = size - 2
    for cell in grid.cells:
        x, y, w, h = cell_rect(cell, grid.rows, grid.cols, inner + 1, inner + 1)
        big = cell.rowspan > 1 or cell.colspan > 1
        colour = QColor(theme.HIGHLIGHT if big else theme.TEXT)
        painter.fillRect(QRect(x + 1, y + 1, max(1, w - 1), max(1, h - 1)), colour)
    painter.end()
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    """The operator's window: grid presets, full screen, counts of live and failed cameras.

    ``camera_ids`` None fills the tiles with the first enabled cameras of the registry;
    unknown ids raise ValueError before any window is built. The session starts when the
    window first shows (it watches its registry file from then on, and tells its store
    of the registry) and closes with the window.
    """

    def __init__(
        self,
        session: WallSession,
        *,
        grid: str = "3x3",
        camera_ids: Sequence[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        layout = preset(grid)
        cameras = resolve_cameras(session.registry, camera_ids, len(layout))
        super().__init__(parent)
        self.session = session
        registry = session.registry
        self.setWindowTitle("videowall")
        self.setObjectName("videowall-main")

        self.wall = WallWidget(session, layout, parent=self)
        self.banner = RegistryBanner()
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.wall, 1)
        self.setCentralWidget(central)

        self.camera_tree = CameraTree(registry)
        self.camera_dock = QDockWidget("Cameras", self)
        self.camera_dock.setObjectName("camera-dock")
        self.camera_dock.setWidget(self.camera_tree)
        self.camera_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.camera_dock.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.camera_dock)
        self.resizeDocks([self.camera_dock], [420], Qt.Orientation.Horizontal)

        #: The alert panel (docked right), its sound and the alarm window.
        self.alerts = AlertDesk(self, session, self.wall)

        self.grid_actions: dict[str, QAction] = {}
        #: The registry the tiles and the camera list show.
        self._shown_registry = registry
        self._closed = False
        self._dock_was_visible = True
        self._alert_dock_was_visible = True
        self._was_maximised = False
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        self.wall.tiles_changed.connect(self._on_wall_tiles_changed)
        self.wall.message_posted.connect(self._on_wall_message_posted)
        self.camera_tree.camera_activated.connect(self._on_camera_tree_camera_activated)
        self.wall.bridge.registry_checked.connect(self._on_bridge_registry_checked)
        self.wall.bridge.notice_posted.connect(self._on_bridge_notice_posted)
        self.banner.reload_requested.connect(self._on_banner_reload_requested)
        self.alerts.message_posted.connect(self._on_wall_message_posted)
        self.alerts.badge_changed.connect(self._on_alerts_badge_changed)
        self._on_alerts_badge_changed(self.alerts.panel.unacknowledged_count())

        # The cameras go up once the window shows: then the tiles have their real size
        # and each decoder starts at the picture size its tile needs.
        self._pending_cameras: list[Camera] | None = cameras
        self._on_wall_tiles_changed()
        self.resize(1440, 860)

    # -- building --------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.grid_group = QActionGroup(self)
        self.grid_group.setExclusive(True)
        for number, name in enumerate(PRESETS, 1):
            layout = preset(name)
            action = QAction(grid_icon(layout), name, self)
            action.setCheckable(True)
            action.setToolTip(f"Grid {name}: {len(layout)} tiles")
            action.setData(name)
            if number <= 10:
                action.setShortcut(QKeySequence(f"Ctrl+{number % 10}"))
            action.triggered.connect(self._on_grid_action_triggered)
            self.grid_group.addAction(action)
            self.grid_actions[name] = action
        current = self.grid_actions.get(self.wall.grid.name)
        if current is not None:
            current.setChecked(True)

        self.full_screen_action = QAction("Full screen", self)
        self.full_screen_action.setShortcut(QKeySequence("F11"))
        self.full_screen_action.setCheckable(True)
        self.full_screen_action.setToolTip("Full screen (F11, Esc leaves)")
        self.full_screen_action.triggered.connect(self._on_full_screen_action_triggered)

        self.escape_action = QAction("Leave full screen", self)
        self.escape_action.setShortcut(QKeySequence("Esc"))
        self.escape_action.triggered.connect(self._on_escape_action_triggered)

        self.clear_action = QAction("Clear wall", self)
        self.clear_action.setToolTip("Empty every tile")
        self.clear_action.triggered.connect(self._on_clear_action_triggered)

        self.reload_action = QAction("Reload registry", self)
        self.reload_action.setShortcut(QKeySequence("Ctrl+R"))
        self.reload_action.setToolTip("Check the camera registry file again and apply it")
        self.reload_action.setEnabled(self.session.watcher is not None)
        self.reload_action.triggered.connect(self._on_reload_action_triggered)

        self._build_view_actions()

        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self._on_quit_action_triggered)

        # On the window itself, so their shortcuts work while the menus are hidden.
        for action in (
            *self.grid_actions.values(),
            self.full_screen_action,
            self.escape_action,
            self.reload_action,
            self.info_action,
            self.info_all_action,
            self.motion_action,
            self.motion_all_action,
            self.quit_action,
        ):
            self.addAction(action)

    def _build_view_actions(self) -> None:
        """What the selected tile or every tile shows over its picture."""
        self.info_action = QAction("Stream info on the selected tile", self)
        self.info_action.setShortcut(QKeySequence("I"))
        self.info_action.setToolTip("Show or hide fps, resolution, bitrate and backend on "
                                    "the selected tile (I)")
        self.info_action.triggered.connect(self._on_info_action_triggered)

        self.info_all_action = QAction("Stream info on every tile", self)
        self.info_all_action.setShortcut(QKeySequence("Shift+I"))
        self.info_all_action.setCheckable(True)
        self.info_all_action.setToolTip("Show fps, resolution, bitrate and backend on every "
                                        "live tile (Shift+I)")
        self.info_all_action.triggered.connect(self._on_info_all_action_triggered)

        self.motion_action = QAction("Motion and zones on the selected tile", self)
        self.motion_action.setShortcut(QKeySequence("M"))
        self.motion_action.setToolTip("Show or hide motion boxes, zone outlines and lane "
                                      "occupancy on the selected tile (M)")
        self.motion_action.triggered.connect(self._on_motion_action_triggered)

        self.motion_all_action = QAction("Motion and zones on every tile", self)
        self.motion_all_action.setShortcut(QKeySequence("Shift+M"))
        self.motion_all_action.setCheckable(True)
        self.motion_all_action.setToolTip("Show motion boxes, zone outlines and lane occupancy "
                                          "on every tile (Shift+M)")
        self.motion_all_action.triggered.connect(self.wall.set_motion_all)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        assert bar is not None
        wall_menu = bar.addMenu("&Wall")
        assert wall_menu is not None
        grid_menu = wall_menu.addMenu("&Grid")
        assert grid_menu is not None
        for action in self.grid_actions.values():
            grid_menu.addAction(action)
        wall_menu.addAction(self.clear_action)
        wall_menu.addAction(self.reload_action)
        wall_menu.addSeparator()
        wall_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        assert view_menu is not None
        view_menu.addAction(self.full_screen_action)
        view_menu.addSeparator()
        view_menu.addAction(self.info_action)
        view_menu.addAction(self.info_all_action)
        view_menu.addAction(self.motion_action)
        view_menu.addAction(self.motion_all_action)
        view_menu.addSeparator()
        dock_action = self.camera_dock.toggleViewAction()
        if dock_action is not None:
            dock_action.setText("Camera list")
            view_menu.addAction(dock_action)
        alert_action = self.alerts.dock.toggleViewAction()
        if alert_action is not None:
            alert_action.setText("Alert panel")
            view_menu.addAction(alert_action)
        view_menu.addAction(self.alerts.sound_action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Grid", self)
        self.toolbar.setObjectName("grid-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(22, 22))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in self.grid_actions.values():
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.full_screen_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        assert status is not None
        self.grid_label = QLabel(self)
        self.counts_label = QLabel(self)
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.setToolTip(
            "Cameras on the wall:\n"
            "live: a moving picture\n"
            "degraded: stalled, frozen, or reconnecting after a stall or freeze\n"
            "offline: cannot be reached, or refuses the credentials (also while retrying)\n"
            "connecting: a first connection\n"
            "off: disabled in the camera list"
        )
        self.watch_label = QLabel(self)
        self.watch_label.setTextFormat(Qt.TextFormat.RichText)
        self.watch_label.setToolTip("Cameras on no tile that the wall watches for their "
                                    "health and motion, by state")
        self.registry_label = QLabel(self)
        self.registry_label.setToolTip("Cameras in the camera list, and how many of them "
                                       "no tile shows")
        status.addPermanentWidget(self.grid_label)
        status.addPermanentWidget(self.counts_label)
        status.addPermanentWidget(self.watch_label)
        status.addPermanentWidget(self.registry_label)
        # Cameras watched off the wall: their states reach the list and the status bar
        # once a second (they repaint nothing on the wall).
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_REFRESH_MS)
        self._watch_timer.timeout.connect(self._on_watch_timer_timeout)
        self._watch_timer.start()

    # -- operations ------------------------------------------------------------------------

    def set_grid(self, name: str) -> None:
        """Switch the wall to grid preset (or ``RxC``) ``name``."""
        grid = preset(name)
        self.wall.set_layout(grid)
        action = self.grid_actions.get(grid.name)
        if action is not None:
            action.setChecked(True)
        else:
            checked = self.grid_group.checkedAction()
            if checked is not None:
                checked.setChecked(False)
        self._on_wall_tiles_changed()

    def enter_full_screen(self) -> None:
        if self.isFullScreen():
            return
        self._was_maximised = self.isMaximized()
        self._dock_was_visible = self.camera_dock.isVisible()
        self._alert_dock_was_visible = self.alerts.dock.isVisible()
        for widget in (self.menuBar(), self.toolbar, self.statusBar(), self.camera_dock,
                       self.alerts.dock):
            if widget is not None:
                widget.hide()
        self.full_screen_action.setChecked(True)
        self.showFullScreen()

    def leave_full_screen(self) -> None:
        if not self.isFullScreen():
            return
        if self._was_maximised:
            self.showMaximized()
        else:
            self.showNormal()
        for widget in (self.menuBar(), self.toolbar, self.statusBar()):
            if widget is not None:
                widget.show()
        self.camera_dock.setVisible(self._dock_was_visible)
        self.alerts.dock.setVisible(self._alert_dock_was_visible)
        self.full_screen_action.setChecked(False)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.leave_full_screen()
        else:
            self.enter_full_screen()

    @property
    def registry(self) -> Registry:
        """The registry the wall runs on."""
        return self.session.registry

    @property
    def registry_watcher(self) -> RegistryWatcher | None:
        """The session's watcher of the registry file, if it has a file."""
        return self.session.watcher

    def reload_registry(self) -> None:
        """Check the registry file now (the result arrives like any other reload)."""
        if self.session.watcher is None:
            self._post_status("No camera registry file to reload", MESSAGE_MS)
            return
        self._post_status("Checking the camera registry…", MESSAGE_MS)
        self.session.reload_registry()

    def apply_registry(self, registry: Registry, diff: RegistryDiff | None = None) -> None:
        """Show ``registry`` from now on: in the camera list and on the tiles.

        Tiles of changed cameras show the new record, and their stream restarts when its
        URL or backend changed; tiles of removed cameras let their stream go and say
        "removed from registry"; a camera that comes back takes its tiles back.
        """
        old = self._shown_registry
        if diff is None:
            diff = diff_registries(old, registry)
        self.session.apply_registry(registry)
        self._shown_registry = registry
        self.alerts.apply_registry(registry)
        self.wall.update_parked(registry)
        self.camera_tree.set_registry(registry)
        restart = set(diff.url_changed)
        again: dict[str, list[int]] = {}
        for tile in self.wall.tiles:
            current = tile.camera
            if current is None:
                continue
            camera = registry.get(current.id)
            removed_before = tile.detail == REMOVED_DETAIL
            if camera is None:
                if not removed_before:
                    # The stream goes; the tile keeps the camera's name and last picture.
                    self.wall.assign(tile.index, dataclasses.replace(current, enabled=False))
                    tile.set_state(StreamState.DISABLED, REMOVED_DETAIL)
                continue
            if removed_before or (
                camera.id in restart and camera.url == current.url and current.enabled
            ):
                # Back in the registry, or the same URL with another backend or sub
                # stream: the manager would share the old decoder, so start afresh.
                again.setdefault(camera.id, []).append(tile.index)
                continue
            if camera != current:
                self.wall.assign(tile.index, camera)
            site = registry.site_name(camera.site)
            agency = registry.agencies.get(camera.agency)
            colour = agency.colour if agency else ""
            if (tile.site, tile.agency_colour) != (site, colour) and tile.camera is not None:
                tile.set_camera(tile.camera, tile.slot, site=site, agency_colour=colour)
        for camera_id, indexes in again.items():
            camera = registry.get(camera_id)
            assert camera is not None
            for index in indexes:
                self.wall.clear(index)
            for index in indexes:
                self.wall.assign(index, camera)
        self._on_wall_tiles_changed()

    def counts_text(self) -> str:
        """The status bar's counts of the cameras on the wall in plain words:
        ``6 live · 2 degraded · 1 offline`` (then connecting, off and empty tiles when
        there are any)."""
        counts = self.wall.state_counts()
        parts = [f"{counts[name]} {name}" for name in ("live", "degraded", "offline")]
        parts += [f"{counts[name]} {name}" for name in ("connecting", "off") if counts[name]]
        if counts["empty"]:
            parts.append(f"{counts['empty']} empty")
        return " · ".join(parts)

    def registry_text(self) -> str:
        """``56 cameras · 47 not shown``: the registry's total and those on no tile."""
        total = len(self.registry.cameras)
        on_wall = self.wall.camera_ids()
        hidden = sum(1 for camera in self.registry.cameras if camera.id not in on_wall)
        return f"{total} camera{'' if total == 1 else 's'} · {hidden} not shown"

    # -- slots -----------------------------------------------------------------------------

    def _on_wall_tiles_changed(self) -> None:
        counts = self.wall.state_counts()
        parts = []
        for name in ("live", "degraded", "offline", "connecting", "off"):
            if name in ("connecting", "off") and not counts[name]:
                continue
            colour = theme.BUCKET_COLOURS[name]
            parts.append(f"<span style='color:{colour}'>&#9679;</span> {counts[name]} {name}")
        if counts["empty"]:
            parts.append(f"<span style='color:{theme.MUTED}'>{counts['empty']} empty</span>")
        self.counts_label.setText("&nbsp;&nbsp;&nbsp;".join(parts) + "&nbsp;&nbsp;")
        self.registry_label.setText(self.registry_text() + "  ")
        grid = self.wall.grid
        self.grid_label.setText(f"Grid {grid.name} · {len(grid)} tiles   ")
        states: dict[str, StreamState | None] = {}
        for tile in self.wall.tiles:
            if tile.camera is not None:
                states[tile.camera.id] = tile.state
        self.camera_tree.set_on_wall(states)

    def off_wall_states(self) -> dict[str, StreamState]:
        """The state of each camera watched on no tile."""
        on_wall = self.wall.camera_ids()
        return {cid: state for cid, state in self.session.watched_states().items()
                if cid not in on_wall}

    def watched_text(self, states: dict[str, StreamState] | None = None) -> str:
        """``Off the wall: 38 live · 2 offline``: the cameras watched on no tile
        (``states``, default :meth:`off_wall_states`) by status-bar bucket, then what the
        session says of its budget."""
        states = self.off_wall_states() if states is None else states
        if not states:
            return ""
        counts: dict[str, int] = {}
        for state in states.values():
            name = bucket_of(state)
            counts[name] = counts.get(name, 0) + 1
        parts = [f"{counts[name]} {name}" for name in BUCKETS if counts.get(name)]
        words = self.session.watch_status()
        return "Off the wall: " + " · ".join(parts) + (f" ({words})" if words else "")

    def _on_watch_timer_timeout(self) -> None:
        states = self.off_wall_states()
        self.camera_tree.set_watched(states)
        text = self.watched_text(states)
        self.watch_label.setText(f"{text}&nbsp;&nbsp;" if text else "")

    def _on_alerts_badge_changed(self, count: int) -> None:
        self.setWindowTitle(f"videowall — {count} alert{'' if count == 1 else 's'}"
                            if count else "videowall")

    def _on_wall_message_posted(self, message: str) -> None:
        self._post_status(message, MESSAGE_MS)

    def _on_bridge_notice_posted(self, message: str) -> None:
        self._post_status(message, MESSAGE_MS * 3)

    def _post_status(self, message: str, ms: int) -> None:
        status = self.statusBar()
        if status is not None:
            status.showMessage(message, ms)

    def _on_bridge_registry_checked(self, event: RegistryChecked) -> None:
        if self._closed:
            return  # queued before the watcher stopped: the wall no longer runs
        try:
            self._apply_reload(event.result)
        except Exception:  # a bad reload must not take the wall down
            log.exception("applying the camera registry reload failed")
            self._post_status("Applying the camera registry failed: see the log", RELOAD_MESSAGE_MS)

    def _apply_reload(self, result: ReloadResult) -> None:
        watcher = self.session.watcher
        source = watcher.path if watcher is not None else self.registry.source
        if result.registry is None:
            self.banner.show_issues(source, result.issues, result.at)
            count = len(result.errors)
            self._post_status(
                f"Camera registry not applied: {count} error{'' if count == 1 else 's'}",
                RELOAD_MESSAGE_MS,
            )
            return
        self.banner.clear()
        self.apply_registry(result.registry, result.diff)
        diff = result.diff or RegistryDiff()
        message = f"Camera registry reloaded: {diff.summary()}"
        if result.warnings:
            count = len(result.warnings)
            message += f" ({count} warning{'' if count == 1 else 's'}: see the log)"
        self._post_status(message, RELOAD_MESSAGE_MS)

    def _on_reload_action_triggered(self) -> None:
        self.reload_registry()

    def _on_banner_reload_requested(self) -> None:
        self.reload_registry()

    def _on_camera_tree_camera_activated(self, camera: Camera) -> None:
        self.wall.place(camera)

    def _on_grid_action_triggered(self) -> None:
        action = self.grid_group.checkedAction()
        if action is not None:
            self.set_grid(str(action.data()))

    def _on_full_screen_action_triggered(self) -> None:
        self.toggle_full_screen()

    def _on_escape_action_triggered(self) -> None:
        if self.isFullScreen():
            self.leave_full_screen()
        elif self.wall.maximised_index is not None:
            self.wall.restore()

    def _on_info_action_triggered(self) -> None:
        index = self.wall.selected_index
        if index is None:
            self._post_status("Click a tile first, then press I for its stream info", MESSAGE_MS)
            return
        self.wall.toggle_info(index)

    def _on_motion_action_triggered(self) -> None:
        index = self.wall.selected_index
        if index is None:
            self._post_status("Click a tile first, then press M for its motion and zones",
                              MESSAGE_MS)
            return
        self.wall.toggle_motion(index)

    def _on_info_all_action_triggered(self, checked: bool) -> None:
        self.wall.set_info_all(checked)

    def _on_clear_action_triggered(self) -> None:
        self.wall.clear_all()

    def _on_quit_action_triggered(self) -> None:
        self.close()

    def showEvent(self, a0: QShowEvent | None) -> None:
        super().showEvent(a0)
        if self._pending_cameras is not None:
            cameras, self._pending_cameras = self._pending_cameras, None
            self.wall.assign_many(cameras)
        # The session's thread, the watcher of the registry file and the store start
        # with the first show (a session closed already stays closed).
        if not self.session.running and not self.session.closed:
            self.session.start()
            self.alerts.load()

    def stop_watching(self) -> None:
        """Stop the wall: the tiles let their streams go, the session closes (its
        watcher and thread stop, for good)."""
        self.alerts.stop()
        self.wall.stop()
        self.session.close()

    def closeEvent(self, a0: QCloseEvent | None) -> None:
        self._closed = True
        self._watch_timer.stop()
        self.stop_watching()
        super().closeEvent(a0)
