"""The tables of the store, as typed SQLAlchemy models.

Every table of videowall hangs off :class:`Base`, so ``Base.metadata.create_all`` makes a
complete store. The registry tables mirror ``config/cameras.yaml``: the YAML file stays the
source of truth, the rows are what layouts, alerts and the health log refer to, so a row is
never deleted: a camera, site or agency that leaves the file is marked ``removed`` (and a
camera also disabled) and comes back as the same row when it returns.

URLs are stored masked (``user:***@``), never with a password.

Later tables (``layouts``) join :class:`Base` here, come with an Alembic
revision in :mod:`videowall.store.migrations` written to match, and raise
:data:`SCHEMA_VERSION`. The store's Alembic revision (and, for older tools, its
``schema_version`` row) tells a store written by an older videowall, which is migrated,
from one written by a newer, which this one must not touch.

Schema history: 1 the registry mirror; 2 adds ``health_log``; 3 adds ``alerts`` and
``alert_history``; 4 adds ``lane_occupancy``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from videowall.registry.model import PRIORITY_DEFAULT

#: The version of the table layout below. Raise it with every change of a table.
SCHEMA_VERSION = 4


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC: every time in the store is UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time stored as naive UTC (portable between SQLite and PostgreSQL) and
    read back timezone-aware. A naive value given to it is taken as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every videowall table."""

    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        str: String(),
    }


class SchemaVersionRow(Base):
    """One row (``id`` 1): the :data:`SCHEMA_VERSION` the store was written with."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteRow(Base):
    """A road point or building of the registry."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    colour: Mapped[str] = mapped_column(default="")
    contact: Mapped[str] = mapped_column(default="")
    #: Registry fields without a column of their own, as JSON (credentials left out).
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgencyRow(Base):
    """The owner of cameras: a department, an agency (OPD) or a private operator."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    colour: Mapped[str] = mapped_column(default="")
    contact: Mapped[str] = mapped_column(default="")
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CameraRow(Base):
    """A camera of the registry. ``removed`` cameras are disabled and kept for the layouts
    and alerts that refer to them."""

    __tablename__ = "cameras"
    __table_args__ = (
        Index("ix_cameras_site_id", "site_id"),
        Index("ix_cameras_agency_id", "agency_id"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    #: The main stream URL with any password masked as ``user:***@``.
    url_masked: Mapped[str]
    #: The sub stream URL, masked the same way, or None.
    sub_url_masked: Mapped[str | None]
    backend: Mapped[str] = mapped_column(default="auto")
    enabled: Mapped[bool] = mapped_column(default=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    heading: Mapped[float | None]
    tags: Mapped[list[str]] = mapped_column(default=list)
    priority: Mapped[int] = mapped_column(default=PRIORITY_DEFAULT)
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistrySyncRow(Base):
    """One sync of the registry file into the store that changed something (or met a new
    text of the file): when, from which file, the file's SHA-256 and the counts."""

    __tablename__ = "registry_syncs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str]
    sha256: Mapped[str | None]
    #: What the registry held.
    cameras: Mapped[int]
    sites: Mapped[int]
    agencies: Mapped[int]
    #: The changes of this sync by kind (cameras, sites and agencies together).
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    restored: Mapped[int] = mapped_column(default=0)


class RegistryChangeRow(Base):
    """One change of one camera, site or agency made by a sync.

    Exactly one of ``camera_id``, ``site_id``, ``agency_id`` is set. ``kind`` is one of
    added, updated, disabled, removed, restored; ``fields`` names the registry fields
    that changed and ``detail`` says how, with URLs masked.
    """

    __tablename__ = "registry_changes"
    __table_args__ = (
        Index("ix_registry_changes_camera_id", "camera_id"),
        Index("ix_registry_changes_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sync_id: Mapped[int | None] = mapped_column(ForeignKey("registry_syncs.id"))
    at: Mapped[datetime]
    camera_id: Mapped[str | None] = mapped_column(ForeignKey("cameras.id"))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str]
    fields: Mapped[list[str]] = mapped_column(default=list)
    detail: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(default="")


class HealthLogRow(Base):
    """One change of a stream's health: the camera, when (UTC), the new state and why.

    ``camera_id`` names a row of ``cameras`` but has no foreign key: state changes are
    written as they happen, also while the registry mirror is behind or cannot write.
    """

    __tablename__ = "health_log"
    __table_args__ = (Index("ix_health_log_camera_id_at", "camera_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str]
    at: Mapped[datetime]
    #: A :class:`~videowall.streams.base.StreamState` value (``live``, ``stalled``...).
    state: Mapped[str]
    #: Why, in words, as the tile said it (URLs masked).
    reason: Mapped[str] = mapped_column(Text, default="")


#: The length of an alert id: a ULID in Crockford base 32.
ALERT_ID_LENGTH = 26


class AlertRow(Base):
    """One alert, as :class:`~videowall.store.records.Alert` holds it (its latest state).

    ``camera`` and ``members`` name cameras without a foreign key, as the health log does:
    alerts are written as they happen, also while the registry mirror is behind. The
    record's ``group`` is the column ``group_key`` (``GROUP`` is a word of SQL).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_state", "state"),
        Index("ix_alerts_camera", "camera"),
        Index("ix_alerts_first_at", "first_at"),
    )

    id: Mapped[str] = mapped_column(String(ALERT_ID_LENGTH), primary_key=True)
    kind: Mapped[str]
    #: Empty for a group alert.
    camera: Mapped[str] = mapped_column(default="")
    site: Mapped[str] = mapped_column(default="")
    agency: Mapped[str] = mapped_column(default="")
    priority: Mapped[int]
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    count: Mapped[int] = mapped_column(default=1)
    #: An :class:`~videowall.store.records.AlertState` value.
    state: Mapped[str]
    #: The camera ids of the alert (one for a single camera's alert).
    members: Mapped[list[str]] = mapped_column(default=list)
    group_key: Mapped[str] = mapped_column(default="")
    #: In words (URLs masked).
    detail: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by: Mapped[str] = mapped_column(default="")
    acknowledged_at: Mapped[datetime | None]
    #: The note of who acknowledged it, as they wrote it.
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    needs_ack: Mapped[bool] = mapped_column(Boolean, default=True)


class AlertHistoryRow(Base):
    """One step of an alert's history (:class:`~videowall.store.records.AlertChange`):
    raised, updated, acknowledged, resolved. Rows are only ever added. The record's ``by``
    is the column ``by_user`` (``BY`` is a word of SQL)."""

    __tablename__ = "alert_history"
    __table_args__ = (Index("ix_alert_history_alert_id_at", "alert_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(ALERT_ID_LENGTH), ForeignKey("alerts.id"))
    at: Mapped[datetime]
    change: Mapped[str]
    #: The alert's state after this step.
    state: Mapped[str]
    count: Mapped[int] = mapped_column(default=1)
    by_user: Mapped[str] = mapped_column(default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class LaneOccupancyRow(Base):
    """One minute of one traffic lane of a camera
    (:class:`~videowall.store.records.LaneMinute`): how much of the lane was occupied, how
    much of the minute its contents moved, and how long a queue stood still.

    The key is the camera, the lane and the minute (its start, UTC): a second write of the
    same minute replaces the first. ``camera_id`` has no foreign key, as the health log:
    minutes are written as they are measured, also while the registry mirror is behind.
    """

    __tablename__ = "lane_occupancy"
    __table_args__ = (Index("ix_lane_occupancy_camera_id_minute", "camera_id", "minute"),)

    camera_id: Mapped[str] = mapped_column(primary_key=True)
    #: The lane zone's name.
    lane: Mapped[str] = mapped_column(primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)
    #: The mean share of the lane occupied, 0..1.
    occupancy: Mapped[float] = mapped_column(Float)
    #: The share of the minute the lane's contents moved, 0..1.
    moving: Mapped[float] = mapped_column(Float)
    #: Seconds of the minute the lane was congested, 0..60.
    congested_s: Mapped[float] = mapped_column(Float)
