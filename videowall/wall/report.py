"""What a wall session reports: its state changes and its alerts, as plain JSON-ready data.

Times ``t``, ``first_t`` and ``last_t`` are seconds since the session began (an alert
carried over from before has negative times). The tiles' part of a report is the
screen's (:mod:`videowall.ui.snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from videowall.motion.events import CongestionEvent, MotionEvent
from videowall.store.records import Alert
from videowall.streams.base import StateChanged
from videowall.wall.events import AlertChanged
from videowall.wall.session import WallSession


def event_record(event: StateChanged, started_at: float) -> dict[str, Any]:
    """One state change as the report lists it."""
    state = event.state.value
    return {
        "t": round(event.t - started_at, 3),
        "camera": event.camera_id,
        "kind": event.kind,
        "state": state,
        "detail": f"{state}: {event.detail}" if event.detail else state,
        "message": event.detail,
    }


def _since(at: datetime, started_utc: datetime) -> float:
    return round((at - started_utc).total_seconds(), 3)


def alert_record(alert: Alert, started_utc: datetime) -> dict[str, Any]:
    """One alert as the report lists it."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "camera": alert.camera,
        "state": alert.state.value,
        "priority": alert.priority,
        "count": alert.count,
        "first_t": _since(alert.first_at, started_utc),
        "last_t": _since(alert.last_at, started_utc),
        "members": list(alert.members),
        "site": alert.site,
        "agency": alert.agency,
        "group": alert.group,
        "detail": alert.detail,
        "acknowledged_by": alert.acknowledged_by,
        "note": alert.note,
    }


def alert_event_record(changed: AlertChanged, started_at: float) -> dict[str, Any]:
    """One alert change (raised, updated, acknowledged, resolved) as an event of the
    report: ``"kind": "alert"``."""
    alert, change = changed.event.alert, changed.event.change
    subject = alert.camera or alert.group
    return {
        "t": round(changed.t - started_at, 3),
        "camera": alert.camera,
        "kind": "alert",
        "state": alert.state.value,
        "detail": f"alert {change}: {alert.kind} {subject}"
                  + (f": {alert.detail}" if alert.detail else ""),
        "message": alert.detail,
        "alert": alert.id,
        "change": change,
        "alert_kind": alert.kind,
        "priority": alert.priority,
        "members": list(alert.members),
    }


def _seconds(t: float | None, started_at: float) -> float | None:
    return None if t is None else round(t - started_at, 3)


def motion_records(
    events: Iterable[MotionEvent | CongestionEvent], started_at: float
) -> list[dict[str, Any]]:
    """Motion and congestion as the report lists them: one record for each, from its
    start (``t``) to its end (``end_t``, null while it goes on)."""
    records: dict[tuple[str, str, str, float], dict[str, Any]] = {}
    for event in events:
        if isinstance(event, MotionEvent):
            key = ("motion", event.camera_id, event.zone, event.t)
            detail = f"motion in zone '{event.zone}'"
            record = {"t": _seconds(event.t, started_at), "camera": event.camera_id,
                      "kind": "motion", "zone": event.zone,
                      "box": [round(v, 4) for v in event.box],
                      "end_t": _seconds(event.end_t, started_at),
                      "alerting": event.alerting}
        else:
            key = ("congestion", event.camera_id, event.lane, event.t)
            detail = event.detail or f"queue in lane '{event.lane}'"
            old = records.get(key)
            record = {"t": _seconds(event.t, started_at), "camera": event.camera_id,
                      "kind": "congestion", "lane": event.lane,
                      "occupancy": round(max(event.occupancy,
                                             old["occupancy"] if old else 0.0), 3),
                      "end_t": _seconds(event.end_t, started_at)}
            if old is not None and not event.detail:
                detail = old["detail"]
        record["state"] = "active" if event.active else "ended"
        record["detail"] = detail
        record["message"] = detail
        records[key] = record
    return list(records.values())


def session_events(session: WallSession) -> list[dict[str, Any]]:
    """Every state change, motion, queue and alert change of ``session``, in the order
    of their times."""
    records = [event_record(ev, session.started_at) for ev in session.events
               if isinstance(ev, StateChanged)]
    records += motion_records(list(session.motion_events), session.started_at)
    records += [alert_event_record(ch, session.started_at) for ch in session.alert_events]
    records.sort(key=lambda record: record["t"])  # stable: equal times keep their order
    return records


def session_alerts(session: WallSession) -> list[dict[str, Any]]:
    """Every alert the session saw or carried over, oldest first, as it is now."""
    latest: dict[str, Alert] = {}
    for alert in session.alerts.open_alerts():
        latest[alert.id] = alert
    for changed in session.alert_events:
        latest[changed.event.alert.id] = changed.event.alert
    alerts = sorted(latest.values(), key=lambda a: (a.first_at, a.id))
    return [alert_record(alert, session.started_utc) for alert in alerts]
