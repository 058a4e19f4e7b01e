"""The one place where the wall session's events cross into the GUI thread.

The session hands events to its subscribers on its own thread; the bridge keeps them in
order and wakes the GUI thread with one queued signal, where :meth:`SessionBridge.deliver`
turns each into a typed Qt signal. A widget that wants the newest state at once (the
wall's repaint tick) pumps the session and delivers on the spot.
"""

from __future__ import annotations

import collections
import logging

from PyQt6.QtCore import QMetaObject, QObject, Qt, pyqtSignal, pyqtSlot

from videowall.streams.base import StateChanged
from videowall.wall.events import AlertChanged, Notice, RegistryChecked, WallEvent
from videowall.wall.session import WallSession

log = logging.getLogger(__name__)


class SessionBridge(QObject):
    """Subscribes to ``session`` and re-emits its events on the GUI thread.

    Signals:
        state_changed: a stream's state changed (a
            :class:`~videowall.streams.base.StateChanged`).
        registry_checked: the registry file was checked (a
            :class:`~videowall.wall.events.RegistryChecked`); the session already runs on
            the new registry when it is valid.
        notice_posted: words for the operator from a part without a screen.
        alert_changed: an alert was raised, updated, acknowledged or resolved (an
            :class:`~videowall.alerts.AlertEvent`).
    """

    #: (StateChanged)
    state_changed = pyqtSignal(object)
    #: (RegistryChecked)
    registry_checked = pyqtSignal(object)
    #: (str)
    notice_posted = pyqtSignal(str)
    #: (AlertEvent)
    alert_changed = pyqtSignal(object)

    def __init__(self, session: WallSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._pending: collections.deque[WallEvent] = collections.deque()
        self._woken = False
        self._attached = True
        session.subscribe(self._on_session_event)

    def _on_session_event(self, event: WallEvent) -> None:
        # Any thread: keep the event and wake the GUI thread once.
        self._pending.append(event)
        if not self._woken:
            self._woken = True
            QMetaObject.invokeMethod(self, "deliver", Qt.ConnectionType.QueuedConnection)

    @pyqtSlot()
    def deliver(self) -> None:
        """Emit every waiting event as its signal, oldest first (GUI thread).

        Of several changes of one alert waiting together (56 cameras of a host joining one
        group alert), only the newest is emitted: the screen shows alerts as they stand,
        and one repaint of the panel serves them all.
        """
        self._woken = False
        batch: list[WallEvent] = []
        while self._pending:
            batch.append(self._pending.popleft())
        newest = {event.event.alert.id: n for n, event in enumerate(batch)
                  if isinstance(event, AlertChanged)}
        for n, event in enumerate(batch):
            if isinstance(event, AlertChanged) and newest[event.event.alert.id] != n:
                continue
            try:
                self._emit(event)
            except Exception:  # a bad slot must not lose the events behind it
                log.exception("delivering %r failed", event)

    def _emit(self, event: WallEvent) -> None:
        if isinstance(event, StateChanged):
            self.state_changed.emit(event)
        elif isinstance(event, RegistryChecked):
            self.registry_checked.emit(event)
        elif isinstance(event, Notice):
            self.notice_posted.emit(event.text)
        elif isinstance(event, AlertChanged):
            self.alert_changed.emit(event.event)

    def detach(self) -> None:
        """Stop listening to the session (before the bridge goes)."""
        if self._attached:
            self._attached = False
            self.session.unsubscribe(self._on_session_event)
