"""Alerts in the store: each alert's latest state in ``alerts``, every step of it in
``alert_history``.

The wall writes them through :class:`videowall.store.writer.StoreWriter` (off the GUI
thread, with the health log); ``videowall alerts`` reads them and acknowledges them
directly. Every function hands out plain :mod:`videowall.store.records` values.

An acknowledgement is never undone by a later write: the wall keeps writing the alerts it
holds, which may not know yet that someone acknowledged one elsewhere (``videowall alerts
ack``, another workstation), so :func:`record_alerts` keeps the stored acknowledgement
(who, when, the note) of an alert written without one, and a ``new`` alert that was
acknowledged stays ``acknowledged``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Text, and_, cast, func, insert, or_, select
from sqlalchemy.orm import Session

from videowall.store.models import AlertHistoryRow, AlertRow, utcnow
from videowall.store.records import Alert, AlertChange, AlertState
from videowall.store.store import Store
from videowall.util.logs import mask_url

#: What :func:`list_alerts` filters by: a state, ``open`` (not resolved, as
#: :attr:`Alert.open`) or ``unacknowledged`` (as :attr:`Alert.unacknowledged`).
StateFilter = Literal["new", "acknowledged", "resolved", "open", "unacknowledged"]
STATE_FILTERS: tuple[StateFilter, ...] = (
    "new", "acknowledged", "resolved", "open", "unacknowledged")
#: Ids an ambiguous prefix's error names at the most.
_SHOWN = 5


class AlertLookupError(LookupError):
    """Alert ids (or prefixes) that name no alert, or more than one; the message says
    which, in words, and names the store."""

    def __init__(self, where: str, unknown: Sequence[str] = (),
                 ambiguous: dict[str, tuple[tuple[str, ...], int]] | None = None) -> None:
        self.where = where
        #: The ids or prefixes no alert has.
        self.unknown = tuple(unknown)
        #: Each ambiguous prefix: the first ids it matches, and how many it matches.
        self.ambiguous = dict(ambiguous or {})
        super().__init__(self._words())

    def _words(self) -> str:
        parts = []
        if self.unknown:
            names = " or ".join(repr(name) for name in self.unknown)
            parts.append(f"no alert {names} in the store {self.where}")
        for prefix, (ids, total) in self.ambiguous.items():
            more = f" and {total - len(ids)} more" if total > len(ids) else ""
            parts.append(f"alert id {prefix!r} is ambiguous in the store {self.where}: it "
                         f"matches {', '.join(ids)}{more}")
        return "; ".join(parts)


# -- writing --------------------------------------------------------------------------------


def record_alerts(store: Store, alerts: Iterable[Alert],
                  changes: Iterable[AlertChange] = ()) -> int:
    """Write ``alerts`` (added, or replacing the stored row of the same id) and append
    ``changes`` to their history, in one transaction; returns how many alerts.

    Of several values of one alert the last counts. A stored acknowledgement is kept (see
    the module). Every change must belong to one of ``alerts`` or to an alert in the
    store, else ValueError and nothing is written. Details are stored with any URL
    password masked; notes as they were written.
    """
    latest = {alert.id: alert for alert in alerts}
    steps = list(changes)
    if not latest and not steps:
        return 0
    with store.write("write the alerts to") as session:
        stored = {row.id: row for row in session.scalars(
            select(AlertRow).where(AlertRow.id.in_(list(latest))))} if latest else {}
        for alert in latest.values():
            row = stored.get(alert.id)
            values = _merged(row, alert)
            if row is None:
                session.add(AlertRow(**values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
        session.flush()  # the history's foreign keys need the alerts
        _check_known(session, {step.alert_id for step in steps} - set(latest))
        if steps:
            session.execute(insert(AlertHistoryRow), [_history_values(s) for s in steps])
    return len(latest)


def acknowledge_alerts(store: Store, ids: Iterable[str], user: str, note: str = "",
                       at: datetime | None = None) -> list[Alert]:
    """Acknowledge the alerts of ``ids`` (whole ids: see :func:`find_alerts` for
    prefixes) as ``user`` with ``note`` at ``at`` (default now), in one transaction.

    Each gets ``acknowledged_by``, ``acknowledged_at`` and ``note``, the state
    ``acknowledged`` unless it is resolved, and an ``acknowledged`` step in its history.
    An alert acknowledged already is left as it is. Returns the alerts afterwards, in the
    order of ``ids``; AlertLookupError (nothing written) if one is not in the store.
    """
    wanted = list(dict.fromkeys(ids))
    when = utcnow() if at is None else at
    with store.write("acknowledge alerts in") as session:
        rows = {row.id: row for row in session.scalars(
            select(AlertRow).where(AlertRow.id.in_(wanted)))}
        missing = [alert_id for alert_id in wanted if alert_id not in rows]
        if missing:
            raise AlertLookupError(store.where, missing)
        steps = []
        for alert_id in wanted:
            row = rows[alert_id]
            if row.acknowledged_at is not None:
                continue
            row.acknowledged_by, row.acknowledged_at, row.note = user, when, note
            if row.state != AlertState.RESOLVED:
                row.state = AlertState.ACKNOWLEDGED.value
            steps.append(AlertChange(alert_id, when, "acknowledged", AlertState(row.state),
                                     row.count, by=user, note=note))
        session.flush()
        if steps:
            session.execute(insert(AlertHistoryRow), [_history_values(s) for s in steps])
        return [_alert(rows[alert_id]) for alert_id in wanted]


# -- reading --------------------------------------------------------------------------------


def open_alerts(store: Store) -> list[Alert]:
    """What the wall must show again after a restart, oldest first: every alert not
    resolved, and every resolved one that still waits for an acknowledgement (it needs
    one and nobody gave it)."""
    stmt = select(AlertRow).where(or_(
        AlertRow.state != AlertState.RESOLVED.value,
        and_(AlertRow.needs_ack.is_(True), AlertRow.acknowledged_at.is_(None)),
    )).order_by(AlertRow.first_at, AlertRow.id)
    return _read(store, stmt)


def list_alerts(store: Store, *, state: StateFilter | AlertState | None = None,
                since: datetime | None = None, camera: str | None = None,
                limit: int | None = None) -> list[Alert]:
    """The alerts in the store, newest (by first time) first.

    ``state``: one state, ``open`` (not resolved) or ``unacknowledged`` (someone must still
    acknowledge it: new, or resolved and needing an acknowledgement). ``since``: the
    alerts open at any time since then (raised or seen since, resolved since, or not
    resolved yet; a naive time is UTC). ``camera``: the alerts of that camera, groups it
    is a member of included. ``limit``: the newest so many.
    """
    stmt = select(AlertRow)
    if state is not None:
        stmt = stmt.where(_state_clause(state))
    if since is not None:
        stmt = stmt.where(or_(AlertRow.resolved_at.is_(None), AlertRow.resolved_at >= since,
                              AlertRow.last_at >= since))
    if camera is not None:
        stmt = stmt.where(_camera_clause(camera))
    stmt = stmt.order_by(AlertRow.first_at.desc(), AlertRow.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return _read(store, stmt)


def find_alerts(store: Store, prefixes: Iterable[str]) -> dict[str, Alert]:
    """The alert each of ``prefixes`` names: a whole id or the start of exactly one,
    in any case. Keys are the prefixes as given.

    AlertLookupError names every prefix that matches no alert or several (a whole id
    matches its own alert even if it also starts a longer id).
    """
    found: dict[str, Alert] = {}
    unknown: list[str] = []
    ambiguous: dict[str, tuple[tuple[str, ...], int]] = {}
    with store.read("read the alerts from") as session:
        for prefix in dict.fromkeys(prefixes):
            key = prefix.strip().upper()
            matches = _prefixed(session, key) if key else []
            exact = [row for row in matches if row.id.upper() == key]
            if exact or len(matches) == 1:
                found[prefix] = _alert((exact or matches)[0])
            elif not matches:
                unknown.append(prefix)
            else:
                total = session.scalar(select(func.count()).where(_prefix_clause(key))) or 0
                ambiguous[prefix] = (tuple(row.id for row in matches[:_SHOWN]), total)
    if unknown or ambiguous:
        raise AlertLookupError(store.where, unknown, ambiguous)
    return found


def alert_history(store: Store, alert_id: str) -> list[AlertChange]:
    """The steps of the alert ``alert_id`` (a whole id), oldest first; [] for none."""
    stmt = (select(AlertHistoryRow).where(AlertHistoryRow.alert_id == alert_id)
            .order_by(AlertHistoryRow.at, AlertHistoryRow.id))
    with store.read("read the alerts from") as session:
        return [_change(row) for row in session.scalars(stmt)]


def alert_cameras(store: Store) -> list[str]:
    """Every camera id an alert names (alone or as a member of a group), sorted."""
    with store.read("read the alerts from") as session:
        ids = {camera for members in session.scalars(select(AlertRow.members))
               for camera in members or ()}
        ids.update(session.scalars(select(AlertRow.camera).where(AlertRow.camera != "")))
    return sorted(ids)


# -- rows and records -------------------------------------------------------------------------


def _read(store: Store, stmt: Any) -> list[Alert]:
    with store.read("read the alerts from") as session:
        return [_alert(row) for row in session.scalars(stmt)]


def _state_clause(state: StateFilter | AlertState) -> ColumnElement[bool]:
    if state == "open":
        return AlertRow.state != AlertState.RESOLVED.value
    if state == "unacknowledged":
        return and_(AlertRow.acknowledged_at.is_(None), or_(
            AlertRow.state == AlertState.NEW.value, AlertRow.needs_ack.is_(True)))
    try:
        return AlertRow.state == AlertState(state).value
    except ValueError:
        raise ValueError(f"unknown alert state {state!r}: expected one of "
                         f"{', '.join(STATE_FILTERS)}") from None


def _camera_clause(camera: str) -> ColumnElement[bool]:
    # The members are a JSON list of strings: the id in quotes, as JSON writes it, is
    # found in its text only as a whole member.
    needle = json.dumps(camera)
    return or_(AlertRow.camera == camera,
               cast(AlertRow.members, Text).contains(needle, autoescape=True))


def _prefix_clause(key: str) -> ColumnElement[bool]:
    return func.upper(AlertRow.id).startswith(key, autoescape=True)


def _prefixed(session: Session, key: str) -> list[AlertRow]:
    stmt = select(AlertRow).where(_prefix_clause(key)).order_by(AlertRow.id).limit(_SHOWN + 1)
    return list(session.scalars(stmt))


def _check_known(session: Session, ids: set[str]) -> None:
    if not ids:
        return
    found = set(session.scalars(select(AlertRow.id).where(AlertRow.id.in_(ids))))
    missing = sorted(ids - found)
    if missing:
        raise ValueError(f"history of alerts the store does not hold: {', '.join(missing)}")


def _merged(row: AlertRow | None, alert: Alert) -> dict[str, Any]:
    """The column values of ``alert``, keeping an acknowledgement the store has."""
    values: dict[str, Any] = {
        "id": alert.id, "kind": alert.kind, "camera": alert.camera, "site": alert.site,
        "agency": alert.agency, "priority": alert.priority, "first_at": alert.first_at,
        "last_at": alert.last_at, "count": alert.count, "state": AlertState(alert.state).value,
        "members": list(alert.members), "group_key": alert.group,
        "detail": mask_url(alert.detail), "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at, "note": alert.note,
        "resolved_at": alert.resolved_at, "needs_ack": alert.needs_ack,
    }
    if row is not None and row.acknowledged_at is not None and alert.acknowledged_at is None:
        values.update(acknowledged_by=row.acknowledged_by,
                      acknowledged_at=row.acknowledged_at, note=row.note)
        if values["state"] == AlertState.NEW.value:
            values["state"] = AlertState.ACKNOWLEDGED.value
    return values


def _history_values(change: AlertChange) -> dict[str, Any]:
    return {
        "alert_id": change.alert_id, "at": change.at, "change": change.change,
        "state": AlertState(change.state).value, "count": change.count,
        "by_user": change.by, "note": change.note, "detail": mask_url(change.detail),
    }


def _alert(row: AlertRow) -> Alert:
    return Alert(
        id=row.id, kind=row.kind, camera=row.camera, site=row.site, agency=row.agency,
        priority=row.priority, first_at=row.first_at, last_at=row.last_at, count=row.count,
        state=AlertState(row.state), members=tuple(row.members or ()), group=row.group_key,
        detail=row.detail, acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at, note=row.note, resolved_at=row.resolved_at,
        needs_ack=row.needs_ack,
    )


def _change(row: AlertHistoryRow) -> AlertChange:
    return AlertChange(
        alert_id=row.alert_id, at=row.at, change=row.change, state=AlertState(row.state),
        count=row.count, by=row.by_user, note=row.note, detail=row.detail,
    )
