"""The health log: every change of a stream's state, with the camera, the time and why.

Written in batches by :class:`videowall.store.writer.StoreWriter` (off the GUI thread), read
by ``videowall health``. Rows are only ever added.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert, select

from videowall.store.models import HealthLogRow
from videowall.store.records import HealthEntry
from videowall.store.store import Store
from videowall.util.logs import mask_url


def record_health(store: Store, entries: Iterable[HealthEntry]) -> int:
    """Add ``entries`` to the health log in one transaction; returns how many.

    A naive ``at`` is taken as UTC. Reasons are stored with any URL password masked.
    """
    rows = [
        {
            "camera_id": entry.camera_id,
            "at": entry.at,
            "state": entry.state,
            "reason": mask_url(entry.reason),
        }
        for entry in entries
    ]
    if not rows:
        return 0
    with store.write("write the health log to") as session:
        session.execute(insert(HealthLogRow), rows)
    return len(rows)


def health_history(
    store: Store,
    camera_id: str,
    since: datetime | None = None,
    *,
    limit: int | None = None,
) -> list[HealthEntry]:
    """The state changes of ``camera_id``, oldest first.

    Only those at or after ``since`` if given (a naive time is taken as UTC), only the
    newest ``limit`` if given.
    """
    stmt = select(HealthLogRow).where(HealthLogRow.camera_id == camera_id)
    if since is not None:
        stmt = stmt.where(HealthLogRow.at >= since)
    stmt = stmt.order_by(HealthLogRow.at.desc(), HealthLogRow.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.read("read the health log from") as session:
        rows = list(session.scalars(stmt))
    return [_entry(row) for row in reversed(rows)]


def health_before(store: Store, camera_id: str, at: datetime) -> HealthEntry | None:
    """The last state change of ``camera_id`` before ``at``: its state at that time."""
    stmt = (
        select(HealthLogRow)
        .where(HealthLogRow.camera_id == camera_id, HealthLogRow.at < at)
        .order_by(HealthLogRow.at.desc(), HealthLogRow.id.desc())
        .limit(1)
    )
    with store.read("read the health log from") as session:
        row = session.scalars(stmt).first()
    return _entry(row) if row is not None else None


def health_camera_ids(store: Store) -> list[str]:
    """Every camera id the health log holds an entry of, sorted."""
    stmt = select(HealthLogRow.camera_id).distinct().order_by(HealthLogRow.camera_id)
    with store.read("read the health log from") as session:
        return list(session.scalars(stmt))


def _entry(row: HealthLogRow) -> HealthEntry:
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    return HealthEntry(camera_id=row.camera_id, at=at, state=row.state, reason=row.reason)
