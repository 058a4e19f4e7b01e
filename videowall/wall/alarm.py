"""Which raised camera the alarm tile shows, decided without a screen.

An alert for a camera that is on no tile brings the camera into the wall's alarm tile (the
large tile of 1+5, 1+7, 1+12 and 2+8, or a floating window where the grid has none).
Several raised cameras queue: the most urgent first, and those of equal urgency take
turns, each for ``dwell_s``. An acknowledged alert leaves the queue, and so does one raised
longer than ``return_after_s`` ago (0: only an acknowledgement); once the queue is empty
the tile returns to the camera it showed before. The operator may pin the camera shown
(it stays until unpinned or acknowledged) or skip it (the next one takes its turn).

:class:`AlarmQueue` is plain data with the time passed in: the UI asks it what to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from videowall.store.records import Alert


@dataclass
class _Raised:
    alert_id: str
    camera_id: str
    priority: int
    raised_at: float
    order: int


def raised_camera(alert: Alert) -> str:
    """The camera an alert brings forward: its own, or a group's first member."""
    return alert.camera or (alert.members[0] if alert.members else "")


class AlarmQueue:
    """The cameras waiting for the alarm tile. Times are ``time.monotonic()``."""

    def __init__(self, dwell_s: float = 10.0, return_after_s: float = 120.0) -> None:
        self.dwell_s = dwell_s
        self.return_after_s = return_after_s
        self._raised: dict[str, _Raised] = {}
        self._order = 0
        self._current: str | None = None  # alert id shown
        self._shown_since = 0.0
        self._pinned = False

    def __len__(self) -> int:
        return len(self._raised)

    @property
    def pinned(self) -> bool:
        return self._pinned and self._current is not None

    def configure(self, dwell_s: float, return_after_s: float) -> None:
        self.dwell_s, self.return_after_s = dwell_s, return_after_s

    def add(self, alert: Alert, now: float) -> bool:
        """Queue ``alert``'s camera; False when it has none or is queued already (an
        update of a queued alert keeps its place and takes its new priority)."""
        camera_id = raised_camera(alert)
        if not camera_id:
            return False
        known = self._raised.get(alert.id)
        if known is not None:
            known.priority = alert.priority
            return False
        self._order += 1
        self._raised[alert.id] = _Raised(alert.id, camera_id, alert.priority, now, self._order)
        return True

    def remove(self, alert_id: str) -> None:
        """The alert was acknowledged (or is no longer the tile's business)."""
        self._raised.pop(alert_id, None)
        if self._current == alert_id:
            self._current = None
            self._pinned = False

    def bring(self, alert: Alert, now: float) -> None:
        """Show ``alert``'s camera now and pin it (the operator chose it)."""
        self.add(alert, now)
        raised = self._raised.get(alert.id)
        if raised is not None:
            self._show(raised, now)
            self._pinned = True

    def pin(self, pinned: bool = True) -> None:
        """Keep the camera shown now until unpinned or acknowledged."""
        self._pinned = pinned and self._current is not None

    def skip(self, now: float) -> None:
        """Let the next waiting camera take its turn now (the skipped one waits again)."""
        if self._current is not None and self._current in self._raised:
            self._order += 1
            self._raised[self._current].order = self._order  # to the back of its rank
        self._current = None
        self._pinned = False
        self.tick(now)

    def camera(self) -> str | None:
        """The camera the alarm tile shows now, or None: its own camera."""
        if self._current is None:
            return None
        raised = self._raised.get(self._current)
        return raised.camera_id if raised is not None else None

    def alert_id(self) -> str | None:
        """The alert whose camera the tile shows now."""
        return self._current

    def tick(self, now: float) -> str | None:
        """Expire old alerts, take turns; returns :meth:`camera`."""
        if self.return_after_s > 0:
            for alert_id, raised in list(self._raised.items()):
                if now - raised.raised_at >= self.return_after_s and not (
                    self._pinned and alert_id == self._current
                ):
                    self.remove(alert_id)
        if not self._raised:
            self._current = None
            return None
        if self._pinned and self._current in self._raised:
            return self.camera()
        best = min(self._raised.values(), key=lambda r: (r.priority, r.order))
        current = self._raised.get(self._current) if self._current else None
        if current is None or best.priority < current.priority:
            self._show(best, now)
        elif now - self._shown_since >= self.dwell_s:
            # Equal urgency takes turns: the one shown goes to the back of its rank.
            self._order += 1
            current.order = self._order
            nxt = min(self._raised.values(), key=lambda r: (r.priority, r.order))
            if nxt is not current:
                self._show(nxt, now)
            else:
                self._shown_since = now
        return self.camera()

    def _show(self, raised: _Raised, now: float) -> None:
        self._current = raised.alert_id
        self._shown_since = now
        self._pinned = False


class RaisedAlerts:
    """The alerts that mark their cameras' tiles until someone acknowledges them: per
    camera, the most urgent one is shown."""

    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}

    def update(self, alert: Alert, raises: bool = True) -> set[str]:
        """Take the newest snapshot of ``alert``; returns the cameras whose mark may have
        changed. ``raises`` False (the kind's rule) keeps it off the tiles."""
        old = self._alerts.pop(alert.id, None)
        if raises and alert.unacknowledged:
            self._alerts[alert.id] = alert
        return set(alert.members) | ({alert.camera} if alert.camera else set()) | (
            set(old.members) if old is not None else set()
        )

    def for_camera(self, camera_id: str) -> Alert | None:
        """The most urgent unacknowledged alert of ``camera_id`` (newest first on ties)."""
        mine = [a for a in self._alerts.values()
                if camera_id == a.camera or camera_id in a.members]
        if not mine:
            return None
        return min(mine, key=lambda a: (a.priority, -a.last_at.timestamp()))

    def __len__(self) -> int:
        return len(self._alerts)
