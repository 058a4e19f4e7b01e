"""Everything about alerts in the main window: the docked panel, the sound, the badge in
the titles, acknowledging, and the floating alarm window for grids without an alarm tile.

The session decides (:class:`~videowall.wall.session.WallSession` owns the alert engine);
the desk shows what it decided and passes the operator's requests back.
"""

from __future__ import annotations

import getpass
import logging

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

from videowall.alerts import AlertEvent
from videowall.layout.grid import preset
from videowall.registry.model import Registry
from videowall.ui.alert_panel import AlertPanel
from videowall.ui.sound import AlertSound
from videowall.ui.wall import WallWidget
from videowall.wall.session import WallSession

log = logging.getLogger(__name__)


def operator_name() -> str:
    """Who acknowledges: the operating-system account (until users exist)."""
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (a container): still record something
        return "operator"


class AlarmWindow(QWidget):
    """A small window on top of everything that shows a raised camera when the wall has no
    alarm tile (or a tile is maximised)."""

    def __init__(self, session: WallSession, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("alarm-window")
        self.setWindowTitle("Alarm")
        self.wall = WallWidget(session, preset("1x1"), parent=self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.wall)
        self.resize(640, 360)
        #: The camera shown, or "" while the window is hidden.
        self.camera_id = ""

    def show_camera(self, camera_id: str) -> None:
        """Show ``camera_id`` (empty: hide the window and let its stream go)."""
        camera = self.wall.registry.get(camera_id) if camera_id else None
        if camera is None:
            self.camera_id = ""
            self.wall.clear_all()
            self.hide()
            return
        self.camera_id = camera.id
        self.wall.assign(0, camera)
        self.setWindowTitle(f"Alarm: {camera.name}")
        self.show()
        self.raise_()

    def stop(self) -> None:
        self.wall.stop()

    def closeEvent(self, a0: QCloseEvent | None) -> None:
        self.camera_id = ""
        self.wall.clear_all()
        super().closeEvent(a0)


class AlertDesk(QObject):
    """The alert panel docked right of the wall, its sound and the alarm window.

    Signals:
        message_posted: words for the status bar.
        badge_changed: the number of alerts nobody acknowledged changed.
    """

    #: (message)
    message_posted = pyqtSignal(str)
    #: (count of unacknowledged alerts)
    badge_changed = pyqtSignal(int)

    def __init__(self, window: QMainWindow, session: WallSession, wall: WallWidget) -> None:
        super().__init__(window)
        self.session = session
        self.wall = wall
        self.panel = AlertPanel()
        self.panel.set_registry(session.registry)
        self.dock = QDockWidget("Alerts", window)
        self.dock.setObjectName("alert-dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [420], Qt.Orientation.Horizontal)
        self.sound = AlertSound(self)
        self.sound.set_rules(session.registry.alerts)
        self.alarm_window = AlarmWindow(session, window)
        self.sound_action = QAction("Alert sound", self)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(self.sound.enabled)
        self.sound_action.setToolTip("Sound on new alerts of priority 1 and 2")
        self.sound_action.triggered.connect(self._on_sound_action_triggered)
        self.panel.acknowledge_requested.connect(self._on_panel_acknowledge_requested)
        self.panel.camera_chosen.connect(self._on_panel_camera_chosen)
        self.panel.unacknowledged_changed.connect(self._on_panel_unacknowledged_changed)
        wall.bridge.alert_changed.connect(self._on_bridge_alert_changed)
        wall.acknowledge_requested.connect(self._on_wall_acknowledge_requested)
        wall.alarm_wanted.connect(self.alarm_window.show_camera)

    def load(self) -> None:
        """Show the alerts the session holds now (those carried over a restart: call it
        once the session started)."""
        alerts = self.session.alerts.open_alerts()
        self.panel.set_alerts(alerts)
        self.sound.set_alerts(alerts)
        for alert in alerts:
            self.wall.show_alert(alert)
        self._on_panel_unacknowledged_changed(self.panel.unacknowledged_count())

    def apply_registry(self, registry: Registry) -> None:
        self.panel.set_registry(registry)
        self.sound.set_rules(registry.alerts)
        self.wall.alarm_queue.configure(registry.alerts.dwell_s, registry.alerts.return_after_s)

    def acknowledge(self, alert_ids: list[str], note: str = "") -> None:
        """Acknowledge as the operator; says in the status bar what happened."""
        try:
            done = self.session.acknowledge(alert_ids, operator_name(), note)
        except KeyError as exc:
            self.message_posted.emit(f"Not acknowledged: {exc.args[0]}")
            return
        if done:
            self.message_posted.emit(
                f"Acknowledged {len(done)} alert{'' if len(done) == 1 else 's'}"
                + (f": {note}" if note else "")
            )

    def stop(self) -> None:
        self.sound.stop()
        self.alarm_window.stop()
        self.alarm_window.close()

    @property
    def badge(self) -> str:
        return self.panel.badge_text()

    # -- slots -----------------------------------------------------------------------------

    def _on_bridge_alert_changed(self, event: AlertEvent) -> None:
        self.panel.update_alert(event.alert)
        self.sound.update_alert(event.alert)

    def _on_panel_acknowledge_requested(self, alert_ids: list[str], note: str) -> None:
        self.acknowledge(list(alert_ids), note)

    def _on_wall_acknowledge_requested(self, alert_id: str) -> None:
        self.acknowledge([alert_id])

    def _on_panel_camera_chosen(self, camera_id: str) -> None:
        index = self.wall.index_of(camera_id)
        if index is not None:
            self.wall.select(index)
            return
        camera = self.session.registry.get(camera_id)
        if camera is None:
            self.message_posted.emit(f"No camera {camera_id!r} in the camera list")
            return
        # On no tile: the alert's camera comes into the alarm tile (or window), pinned.
        chosen = [a for i in self.panel.selected_alert_ids()
                  if (a := self.session.alerts.get(i)) is not None and camera_id in a.members]
        if chosen:
            self.wall.bring_forward(chosen[0])
        else:
            self.wall.select(self.wall.place(camera))

    def _on_panel_unacknowledged_changed(self, count: int) -> None:
        self.dock.setWindowTitle(self.panel.badge_text())
        if count == 0:
            self.sound.stop()
        self.badge_changed.emit(count)

    def _on_sound_action_triggered(self, checked: bool) -> None:
        self.sound.set_enabled(checked)
