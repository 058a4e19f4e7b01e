"""Lane occupancy: for each traffic lane of a camera, one value a minute (how much of the
lane was occupied, how much of the minute its contents moved, how long a queue stood
still).

Written in batches by :class:`videowall.store.writer.StoreWriter` (off the GUI thread),
read by ``videowall traffic``. A second value of the same camera, lane and minute replaces
the first; the replacement is a delete and an insert in one transaction, plain SQL that
every database runs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, insert, select

from videowall.store.models import CameraRow, LaneOccupancyRow
from videowall.store.records import LaneMinute
from videowall.store.store import Store

#: Seconds in a minute: the most a minute can be congested.
MINUTE_S = 60.0


def minute_start(when: datetime) -> datetime:
    """The start of the minute ``when`` is in, timezone-aware UTC (a naive time is UTC)."""
    at = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return at.replace(second=0, microsecond=0)


def check_lane_minute(record: LaneMinute) -> LaneMinute:
    """``record`` as the store keeps it (its minute the start of the minute, in UTC; its
    values plain floats), or ValueError saying what no store can hold: an empty camera or
    lane, a share not in 0..1, congested seconds not in 0..60, a value that is not a
    finite number."""
    if not isinstance(record.camera_id, str) or not record.camera_id:
        raise ValueError(f"a lane minute needs a camera id, not {record.camera_id!r}")
    if not isinstance(record.lane, str) or not record.lane:
        raise ValueError(f"a lane minute of {record.camera_id} needs a lane, not {record.lane!r}")
    if not isinstance(record.minute, datetime):
        raise ValueError(f"a lane minute of {record.camera_id} {record.lane} needs a time, "
                         f"not {record.minute!r}")
    values: list[float] = []
    for name, value, top in (("occupancy", record.occupancy, 1.0), ("moving", record.moving, 1.0),
                             ("congested_s", record.congested_s, MINUTE_S)):
        # numbers.Real: numpy's floats too, kept as plain floats (for the spill file's JSON).
        if (not isinstance(value, numbers.Real) or isinstance(value, bool)
                or not math.isfinite(value) or not 0 <= value <= top):
            raise ValueError(f"lane minute of {record.camera_id} {record.lane}: {name} must be "
                             f"a number from 0 to {top:g}, not {value!r}")
        values.append(float(value))
    occupancy, moving, congested_s = values
    return LaneMinute(record.camera_id, record.lane, minute_start(record.minute), occupancy,
                      moving, congested_s)


def record_lane_minutes(store: Store, records: Iterable[LaneMinute]) -> int:
    """Write ``records`` in one transaction, each replacing a stored value of the same
    camera, lane and minute; returns how many minutes were written.

    Of several values of one minute the last counts. ValueError (see
    :func:`check_lane_minute`) before anything is written if one cannot be stored.
    """
    latest: dict[tuple[str, str, datetime], LaneMinute] = {}
    for record in records:
        checked = check_lane_minute(record)
        latest[(checked.camera_id, checked.lane, checked.minute)] = checked
    if not latest:
        return 0
    row = LaneOccupancyRow
    replaced = delete(row).where(
        row.camera_id == bindparam("key_camera"),
        row.lane == bindparam("key_lane"),
        row.minute == bindparam("key_minute"),
    )
    keys = [{"key_camera": c, "key_lane": lane, "key_minute": m} for c, lane, m in latest]
    rows = [
        {"camera_id": r.camera_id, "lane": r.lane, "minute": r.minute,
         "occupancy": r.occupancy, "moving": r.moving, "congested_s": r.congested_s}
        for r in latest.values()
    ]
    with store.write("write the lane occupancy to") as session:
        # On the connection: one statement run for every key, and one for every row.
        connection = session.connection()
        connection.execute(replaced, keys)
        connection.execute(insert(row), rows)
    return len(rows)


def lane_minutes(
    store: Store,
    *,
    site: str | None = None,
    camera: str | None = None,
    since: datetime | None = None,
) -> list[LaneMinute]:
    """The lane minutes in the store, ordered by camera, lane and minute.

    Only those of cameras at ``site`` (as the registry mirror places them) if given, of
    ``camera`` if given, and of minutes starting at or after ``since`` if given (a naive
    time is taken as UTC).
    """
    stmt = select(LaneOccupancyRow)
    if site is not None:
        stmt = stmt.join(CameraRow, CameraRow.id == LaneOccupancyRow.camera_id).where(
            CameraRow.site_id == site)
    if camera is not None:
        stmt = stmt.where(LaneOccupancyRow.camera_id == camera)
    if since is not None:
        stmt = stmt.where(LaneOccupancyRow.minute >= since)
    stmt = stmt.order_by(LaneOccupancyRow.camera_id, LaneOccupancyRow.lane,
                         LaneOccupancyRow.minute)
    with store.read("read the lane occupancy from") as session:
        return [_minute(row) for row in session.scalars(stmt)]


def lane_camera_ids(store: Store) -> list[str]:
    """Every camera id the lane occupancy holds a minute of, sorted."""
    stmt = (select(LaneOccupancyRow.camera_id).distinct()
            .order_by(LaneOccupancyRow.camera_id))
    with store.read("read the lane occupancy from") as session:
        return list(session.scalars(stmt))


def _minute(row: LaneOccupancyRow) -> LaneMinute:
    minute = row.minute if row.minute.tzinfo is not None else row.minute.replace(tzinfo=UTC)
    return LaneMinute(camera_id=row.camera_id, lane=row.lane, minute=minute,
                      occupancy=row.occupancy, moving=row.moving, congested_s=row.congested_s)
