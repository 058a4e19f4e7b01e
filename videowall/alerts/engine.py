"""The alert engine: signals in, alert events out. Plain data, no threads, no clock.

Every method takes the time it acts at, so the engine is tested with made-up times and
driven by whoever owns it (the wall session) from one thread: :meth:`AlertEngine.report`
for each :class:`~videowall.alerts.signals.Signal`, :meth:`AlertEngine.tick` a few times a
second (grace periods elapse, alerts resolve), :meth:`AlertEngine.acknowledge` when a
person looks. Each returns the :class:`AlertEvent` values it caused, in order; each event
carries the alert's whole new snapshot (a frozen :class:`~videowall.store.records.Alert`),
so a store or a panel keeps one row per alert id and replaces it on every event.

The rules, so that they are predictable:

- One open alert per camera and kind. A condition that clears and comes back while its
  alert is open counts into it (``count``, ``last_at``): a flapping camera is one alert.
  The same condition reported again without clearing in between counts nothing.
- A condition raises only once it lasted its kind's grace period (0: at once).
- Priority is the camera's plus the kind's offset, clamped to 1..5; a group takes its
  most urgent member's. Unknown cameras, and cameras or agencies with ``alerts: false``,
  raise nothing (alerts already open still count and resolve).
- Grouping (health kinds only): a camera groups by its site, or by the host of its URL
  when it has no site. When a camera fails while a single alert of the same kind and
  group began within ``group_window_s`` before, that alert *becomes* the group: it keeps
  its id and ``first_at``, its ``camera`` turns empty, ``members`` lists both cameras,
  ``group`` says ``site:rp05``, ``detail`` ``2 cameras offline``; one ``updated`` event
  says so. No alert is resolved or replaced, so every view holds exactly one row. Later
  failures of that kind in that group join the open group (``updated``: members and
  count grow). A camera is in one open alert per kind at a time.
- An alert resolves once every member's condition has been clear for
  ``resolve_after_s``. ``needs_ack`` is ``priority <= ack_resolved_up_to`` and nobody
  acknowledged. Acknowledged alerts still count repeats, take members and resolve.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from videowall.alerts.grouping import (
    GROUPED_KINDS,
    common,
    group_detail,
    group_key,
    group_site,
)
from videowall.alerts.ids import new_ulid
from videowall.alerts.signals import Signal
from videowall.registry.alerts import AlertRules
from videowall.registry.model import PRIORITY_HIGHEST, PRIORITY_LOWEST, Camera, Registry
from videowall.store.records import Alert, AlertChange, AlertState

ChangeName = Literal["raised", "updated", "acknowledged", "resolved"]

#: Resolved alerts nobody must acknowledge any more that the engine still answers for
#: (:meth:`AlertEngine.get`, a late acknowledgement); older ones live in the store only.
RECENT_KEPT = 1000

#: (camera id, kind)
_Key = tuple[str, str]


@dataclass(frozen=True)
class AlertEvent:
    """One change of one alert: what changed, the alert as it is now, and the history
    step to record."""

    change: ChangeName
    alert: Alert
    history: AlertChange


@dataclass
class _Condition:
    """What the sources last said about one camera and kind."""

    active: bool
    #: When it became active, or clear.
    since: datetime
    detail: str


@dataclass
class _Open:
    """An open alert and what groups it (the engine's own mutable state)."""

    alert: Alert
    #: ``site:...``/``host:...`` the alert groups by ("" when it cannot group).
    key: str

    @property
    def is_group(self) -> bool:
        return bool(self.alert.group)


def _members(alert: Alert) -> tuple[str, ...]:
    return alert.members or ((alert.camera,) if alert.camera else ())


class AlertEngine:
    """Turns signals into alerts by the rules of the registry's ``alerts`` section (see
    the module's description). Not thread-safe: one owner calls it from one thread."""

    def __init__(self, rules: AlertRules, registry: Registry) -> None:
        self._rules = rules
        self._registry = registry
        self._cameras = {c.id: c for c in registry.cameras}
        self._conditions: dict[_Key, _Condition] = {}
        #: Active conditions waiting for their grace period to elapse.
        self._pending: set[_Key] = set()
        self._open: dict[str, _Open] = {}
        #: (camera, kind) -> the id of the open alert it is a member of.
        self._member_of: dict[_Key, str] = {}
        #: (kind, group key) -> the id of that open group alert.
        self._groups: dict[tuple[str, str], str] = {}
        #: Resolved alerts still waiting for an acknowledgement.
        self._waiting: dict[str, Alert] = {}
        self._recent: OrderedDict[str, Alert] = OrderedDict()

    # -- what the owner calls ------------------------------------------------------------

    def configure(self, rules: AlertRules, registry: Registry) -> None:
        """Take new rules and a new registry (live reload). They apply from now on: to
        grace periods still running, to new alerts, to the priority and ``needs_ack`` of
        each alert at its next change; conditions waiting for their grace period whose
        camera may no longer raise alerts are dropped."""
        self._rules = rules
        self._registry = registry
        self._cameras = {c.id: c for c in registry.cameras}
        self._pending = {k for k in self._pending if self._may_raise(k[0])}

    def report(self, signal: Signal) -> list[AlertEvent]:
        """Take one signal of an alert source; the events it caused at ``signal.at``."""
        key = (signal.camera_id, signal.kind)
        before = self._conditions.get(key)
        if not signal.active:
            self._pending.discard(key)
            if before is None or before.active:
                self._conditions[key] = _Condition(False, signal.at, signal.detail)
            return []
        if before is not None and before.active:
            return []
        self._conditions[key] = _Condition(True, signal.at, signal.detail)
        if key in self._member_of:
            return [self._repeat(self._member_of[key], signal)]
        if self._rules.rule(signal.kind).grace_s > 0:
            self._pending.add(key)
            return []
        return self._fail(key, signal.at)

    def tick(self, now: datetime) -> list[AlertEvent]:
        """Let time pass to ``now``: conditions that outlasted their grace period raise,
        alerts whose cameras were clear long enough resolve. The events, in order."""
        events: list[AlertEvent] = []
        due = [k for k in self._pending if self._grace_over(k, now)]
        for key in sorted(due, key=lambda k: (self._conditions[k].since, k)):
            self._pending.discard(key)
            events += self._fail(key, now)
        for alert_id in sorted(self._open):
            if self._recovered(self._open[alert_id], now):
                events.append(self._resolve(alert_id, now))
        return events

    def acknowledge(
        self, alert_ids: Iterable[str], user: str, note: str, now: datetime
    ) -> list[AlertEvent]:
        """``user`` acknowledges the alerts (a group's id acknowledges the whole group),
        with ``note``. An open alert becomes ``acknowledged``, a resolved one stays
        resolved and no longer needs an acknowledgement; alerts acknowledged before are
        left as they are (no event). KeyError naming the ids the engine does not know,
        before anything changes."""
        ids = list(dict.fromkeys(alert_ids))
        unknown = [i for i in ids if self.get(i) is None]
        if unknown:
            raise KeyError(f"unknown alert id{'s' if len(unknown) > 1 else ''}: "
                           + ", ".join(unknown))
        return [e for i in ids if (e := self._acknowledge(i, user, note, now)) is not None]

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Take alerts back from the store after a restart. Open ones stay open, their
        conditions taken as still present: repeats count into them, and they resolve once
        their cameras are clear long enough. Resolved ones are answered for (:meth:`get`,
        :meth:`acknowledge`). Ids the engine already knows are skipped."""
        for alert in alerts:
            if self.get(alert.id) is not None:
                continue
            if alert.open:
                self._restore_open(alert)
            else:
                self._retire(alert)

    def open_alerts(self) -> list[Alert]:
        """The open alerts (new or acknowledged), oldest first."""
        return [self._open[i].alert for i in sorted(self._open)]

    def unacknowledged(self) -> list[Alert]:
        """What someone must still look at: open alerts nobody acknowledged and resolved
        ones still waiting for an acknowledgement, oldest first (the badge counts them)."""
        alerts = [e.alert for e in self._open.values() if e.alert.unacknowledged]
        return sorted([*alerts, *self._waiting.values()], key=lambda a: a.id)

    def get(self, alert_id: str) -> Alert | None:
        """The alert ``alert_id`` as it is now, if the engine knows it."""
        if alert_id in self._open:
            return self._open[alert_id].alert
        return self._waiting.get(alert_id) or self._recent.get(alert_id)

    # -- raising -------------------------------------------------------------------------

    def _camera(self, camera_id: str) -> Camera | None:
        return self._cameras.get(camera_id)

    def _may_raise(self, camera_id: str) -> bool:
        camera = self._camera(camera_id)
        if camera is None or not camera.alerts:
            return False
        agency = self._registry.agencies.get(camera.agency)
        return agency is None or agency.alerts

    def _grace_over(self, key: _Key, now: datetime) -> bool:
        since = self._conditions[key].since
        return (now - since).total_seconds() >= self._rules.rule(key[1]).grace_s

    def _priority(self, camera_ids: Iterable[str], kind: str, fallback: int) -> int:
        cameras = [c for c in map(self._camera, camera_ids) if c is not None]
        if not cameras:
            return fallback
        offset = self._rules.rule(kind).priority_offset
        return max(PRIORITY_HIGHEST, min(PRIORITY_LOWEST,
                                         min(c.priority for c in cameras) + offset))

    def _fail(self, key: _Key, now: datetime) -> list[AlertEvent]:
        """The condition of ``key`` lasted its grace period: raise, fold or join."""
        camera = self._camera(key[0])
        if camera is None or not self._may_raise(camera.id) or key in self._member_of:
            return []
        kind = key[1]
        group = group_key(camera) if kind in GROUPED_KINDS else ""
        if group:
            group_id = self._groups.get((kind, group))
            if group_id is not None:
                return [self._join(group_id, key, now)]
            single_id = self._foldable(key, group)
            if single_id is not None:
                return [self._join(single_id, key, now)]
        return [self._raise(camera, kind, group, now)]

    def _raise(self, camera: Camera, kind: str, group: str, now: datetime) -> AlertEvent:
        condition = self._conditions[(camera.id, kind)]
        alert = Alert(
            id=new_ulid(now), kind=kind, camera=camera.id, site=camera.site,
            agency=camera.agency, priority=self._priority([camera.id], kind, camera.priority),
            first_at=condition.since, last_at=condition.since, members=(camera.id,),
            detail=condition.detail,
        )
        self._open[alert.id] = _Open(alert, group)
        self._member_of[(camera.id, kind)] = alert.id
        return self._event("raised", self._snapshot(alert), now, alert.detail)

    def _foldable(self, key: _Key, group: str) -> str | None:
        """The single alert of this kind and group that began within the group window
        before the condition of ``key`` (the latest such, when there are several)."""
        since = self._conditions[key].since
        window = self._rules.group_window_s
        found: Alert | None = None
        for entry in self._open.values():
            alert = entry.alert
            if (entry.is_group or entry.key != group or alert.kind != key[1]
                    or abs((since - alert.first_at).total_seconds()) > window):
                continue
            if found is None or alert.first_at > found.first_at:
                found = alert
        return found.id if found is not None else None

    def _join(self, alert_id: str, key: _Key, now: datetime) -> AlertEvent:
        """The camera of ``key`` joins alert ``alert_id``: an open group, or a single
        alert that becomes a group (same id, first time and history)."""
        entry = self._open[alert_id]
        old = entry.alert
        condition = self._conditions[key]
        members = (*_members(old), key[0])
        alert = replace(
            old, camera="", members=members, group=entry.key, site=group_site(entry.key),
            agency=common(self._agency(m, old.agency) for m in members),
            count=old.count + 1, last_at=max(old.last_at, condition.since),
            priority=self._priority(members, old.kind, old.priority),
            detail=group_detail(old.kind, entry.key, len(members)),
        )
        self._member_of[key] = alert_id
        self._groups[(old.kind, entry.key)] = alert_id
        why = (f"{key[0]} joined" if old.group else f"{old.camera} and {key[0]} grouped")
        return self._event("updated", self._snapshot(alert), now, f"{why}: {alert.detail}")

    def _agency(self, camera_id: str, fallback: str) -> str:
        camera = self._camera(camera_id)
        return camera.agency if camera is not None else fallback

    def _repeat(self, alert_id: str, signal: Signal) -> AlertEvent:
        """The condition came back while its alert is open: count it."""
        old = self._open[alert_id].alert
        alert = replace(
            old, count=old.count + 1, last_at=max(old.last_at, signal.at),
            priority=self._priority(_members(old), old.kind, old.priority),
            detail=old.detail if old.group else (signal.detail or old.detail),
        )
        why = f"{signal.camera_id} {signal.kind} again"
        if signal.detail:
            why += f": {signal.detail}"
        return self._event("updated", self._snapshot(alert), signal.at, why)

    # -- resolving, acknowledging --------------------------------------------------------

    def _recovered(self, entry: _Open, now: datetime) -> bool:
        after = self._rules.resolve_after_s
        for member in _members(entry.alert):
            condition = self._conditions.get((member, entry.alert.kind))
            if (condition is None or condition.active
                    or (now - condition.since).total_seconds() < after):
                return False
        return True

    def _resolve(self, alert_id: str, now: datetime) -> AlertEvent:
        entry = self._open.pop(alert_id)
        old = entry.alert
        for member in _members(old):
            if self._member_of.get((member, old.kind)) == alert_id:
                del self._member_of[(member, old.kind)]
        if self._groups.get((old.kind, old.group)) == alert_id:
            del self._groups[(old.kind, old.group)]
        alert = self._snapshot(replace(old, state=AlertState.RESOLVED, resolved_at=now))
        self._retire(alert)
        lasted = (now - old.first_at).total_seconds()
        return self._event("resolved", alert, now, f"clear again; lasted {lasted:.0f} s")

    def _acknowledge(self, alert_id: str, user: str, note: str,
                     now: datetime) -> AlertEvent | None:
        old = self.get(alert_id)
        assert old is not None  # checked by acknowledge()
        if old.acknowledged_at is not None:
            return None
        alert = replace(
            old, acknowledged_by=user, acknowledged_at=now, note=note, needs_ack=False,
            state=AlertState.ACKNOWLEDGED if old.open else AlertState.RESOLVED,
        )
        if alert_id in self._open:
            self._open[alert_id].alert = alert
        else:
            self._waiting.pop(alert_id, None)
            self._retire(alert)
        return AlertEvent("acknowledged", alert, AlertChange(
            alert.id, now, "acknowledged", alert.state, alert.count, by=user, note=note))

    # -- bookkeeping ---------------------------------------------------------------------

    def _snapshot(self, alert: Alert) -> Alert:
        """``alert`` with ``needs_ack`` by the rules, kept as the alert's state when open."""
        needs_ack = (alert.acknowledged_at is None
                     and alert.priority <= self._rules.ack_resolved_up_to)
        alert = replace(alert, needs_ack=needs_ack)
        if alert.id in self._open:
            self._open[alert.id].alert = alert
        return alert

    def _event(self, change: ChangeName, alert: Alert, now: datetime,
               detail: str) -> AlertEvent:
        return AlertEvent(change, alert, AlertChange(
            alert.id, now, change, alert.state, alert.count, detail=detail))

    def _retire(self, alert: Alert) -> None:
        """Keep a resolved alert: until acknowledged if it needs that, else among the
        recent ones."""
        if alert.unacknowledged:
            self._waiting[alert.id] = alert
            return
        self._recent[alert.id] = alert
        self._recent.move_to_end(alert.id)
        while len(self._recent) > RECENT_KEPT:
            self._recent.popitem(last=False)

    def _restore_open(self, alert: Alert) -> None:
        members = _members(alert)
        camera = self._camera(members[0]) if members else None
        key = alert.group or (group_key(camera) if camera is not None
                              and alert.kind in GROUPED_KINDS else "")
        self._open[alert.id] = _Open(alert, key)
        for member in members:
            # a camera is in one open alert per kind: the first restored keeps it
            self._member_of.setdefault((member, alert.kind), alert.id)
            self._conditions.setdefault(
                (member, alert.kind), _Condition(True, alert.last_at, alert.detail))
        if alert.group:
            self._groups.setdefault((alert.kind, alert.group), alert.id)
